import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { exifOrientation, isExif, isIcc, UPRIGHT } from './jpegExif';
import { buildHuffmanTable, jpegDamaged, ZIGZAG, type HuffmanTable } from './jpegHuffman';
import {
	colourRows,
	idctMultipliers,
	inverseDctBlocks,
	upsampledPlane,
	type UpsampledPlane,
} from './jpegIdct';
import { decodeScan, type FrameComponent, type FrameLayout, type ScanSettings } from './jpegScan';
import { ImageDecodeError, type Raster } from '../raster';
import type { CoefficientComponent, JpegCoefficients } from './jpegRegion';

/**
 * JPEG decoding (ITU T.81) to 8-bit RGBA: baseline and extended sequential (SOF0, SOF1) and
 * progressive (SOF2) Huffman-coded frames of 8-bit samples, grayscale (1 component) or colour (3:
 * YCbCr, or RGB when an Adobe segment says so) with any sampling factors, restart markers. The
 * Exif orientation is read and returned, not applied. Refused with a plain message: CMYK / YCCK
 * (4 components), arithmetic coding, lossless and hierarchical frames, 12-bit samples.
 *
 * The frame's size is checked against the caller's pixel limit before anything is allocated.
 * The marker walk only moves forward and a scan visits a fixed number of blocks, whatever the
 * bits say; at most MAX_SCANS scans are decoded, so a hostile progressive file cannot make the
 * work grow without end.
 *
 * Memory: the file + 2 bytes a sample of coefficients (kept for all scans, as progressive files
 * refine them; 3 bytes a pixel at 4:2:0, 6 at 4:4:4, MCU-padded) + 1 byte a sample of component
 * planes + 4 bytes a pixel of output: about 8.5 bytes a pixel at 4:2:0 (coefficients alone: 3).
 */

/** Progressive files use about 10 scans; libjpeg's own encoder never more than a few dozen. */
const MAX_SCANS = 256;
/** Blocks put through the IDCT between two looks at the time slice. */
const IDCT_BLOCKS = 64;

export interface DecodedJpeg {
	raster: Raster;
	/** The Exif orientation, 1 (upright, also when none is given) to 8. */
	orientation: number;
	exif?: Uint8Array; // the Exif segment's body, when the file has one
}
const cutShort = () => jpegDamaged('the file is cut short');
const unsupported = (what: string) =>
	new ImageDecodeError(
		`This JPEG uses ${what}, which cannot be read here. Save it again as a standard JPEG or as a PNG.`,
	);
const u16 = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];

/** The last pixel row to decode, or how to find it from the frame (size, MCU) and Exif orientation. */
type LastRow = number | ((frame: Readonly<FrameLayout>, orientation: number) => Promise<number>);

class JpegReader {
	private readonly quantization: Array<Uint16Array | undefined> = [];
	private readonly dcTables: Array<HuffmanTable | undefined> = [];
	private readonly acTables: Array<HuffmanTable | undefined> = [];
	private restartInterval = 0;
	private adobeTransform: number | undefined;
	private scans = 0;
	frame: FrameLayout | undefined;
	orientation = UPRIGHT;
	/** The first Exif segment's body ("Exif\0\0" onwards), to be written back by the encoder. */
	exif: Uint8Array | undefined;
	/** The ICC profile's APP2 segment bodies ("ICC_PROFILE\0" first), in file order. */
	readonly icc: Uint8Array[] = [];

	constructor(
		private readonly bytes: Uint8Array,
		private readonly maxPixels: number,
		private lastRow: LastRow = Infinity,
		private readonly readScan = decodeScan,
	) {}

	/** Walks the markers from SOI to EOI, decoding each scan as it comes. */
	async read(slice: TimeSlice): Promise<void> {
		const bytes = this.bytes;
		if (bytes[0] !== 0xff || bytes[1] !== 0xd8) throw jpegDamaged('it does not start as a JPEG');
		let at = 2;
		for (;;) {
			while (at < bytes.length && bytes[at] !== 0xff) at++; // stray bytes between segments
			while (at < bytes.length && bytes[at] === 0xff) at++; // fill bytes
			if (at >= bytes.length) throw cutShort();
			const marker = bytes[at++];
			if (marker === 0xd9) return; // EOI
			if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no length
			if (at + 2 > bytes.length) throw cutShort();
			const length = u16(bytes, at);
			if (length < 2 || at + length > bytes.length) throw cutShort();
			const body = bytes.subarray(at + 2, at + length);
			at += length;
			if (marker === 0xda) at = await this.scan(body, at, slice);
			else this.segment(marker, body);
		}
	}

