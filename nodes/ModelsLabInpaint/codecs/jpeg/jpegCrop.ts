import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { checkBoxInside, type Box } from '../raster';
import { mcuSize, type CoefficientComponent, type JpegCoefficients } from './jpegRegion';
import { writeJpegCoefficients } from './jpegRewrite';

/**
 * One box of a JPEG written as its own JPEG straight from the photo's coefficients: no IDCT, no
 * DCT, no new quantization, so the crop is the photo's own blocks and loses nothing. The box's
 * left and top must lie on the MCU grid (multiples of 8 × maxH and 8 × maxV pixels), so that
 * every MCU of the crop is one of the photo's; its width and height need not: the frame header
 * gives the box's size and the last MCU column and row keep the photo's blocks past it, which
 * decoders cut off (T.81 A.2.4). The crop is written by jpegRewrite.ts (baseline, or extended
 * sequential for 16-bit tables; the photo's components, sampling and quantization tables, the
 * standard Huffman tables), without the Exif and ICC segments: like a crop encoded from pixels, it
 * is sent as stored (so only an upright photo's crop is taken this way) with no profile.
 *
 * Pixels: any decoder that upsamples chroma by repeating samples (ours and jpeg-js) shows each of
 * the crop's pixels exactly as the whole photo's; one with smooth upsampling may differ by a level
 * at the crop's border, where the photo's chroma past the box no longer takes part.
 *
 * Coefficients read down to a last row (jpegDecode.ts `readJpegCoefficients`) serve for a box
 * ending on or above it: only the MCU rows the box covers are copied.
 *
 * Memory: the box's MCUs' coefficients copied (2 bytes a sample, whole MCUs: about 3 bytes a
 * pixel at 4:2:0, 6 at 4:4:4, 2 for gray), then the file (jpegRewrite.ts; about 1 byte in 8
 * samples at first, grown by doubling).
 */

/** Whether `box` starts on the JPEG's MCU grid, so that `writeJpegCrop` can take it. */
export function onMcuGrid(jpeg: JpegCoefficients, box: Box): boolean {
	const mcu = mcuSize(jpeg);
	return box.left % mcu.width === 0 && box.top % mcu.height === 0;
}

/** One component's blocks of the MCUs from (`mcuLeft`, `mcuTop`), `mcus` across and down. */
async function cropComponent(
	c: CoefficientComponent,
	jpeg: JpegCoefficients,
	box: Box,
	[mcuLeft, mcuTop]: [number, number],
	[mcusAcross, mcusDown]: [number, number],
	slice: TimeSlice,
): Promise<CoefficientComponent> {
	const blocksPerLineForMcu = mcusAcross * c.h;
	const blocksPerColumnForMcu = mcusDown * c.v;
	const rowLength = blocksPerLineForMcu * 64;
	const coefficients = new Int16Array(rowLength * blocksPerColumnForMcu);
	for (let row = 0; row < blocksPerColumnForMcu; row++) {
		const from = ((mcuTop * c.v + row) * c.blocksPerLineForMcu + mcuLeft * c.h) * 64;
		coefficients.set(c.coefficients.subarray(from, from + rowLength), row * rowLength);
		if (slice.over) await slice.next();
	}
	return {
		...c,
		// As the frame's (T.81 A.1.1) for a picture of the box's size.
		blocksPerLine: Math.ceil(Math.ceil((box.width * c.h) / jpeg.maxH) / 8),
		blocksPerColumn: Math.ceil(Math.ceil((box.height * c.v) / jpeg.maxV) / 8),
		blocksPerLineForMcu,
		blocksPerColumnForMcu,
		coefficients,
	};
}

/**
 * The coefficients of `box` as a JPEG of their own: the MCUs covering it copied. Throws a
 * RangeError for a box outside the picture or not starting on the MCU grid.
 */
export async function cropCoefficients(
	jpeg: JpegCoefficients,
	box: Box,
	slice: TimeSlice,
): Promise<JpegCoefficients> {
	checkBoxInside(box, jpeg);
	const mcu = mcuSize(jpeg);
	if (!onMcuGrid(jpeg, box)) {
		throw new RangeError(
			`Box ${JSON.stringify(box)} does not start on the JPEG's ${mcu.width}×${mcu.height} MCU grid`,
		);
	}
	const start: [number, number] = [box.left / mcu.width, box.top / mcu.height];
	const count: [number, number] = [
		Math.ceil(box.width / mcu.width),
		Math.ceil(box.height / mcu.height),
	];
	const components: CoefficientComponent[] = [];
	for (const c of jpeg.components) {
		components.push(await cropComponent(c, jpeg, box, start, count, slice));
	}
	return {
		width: box.width,
		height: box.height,
		maxH: jpeg.maxH,
		maxV: jpeg.maxV,
		mcusPerLine: count[0],
		mcusPerColumn: count[1],
		components,
		rgb: jpeg.rgb,
		orientation: 1,
		icc: [],
	};
}

/** `box` of the JPEG as a baseline JPEG file of its own (see the header comment). */
export async function writeJpegCrop(
	jpeg: JpegCoefficients,
	box: Box,
	slice: TimeSlice,
): Promise<Uint8Array> {
	return await writeJpegCoefficients(await cropCoefficients(jpeg, box, slice), slice);
}
