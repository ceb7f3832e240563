/**
 * A small, dependency-free PNG codec (node zlib only) so the simulator can produce real images and
 * read the ones our nodes upload. It covers what test pictures and typical masks use: non-interlaced
 * greyscale, grey+alpha, RGB, RGBA and palette images, all five row filters.
 */
import { deflateSync, inflateSync } from 'zlib';

/** Decoded image: `rgba` holds width × height × 4 bytes, row by row. */
export interface Raster {
	width: number;
	height: number;
	rgba: Uint8Array;
}

/** Row filter written by the encoder; 'cycle' rotates through all five (handy for decoder tests). */
export type PngFilter = 'none' | 'sub' | 'up' | 'average' | 'paeth' | 'cycle';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const FILTER_CODES = { none: 0, sub: 1, up: 2, average: 3, paeth: 4 } as const;

const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
}

function crc32(bytes: Uint8Array): number {
	let c = 0xffffffff;
	for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

export function isPng(buf: Uint8Array): boolean {
	return buf.length >= 8 && Buffer.from(buf.buffer, buf.byteOffset, 8).equals(SIGNATURE);
}

/** Width and height from the IHDR chunk, without decoding pixels. Throws when `buf` is not a PNG. */
export function pngDimensions(buf: Uint8Array): { width: number; height: number } {
	const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
	if (!isPng(b) || b.length < 24 || b.toString('latin1', 12, 16) !== 'IHDR') {
		throw new Error('Not a PNG image');
	}
	return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const typeAndData = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(typeAndData));
	return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes 8-bit RGBA pixels. `filter` defaults to 'up', which suits the gradients we draw. */
export function encodePng(
	width: number,
	height: number,
	rgba: Uint8Array,
	options: { filter?: PngFilter; level?: number } = {},
): Buffer {
	if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
		throw new Error(`Invalid PNG size ${width}x${height}`);
	}
	if (rgba.length !== width * height * 4) {
		throw new Error(`Expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
	}
	const filter = options.filter ?? 'up';
	const stride = width * 4;
	const filtered = Buffer.alloc((stride + 1) * height);
	const order: Array<Exclude<PngFilter, 'cycle'>> = ['none', 'sub', 'up', 'average', 'paeth'];
	for (let y = 0; y < height; y++) {
		const rowFilter = filter === 'cycle' ? order[y % order.length] : filter;
		filterRow(rgba, y, stride, 4, rowFilter, filtered, y * (stride + 1));
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 6; // colour type RGBA
	return Buffer.concat([
		SIGNATURE,
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(filtered, { level: options.level ?? 6 })),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

function filterRow(
	pixels: Uint8Array,
	y: number,
	stride: number,
	bpp: number,
	filter: Exclude<PngFilter, 'cycle'>,
	out: Buffer,
	outOffset: number,
): void {
	const row = y * stride;
	const prev = row - stride;
	out[outOffset] = FILTER_CODES[filter];
	for (let x = 0; x < stride; x++) {
		const raw = pixels[row + x];
		const left = x >= bpp ? pixels[row + x - bpp] : 0;
		const up = y > 0 ? pixels[prev + x] : 0;
		const upLeft = y > 0 && x >= bpp ? pixels[prev + x - bpp] : 0;
		let predicted = 0;
		if (filter === 'sub') predicted = left;
		else if (filter === 'up') predicted = up;
		else if (filter === 'average') predicted = (left + up) >> 1;
		else if (filter === 'paeth') predicted = paeth(left, up, upLeft);
		out[outOffset + 1 + x] = (raw - predicted) & 0xff;
	}
}

function paeth(a: number, b: number, c: number): number {
	const p = a + b - c;
	const pa = Math.abs(p - a);
	const pb = Math.abs(p - b);
	const pc = Math.abs(p - c);
	if (pa <= pb && pa <= pc) return a;
	return pb <= pc ? b : c;
}

interface Header {
	width: number;
	height: number;
	bitDepth: number;
	colourType: number;
	interlace: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decodes a PNG to 8-bit RGBA. Throws a descriptive Error for anything it cannot read. */
export function decodePng(input: Uint8Array): Raster {
	const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
	if (!isPng(buf)) throw new Error('Not a PNG image');
	let header: Header | undefined;
	let palette: Buffer | undefined;
	let transparency: Buffer | undefined;
	const idat: Buffer[] = [];
	let offset = 8;
	while (offset + 12 <= buf.length) {
		const length = buf.readUInt32BE(offset);
		const type = buf.toString('latin1', offset + 4, offset + 8);
		const dataEnd = offset + 8 + length;
		if (dataEnd + 4 > buf.length) throw new Error(`Truncated PNG chunk ${type}`);
		const data = buf.subarray(offset + 8, dataEnd);
		if (crc32(buf.subarray(offset + 4, dataEnd)) !== buf.readUInt32BE(dataEnd)) {
			throw new Error(`Bad CRC in PNG chunk ${type}`);
		}
		if (type === 'IHDR') header = readHeader(data);
		else if (type === 'PLTE') palette = data;
		else if (type === 'tRNS') transparency = data;
		else if (type === 'IDAT') idat.push(data);
		else if (type === 'IEND') break;
		offset = dataEnd + 4;
	}
	if (!header) throw new Error('PNG has no IHDR chunk');
	if (idat.length === 0) throw new Error('PNG has no IDAT chunk');
	const raw = inflateSync(Buffer.concat(idat));
	const { width, height, bitDepth, colourType } = header;
	const channels = CHANNELS[colourType];
	const bitsPerPixel = channels * bitDepth;
	const stride = Math.ceil((width * bitsPerPixel) / 8);
	const bpp = Math.max(1, bitsPerPixel >> 3);
	if (raw.length < (stride + 1) * height) throw new Error('PNG pixel data is truncated');
	const rows = unfilter(raw, stride, height, bpp);
	if (colourType === 3 && !palette) throw new Error('Palette PNG has no PLTE chunk');
	return { width, height, rgba: toRgba(rows, header, stride, palette, transparency) };
}

function readHeader(data: Buffer): Header {
	const header: Header = {
		width: data.readUInt32BE(0),
		height: data.readUInt32BE(4),
		bitDepth: data[8],
		colourType: data[9],
		interlace: data[12],
	};
	const channels = CHANNELS[header.colourType];
	if (channels === undefined) throw new Error(`Unknown PNG colour type ${header.colourType}`);
	const depthOk =
		header.colourType === 0 || header.colourType === 3
			? [1, 2, 4, 8].includes(header.bitDepth) ||
				(header.colourType === 0 && header.bitDepth === 16)
			: [8, 16].includes(header.bitDepth);
	if (!depthOk) throw new Error(`Unsupported PNG bit depth ${header.bitDepth}`);
	if (header.interlace !== 0) throw new Error('Interlaced PNGs are not supported');
	return header;
}

function unfilter(raw: Buffer, stride: number, height: number, bpp: number): Buffer {
	const out = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		const type = raw[y * (stride + 1)];
		const src = y * (stride + 1) + 1;
		const row = y * stride;
		const prev = row - stride;
		for (let x = 0; x < stride; x++) {
			const left = x >= bpp ? out[row + x - bpp] : 0;
			const up = y > 0 ? out[prev + x] : 0;
			const upLeft = y > 0 && x >= bpp ? out[prev + x - bpp] : 0;
			let predicted: number;
			if (type === 0) predicted = 0;
			else if (type === 1) predicted = left;
			else if (type === 2) predicted = up;
			else if (type === 3) predicted = (left + up) >> 1;
			else if (type === 4) predicted = paeth(left, up, upLeft);
			else throw new Error(`Unknown PNG filter type ${type} in row ${y}`);
			out[row + x] = (raw[src + x] + predicted) & 0xff;
		}
	}
	return out;
}

/** Reads sample `index` of a row, scaled to 0..255 (palette indices are returned unscaled). */
function sample(
	rows: Buffer,
	rowStart: number,
	index: number,
	bitDepth: number,
	scale: boolean,
): number {
	if (bitDepth === 8) return rows[rowStart + index];
	if (bitDepth === 16) return rows[rowStart + index * 2]; // keep the high byte
	const perByte = 8 / bitDepth;
	const byte = rows[rowStart + Math.floor(index / perByte)];
	const shift = 8 - bitDepth * ((index % perByte) + 1);
	const value = (byte >> shift) & ((1 << bitDepth) - 1);
	return scale ? Math.round((value * 255) / ((1 << bitDepth) - 1)) : value;
}

function toRgba(
	rows: Buffer,
	header: Header,
	stride: number,
	palette: Buffer | undefined,
	transparency: Buffer | undefined,
): Uint8Array {
	const { width, height, bitDepth, colourType } = header;
	const channels = CHANNELS[colourType];
	const rgba = new Uint8Array(width * height * 4);
	// A tRNS chunk on grey/RGB images names one colour that is fully transparent.
	let keyGrey = colourType === 0 && transparency ? transparency.readUInt16BE(0) : -1;
	if (keyGrey >= 0 && bitDepth === 16) keyGrey >>= 8; // sample() keeps only the high byte
	for (let y = 0; y < height; y++) {
		const rowStart = y * stride;
		for (let x = 0; x < width; x++) {
			const o = (y * width + x) * 4;
			const s = x * channels;
			if (colourType === 3) {
				const index = sample(rows, rowStart, x, bitDepth, false);
				rgba[o] = palette![index * 3] ?? 0;
				rgba[o + 1] = palette![index * 3 + 1] ?? 0;
				rgba[o + 2] = palette![index * 3 + 2] ?? 0;
				rgba[o + 3] = transparency && index < transparency.length ? transparency[index] : 255;
			} else if (colourType === 0 || colourType === 4) {
				const grey = sample(rows, rowStart, s, bitDepth, true);
				rgba[o] = rgba[o + 1] = rgba[o + 2] = grey;
				if (colourType === 4) rgba[o + 3] = sample(rows, rowStart, s + 1, bitDepth, true);
				else
					rgba[o + 3] =
						keyGrey >= 0 && sample(rows, rowStart, s, bitDepth, false) === keyGrey ? 0 : 255;
			} else {
				rgba[o] = sample(rows, rowStart, s, bitDepth, true);
				rgba[o + 1] = sample(rows, rowStart, s + 1, bitDepth, true);
				rgba[o + 2] = sample(rows, rowStart, s + 2, bitDepth, true);
				rgba[o + 3] = colourType === 6 ? sample(rows, rowStart, s + 3, bitDepth, true) : 255;
			}
		}
	}
	return rgba;
}
