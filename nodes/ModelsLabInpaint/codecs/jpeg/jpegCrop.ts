import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { checkBoxInside, type Box } from '../raster';
import { BLOCK_BYTES } from './jpegEncode';
import { JpegBitWriter } from './jpegEntropy';
import { mcuSize, type CoefficientComponent, type JpegCoefficients } from './jpegRegion';
import { writeJpegCoefficients, writeMcu, type ComponentWriter } from './jpegRewrite';
import type { ScanMarks } from './jpegScan';
import { encodingOf, segmentsBefore } from './jpegSplice';

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
 * Faster, where the read noted where the box's MCUs start (`cropMarks`, jpegScan.ts ScanMarks):
 * `spliceJpegCrop` copies each row's MCUs as the file's own bits, with its own tables, and codes
 * again only each row's first MCU, whose DC is coded as the change from the MCU before it in the
 * scan (in the crop, the previous row's last). The same coefficients, so the same pixels. The
 * file's segments are kept but for APP1 to APP13 and APP15 (Exif, ICC, MPF...) and comments.
 *
 * Memory: writeJpegCrop, the box's MCUs' coefficients copied (2 bytes a sample, whole MCUs: about
 * 3 bytes a pixel at 4:2:0, 6 at 4:4:4, 2 for gray), then the file (jpegRewrite.ts; about 1 byte
 * in 8 samples at first, grown by doubling); spliceJpegCrop, only the file, grown by doubling
 * from 64 KB (about the box's share of the photo's file).
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

/** A box's MCU columns and rows: from (c0, r0), to before c1 and down to r1 (inclusive). */
function mcuSpan({ maxH, maxV }: Pick<JpegCoefficients, 'maxH' | 'maxV'>, box: Box) {
	const [width, height] = [8 * maxH, 8 * maxV];
	return {
		c0: box.left / width,
		c1: Math.ceil((box.left + box.width) / width),
		r0: box.top / height,
		r1: Math.ceil((box.top + box.height) / height) - 1,
	};
}

/**
 * The MCUs (scan order) whose start `spliceJpegCrop` needs, for a box on the MCU grid of a frame
 * `mcusPerLine` MCUs across: each box row's second MCU and the MCU after its last.
 */
export function cropMarks(
	frame: Pick<JpegCoefficients, 'maxH' | 'maxV' | 'mcusPerLine'>,
	box: Box,
): number[] {
	const { c0, c1, r0, r1 } = mcuSpan(frame, box);
	const marks: number[] = [];
	for (let row = r0; row <= r1; row++) {
		const first = row * frame.mcusPerLine;
		if (c1 > c0 + 1) marks.push(first + c0 + 1);
		marks.push(first + c1);
	}
	return marks;
}

/** The file's segments before its scan data for the crop: no APP1 to APP13 or APP15 (Exif, ICC, MPF...) nor comments, the frame's size the box's. */
function cropHeader(file: Uint8Array, dataStart: number, box: Box): Uint8Array | undefined {
	const segments = segmentsBefore(file, dataStart);
	if (!segments) return undefined;
	const out: number[] = [0xff, 0xd8];
	for (const { marker: at, end } of segments) {
		const marker = file[at + 1];
		if ((marker >= 0xe1 && marker <= 0xed) || marker === 0xef || marker === 0xfe) continue;
		const segment = Array.from(file.subarray(at, end));
		if (marker === 0xc0 || marker === 0xc1) {
			[segment[5], segment[6]] = [box.height >> 8, box.height & 0xff];
			[segment[7], segment[8]] = [box.width >> 8, box.width & 0xff];
		}
		out.push(...segment);
	}
	return Uint8Array.from(out);
}

/**
 * `box` of the JPEG `file` as a JPEG of its own, its MCUs' bits copied (see the header comment);
 * undefined where the marks are missing, a table lacks a code or the data is not as read: then
 * writeJpegCrop writes it. `jpeg` holds the coefficients read with `marks` noted.
 */
export async function spliceJpegCrop(
	file: Uint8Array,
	jpeg: JpegCoefficients,
	box: Box,
	marks: ScanMarks,
	slice: TimeSlice,
): Promise<Uint8Array | undefined> {
	checkBoxInside(box, jpeg);
	if (!onMcuGrid(jpeg, box)) return undefined;
	const header = cropHeader(file, marks.dataStart, box);
	if (!header) return undefined;
	const writers: ComponentWriter[] = jpeg.components.map((component, i) => ({
		component,
		dc: encodingOf(marks.tables[i].dc),
		ac: encodingOf(marks.tables[i].ac),
		previousDc: 0,
	}));
	const { c0, c1, r0, r1 } = mcuSpan(jpeg, box);
	const blocksPerMcu = jpeg.components.reduce((sum, c) => sum + c.h * c.v, 0);
	const out = new JpegBitWriter(header.length + 65536);
	out.writeBytes(header);
	let previousDc = writers.map(() => 0);
	for (let row = r0; row <= r1; row++) {
		const first = row * jpeg.mcusPerLine;
		const second = marks.points.get(first + c0 + 1);
		const after = marks.points.get(first + c1);
		if (!after || after.bit < 0 || (c1 > c0 + 1 && (!second || second.bit < 0))) return undefined;
		writers.forEach((w, i) => (w.previousDc = previousDc[i]));
		out.reserve(BLOCK_BYTES * blocksPerMcu);
		writeMcu(out, writers, row, c0);
		if (out.missingCode) return undefined;
		if (second && !out.copyBits(file, second.bit, after.bit)) return undefined;
		previousDc = after.dc;
		await slice.tick();
	}
	out.padToByte();
	out.writeBytes([0xff, 0xd9]);
	return out.bytes.slice(0, out.at);
}
