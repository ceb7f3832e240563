/**
 * PNG encoding without zlib (n8n Cloud does not let community nodes import it): an 8-bit
 * grayscale PNG, such as a mask, compressed by a small deflate encoder.
 *
 * Each row gets the PNG filter (None, Sub or Up) that leaves the fewest changes between
 * neighbouring bytes: rows equal to the row above become zeros (Up), linear ramps become constant
 * (Sub). The filtered bytes are then compressed as one deflate block with the fixed Huffman codes
 * (RFC 1951 §3.2.6), by greedy matching of two kinds only: a run of the byte just written
 * (distance 1) and a copy of the bytes one row up (distance = row length). That is all a mask
 * needs: a 1024 × 1024 mask takes a few kilobytes, and no input can make the output more than
 * 9/8 of the filtered bytes (every literal costs at most 9 bits, every match less than its bytes
 * as literals). The block is wrapped in a zlib stream (header 78 01, Adler-32 at the end).
 */

/** The largest picture encoded: 4096 × 4096 (it is filtered and compressed in memory, about 2 bytes a pixel). */
export const MAX_GRAY_PNG_PIXELS = 4096 * 4096;

const isWholeSize = (value: number) => Number.isInteger(value) && value >= 1;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

/** The CRC-32 of bytes start..end; pass the CRC so far as `previous` to go on from it. */
export function crc32(bytes: Uint8Array, start: number, end: number, previous = 0): number {
	let c = (previous ^ 0xffffffff) >>> 0;
	for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
	let a = 1;
	let b = 0;
	// 5552 bytes is the most that can be summed before b could pass 2³² (zlib's NMAX).
	for (let start = 0; start < bytes.length; start += 5552) {
		const end = Math.min(bytes.length, start + 5552);
		for (let i = start; i < end; i++) {
			a += bytes[i];
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return ((b << 16) | a) >>> 0;
}

function reverseBits(code: number, length: number): number {
	let reversed = 0;
	for (let i = 0; i < length; i++) reversed |= ((code >>> i) & 1) << (length - 1 - i);
	return reversed;
}

/** Fixed Huffman codes for literal/length symbols 0..287, bit-reversed for LSB-first output. */
const LITERAL_CODES = new Uint16Array(288);
const LITERAL_LENGTHS = new Uint8Array(288);
for (let symbol = 0; symbol < 288; symbol++) {
	let code: number;
	let length: number;
	if (symbol < 144) [code, length] = [0x30 + symbol, 8];
	else if (symbol < 256) [code, length] = [0x190 + symbol - 144, 9];
	else if (symbol < 280) [code, length] = [symbol - 256, 7];
	else [code, length] = [0xc0 + symbol - 280, 8];
	LITERAL_CODES[symbol] = reverseBits(code, length);
	LITERAL_LENGTHS[symbol] = length;
}

const LENGTH_BASE = [
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
	163, 195, 227, 258,
];
const LENGTH_EXTRA = [
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DISTANCE_BASE = [
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
	3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const MAX_DISTANCE = 32768;
/** A row-up match costs up to 31 bits, so it only pays from 4 bytes; 8 leaves a margin. */
const MIN_ROW_MATCH = 8;

/** The last table index whose base is at most `value`. */
function codeIndex(bases: number[], value: number): number {
	let index = 0;
	for (let i = 0; i < bases.length; i++) if (bases[i] <= value) index = i;
	return index;
}

/** Deflate symbols per match length 3..258: index into LENGTH_BASE. */
const LENGTH_INDEX = new Uint8Array(MAX_MATCH + 1);
for (let length = MIN_MATCH; length <= MAX_MATCH; length++) {
	LENGTH_INDEX[length] = codeIndex(LENGTH_BASE, length);
}

class BitWriter {
	readonly bytes: Uint8Array;
	length = 0;
	private buffer = 0;
	private count = 0;

	constructor(capacity: number) {
		this.bytes = new Uint8Array(capacity);
	}

	/** Writes the `count` (at most 16) low bits of `value`, least significant first. */
	write(value: number, count: number): void {
		this.buffer |= value << this.count;
		this.count += count;
		for (let i = 0; i < 3 && this.count >= 8; i++) {
			this.bytes[this.length++] = this.buffer & 0xff;
			this.buffer >>>= 8;
			this.count -= 8;
		}
	}

	flush(): void {
		if (this.count > 0) this.bytes[this.length++] = this.buffer & 0xff;
		this.buffer = 0;
		this.count = 0;
	}
}

function writeLiteral(out: BitWriter, symbol: number): void {
	out.write(LITERAL_CODES[symbol], LITERAL_LENGTHS[symbol]);
}

function writeMatch(out: BitWriter, length: number, distance: number): void {
	const lengthIndex = LENGTH_INDEX[length];
	writeLiteral(out, 257 + lengthIndex);
	if (LENGTH_EXTRA[lengthIndex] > 0) {
		out.write(length - LENGTH_BASE[lengthIndex], LENGTH_EXTRA[lengthIndex]);
	}
	const distanceIndex = codeIndex(DISTANCE_BASE, distance);
	out.write(reverseBits(distanceIndex, 5), 5);
	if (DISTANCE_EXTRA[distanceIndex] > 0) {
		out.write(distance - DISTANCE_BASE[distanceIndex], DISTANCE_EXTRA[distanceIndex]);
	}
}

/** How many bytes from `at` repeat the bytes `distance` before them, at most MAX_MATCH. */
function matchLength(data: Uint8Array, at: number, distance: number): number {
	const limit = Math.min(MAX_MATCH, data.length - at);
	let length = 0;
	for (; length < limit; length++) if (data[at + length] !== data[at + length - distance]) break;
	return length;
}

/**
 * A zlib stream (RFC 1950) of `data`: one final deflate block with fixed Huffman codes, matching
 * runs (distance 1) and, when `rowLength` is given, copies of the bytes one row up.
 */
export function zlibCompress(data: Uint8Array, rowLength = 0): Uint8Array {
	// Header 3 bits, at most 9 bits per byte, end of block 7 bits, then the 2 + 4 bytes around it.
	const out = new BitWriter(Math.ceil((data.length * 9 + 10) / 8) + 8);
	out.write(0x78, 8);
	out.write(0x01, 8);
	out.write(1, 1); // BFINAL: the only block
	out.write(1, 2); // BTYPE 01: fixed Huffman codes
	const rowDistance = rowLength > 0 && rowLength <= MAX_DISTANCE ? rowLength : 0;
	for (let at = 0; at < data.length; ) {
		const run = at >= 1 ? matchLength(data, at, 1) : 0;
		const up = rowDistance > 0 && at >= rowDistance ? matchLength(data, at, rowDistance) : 0;
		if (up >= MIN_ROW_MATCH && up > run) {
			writeMatch(out, up, rowDistance);
			at += up;
		} else if (run >= MIN_MATCH) {
			writeMatch(out, run, 1);
			at += run;
		} else {
			writeLiteral(out, data[at]);
			at += 1;
		}
	}
	writeLiteral(out, 256); // end of block
	out.flush();
	const checksum = adler32(data);
	for (let shift = 24; shift >= 0; shift -= 8) out.write((checksum >>> shift) & 0xff, 8);
	return out.bytes.subarray(0, out.length);
}

/** Filters each row (filter byte + bytes) with whichever of None, Sub and Up changes least often. */
function filterRows(width: number, height: number, pixels: Uint8Array): Uint8Array {
	const stride = width + 1;
	const filtered = new Uint8Array(stride * height);
	const predict = [
		() => 0,
		(row: number, x: number) => (x > 0 ? pixels[row + x - 1] : 0),
		(row: number, x: number) => (row > 0 ? pixels[row + x - width] : 0),
	];
	for (let y = 0; y < height; y++) {
		const row = y * width;
		let best = 2;
		let bestChanges = Infinity;
		for (const filter of [2, 1, 0]) {
			let changes = 0;
			let previous = -1;
			for (let x = 0; x < width; x++) {
				const value = (pixels[row + x] - predict[filter](row, x)) & 0xff;
				if (value !== previous) changes++;
				previous = value;
			}
			if (changes < bestChanges) [best, bestChanges] = [filter, changes];
		}
		const start = y * stride;
		filtered[start] = best;
		for (let x = 0; x < width; x++) {
			filtered[start + 1 + x] = (pixels[row + x] - predict[best](row, x)) & 0xff;
		}
	}
	return filtered;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
	const chunk = Buffer.alloc(12 + data.length);
	chunk.writeUInt32BE(data.length, 0);
	chunk.write(type, 4, 'latin1');
	chunk.set(data, 8);
	chunk.writeUInt32BE(crc32(chunk, 4, 8 + data.length), 8 + data.length);
	return chunk;
}

/** An 8-bit grayscale PNG (colour type 0) of `pixels`, width × height bytes row by row. */
export function encodeGrayPng(width: number, height: number, pixels: Uint8Array): Buffer {
	if (!isWholeSize(width) || !isWholeSize(height) || width * height > MAX_GRAY_PNG_PIXELS) {
		throw new Error(`Cannot encode a ${width}×${height} mask`);
	}
	if (pixels.length !== width * height) {
		throw new Error(`Expected ${width * height} gray levels, got ${pixels.length}`);
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 0; // colour type: grayscale
	// Compression 0 (deflate), filter method 0, no interlace: bytes 10 to 12 stay 0.
	return Buffer.concat([
		Buffer.from(PNG_SIGNATURE),
		pngChunk('IHDR', header),
		pngChunk('IDAT', zlibCompress(filterRows(width, height, pixels), width + 1)),
		pngChunk('IEND', new Uint8Array(0)),
	]);
}
