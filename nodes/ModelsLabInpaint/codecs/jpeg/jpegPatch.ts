import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { forwardDct, quantizeFactors } from './jpegForward';
import { ZIGZAG } from './jpegHuffman';
import { checkBoxInside, type Box, type Raster } from '../raster';
import { mcuSize, type CoefficientComponent, type JpegCoefficients } from './jpegRegion';

/**
 * New pixels for a box of whole MCUs put into a JPEG's coefficients, with the file's own
 * quantization tables and sampling: RGB → YCbCr (JFIF, as jpegForward.ts; R, G and B as they are
 * for an RGB file; luma alone for gray), each component sample the mean of the pixels the decoder
 * would show it on (jpegIdct.ts repeats a sample over them), the forward DCT and quantization of
 * jpegForward.ts. Every block outside the box keeps its coefficients exactly. In the MCUs along
 * the picture's right and bottom edges, the padding past the edge repeats the last column and row.
 *
 * Memory: the samples of one row of MCUs across the box (4 bytes a sample), + a block.
 */

/**
 * One row of pixels (`across` of them from `row`, the last column repeated past `lastColumn`) as
 * level-shifted component values: luma and chroma, R, G and B less 128 for an RGB file, or luma.
 */
function convertRow(
	rgba: Uint8Array,
	row: number,
	lastColumn: number,
	rgb: boolean,
	out: Float32Array[],
): void {
	const [c0, c1, c2] = out;
	const across = c0.length;
	for (let x = 0; x < across; x++) {
		const o = row + (x < lastColumn ? x : lastColumn) * 4;
		const r = rgba[o];
		const g = rgba[o + 1];
		const b = rgba[o + 2];
		if (out.length === 1) {
			c0[x] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
		} else if (rgb) {
			c0[x] = r - 128;
			c1[x] = g - 128;
			c2[x] = b - 128;
		} else {
			c0[x] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
			c1[x] = -0.168735892 * r - 0.331264108 * g + 0.5 * b;
			c2[x] = 0.5 * r - 0.418687589 * g - 0.081312411 * b;
		}
	}
}

/** For one component over one row of MCUs: where each pixel's value goes, and each sample's share. */
interface Gathering {
	/** Pixel column (from the box's left) → sample column; pixel line in the MCU row → sample line. */
	columns: Int32Array;
	lines: Int32Array;
	/** Samples across the MCU row. */
	stride: number;
	sums: Float32Array;
	/** 1 / the number of pixels each sample covers, by sample column and by sample line. */
	columnShare: Float32Array;
	lineShare: Float32Array;
	factors: Float32Array;
}

function gathering(
	jpeg: JpegCoefficients,
	index: number,
	across: number,
	firstMcu: number,
): Gathering {
	const c = jpeg.components[index];
	const mcu = mcuSize(jpeg);
	const stride = (across / mcu.width) * c.h * 8;
	const columns = new Int32Array(across);
	const columnCount = new Float32Array(stride);
	const left = firstMcu * mcu.width;
	for (let x = 0; x < across; x++) {
		columns[x] = Math.floor(((left + x) * c.h) / jpeg.maxH) - firstMcu * c.h * 8;
		columnCount[columns[x]]++;
	}
	const lines = new Int32Array(mcu.height);
	const lineCount = new Float32Array(c.v * 8);
	for (let y = 0; y < mcu.height; y++) {
		lines[y] = Math.floor((y * c.v) / jpeg.maxV);
		lineCount[lines[y]]++;
	}
	return {
		columns,
		lines,
		stride,
		sums: new Float32Array(stride * c.v * 8),
		columnShare: columnCount.map((count) => 1 / count),
		lineShare: lineCount.map((count) => 1 / count),
		factors: quantizeFactors(c.quantization),
	};
}

/**
 * One converted row's values added into their samples' sums on sample line `line`. This and
 * blockOf are plain functions: V8 optimises their loops far better than inside replaceRegion's
 * async body (the same operations in the same order, so the same coefficients).
 */
function gatherRow(values: Float32Array, { columns, sums }: Gathering, line: number): void {
	for (let x = 0; x < values.length; x++) sums[line + columns[x]] += values[x];
}

