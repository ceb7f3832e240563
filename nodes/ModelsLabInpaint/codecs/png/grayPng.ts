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
 *
 * The encoder is written as steps (a generator that yields after each row and each 64 KB of
 * checksums), so one code makes the PNG at once (encodeGrayPng, for small pictures and tests) or
 * in time slices (encodeGrayPngSliced, which pauses whenever the slice is over: every mask the
 * node makes, up to a 40-megapixel photo's). Memory: encoding N pixels holds the filtered rows
 * (N bytes), the compressed stream (at most 9/8 N, a few percent of N for a mask) and the PNG
 * (the stream again): about 3.3 N bytes at worst.
 */

import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { adler32, crc32 } from './checksums';
import { filterRow } from './grayFilter';

/**
 * The largest picture encoded at once (encodeGrayPng): 4096 × 4096, whose encoding would already
 * hold the event loop too long. Larger ones are encoded in time slices.
 */
export const MAX_GRAY_PNG_PIXELS = 4096 * 4096;
/** A PNG chunk holds at most 2³¹ − 1 bytes: the one IDAT must hold 9/8 of the filtered rows. */
const MAX_CHUNK_BYTES = 2 ** 31 - 1;

const isWholeSize = (value: number) => Number.isInteger(value) && value >= 1;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

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

/** Bytes checksummed or compressed between two chances to pause, when no row length is given. */
const STEP_BYTES = 65536;

/**
 * The work of an encoder as steps: the generator yields between rows (or blocks of STEP_BYTES),
 * so the same code runs at once (`runAtOnce`) or in time slices (`runSliced`).
 */
type Steps<T> = Generator<void, T, void>;

function runAtOnce<T>(steps: Steps<T>): T {
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
	}
}

async function runSliced<T>(steps: Steps<T>, slice: TimeSlice): Promise<T> {
	for (;;) {
		const step = steps.next();
		if (step.done) return step.value;
		if (slice.over) await slice.next();
	}
}

function* zlibSteps(data: Uint8Array, rowLength: number): Steps<Uint8Array> {
	// Header 3 bits, at most 9 bits per byte, end of block 7 bits, then the 2 + 4 bytes around it.
	const out = new BitWriter(Math.ceil((data.length * 9 + 10) / 8) + 8);
	out.write(0x78, 8);
	out.write(0x01, 8);
	out.write(1, 1); // BFINAL: the only block
	out.write(1, 2); // BTYPE 01: fixed Huffman codes
	const rowDistance = rowLength > 0 && rowLength <= MAX_DISTANCE ? rowLength : 0;
	const step = rowLength > 0 ? rowLength : STEP_BYTES;
	let checksum = 1;
	for (let at = 0, checked = 0; at < data.length; ) {
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
		if (at - checked >= step || at >= data.length) {
			checksum = adler32(data, checked, at, checksum);
			checked = at;
			yield;
		}
	}
	writeLiteral(out, 256); // end of block
	out.flush();
	for (let shift = 24; shift >= 0; shift -= 8) out.write((checksum >>> shift) & 0xff, 8);
	return out.bytes.subarray(0, out.length);
}

/**
 * A zlib stream (RFC 1950) of `data`: one final deflate block with fixed Huffman codes, matching
 * runs (distance 1) and, when `rowLength` is given, copies of the bytes one row up.
 */
export function zlibCompress(data: Uint8Array, rowLength = 0): Uint8Array {
	return runAtOnce(zlibSteps(data, rowLength));
}

/**
 * Filters each row (filter byte + bytes) with whichever of Up, Sub and None changes least often
 * (in that order of preference on a tie), one row per step.
 */
function* filterSteps(width: number, height: number, pixels: Uint8Array): Steps<Uint8Array> {
	const filtered = new Uint8Array((width + 1) * height);
	for (let y = 0; y < height; y++) {
		filterRow(pixels, y * width, y > 0 ? (y - 1) * width : -1, width, filtered, y * (width + 1));
		yield;
	}
	return filtered;
}

/** A PNG chunk: length, type, data and the CRC of type and data, checksummed a block per step. */
function* chunkSteps(type: string, data: Uint8Array): Steps<Buffer> {
	const chunk = Buffer.alloc(12 + data.length);
	chunk.writeUInt32BE(data.length, 0);
	chunk.write(type, 4, 'latin1');
	chunk.set(data, 8);
	let crc = 0;
	for (let at = 4; at < 8 + data.length; at += STEP_BYTES) {
		crc = crc32(chunk, at, Math.min(8 + data.length, at + STEP_BYTES), crc);
		yield;
	}
	chunk.writeUInt32BE(crc, 8 + data.length);
	return chunk;
}

function* grayPngSteps(width: number, height: number, pixels: Uint8Array): Steps<Buffer> {
	if (
		!isWholeSize(width) ||
		!isWholeSize(height) ||
		compressedBound(width, height) > MAX_CHUNK_BYTES
	) {
		throw new Error(`Cannot encode a ${width}×${height} mask`);
	}
	if (pixels.length !== width * height) {
		throw new Error(`Expected ${width * height} gray levels, got ${pixels.length}`);
	}
	const header = new Uint8Array(13);
	new DataView(header.buffer).setUint32(0, width);
	new DataView(header.buffer).setUint32(4, height);
	header[8] = 8; // bit depth
	header[9] = 0; // colour type: grayscale
	// Compression 0 (deflate), filter method 0, no interlace: bytes 10 to 12 stay 0.
	const filtered = yield* filterSteps(width, height, pixels);
	const compressed = yield* zlibSteps(filtered, width + 1);
	return Buffer.concat([
		Buffer.from(PNG_SIGNATURE),
		yield* chunkSteps('IHDR', header),
		yield* chunkSteps('IDAT', compressed),
		yield* chunkSteps('IEND', new Uint8Array(0)),
	]);
}

/** The most bytes the zlib stream of a width × height picture takes (see zlibSteps). */
const compressedBound = (width: number, height: number) =>
	Math.ceil(((width + 1) * height * 9 + 10) / 8) + 8;

/**
 * An 8-bit grayscale PNG (colour type 0) of `pixels`, width × height bytes row by row, at once:
 * up to MAX_GRAY_PNG_PIXELS.
 */
export function encodeGrayPng(width: number, height: number, pixels: Uint8Array): Buffer {
	if (width * height > MAX_GRAY_PNG_PIXELS) {
		throw new Error(`Cannot encode a ${width}×${height} mask at once: encode it in time slices`);
	}
	return runAtOnce(grayPngSteps(width, height, pixels));
}

/**
 * The same PNG as encodeGrayPng, byte for byte, made in time slices: the work pauses between rows
 * (and between 64 KB blocks of checksums) whenever `slice` is over, so a 40-megapixel mask never
 * holds the event loop for long. Any size the pixels come in (the caller bounds it).
 */
export async function encodeGrayPngSliced(
	width: number,
	height: number,
	pixels: Uint8Array,
	slice: TimeSlice,
): Promise<Buffer> {
	return await runSliced(grayPngSteps(width, height, pixels), slice);
}
