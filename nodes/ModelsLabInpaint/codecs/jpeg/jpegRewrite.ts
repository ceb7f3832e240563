import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { BLOCK_BYTES, huffmanBody, JFIF_BODY, MAX_SEGMENT_BODY, segment } from './jpegEncode';
import {
	huffmanEncoding,
	JpegBitWriter,
	STANDARD_TABLES,
	writeBlock,
	type HuffmanEncoding,
	type HuffmanSpec,
} from './jpegEntropy';
import { ZIGZAG } from './jpegHuffman';
import type { CoefficientComponent, JpegCoefficients } from './jpegRegion';

/**
 * A JPEG's coefficients (jpegRegion.ts `JpegCoefficients`, as read and perhaps patched) written
 * as a sequential Huffman-coded file, whatever the original's coding was (baseline, extended or
 * progressive): the same components, ids, sampling factors and quantization tables, so every
 * block keeps its coefficients and any decoder shows the same pixels as the original's. Baseline
 * (SOF0) unless a quantization table needs 16-bit values (then SOF1, extended sequential, which
 * decoders read alike). The standard Huffman tables of Annex K.3 (luma for the first component,
 * chroma for the others), one scan holding every component, no restart markers. Kept: the Exif
 * segment (APP1) and the ICC profile (APP2). A YCbCr or gray file gets a JFIF segment when it
 * has no Exif, an RGB one an Adobe segment saying RGB (and a YCbCr one whose ids read "R", "G",
 * "B" one saying YCbCr), so every reader takes the colours as the original's.
 *
 * Values outside baseline's range (DC −1024..1023, AC ±1023; a valid 8-bit file has none) are
 * clamped.
 *
 * Memory: the output, grown by doubling (at most twice the file at the last growth, then the file
 * once more as it is cut to size), the headers as an array of numbers, + a block.
 */

const ADOBE = [0x41, 0x64, 0x6f, 0x62, 0x65]; // "Adobe"
/** "Adobe", version 100, no flags, the colour transform (0: none, RGB; 1: YCbCr). */
const adobeBody = (transform: number) => [...ADOBE, 0, 100, 0, 0, 0, 0, transform];

const isRgbIds = (components: CoefficientComponent[]) =>
	components.length === 3 &&
	components[0].id === 0x52 &&
	components[1].id === 0x47 &&
	components[2].id === 0x42;

/** The DQT body: each table the components use once, 8-bit when it can be. */
function quantizationBody(components: CoefficientComponent[]): {
	body: number[];
	wide: boolean;
} {
	const body: number[] = [];
	let wide = false;
	const written = new Set<number>();
	for (const c of components) {
		if (written.has(c.quantizationId)) continue;
		written.add(c.quantizationId);
		const values = Array.from(ZIGZAG, (at) => c.quantization[at]);
		const sixteen = values.some((value) => value > 255);
		wide ||= sixteen;
		body.push((sixteen ? 0x10 : 0) | c.quantizationId);
		for (const value of values) body.push(...(sixteen ? [value >> 8, value & 0xff] : [value]));
	}
	return { body, wide };
}

function checkSegments(jpeg: JpegCoefficients): void {
	for (const body of [jpeg.exif, ...jpeg.icc]) {
		if (body && body.length > MAX_SEGMENT_BODY) {
			throw new RangeError(`A JPEG segment holds at most ${MAX_SEGMENT_BODY} bytes`);
		}
	}
}

/** SOI, metadata, tables, frame and scan headers. */
function headers(jpeg: JpegCoefficients): number[] {
	const { components, width, height } = jpeg;
	const colour: number[] = [];
	if (jpeg.rgb) colour.push(...segment(0xee, adobeBody(0)));
	else {
		if (!jpeg.exif) colour.push(...segment(0xe0, JFIF_BODY));
		if (isRgbIds(components)) colour.push(...segment(0xee, adobeBody(1)));
	}
	const quantization = quantizationBody(components);
	const tables = (c: number) => (c === 0 ? 0x00 : 0x11);
	return [
		0xff,
		0xd8,
		...colour,
		...(jpeg.exif ? segment(0xe1, jpeg.exif) : []),
		...jpeg.icc.flatMap((body) => segment(0xe2, body)),
		...segment(0xdb, quantization.body),
		...segment(quantization.wide ? 0xc1 : 0xc0, [
			8,
			height >> 8,
			height & 0xff,
			width >> 8,
			width & 0xff,
			components.length,
			...components.flatMap((c) => [c.id, (c.h << 4) | c.v, c.quantizationId]),
		]),
		...segment(
			0xc4,
			huffmanBody([
				[0x00, STANDARD_TABLES.dcLuma],
				[0x10, STANDARD_TABLES.acLuma],
				...(components.length > 1
					? ([
							[0x01, STANDARD_TABLES.dcChroma],
							[0x11, STANDARD_TABLES.acChroma],
						] satisfies Array<[number, HuffmanSpec]>)
					: []),
			]),
		),
		...segment(0xda, [
			components.length,
			...components.flatMap((c, i) => [c.id, tables(i)]),
			0,
			63,
			0,
		]),
	];
}

