import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { checkBoxInside, type Box, type Raster } from '../raster';
import {
	colourRows,
	idctMultipliers,
	inverseDct,
	upsampledPlane,
	type UpsampledPlane,
} from './jpegIdct';

/**
 * A JPEG as its quantized coefficients (jpegDecode.ts `readJpegCoefficients`), and the pixels of
 * one region of it: the IDCT, upsampling and colour conversion run only for the blocks that cover
 * the region, the same code as a full decode's, so the region is byte for byte the same pixels as
 * the full decode cropped to it.
 *
 * Memory: the coefficients are 2 bytes a sample, padded to whole MCUs (3 bytes a pixel at 4:2:0,
 * 6 at 4:4:4, 2 for gray). A region of N pixels takes its component planes (1 byte a sample of
 * the blocks covering it, at most N + a block's margin per component) and 4 N bytes of output.
 */

/** One frame component: its sampling, its quantization and its coefficients. */
export interface CoefficientComponent {
	id: number;
	h: number;
	v: number;
	/** The table id the frame header names, 0 to 3. */
	quantizationId: number;
	/** The table, 64 values in natural (row by row) order. */
	quantization: Uint16Array;
	/** Blocks holding samples, across and down (T.81 A.1.1). */
	blocksPerLine: number;
	blocksPerColumn: number;
	/** The same padded to whole MCUs: the size of `coefficients` in blocks. */
	blocksPerLineForMcu: number;
	blocksPerColumnForMcu: number;
	/** 64 a block, blocks row by row, each block's coefficients in natural order. */
	coefficients: Int16Array;
}

export interface JpegCoefficients {
	width: number;
	height: number;
	maxH: number;
	maxV: number;
	mcusPerLine: number;
	mcusPerColumn: number;
	/** 1 (gray) or 3 components. */
	components: CoefficientComponent[];
	/** Three components that are R, G and B (an Adobe segment says so, or ids "R", "G", "B"). */
	rgb: boolean;
	/** The Exif orientation, 1 to 8 (1 also when there is none). */
	orientation: number;
	/** The Exif segment's body, when the file has one. */
	exif?: Uint8Array;
	/** The ICC profile's APP2 segment bodies, in file order (none: an empty list). */
	icc: Uint8Array[];
}

/** Blocks put through the IDCT between two looks at the time slice. */
const IDCT_BLOCKS = 64;

/** An MCU's size in pixels, across and down. */
export const mcuSize = (jpeg: JpegCoefficients) => ({
	width: 8 * jpeg.maxH,
	height: 8 * jpeg.maxV,
});

/**
 * The smallest box of whole MCUs that holds `box`, cut at the picture's right and bottom edges:
 * the pixels a rewrite of those MCUs can change.
 */
export function mcuAlignedBox(jpeg: JpegCoefficients, box: Box): Box {
	checkBoxInside(box, jpeg);
	const mcu = mcuSize(jpeg);
	const left = Math.floor(box.left / mcu.width) * mcu.width;
	const top = Math.floor(box.top / mcu.height) * mcu.height;
	const right = Math.min(jpeg.width, Math.ceil((box.left + box.width) / mcu.width) * mcu.width);
	const bottom = Math.min(jpeg.height, Math.ceil((box.top + box.height) / mcu.height) * mcu.height);
	return { left, top, width: right - left, height: bottom - top };
}

/** One component's samples under `box`: the blocks covering it, through the IDCT. */
async function regionPlane(
	jpeg: JpegCoefficients,
	c: CoefficientComponent,
	box: Box,
	slice: TimeSlice,
): Promise<UpsampledPlane> {
	const { maxH, maxV } = jpeg;
	const firstColumn = Math.floor((box.left * c.h) / maxH);
	const lastColumn = Math.floor(((box.left + box.width - 1) * c.h) / maxH);
	const firstLine = Math.floor((box.top * c.v) / maxV);
	const lastLine = Math.floor(((box.top + box.height - 1) * c.v) / maxV);
	const [col0, col1] = [firstColumn >> 3, (lastColumn >> 3) + 1];
	const [row0, row1] = [firstLine >> 3, (lastLine >> 3) + 1];
	const stride = (col1 - col0) * 8;
	const plane = new Uint8ClampedArray(stride * (row1 - row0) * 8);
	const multipliers = idctMultipliers(c.quantization);
	for (let row = row0; row < row1; row++) {
		const out = (row - row0) * 8 * stride - col0 * 8;
		const blocks = row * c.blocksPerLineForMcu;
		for (let col = col0; col < col1; col++) {
			inverseDct(c.coefficients, (blocks + col) * 64, multipliers, plane, out + col * 8, stride);
			if ((col - col0) % IDCT_BLOCKS === IDCT_BLOCKS - 1 && slice.over) await slice.next();
		}
		if (slice.over) await slice.next();
	}
	const origin = { left: box.left, firstColumn: col0 * 8, firstLine: row0 * 8 };
	return upsampledPlane(plane, stride, box.width, c.h, maxH, c.v, maxV, origin);
}

/**
 * The RGBA pixels (alpha 255) of `box` (the picture's pixels, as stored: no orientation applied),
 * equal to the same box of a full decode.
 */
export async function regionRaster(
	jpeg: JpegCoefficients,
	box: Box,
	slice: TimeSlice,
): Promise<Raster> {
	checkBoxInside(box, jpeg);
	const planes: UpsampledPlane[] = [];
	for (const c of jpeg.components) planes.push(await regionPlane(jpeg, c, box, slice));
	const { width, height } = box;
	const rgba = new Uint8Array(width * height * 4);
	const clamped = new Uint8ClampedArray(rgba.buffer);
	const transform = planes.length === 3 && !jpeg.rgb;
	for (let y = box.top; y < box.top + height; y++) {
		colourRows(planes, transform, width, clamped, y, y + 1, box.top);
		if (slice.over) await slice.next();
	}
	return { width, height, rgba, hasAlpha: false };
}