/** Block `b` of sample line group `v`: each sample the mean of its pixels' values. */
function blockOf(g: Gathering, v: number, b: number, block: Float32Array): void {
	const { stride, sums, columnShare, lineShare } = g;
	for (let k = 0; k < 64; k++) {
		const line = v * 8 + (k >> 3);
		const column = b * 8 + (k & 7);
		block[k] = sums[line * stride + column] * lineShare[line] * columnShare[column];
	}
}

const block = new Float32Array(64);
const zigzag = new Int16Array(64);

/** `count` blocks of sample line group `v` from `blockRow` on, encoded into the component's coefficients. */
function encodeBlockRow(
	c: CoefficientComponent,
	g: Gathering,
	v: number,
	blockRow: number,
	count: number,
): void {
	for (let b = 0; b < count; b++) {
		blockOf(g, v, b, block);
		forwardDct(block, g.factors, zigzag);
		const at = (blockRow + b) * 64;
		for (let k = 0; k < 64; k++) c.coefficients[at + ZIGZAG[k]] = zigzag[k];
	}
}

/** Whether `box` is made of whole MCUs (its right and bottom may be the picture's edges). */
function isMcuAligned(jpeg: JpegCoefficients, box: Box): boolean {
	const mcu = mcuSize(jpeg);
	const right = box.left + box.width;
	const bottom = box.top + box.height;
	return (
		box.left % mcu.width === 0 &&
		box.top % mcu.height === 0 &&
		(right % mcu.width === 0 || right === jpeg.width) &&
		(bottom % mcu.height === 0 || bottom === jpeg.height)
	);
}

/**
 * `pixels` (the box's size, RGBA; alpha ignored) put into `jpeg`'s coefficients in place of the
 * box's MCUs. The box must be MCU-aligned (jpegRegion.ts `mcuAlignedBox` gives one).
 */
export async function replaceRegion(
	jpeg: JpegCoefficients,
	box: Box,
	pixels: Raster,
	slice: TimeSlice,
): Promise<void> {
	checkBoxInside(box, jpeg);
	if (!isMcuAligned(jpeg, box)) {
		throw new RangeError(`Box ${JSON.stringify(box)} is not made of whole MCUs`);
	}
	if (
		pixels.width !== box.width ||
		pixels.height !== box.height ||
		pixels.rgba.length !== box.width * box.height * 4
	) {
		throw new RangeError(`The pixels are not the box's ${box.width}×${box.height}`);
	}
	const mcu = mcuSize(jpeg);
	const firstMcu = box.left / mcu.width;
	const mcusAcross = Math.ceil(box.width / mcu.width);
	const across = mcusAcross * mcu.width;
	const converted = jpeg.components.map(() => new Float32Array(across));
	const gatherings = jpeg.components.map((_, i) => gathering(jpeg, i, across, firstMcu));
	const rgba = pixels.rgba;
	const lastColumn = box.width - 1;
	for (let mcuRow = box.top / mcu.height; mcuRow * mcu.height < box.top + box.height; mcuRow++) {
		for (const g of gatherings) g.sums.fill(0);
		for (let dy = 0; dy < mcu.height; dy++) {
			const y = Math.min(mcuRow * mcu.height + dy, box.top + box.height - 1) - box.top;
			convertRow(rgba, y * box.width * 4, lastColumn, jpeg.rgb, converted);
			for (let i = 0; i < gatherings.length; i++) {
				const g = gatherings[i];
				gatherRow(converted[i], g, g.lines[dy] * g.stride);
			}
			if (slice.over) await slice.next();
		}
		for (let i = 0; i < gatherings.length; i++) {
			const c = jpeg.components[i];
			const g = gatherings[i];
			for (let v = 0; v < c.v; v++) {
				const blockRow = (mcuRow * c.v + v) * c.blocksPerLineForMcu + firstMcu * c.h;
				encodeBlockRow(c, g, v, blockRow, mcusAcross * c.h);
				if (slice.over) await slice.next();
			}
		}
	}
}
