/**
 * A small PNG encoder for the decoder's tests (test code may use zlib): any colour type, bit depth,
 * tRNS, palette and Adam7 interlacing, each row with another of the five filters, the image data
 * split over IDAT chunks of a chosen size. pngjs cannot write most of these, which is why it exists.
 */
import { deflateSync } from 'zlib';

import { crc32 } from '../../nodes/ModelsLabInpaint/codecs/png/checksums';
import { seeded } from './masks';

export interface PngSpec {
	width: number;
	height: number;
	colourType: 0 | 2 | 3 | 4 | 6;
	bitDepth: 1 | 2 | 4 | 8 | 16;
	interlaced?: boolean;
	/** width × height × channels raw sample values (palette indexes for type 3). */
	samples: number[] | Uint16Array;
	/** RGB triples for type 3. */
	palette?: number[];
	/** The tRNS chunk's body. */
	trns?: number[];
	idatChunkBytes?: number;
	/** Which filter each row uses; by default row index mod 5. */
	filterOf?: (row: number) => number;
}

const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;
const ADAM7 = [
	[0, 0, 8, 8],
	[4, 0, 8, 8],
	[0, 4, 4, 8],
	[2, 0, 4, 4],
	[0, 2, 2, 4],
	[1, 0, 2, 2],
	[0, 1, 1, 2],
];

export function chunk(type: string, body: Uint8Array | number[]): Buffer {
	const out = Buffer.alloc(12 + body.length);
	out.writeUInt32BE(body.length, 0);
	out.write(type, 4, 'latin1');
	out.set(body, 8);
	out.writeUInt32BE(crc32(out, 4, 8 + body.length), 8 + body.length);
	return out;
}

function paeth(a: number, b: number, c: number) {
	const p = a + b - c;
	const pa = Math.abs(p - a);
	const pb = Math.abs(p - b);
	const pc = Math.abs(p - c);
	return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function filterRow(raw: Uint8Array, prior: Uint8Array, bpp: number, filter: number): Uint8Array {
	const out = new Uint8Array(raw.length + 1);
	out[0] = filter;
	for (let i = 0; i < raw.length; i++) {
		const a = i >= bpp ? raw[i - bpp] : 0;
		const b = prior[i];
		const c = i >= bpp ? prior[i - bpp] : 0;
		const predicted = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter];
		out[i + 1] = (raw[i] - predicted) & 0xff;
	}
	return out;
}

/** The raw (filtered) image data of a spec: passes, rows, filter bytes. */
export function filteredData(spec: PngSpec): Buffer {
	const channels = CHANNELS[spec.colourType];
	const bitsPerPixel = channels * spec.bitDepth;
	const bpp = Math.max(1, bitsPerPixel >> 3);
	const rows: Uint8Array[] = [];
	let rowCount = 0;
	for (const [x0, y0, dx, dy] of spec.interlaced ? ADAM7 : [[0, 0, 1, 1]]) {
		const pw = spec.width > x0 ? Math.ceil((spec.width - x0) / dx) : 0;
		const ph = spec.height > y0 ? Math.ceil((spec.height - y0) / dy) : 0;
		if (pw === 0 || ph === 0) continue;
		const rowBytes = Math.ceil((pw * bitsPerPixel) / 8);
		let prior = new Uint8Array(rowBytes);
		for (let r = 0; r < ph; r++) {
			const raw = new Uint8Array(rowBytes);
			const y = y0 + r * dy;
			let bit = 0;
			for (let i = 0; i < pw; i++) {
				const x = x0 + i * dx;
				for (let c = 0; c < channels; c++) {
					const v = spec.samples[(y * spec.width + x) * channels + c];
					if (spec.bitDepth === 16) {
						raw[bit >> 3] = v >> 8;
						raw[(bit >> 3) + 1] = v & 0xff;
					} else if (spec.bitDepth === 8) raw[bit >> 3] = v;
					else raw[bit >> 3] |= v << (8 - spec.bitDepth - (bit & 7));
					bit += spec.bitDepth;
				}
			}
			const filter = spec.filterOf ? spec.filterOf(rowCount) : rowCount % 5;
			rows.push(filterRow(raw, prior, bpp, filter));
			rowCount++;
			prior = raw;
		}
	}
	return Buffer.concat(rows);
}

export function pngHeader(
	spec: Pick<PngSpec, 'width' | 'height' | 'bitDepth' | 'colourType' | 'interlaced'>,
) {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(spec.width, 0);
	header.writeUInt32BE(spec.height, 4);
	header[8] = spec.bitDepth;
	header[9] = spec.colourType;
	header[12] = spec.interlaced ? 1 : 0;
	return chunk('IHDR', header);
}

export const PNG_SIGNATURE = Buffer.from('89504e470d0a1a0a', 'hex');

/** A PNG file from its parts, the zlib stream given (to test damaged or hostile streams). */
export function pngWithStream(spec: PngSpec, stream: Uint8Array): Buffer {
	const parts = [PNG_SIGNATURE, pngHeader(spec)];
	if (spec.palette) parts.push(chunk('PLTE', spec.palette));
	if (spec.trns) parts.push(chunk('tRNS', spec.trns));
	const size = spec.idatChunkBytes ?? stream.length;
	for (let at = 0; at < stream.length; at += size) {
		parts.push(chunk('IDAT', stream.subarray(at, at + size)));
	}
	parts.push(chunk('IEND', []));
	return Buffer.concat(parts);
}

export function encodePng(spec: PngSpec): Buffer {
	return pngWithStream(spec, deflateSync(filteredData(spec)));
}

/** A deterministic pseudo-random generator (mulberry32), so failures repeat. */
export const random = seeded;