/** One component's codes and its DC predictor. */
export interface ComponentWriter {
	component: CoefficientComponent;
	dc: HuffmanEncoding;
	ac: HuffmanEncoding;
	previousDc: number;
	/** ZRLs still to put before EOBs (jpegEntropy.ts `writeBlock`). */
	padding?: { zrl: number };
}

const zigzag = new Int16Array(64);

/** Block `index` of the component in zig-zag order, clamped to baseline's range, written. */
export function writeOne(out: JpegBitWriter, w: ComponentWriter, index: number): void {
	const coefficients = w.component.coefficients;
	const at = index * 64;
	for (let k = 0; k < 64; k++) {
		const value = coefficients[at + ZIGZAG[k]];
		zigzag[k] = value > 1023 ? 1023 : value < -1023 ? -1023 : value;
	}
	const dc = coefficients[at];
	zigzag[0] = dc > 1023 ? 1023 : dc < -1024 ? -1024 : dc;
	w.previousDc = writeBlock(out, zigzag, w.previousDc, w.dc, w.ac, w.padding);
}

/** The MCU at `mcuCol` of MCU row `mcuRow` of the components' arrays, each component in turn. */
export function writeMcu(
	out: JpegBitWriter,
	writers: ComponentWriter[],
	mcuRow: number,
	mcuCol: number,
): void {
	for (const w of writers) {
		const c = w.component;
		for (let v = 0; v < c.v; v++) {
			const rowStart = (mcuRow * c.v + v) * c.blocksPerLineForMcu + mcuCol * c.h;
			for (let h = 0; h < c.h; h++) writeOne(out, w, rowStart + h);
		}
	}
}

/**
 * Row `row` (of blocks, for one component; of MCUs otherwise) written from column `col` until it
 * ends or the time slice is over (looked at every 64 blocks or 16 MCUs); the next column. A plain
 * function: V8 optimises its loop far better than inside the async writer.
 */
function writeRowFrom(
	out: JpegBitWriter,
	writers: ComponentWriter[],
	row: number,
	[col, across]: [number, number],
	slice: TimeSlice,
): number {
	if (writers.length === 1) {
		const [w] = writers;
		const c = w.component;
		for (; col < across; col++) {
			out.reserve(BLOCK_BYTES);
			writeOne(out, w, row * c.blocksPerLineForMcu + col);
			if ((col & 63) === 63 && slice.over) return col + 1;
		}
		return col;
	}
	const blocksPerMcu = writers.reduce((sum, w) => sum + w.component.h * w.component.v, 0);
	for (; col < across; col++) {
		out.reserve(BLOCK_BYTES * blocksPerMcu);
		writeMcu(out, writers, row, col);
		if ((col & 15) === 15 && slice.over) return col + 1;
	}
	return col;
}

/** The coefficients as a JPEG file (see the header comment). */
export async function writeJpegCoefficients(
	jpeg: JpegCoefficients,
	slice: TimeSlice,
): Promise<Uint8Array> {
	checkSegments(jpeg);
	const luma = [STANDARD_TABLES.dcLuma, STANDARD_TABLES.acLuma].map(huffmanEncoding);
	const chroma = [STANDARD_TABLES.dcChroma, STANDARD_TABLES.acChroma].map(huffmanEncoding);
	const writers: ComponentWriter[] = jpeg.components.map((component, i) => {
		const [dc, ac] = i === 0 ? luma : chroma;
		return { component, dc, ac, previousDc: 0 };
	});
	const samples = writers.reduce((sum, w) => sum + w.component.coefficients.length, 0);
	// A first guess of a byte in eight samples; the buffer doubles when a photo needs more.
	const out = new JpegBitWriter(Math.max(65536, samples >> 3));
	out.writeBytes(headers(jpeg));
	// One component: its blocks row by row, the MCU padding left out (T.81 A.2.2).
	const single = writers.length === 1;
	const rows = single ? writers[0].component.blocksPerColumn : jpeg.mcusPerColumn;
	const across = single ? writers[0].component.blocksPerLine : jpeg.mcusPerLine;
	for (let row = 0; row < rows; row++) {
		let col = 0;
		while (col < across) {
			col = writeRowFrom(out, writers, row, [col, across], slice);
			await slice.tick();
		}
	}
	out.padToByte();
	out.writeBytes([0xff, 0xd9]);
	return out.bytes.slice(0, out.at);
}
