import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { crc32 } from './checksums';
import { inflateZlibStream } from './inflate';
import { COLOUR_TYPES, expandRow, unfilter, type PngHeader, type PngParts } from './pngRows';
import { ImageDecodeError, sameBytes, type Raster } from '../raster';

/**
 * PNG decoding (ISO/IEC 15948) to 8-bit RGBA: every colour type (gray, RGB, palette, gray + alpha,
 * RGBA), every bit depth (1, 2, 4, 8, 16; 16-bit samples rounded to 8 bits as v / 257), tRNS
 * transparency, Adam7 interlacing, the five row filters, image data split over many IDAT chunks.
 * The CRC of every critical chunk (and tRNS) is checked; other ancillary chunks are skipped
 * unchecked, as libpng does by default.
 *
 * The size in the header is checked against the caller's pixel limit before anything is unpacked,
 * and the image data may unpack to exactly what that size needs, no more (see inflate.ts).
 *
 * Memory: the compressed bytes (copied once when split over several IDAT chunks) + 4 bytes a
 * pixel of output + a window of the unpacked rows (inflate.ts `inflateZlibStream`, a few hundred
 * KB): rows are unfiltered and expanded as they unpack, the time slice looked at between steps.
 */

export type { PngHeader };

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The largest side PNG allows (2^31 - 1). */
const MAX_SIDE = 0x7fffffff;
/** Bytes of chunk data checked between two looks at the time slice. */
const CRC_STEP = 1 << 16;

/** Adam7: each pass's first column and row and its steps across and down. */
const ADAM7 = [
	[0, 0, 8, 8],
	[4, 0, 8, 8],
	[0, 4, 4, 8],
	[2, 0, 4, 4],
	[0, 2, 2, 4],
	[1, 0, 2, 2],
	[0, 1, 1, 2],
];
const WHOLE_IMAGE = [[0, 0, 1, 1]];

const damaged = (why: string) => new ImageDecodeError(`The PNG picture is damaged: ${why}.`);
const cutShort = () => damaged('the file is cut short');

