/**
 * From a JPEG's coefficients to pixels: dequantization with the inverse DCT (the floating-point
 * AAN algorithm of libjpeg's jidctflt.c, about 80 multiplications a block), and the colour
 * conversion of every output row from the component planes, chroma upsampled by repeating the
 * nearest sample (as jpeg-js does, so the two agree to a rounding).
 *
 * Both work on a range of rows, so the caller can look at its time slice between ranges.
 */

/** cos(k·π/16)·√2 for k ≥ 1: the AAN algorithm's scale, folded into the quantization table. */
const AAN_SCALE = Array.from({ length: 8 }, (_, k) =>
	k === 0 ? 1 : Math.cos((k * Math.PI) / 16) * Math.SQRT2,
);

/** A quantization table (natural order) with the AAN scale and the final ÷ 8 folded in. */
export function idctMultipliers(quantization: Uint16Array): Float32Array {
	const multipliers = new Float32Array(64);
	for (let row = 0; row < 8; row++) {
		for (let col = 0; col < 8; col++) {
			const i = row * 8 + col;
			multipliers[i] = (quantization[i] * AAN_SCALE[row] * AAN_SCALE[col]) / 8;
		}
	}
	return multipliers;
}

const workspace = new Float32Array(64);

/** One block: coefficients at `at` → 8 × 8 samples in `plane` from `out`, `stride` bytes a row. */
export function inverseDct(
	input: Int16Array,
	at: number,
	q: Float32Array,
	plane: Uint8ClampedArray,
	out: number,
	stride: number,
): void {
	const ws = workspace;
	for (let col = 0; col < 8; col++) {
		const i = at + col;
		if (
			input[i + 8] === 0 &&
			input[i + 16] === 0 &&
			input[i + 24] === 0 &&
			input[i + 32] === 0 &&
			input[i + 40] === 0 &&
			input[i + 48] === 0 &&
			input[i + 56] === 0
		) {
			const dc = input[i] * q[col];
			for (let row = 0; row < 64; row += 8) ws[row + col] = dc;
			continue;
		}
		// Even part
		let tmp0 = input[i] * q[col];
		let tmp1 = input[i + 16] * q[col + 16];
		let tmp2 = input[i + 32] * q[col + 32];
		let tmp3 = input[i + 48] * q[col + 48];
		let tmp10 = tmp0 + tmp2;
		let tmp11 = tmp0 - tmp2;
		const tmp13 = tmp1 + tmp3;
		let tmp12 = (tmp1 - tmp3) * 1.414213562 - tmp13;
		tmp0 = tmp10 + tmp13;
		tmp3 = tmp10 - tmp13;
		tmp1 = tmp11 + tmp12;
		tmp2 = tmp11 - tmp12;
		// Odd part
		const tmp4 = input[i + 8] * q[col + 8];
		const tmp5 = input[i + 24] * q[col + 24];
		const tmp6 = input[i + 40] * q[col + 40];
		const tmp7 = input[i + 56] * q[col + 56];
		const z13 = tmp6 + tmp5;
		const z10 = tmp6 - tmp5;
		const z11 = tmp4 + tmp7;
		const z12 = tmp4 - tmp7;
		const o7 = z11 + z13;
		tmp11 = (z11 - z13) * 1.414213562;
		const z5 = (z10 + z12) * 1.847759065;
		tmp10 = 1.0823922 * z12 - z5;
		tmp12 = -2.61312593 * z10 + z5;
		const o6 = tmp12 - o7;
		const o5 = tmp11 - o6;
		const o4 = tmp10 + o5;
		ws[col] = tmp0 + o7;
		ws[col + 56] = tmp0 - o7;
		ws[col + 8] = tmp1 + o6;
		ws[col + 48] = tmp1 - o6;
		ws[col + 16] = tmp2 + o5;
		ws[col + 40] = tmp2 - o5;
		ws[col + 32] = tmp3 + o4;
		ws[col + 24] = tmp3 - o4;
	}
	for (let row = 0; row < 64; row += 8, out += stride) {
		const tmp10 = ws[row] + ws[row + 4];
		const tmp11 = ws[row] - ws[row + 4];
		const tmp13 = ws[row + 2] + ws[row + 6];
		const tmp12 = (ws[row + 2] - ws[row + 6]) * 1.414213562 - tmp13;
		const tmp0 = tmp10 + tmp13;
		const tmp3 = tmp10 - tmp13;
		const tmp1 = tmp11 + tmp12;
		const tmp2 = tmp11 - tmp12;
		const z13 = ws[row + 5] + ws[row + 3];
		const z10 = ws[row + 5] - ws[row + 3];
		const z11 = ws[row + 1] + ws[row + 7];
		const z12 = ws[row + 1] - ws[row + 7];
		const o7 = z11 + z13;
		const t11 = (z11 - z13) * 1.414213562;
		const z5 = (z10 + z12) * 1.847759065;
		const t10 = 1.0823922 * z12 - z5;
		const t12 = -2.61312593 * z10 + z5;
		const o6 = t12 - o7;
		const o5 = t11 - o6;
		const o4 = t10 + o5;
		// The plane is a Uint8ClampedArray: storing rounds to the nearest and clamps to 0..255.
		plane[out] = tmp0 + o7 + 128;
		plane[out + 7] = tmp0 - o7 + 128;
		plane[out + 1] = tmp1 + o6 + 128;
		plane[out + 6] = tmp1 - o6 + 128;
		plane[out + 2] = tmp2 + o5 + 128;
		plane[out + 5] = tmp2 - o5 + 128;
		plane[out + 4] = tmp3 + o4 + 128;
		plane[out + 3] = tmp3 - o4 + 128;
	}
}

