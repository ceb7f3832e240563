import type { Raster } from '../raster';
import { ZIGZAG } from './jpegHuffman';

/**
 * From pixels to a JPEG's quantized coefficients: the quantization tables of T.81 Annex K.1
 * scaled by quality as the IJG's libjpeg does (so "quality 92" means what it means elsewhere),
 * RGB → YCbCr (JFIF), chroma averaged over 2 × 2 pixels for 4:2:0, and the forward DCT (the
 * floating-point AAN algorithm of libjpeg's jfdctflt.c, the quantization folded into its scale).
 *
 * Pixels past the right and bottom edges repeat the last column and row: the padding of a
 * partial MCU then adds no sharp edge, which would cost bits and ring into the picture.
 */

/** Annex K.1, natural (row by row) order. */
const LUMA_QUANTIZATION = [
	16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
	14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
	92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QUANTIZATION = [
	17,
	18,
	24,
	47,
	99,
	99,
	99,
	99,
	18,
	21,
	26,
	66,
	99,
	99,
	99,
	99,
	24,
	26,
	56,
	99,
	99,
	99,
	99,
	99,
	47,
	66,
	99,
	99,
	99,
	99,
	99,
	99,
	...new Array<number>(32).fill(99),
];

/** A table scaled by quality 1..100 (IJG: 5000 / q below 50, 200 - 2q above), natural order. */
function scaledTable(base: number[], quality: number): Uint8Array {
	const scale = quality < 50 ? Math.floor(5000 / quality) : 200 - quality * 2;
	return Uint8Array.from(base, (value) =>
		Math.min(255, Math.max(1, Math.floor((value * scale + 50) / 100))),
	);
}

export const lumaTable = (quality: number) => scaledTable(LUMA_QUANTIZATION, quality);
export const chromaTable = (quality: number) => scaledTable(CHROMA_QUANTIZATION, quality);

/** AAN's row and column scale factors: cos(k·π/16)·√2, 1 for k = 0. */
const AAN_SCALE = Array.from({ length: 8 }, (_, k) =>
	k === 0 ? 1 : Math.cos((k * Math.PI) / 16) * Math.SQRT2,
);

/** 1 / (quantizer × AAN scale × 8) per coefficient, natural order: one multiply quantizes. */
export function quantizeFactors(table: ArrayLike<number>): Float32Array {
	return Float32Array.from(
		table,
		(value, i) => 1 / (value * AAN_SCALE[i >> 3] * AAN_SCALE[i & 7] * 8),
	);
}

/**
 * Forward DCT of 64 level-shifted samples (natural order, overwritten), quantized and rounded
 * into `out` in zig-zag order. Values are kept within baseline's range (DC ±1023 so a difference
 * fits 11 bits, AC ±1023).
 */
export function forwardDct(block: Float32Array, factors: Float32Array, out: Int16Array): void {
	for (let pass = 0; pass < 2; pass++) {
		// First the rows (step 1 along, 8 between), then the columns (8 along, 1 between).
		const along = pass === 0 ? 1 : 8;
		const between = pass === 0 ? 8 : 1;
		for (let line = 0; line < 8; line++) {
			const i = line * between;
			const d0 = block[i];
			const d1 = block[i + along];
			const d2 = block[i + 2 * along];
			const d3 = block[i + 3 * along];
			const d4 = block[i + 4 * along];
			const d5 = block[i + 5 * along];
			const d6 = block[i + 6 * along];
			const d7 = block[i + 7 * along];
			const tmp0 = d0 + d7;
			const tmp7 = d0 - d7;
			const tmp1 = d1 + d6;
			const tmp6 = d1 - d6;
			const tmp2 = d2 + d5;
			const tmp5 = d2 - d5;
			const tmp3 = d3 + d4;
			const tmp4 = d3 - d4;
			// Even part.
			const tmp10 = tmp0 + tmp3;
			const tmp13 = tmp0 - tmp3;
			const tmp11 = tmp1 + tmp2;
			const tmp12 = tmp1 - tmp2;
			block[i] = tmp10 + tmp11;
			block[i + 4 * along] = tmp10 - tmp11;
			const z1 = (tmp12 + tmp13) * 0.707106781;
			block[i + 2 * along] = tmp13 + z1;
			block[i + 6 * along] = tmp13 - z1;
			// Odd part.
			const odd10 = tmp4 + tmp5;
			const odd11 = tmp5 + tmp6;
			const odd12 = tmp6 + tmp7;
			const z5 = (odd10 - odd12) * 0.382683433;
			const z2 = 0.5411961 * odd10 + z5;
			const z4 = 1.306562965 * odd12 + z5;
			const z3 = odd11 * 0.707106781;
			const z11 = tmp7 + z3;
			const z13 = tmp7 - z3;
			block[i + 5 * along] = z13 + z2;
			block[i + 3 * along] = z13 - z2;
			block[i + along] = z11 + z4;
			block[i + 7 * along] = z11 - z4;
		}
	}
	for (let k = 0; k < 64; k++) {
		const at = ZIGZAG[k];
		const scaled = block[at] * factors[at];
		let value = scaled > 0 ? (scaled + 0.5) | 0 : (scaled - 0.5) | 0;
		if (value > 1023) value = 1023;
		else if (value < -1023) value = -1023;
		out[k] = value;
	}
}

/**
 * Level-shifted Y, Cb and Cr samples of one MCU: 16 × 16 pixels (4 luma blocks, one block of each
 * chroma averaged 2 × 2) for 4:2:0, or 8 × 8 pixels (one block of each) for 4:4:4.
 */
export class McuSampler {
	/** Luma blocks in MCU order (left to right, top to bottom). */
	readonly luma: Float32Array[];
	readonly cb = new Float32Array(64);
	readonly cr = new Float32Array(64);
	readonly size: number;

	constructor(
		private readonly raster: Raster,
		private readonly subsampled: boolean,
	) {
		this.size = subsampled ? 16 : 8;
		this.luma = Array.from({ length: subsampled ? 4 : 1 }, () => new Float32Array(64));
	}

	/** Fills the blocks from the MCU whose top-left pixel is (left, top). */
	load(left: number, top: number): void {
		const { rgba, width, height } = this.raster;
		const { size, luma, cb, cr, subsampled } = this;
		cb.fill(0);
		cr.fill(0);
		// A chroma sample is the mean of 1 or 4 pixels' Cb (Cr); without JFIF's + 128 it is level-shifted.
		const share = subsampled ? 0.25 : 1;
		for (let dy = 0; dy < size; dy++) {
			const y = top + dy < height ? top + dy : height - 1;
			const rowAt = y * width;
			const block = luma[subsampled ? (dy >> 3) * 2 : 0];
			const chromaRow = subsampled ? (dy >> 1) * 8 : dy * 8;
			for (let dx = 0; dx < size; dx++) {
				const x = left + dx < width ? left + dx : width - 1;
				const o = (rowAt + x) * 4;
				const r = rgba[o];
				const g = rgba[o + 1];
				const b = rgba[o + 2];
				const target = dx < 8 ? block : luma[(dy >> 3) * 2 + 1];
				target[(dy & 7) * 8 + (dx & 7)] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
				const c = chromaRow + (subsampled ? dx >> 1 : dx);
				cb[c] += (-0.168735892 * r - 0.331264108 * g + 0.5 * b) * share;
				cr[c] += (0.5 * r - 0.418687589 * g - 0.081312411 * b) * share;
			}
		}
	}
}