const u32 = (b: Uint8Array, i: number) =>
	((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;

export function isPng(bytes: Uint8Array): boolean {
	return bytes.length >= 8 && SIGNATURE.every((byte, i) => bytes[i] === byte);
}

/** The header (IHDR, always the first chunk) of a PNG, checked; no pixel is read. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
	if (!isPng(bytes)) throw damaged('it does not start with the PNG signature');
	if (bytes.length < 33) throw cutShort();
	if (u32(bytes, 8) !== 13 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
		throw damaged('its first chunk is not the image header');
	}
	const header: PngHeader = {
		width: u32(bytes, 16),
		height: u32(bytes, 20),
		bitDepth: bytes[24],
		colourType: bytes[25],
		interlaced: bytes[28] === 1,
	};
	const sideOk = (side: number) => side >= 1 && side <= MAX_SIDE;
	if (!sideOk(header.width) || !sideOk(header.height)) throw damaged('its size is not valid');
	if (!COLOUR_TYPES[header.colourType]?.depths.includes(header.bitDepth)) {
		throw damaged(`colour type ${header.colourType} with ${header.bitDepth}-bit samples`);
	}
	if (bytes[26] !== 0 || bytes[27] !== 0 || bytes[28] > 1) {
		throw damaged('it names an unknown compression, filter or interlace method');
	}
	if (crc32(bytes, 12, 29) !== u32(bytes, 29)) throw damaged('its header checksum is wrong');
	return header;
}

async function checkCrc(bytes: Uint8Array, start: number, end: number, slice: TimeSlice) {
	let crc = 0;
	for (let from = start; from < end; from += CRC_STEP) {
		crc = crc32(bytes, from, Math.min(end, from + CRC_STEP), crc);
		if (slice.over) await slice.next();
	}
	if (crc !== u32(bytes, end)) throw damaged('a chunk checksum is wrong');
}

/** Walks the chunks after IHDR: palette, transparency and the image data, up to IEND. */
async function readChunks(bytes: Uint8Array, header: PngHeader, slice: TimeSlice) {
	const parts: PngParts = {
		compressed: new Uint8Array(0),
		palette: new Uint8Array(256 * 4),
		paletteSize: 0,
		transparent: undefined,
		hasTrns: false,
	};
	for (let i = 3; i < parts.palette.length; i += 4) parts.palette[i] = 255;
	const data: Uint8Array[] = [];
	let at = 33;
	for (;;) {
		if (at + 12 > bytes.length) throw cutShort();
		const length = u32(bytes, at);
		const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
		const start = at + 8;
		const end = start + length;
		if (length > MAX_SIDE || end + 4 > bytes.length) throw cutShort();
		const critical = (bytes[at + 4] & 0x20) === 0;
		if (critical || type === 'tRNS') await checkCrc(bytes, at + 4, end, slice);
		const body = bytes.subarray(start, end);
		at = end + 4;
		if (type === 'IEND') break;
		if (type === 'IDAT') data.push(body);
		else if (type === 'PLTE') readPalette(body, parts);
		else if (type === 'tRNS') readTransparency(body, header, parts);
		else if (critical) throw damaged(`it holds an unknown critical chunk "${type}"`);
	}
	if (data.length === 0) throw damaged('it holds no image data');
	if (header.colourType === 3 && parts.paletteSize === 0) throw damaged('its palette is missing');
	if (data.length === 1) parts.compressed = data[0];
	else {
		parts.compressed = new Uint8Array(data.reduce((sum, part) => sum + part.length, 0));
		let offset = 0;
		// Copied chunk by chunk: copying tens of megabytes at once would hold the event loop.
		for (const part of data) {
			parts.compressed.set(part, offset);
			offset += part.length;
			if (slice.over) await slice.next();
		}
	}
	return parts;
}

function readPalette(body: Uint8Array, parts: PngParts): void {
	if (body.length % 3 !== 0 || body.length > 768) throw damaged('its palette has a wrong length');
	parts.paletteSize = body.length / 3;
	for (let i = 0; i < parts.paletteSize; i++) {
		parts.palette.set(body.subarray(i * 3, i * 3 + 3), i * 4);
	}
}

function readTransparency(body: Uint8Array, header: PngHeader, parts: PngParts): void {
	const sample = (i: number) => (body[i] << 8) | body[i + 1];
	if (header.colourType === 3) {
		const count = Math.min(body.length, 256);
		for (let i = 0; i < count; i++) parts.palette[i * 4 + 3] = body[i];
		parts.hasTrns = true;
	} else if (header.colourType === 0 && body.length >= 2) {
		parts.transparent = [sample(0)];
		parts.hasTrns = true;
	} else if (header.colourType === 2 && body.length >= 6) {
		parts.transparent = [sample(0), sample(2), sample(4)];
		parts.hasTrns = true;
	}
}

/** Each pass's size (the whole image when not interlaced), and the bytes all its rows take. */
function passesOf(h: PngHeader) {
	const bitsPerPixel = COLOUR_TYPES[h.colourType].channels * h.bitDepth;
	const passes = (h.interlaced ? ADAM7 : WHOLE_IMAGE).map(([x0, y0, dx, dy]) => {
		const width = h.width > x0 ? Math.ceil((h.width - x0) / dx) : 0;
		const height = h.height > y0 ? Math.ceil((h.height - y0) / dy) : 0;
		const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
		return { x0, y0, dx, dy, width, height, rowBytes };
	});
	const bytes = passes.reduce((sum, p) => sum + (p.width && p.height * (1 + p.rowBytes)), 0);
	return { passes, bytes, bpp: Math.max(1, bitsPerPixel >> 3) };
}

/** A PNG's header, chunks and row layout, read and checked: what its rows are unpacked from. */
export type OpenedPng = { header: PngHeader; parts: PngParts; hasAlpha: boolean } & ReturnType<
	typeof passesOf
>;
export type PngPass = OpenedPng['passes'][number];

/** Reads a PNG's chunks; refuses pictures over `maxPixels` before unpacking anything. */
export async function openPng(
	bytes: Uint8Array,
	maxPixels: number,
	slice: TimeSlice,
): Promise<OpenedPng> {
	const header = readPngHeader(bytes);
	const { width, height } = header;
	if (width * height > maxPixels) {
		throw new ImageDecodeError(
			`The PNG picture is ${width} × ${height} pixels, more than the ${maxPixels} pixels allowed.`,
		);
	}
	const parts = await readChunks(bytes, header, slice);
	const hasAlpha = header.colourType === 4 || header.colourType === 6 || parts.hasTrns;
	return { header, parts, hasAlpha, ...passesOf(header) };
}

/**
 * Each row of the image data as it unpacks (the data is never held whole), its filter undone into
 * a row buffer (the filter byte at 0, the samples from 1), handed to `visit` with its pass and its
 * line in the pass, and whether its samples are those of the line above: a row of the Up filter
 * that changes nothing is seen without a byte visited, others compared natively. With `rows`, a
 * PNG that is not interlaced is unpacked only down to its first `rows` rows (and the step of
 * inflate.ts that holds them): the rest is not unpacked, so its Adler-32 is in general not checked
 * (every chunk's CRC-32 still is, over all the compressed bytes: readChunks).
 */
export async function unpackRows(
	{ parts, passes, bytes: expected, bpp }: OpenedPng,
	slice: TimeSlice,
	visit: (row: Uint8Array, pass: PngPass, line: number, repeat: boolean) => void,
	rows?: number,
): Promise<void> {
	const partial = rows !== undefined && passes.length === 1 && rows < passes[0].height;
	const stopAt = partial ? rows : Infinity;
	let stopped = false;
	const longest = Math.max(...passes.map((p) => p.rowBytes)) + 1;
	const zeros = new Uint8Array(longest + bpp);
	let [row, above] = [new Uint8Array(longest), new Uint8Array(longest)];
	let index = passes.findIndex((p) => p.width > 0 && p.height > 0);
	let line = 0;
	const take = (out: Uint8Array, from: number, to: number) => {
		for (let pass = passes[index]; pass && to - from > pass.rowBytes; pass = passes[index]) {
			const size = pass.rowBytes + 1;
			const up = out[from] === 2 && line > 0 && sameBytes(out, from + 1, zeros, 0, pass.rowBytes);
			if (up) visit(above, pass, line, true);
			else {
				row.set(out.subarray(from, from + size));
				unfilter(row, 1, pass.rowBytes, line > 0 ? above : zeros, 1, bpp);
				visit(row, pass, line, line > 0 && sameBytes(row, 1, above, 1, pass.rowBytes));
				[row, above] = [above, row];
			}
			from += size;
			if (++line >= stopAt) {
				stopped = true;
				return -1;
			}
			if (line < pass.height) continue;
			line = 0;
			do index++;
			while (index < passes.length && (passes[index].width === 0 || passes[index].height === 0));
		}
		return from;
	};
	const total = await inflateZlibStream(
		parts.compressed,
		{ maxBytes: expected, chunkBytes: longest },
		slice,
		take,
	);
	if (total < expected && !stopped) throw cutShort();
}

/**
 * A PNG's pixels as 8-bit RGBA; refuses pictures over `maxPixels` before unpacking anything. With
 * `rows`, only the first rows are needed (see pngRaster).
 */
export async function decodePng(
	bytes: Uint8Array,
	maxPixels: number,
	slice: TimeSlice,
	rows?: number,
): Promise<Raster> {
	return await pngRaster(await openPng(bytes, maxPixels, slice), slice, rows);
}

/**
 * An opened PNG's pixels as 8-bit RGBA; with `rows`, only the first `rows` rows of one that is not
 * interlaced (see unpackRows), the rest left 0.
 */
export async function pngRaster(png: OpenedPng, slice: TimeSlice, rows?: number): Promise<Raster> {
	const { header, parts } = png;
	const { width, height } = header;
	const rgba = new Uint8Array(width * height * 4);
	await unpackRows(
		png,
		slice,
		(row, pass, line) => {
			const o = ((pass.y0 + line * pass.dy) * width + pass.x0) * 4;
			expandRow(header, parts, row, 1, pass.width, rgba, o, pass.dx * 4);
		},
		rows,
	);
	return { width, height, rgba, hasAlpha: png.hasAlpha };
}