export interface PlaneLayout {
	coefficients: Int16Array;
	multipliers: Float32Array;
	plane: Uint8ClampedArray;
	/** Blocks in one row of the (MCU-padded) plane. */
	blocksPerLine: number;
}

/** Blocks `from`..`to` of one block row of a component → 8 sample rows of its plane. */
export function inverseDctBlocks(layout: PlaneLayout, row: number, from: number, to: number): void {
	const stride = layout.blocksPerLine * 8;
	for (let blockCol = from; blockCol < to; blockCol++) {
		const block = (row * layout.blocksPerLine + blockCol) * 64;
		const out = row * 8 * stride + blockCol * 8;
		inverseDct(layout.coefficients, block, layout.multipliers, layout.plane, out, stride);
	}
}

/** A decoded component plane and where each output pixel takes its sample from. */
export interface UpsampledPlane {
	plane: Uint8ClampedArray;
	stride: number;
	/** Output column → plane column. */
	columns: Int32Array;
	/** Its vertical sampling factor over the largest one. */
	v: number;
	maxV: number;
	/** The component line the plane's first line holds (0 unless the plane is a region's). */
	firstLine: number;
}

/** Where a region's plane sits: its first output pixel, and the first sample column and line it holds. */
export interface PlaneOrigin {
	left: number;
	firstColumn: number;
	firstLine: number;
}

const WHOLE: PlaneOrigin = { left: 0, firstColumn: 0, firstLine: 0 };

export function upsampledPlane(
	plane: Uint8ClampedArray,
	stride: number,
	width: number,
	h: number,
	maxH: number,
	v: number,
	maxV: number,
	origin: PlaneOrigin = WHOLE,
): UpsampledPlane {
	const columns = new Int32Array(width);
	for (let x = 0; x < width; x++) {
		columns[x] = Math.floor(((x + origin.left) * h) / maxH) - origin.firstColumn;
	}
	return { plane, stride, columns, v, maxV, firstLine: origin.firstLine };
}

const lineOf = (p: UpsampledPlane, y: number) =>
	(Math.floor((y * p.v) / p.maxV) - p.firstLine) * p.stride;

/** YCbCr → RGB (JFIF): each channel's share, by Cb or Cr value. */
const CR_TO_R = new Float32Array(256);
const CB_TO_B = new Float32Array(256);
const CR_TO_G = new Float32Array(256);
const CB_TO_G = new Float32Array(256);
for (let i = 0; i < 256; i++) {
	CR_TO_R[i] = 1.402 * (i - 128);
	CB_TO_B[i] = 1.772 * (i - 128);
	CR_TO_G[i] = -0.71413636 * (i - 128);
	CB_TO_G[i] = -0.3441363 * (i - 128);
}

/**
 * Output rows `from`..`to` as RGBA: from one plane (gray), or three (YCbCr, or RGB when
 * `transform` is false). `rgba` is a clamped view, so stores round and clamp. Rows are the
 * picture's; `rgba`'s first row is row `top` (0 for the whole picture, a region's top otherwise).
 */
export function colourRows(
	planes: UpsampledPlane[],
	transform: boolean,
	width: number,
	rgba: Uint8ClampedArray,
	from: number,
	to: number,
	top = 0,
): void {
	for (let y = from; y < to; y++) {
		let o = (y - top) * width * 4;
		const p0 = planes[0];
		const l0 = lineOf(p0, y);
		const c0 = p0.columns;
		if (planes.length === 1) {
			for (let x = 0; x < width; x++, o += 4) {
				const gray = p0.plane[l0 + c0[x]];
				rgba[o] = rgba[o + 1] = rgba[o + 2] = gray;
				rgba[o + 3] = 255;
			}
			continue;
		}
		const [, p1, p2] = planes;
		const l1 = lineOf(p1, y);
		const l2 = lineOf(p2, y);
		const c1 = p1.columns;
		const c2 = p2.columns;
		const s0 = p0.plane;
		const s1 = p1.plane;
		const s2 = p2.plane;
		for (let x = 0; x < width; x++, o += 4) {
			const a = s0[l0 + c0[x]];
			const b = s1[l1 + c1[x]];
			const c = s2[l2 + c2[x]];
			if (transform) {
				rgba[o] = a + CR_TO_R[c];
				rgba[o + 1] = a + CB_TO_G[b] + CR_TO_G[c];
				rgba[o + 2] = a + CB_TO_B[b];
			} else {
				rgba[o] = a;
				rgba[o + 1] = b;
				rgba[o + 2] = c;
			}
			rgba[o + 3] = 255;
		}
	}
}