	private segment(marker: number, body: Uint8Array): void {
		if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) this.readFrame(body, marker);
		else if (marker === 0xc3) throw unsupported('lossless coding');
		else if (marker >= 0xc5 && marker <= 0xc7) throw unsupported('hierarchical coding');
		else if (marker >= 0xc9 && marker <= 0xcf) throw unsupported('arithmetic coding');
		else if (marker === 0xc4) this.readHuffmanTables(body);
		else if (marker === 0xdb) this.readQuantization(body);
		else if (marker === 0xdd) {
			if (body.length < 2) throw jpegDamaged('a restart interval segment is too short');
			this.restartInterval = u16(body, 0);
		} else if (marker === 0xe1 && !this.exif && exifOrientation(body) !== undefined) {
			this.orientation = exifOrientation(body)!;
			this.exif = body.slice();
		} else if (marker === 0xe1 && !this.exif && isExif(body)) {
			this.exif = body.slice();
		} else if (marker === 0xe2 && isIcc(body)) {
			this.icc.push(body.slice());
		} else if (marker === 0xee && body.length >= 12 && body[0] === 0x41 && body[4] === 0x65) {
			this.adobeTransform = body[11]; // "Adobe": 0 = RGB or CMYK, 1 = YCbCr, 2 = YCCK
		}
	}

	private readFrame(body: Uint8Array, marker: number): void {
		if (this.frame) throw jpegDamaged('it holds more than one picture frame');
		if (body.length < 6) throw jpegDamaged('its frame header is too short');
		if (body[0] !== 8) throw unsupported(`${body[0]}-bit samples`);
		const height = u16(body, 1);
		const width = u16(body, 3);
		const count = body[5];
		if (height === 0) throw unsupported('a height given only after the picture data (DNL)');
		if (width === 0) throw jpegDamaged('its width is 0');
		if (count === 4) throw unsupported('CMYK colours (4 components, as print software saves)');
		if (count !== 1 && count !== 3) throw unsupported(`${count} colour components`);
		if (body.length < 6 + count * 3) throw jpegDamaged('its frame header is too short');
		if (width * height > this.maxPixels) {
			throw new ImageDecodeError(
				`The JPEG picture is ${width} × ${height} pixels, more than the ${this.maxPixels} pixels allowed.`,
			);
		}
		const parts = Array.from({ length: count }, (_, i) => {
			const [id, factors, quantizationId] = body.subarray(6 + i * 3, 9 + i * 3);
			const h = factors >> 4;
			const v = factors & 15;
			if (h < 1 || h > 4 || v < 1 || v > 4 || quantizationId > 3) {
				throw jpegDamaged('a component has invalid sampling factors or tables');
			}
			return { id, h, v, quantizationId };
		});
		const maxH = Math.max(...parts.map((p) => p.h));
		const maxV = Math.max(...parts.map((p) => p.v));
		const mcusPerLine = Math.ceil(width / (8 * maxH));
		const mcusPerColumn = Math.ceil(height / (8 * maxV));
		const components: FrameComponent[] = parts.map((p) => {
			const blocksPerLineForMcu = mcusPerLine * p.h;
			const blocksPerColumnForMcu = mcusPerColumn * p.v;
			return {
				...p,
				blocksPerLine: Math.ceil(Math.ceil((width * p.h) / maxH) / 8),
				blocksPerColumn: Math.ceil(Math.ceil((height * p.v) / maxV) / 8),
				blocksPerLineForMcu,
				blocksPerColumnForMcu,
				coefficients: new Int16Array(0), // allocated by the first scan that has it (jpegScan.ts)
				dcTable: undefined,
				acTable: undefined,
				previousDc: 0,
			};
		});
		const progressive = marker === 0xc2;
		this.frame = { width, height, progressive, components, maxH, maxV, mcusPerLine, mcusPerColumn };
	}

	private readHuffmanTables(body: Uint8Array): void {
		for (let at = 0; at < body.length; ) {
			if (at + 17 > body.length) throw jpegDamaged('a Huffman table is cut short');
			const tableClass = body[at] >> 4;
			const id = body[at] & 15;
			const counts = body.subarray(at + 1, at + 17);
			const total = counts.reduce((sum, count) => sum + count, 0);
			if (tableClass > 1 || id > 3 || at + 17 + total > body.length || total > 256) {
				throw jpegDamaged('a Huffman table is not valid');
			}
			const table = buildHuffmanTable(counts, body.subarray(at + 17, at + 17 + total));
			(tableClass === 0 ? this.dcTables : this.acTables)[id] = table;
			at += 17 + total;
		}
	}

	private readQuantization(body: Uint8Array): void {
		for (let at = 0; at < body.length; ) {
			const wide = body[at] >> 4 === 1;
			const id = body[at] & 15;
			const size = wide ? 128 : 64;
			if (id > 3 || body[at] >> 4 > 1 || at + 1 + size > body.length) {
				throw jpegDamaged('a quantization table is not valid');
			}
			const table = new Uint16Array(64);
			for (let k = 0; k < 64; k++) {
				table[ZIGZAG[k]] = wide ? u16(body, at + 1 + 2 * k) : body[at + 1 + k];
			}
			this.quantization[id] = table;
			at += 1 + size;
		}
	}

	private async scan(body: Uint8Array, at: number, slice: TimeSlice): Promise<number> {
		const frame = this.frame;
		if (!frame) throw jpegDamaged('its picture data comes before its frame header');
		if (++this.scans > MAX_SCANS) throw jpegDamaged(`it has more than ${MAX_SCANS} scans`);
		const count = body[0];
		if (count < 1 || count > 4 || body.length < 4 + count * 2) {
			throw jpegDamaged('a scan header is not valid');
		}
		const components = Array.from({ length: count }, (_, i) => {
			const component = frame.components.find((c) => c.id === body[1 + i * 2]);
			if (!component) throw jpegDamaged('a scan names a component the frame does not have');
			const tables = body[2 + i * 2];
			component.dcTable = this.dcTables[tables >> 4];
			component.acTable = this.acTables[tables & 15];
			return component;
		});
		const [spectralStart, spectralEnd, approximation] = body.subarray(1 + count * 2);
		const refining = approximation >> 4 !== 0;
		let kind: ScanSettings['kind'] = 'sequential';
		if (frame.progressive) {
			if (spectralStart === 0) kind = refining ? 'dcRefine' : 'dcFirst';
			else kind = refining ? 'acRefine' : 'acFirst';
			const validBand = spectralStart === 0 ? spectralEnd === 0 : spectralEnd >= spectralStart;
			if (!validBand || spectralEnd > 63 || (spectralStart > 0 && count !== 1)) {
				throw jpegDamaged('a progressive scan is not valid');
			}
		}
		const needsDc = kind === 'sequential' || kind === 'dcFirst';
		const needsAc = kind === 'sequential' || kind === 'acFirst' || kind === 'acRefine';
		if (components.some((c) => (needsDc && !c.dcTable) || (needsAc && !c.acTable))) {
			throw jpegDamaged('a scan uses a Huffman table the file does not hold');
		}
		if (typeof this.lastRow !== 'number')
			this.lastRow = await this.lastRow(frame, this.orientation); // once
		const settings: ScanSettings = {
			components,
			kind,
			spectralStart,
			spectralEnd,
			shift: approximation & 15,
			restartInterval: this.restartInterval,
			lastRow: this.lastRow,
		};
		return await this.readScan(this.bytes, at, frame, settings, slice);
	}

	/** Whether three components are RGB rather than YCbCr. */
	private isRgb(frame: FrameLayout): boolean {
		if (this.adobeTransform !== undefined) return this.adobeTransform === 0;
		const ids = frame.components.map((c) => c.id);
		return ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42; // "R", "G", "B"
	}

	/** The frame's quantized coefficients as they are, with what a writer needs to keep. */
	coefficients(): JpegCoefficients {
		const frame = this.frame;
		// A component no scan has (its coefficients never allocated): no picture data either.
		if (!frame || frame.components.some((c) => c.coefficients.length === 0))
			throw jpegDamaged('it holds no picture data');
		const components: CoefficientComponent[] = frame.components.map((c) => {
			const quantization = this.quantization[c.quantizationId];
			if (!quantization) {
				throw jpegDamaged('a component uses a quantization table the file does not hold');
			}
			const { id, h, v, quantizationId, blocksPerLine, blocksPerColumn } = c;
			const { blocksPerLineForMcu, blocksPerColumnForMcu, coefficients } = c;
			return {
				...{ id, h, v, quantizationId, quantization: quantization.slice() },
				...{ blocksPerLine, blocksPerColumn, blocksPerLineForMcu, blocksPerColumnForMcu },
				coefficients,
			};
		});
		const { width, height, maxH, maxV, mcusPerLine, mcusPerColumn } = frame;
		return {
			...{ width, height, maxH, maxV, mcusPerLine, mcusPerColumn, components },
			rgb: components.length === 3 && this.isRgb(frame),
			orientation: this.orientation,
			exif: this.exif,
			icc: this.icc,
		};
	}

	/** The coefficients → component planes → RGBA, a row range at a time. */
	async toRaster(slice: TimeSlice): Promise<Raster> {
		const frame = this.frame;
		if (!frame || frame.components.some((c) => c.coefficients.length === 0))
			throw jpegDamaged('it holds no picture data');
		const planes: UpsampledPlane[] = [];
		for (const c of frame.components) {
			const table = this.quantization[c.quantizationId];
			if (!table) throw jpegDamaged('a component uses a quantization table the file does not hold');
			const stride = c.blocksPerLineForMcu * 8;
			const plane = new Uint8ClampedArray(stride * c.blocksPerColumnForMcu * 8);
			const layout = {
				coefficients: c.coefficients,
				multipliers: idctMultipliers(table),
				plane,
				blocksPerLine: c.blocksPerLineForMcu,
			};
			for (let row = 0; row < c.blocksPerColumn; row++) {
				for (let col = 0; col < c.blocksPerLine; col += IDCT_BLOCKS) {
					inverseDctBlocks(layout, row, col, Math.min(c.blocksPerLine, col + IDCT_BLOCKS));
					if (slice.over) await slice.next();
				}
			}
			c.coefficients = new Int16Array(0); // no longer needed: let it go before the output
			planes.push(upsampledPlane(plane, stride, frame.width, c.h, frame.maxH, c.v, frame.maxV));
		}
		const { width, height } = frame;
		const rgba = new Uint8Array(width * height * 4);
		const clamped = new Uint8ClampedArray(rgba.buffer);
		const transform = planes.length === 3 && !this.isRgb(frame);
		for (let y = 0; y < height; y++) {
			colourRows(planes, transform, width, clamped, y, y + 1);
			if (slice.over) await slice.next();
		}
		return { width, height, rgba, hasAlpha: false };
	}
}

/** A JPEG's pixels as RGBA (alpha 255) and its Exif orientation; refuses pictures over `maxPixels`. */
export async function decodeJpeg(
	bytes: Uint8Array,
	maxPixels: number,
	slice: TimeSlice,
): Promise<DecodedJpeg> {
	const reader = new JpegReader(bytes, maxPixels);
	await reader.read(slice);
	const raster = await reader.toRaster(slice);
	return { raster, orientation: reader.orientation, exif: reader.exif };
}

/**
 * A JPEG's quantized coefficients and what a writer needs, no IDCT; refuses pictures over
 * `maxPixels` before allocating (2 bytes a sample, MCU-padded). With `lastRow`, blocks below its MCU
 * row stay zero, undecoded: to read a region above it, never to write the file. `readScan` reads
 * the scans its own way (the stitch's, jpegBand.ts).
 */
export async function readJpegCoefficients(
	bytes: Uint8Array,
	maxPixels: number,
	slice: TimeSlice,
	lastRow?: LastRow,
	readScan = decodeScan,
): Promise<JpegCoefficients> {
	const reader = new JpegReader(bytes, maxPixels, lastRow, readScan);
	await reader.read(slice);
	return reader.coefficients();
}
