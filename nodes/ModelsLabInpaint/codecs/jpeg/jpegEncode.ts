import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import type { Raster } from '../raster';
import {
	huffmanEncoding,
	JpegBitWriter,
	STANDARD_TABLES,
	writeBlock,
	type HuffmanEncoding,
	type HuffmanSpec,
} from './jpegEntropy';
import { chromaTable, forwardDct, lumaTable, McuSampler, quantizeFactors } from './jpegForward';
import { ZIGZAG } from './jpegHuffman';

/**
 * A raster as a baseline JPEG (ITU T.81, SOF0, JFIF YCbCr): 4:2:0 (chroma at half resolution both
 * ways, as cameras and most tools save photos) or 4:4:4, the IJG quantization tables scaled by
 * quality, the standard Huffman tables, one interleaved scan, no restart markers. Alpha is
 * dropped (JPEG has none). An Exif segment given by the caller (an APP1 body, "Exif\0\0" first,
 * as the original file held it) is written as it is, so the picture keeps its metadata; the JFIF
 * APP0 segment is then left out, as cameras do.
 *
 * Memory: the raster (the caller's) + the file, in a buffer that grows by doubling (at most twice
 * the file while it grows, then the file once more as it is cut to size) + about 3 KB of tables
 * and blocks; and the headers (with the Exif, at most 64 KB) as an array of numbers once.
 */

export interface JpegEncodeOptions {
	/** 1 to 100, as in libjpeg and most tools: 92 keeps photos visually lossless. */
	quality: number;
	/** '4:2:0' (default in most tools, smaller) or '4:4:4' (sharper colour edges). */
	subsampling: '4:2:0' | '4:4:4';
	/** The body of an APP1 Exif segment (from "Exif\0\0" on), written unchanged. */
	exif?: Uint8Array;
}

/** The largest size a JPEG frame header can give (16 bits each way). */
const MAX_SIDE = 65535;
/** A segment's body can hold at most this many bytes (its 16-bit length counts itself). */
export const MAX_SEGMENT_BODY = 65533;
/** Room for one block's codes: 64 codes of at most 27 bits, every byte possibly stuffed. */
export const BLOCK_BYTES = 256;

/** A marker segment: FF, marker, 16-bit length, body. */
export function segment(marker: number, body: ArrayLike<number>): number[] {
	const length = body.length + 2;
	return [0xff, marker, length >> 8, length & 0xff, ...Array.from(body)];
}

export const JFIF_BODY = [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]; // "JFIF\0" 1.01, 1:1, no thumbnail

function quantizationBody(tables: Uint8Array[]): number[] {
	return tables.flatMap((table, id) => [id, ...Array.from(ZIGZAG, (at) => table[at])]);
}

export function huffmanBody(tables: Array<[number, HuffmanSpec]>): number[] {
	return tables.flatMap(([classAndId, spec]) => [classAndId, ...spec.counts, ...spec.symbols]);
}

