import { ImageDecodeError } from '../raster';

/**
 * Deflate's code tables (RFC 1951 §3.2.5 to §3.2.7): the length and distance bases, the fixed
 * codes, and canonical Huffman codes built from code lengths, for one-look-up decoding (inflate)
 * and for writing (deflate); and the copy of a match, as inflating writes it.
 */

/** Codes up to this many bits are decoded with one table look-up; longer ones bit by bit. */
export const FAST_BITS = 10;
export const FAST_MASK = (1 << FAST_BITS) - 1;
export const MAX_CODE_BITS = 15;

export const LENGTH_BASE = new Uint16Array([
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
	163, 195, 227, 258,
]);
export const LENGTH_EXTRA = new Uint8Array([
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
]);
export const DISTANCE_BASE = new Uint16Array([
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
	3073, 4097, 6145, 8193, 12289, 16385, 24577,
]);
export const DISTANCE_EXTRA = new Uint8Array([
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
]);
/** The order in which a dynamic block lists the code lengths of its code-length alphabet. */
export const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

export const damaged = (why: string) =>
	new ImageDecodeError(`The picture's compressed data is damaged (${why}).`);

/**
 * A canonical Huffman code: `fast` maps the next FAST_BITS input bits (least significant first)
 * to symbol << 4 | length, or 0 for a longer code, found from `counts` and `symbols` instead.
 */
export interface HuffmanCode {
	fast: Uint16Array;
	counts: Uint16Array;
	symbols: Uint16Array;
}

/** `code`'s low `length` bits in reverse order: deflate sends Huffman codes first bit first. */
export function reverseBits(code: number, length: number): number {
	let reversed = 0;
	for (let i = 0; i < length; i++) reversed |= ((code >>> i) & 1) << (length - 1 - i);
	return reversed;
}

/**
 * The canonical code of each symbol from the code lengths (RFC 1951 §3.2.2): codes of one length
 * are consecutive, in symbol order. Most significant bit first; 0 for unused symbols.
 * Throws when the lengths over-subscribe the code space.
 */
export function canonicalCodes(lengths: Uint8Array, count: number): Uint16Array {
	const counts = new Uint16Array(MAX_CODE_BITS + 1);
	for (let i = 0; i < count; i++) counts[lengths[i]]++;
	counts[0] = 0;
	let left = 1;
	for (let length = 1; length <= MAX_CODE_BITS; length++) {
		left = (left << 1) - counts[length];
		if (left < 0) throw damaged('a code table is over-subscribed');
	}
	const nextCode = new Uint16Array(MAX_CODE_BITS + 1);
	for (let length = 1, code = 0; length <= MAX_CODE_BITS; length++) {
		code = (code + counts[length - 1]) << 1;
		nextCode[length] = code;
	}
	const codes = new Uint16Array(count);
	for (let symbol = 0; symbol < count; symbol++) {
		if (lengths[symbol] > 0) codes[symbol] = nextCode[lengths[symbol]]++;
	}
	return codes;
}

export function buildCode(lengths: Uint8Array, count: number): HuffmanCode {
	const codes = canonicalCodes(lengths, count);
	const counts = new Uint16Array(MAX_CODE_BITS + 1);
	for (let i = 0; i < count; i++) counts[lengths[i]]++;
	counts[0] = 0;
	const offsets = new Uint16Array(MAX_CODE_BITS + 2);
	for (let length = 1; length <= MAX_CODE_BITS; length++) {
		offsets[length + 1] = offsets[length] + counts[length];
	}
	const symbols = new Uint16Array(count);
	const fast = new Uint16Array(1 << FAST_BITS);
	const next = offsets.slice();
	for (let symbol = 0; symbol < count; symbol++) {
		const length = lengths[symbol];
		if (length === 0) continue;
		symbols[next[length]++] = symbol;
		if (length <= FAST_BITS) {
			const reversed = reverseBits(codes[symbol], length);
			for (let fill = reversed; fill < 1 << FAST_BITS; fill += 1 << length) {
				fast[fill] = (symbol << 4) | length;
			}
		}
	}
	return { fast, counts, symbols };
}

export const FIXED_LITERALS = (() => {
	const lengths = new Uint8Array(288);
	lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
	return buildCode(lengths, 288);
})();
export const FIXED_DISTANCES = buildCode(new Uint8Array(30).fill(5), 30);

/** Below this length a byte loop beats the native copies' call overhead. */
export const SHORT_MATCH = 16;
/**
 * A match: `length` bytes from `distance` back, copied forward so that an overlapping match
 * repeats its last `distance` bytes. Long matches (runs of one value, repeating pixels: masks and
 * flat areas unpack to megabytes from a few kilobytes) go by native fill and copyWithin, the
 * repeating part doubling at each step.
 */
export function copyMatch(out: Uint8Array, to: number, distance: number, length: number): void {
	const end = to + length;
	const from = to - distance;
	if (length < SHORT_MATCH) {
		for (let i = from; to < end; ) out[to++] = out[i++];
	} else if (distance === 1) {
		out.fill(out[from], to, end);
	} else {
		// [from, to) repeats with period `distance` and its length stays a multiple of it.
		while (to < end) {
			const count = Math.min(to - from, end - to);
			out.copyWithin(to, from, from + count);
			to += count;
		}
	}
}