function validate(raster: Raster, options: JpegEncodeOptions): void {
	const { width, height, rgba } = raster;
	if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
		throw new Error(`Cannot encode a ${width}×${height} picture`);
	}
	if (width > MAX_SIDE || height > MAX_SIDE) {
		throw new Error(`A JPEG can be at most ${MAX_SIDE} pixels a side, not ${width}×${height}`);
	}
	if (rgba.length !== width * height * 4) {
		throw new Error(`Expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
	}
	if (!Number.isInteger(options.quality) || options.quality < 1 || options.quality > 100) {
		throw new Error(`JPEG quality must be a whole number from 1 to 100, not ${options.quality}`);
	}
	if (options.exif && options.exif.length > MAX_SEGMENT_BODY) {
		throw new Error(`An Exif segment holds at most ${MAX_SEGMENT_BODY} bytes`);
	}
}

/** SOI, the metadata segment, tables, frame and scan headers. */
function headers(raster: Raster, options: JpegEncodeOptions, tables: Uint8Array[]): number[] {
	const { width, height } = raster;
	const sampling = options.subsampling === '4:4:4' ? 0x11 : 0x22;
	return [
		0xff,
		0xd8,
		...(options.exif ? segment(0xe1, options.exif) : segment(0xe0, JFIF_BODY)),
		...segment(0xdb, quantizationBody(tables)),
		// Frame: 8-bit samples, height, width, 3 components (id, sampling, quantization table).
		...segment(0xc0, [
			8,
			height >> 8,
			height & 0xff,
			width >> 8,
			width & 0xff,
			3,
			...[1, sampling, 0],
			...[2, 0x11, 1],
			...[3, 0x11, 1],
		]),
		...segment(
			0xc4,
			huffmanBody([
				[0x00, STANDARD_TABLES.dcLuma],
				[0x10, STANDARD_TABLES.acLuma],
				[0x01, STANDARD_TABLES.dcChroma],
				[0x11, STANDARD_TABLES.acChroma],
			]),
		),
		// Scan: 3 components (id, DC table << 4 | AC table), spectral 0..63, no approximation.
		...segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]),
	];
}

/** One component's codes, quantization and DC predictor while a picture is encoded. */
interface ComponentState {
	dc: number;
	factors: Float32Array;
	dcCodes: HuffmanEncoding;
	acCodes: HuffmanEncoding;
}
type McuRowState = { luma: ComponentState; cb: ComponentState; cr: ComponentState };

const codes = (dc: HuffmanSpec, ac: HuffmanSpec) => ({
	dcCodes: huffmanEncoding(dc),
	acCodes: huffmanEncoding(ac),
});

const coefficients = new Int16Array(64);

/** One block transformed, quantized and written; the component's DC predictor moves on. */
function encodeBlock(out: JpegBitWriter, block: Float32Array, state: ComponentState): void {
	forwardDct(block, state.factors, coefficients);
	state.dc = writeBlock(out, coefficients, state.dc, state.dcCodes, state.acCodes);
}

/**
 * The row of MCUs at `top`, each loaded and its blocks written. A plain function: V8 optimises
 * its loop far better than inside the async encoder.
 */
function encodeMcuRow(
	out: JpegBitWriter,
	sampler: McuSampler,
	top: number,
	width: number,
	state: McuRowState,
): void {
	for (let left = 0; left < width; left += sampler.size) {
		out.reserve(BLOCK_BYTES * (sampler.luma.length + 2));
		sampler.load(left, top);
		for (const block of sampler.luma) encodeBlock(out, block, state.luma);
		encodeBlock(out, sampler.cb, state.cb);
		encodeBlock(out, sampler.cr, state.cr);
	}
}

export async function encodeJpeg(
	raster: Raster,
	options: JpegEncodeOptions,
	slice: TimeSlice,
): Promise<Uint8Array> {
	validate(raster, options);
	const tables = [lumaTable(options.quality), chromaTable(options.quality)];
	const [lumaFactors, chromaFactors] = tables.map(quantizeFactors);
	const { width, height } = raster;
	// A first guess of one byte in eight pixels; the buffer doubles when a photo needs more.
	const out = new JpegBitWriter(Math.max(65536, (width * height) >> 3));
	out.writeBytes(headers(raster, options, tables));
	const sampler = new McuSampler(raster, options.subsampling !== '4:4:4');
	const state: McuRowState = {
		luma: { dc: 0, factors: lumaFactors, ...codes(STANDARD_TABLES.dcLuma, STANDARD_TABLES.acLuma) },
		cb: {
			dc: 0,
			factors: chromaFactors,
			...codes(STANDARD_TABLES.dcChroma, STANDARD_TABLES.acChroma),
		},
		cr: {
			dc: 0,
			factors: chromaFactors,
			...codes(STANDARD_TABLES.dcChroma, STANDARD_TABLES.acChroma),
		},
	};
	for (let top = 0; top < height; top += sampler.size) {
		encodeMcuRow(out, sampler, top, width, state);
		if (slice.over) await slice.next();
	}
	out.padToByte();
	out.writeBytes([0xff, 0xd9]);
	return out.bytes.slice(0, out.at);
}
