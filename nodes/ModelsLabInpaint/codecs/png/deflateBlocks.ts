import {
	canonicalCodes,
	CODE_LENGTH_ORDER,
	DISTANCE_BASE,
	DISTANCE_EXTRA,
	LENGTH_BASE,
	LENGTH_EXTRA,
	MAX_CODE_BITS,
	reverseBits,
} from './deflateCodes';
import { huffmanLengths } from './huffmanLengths';

/**
 * The writing half of deflate (RFC 1951): a block of LZ77 symbols (literals and length/distance
 * pairs, gathered by deflate.ts) is written as whichever of a dynamic-Huffman, fixed-Huffman or
 * stored block takes fewest bits; the three sizes are counted exactly before anything is written.
 *
 * Memory: the output in pieces of PIECE_BYTES or more (the compressed stream itself) + a few KB
 * of code tables; nothing per symbol beyond the caller's block.
 */

const LITERAL_SYMBOLS = 286;
const DISTANCE_SYMBOLS = 30;
const END_OF_BLOCK = 256;
const CODE_LENGTH_SYMBOLS = 19;
const MAX_CODE_LENGTH_BITS = 7;
const MAX_STORED = 65535;
/** The output grows by pieces this large; the PNG encoder makes each piece one IDAT chunk. */
const PIECE_BYTES = 1 << 20;

/** The length code (0..28, after 257) of each match length 0..258. */
export const LENGTH_CODE = new Uint8Array(259);
for (let code = 0; code < 29; code++) {
	const last = code === 28 ? 258 : LENGTH_BASE[code] + (1 << LENGTH_EXTRA[code]) - 1;
	LENGTH_CODE.fill(code, LENGTH_BASE[code], last + 1);
}
LENGTH_CODE[258] = 28; // 258 has its own code, not 227 + 31 of code 27

/** Distance code of distances 1..256 at [d - 1], and of larger ones at [256 + ((d - 1) >> 7)]. */
const DISTANCE_CODE = new Uint8Array(512);
for (let code = 0; code < DISTANCE_SYMBOLS; code++) {
	const first = DISTANCE_BASE[code];
	const last = first + (1 << DISTANCE_EXTRA[code]) - 1;
	for (let d = first; d <= last; d++) {
		DISTANCE_CODE[d <= 256 ? d - 1 : 256 + ((d - 1) >> 7)] = code;
	}
}
export const distanceCode = (distance: number) =>
	DISTANCE_CODE[distance <= 256 ? distance - 1 : 256 + ((distance - 1) >> 7)];

/** A code ready for writing: bit-reversed codes (deflate sends them first bit first), lengths. */
interface WritingCode {
	codes: Uint16Array;
	lengths: Uint8Array;
}

function writingCode(lengths: Uint8Array): WritingCode {
	const codes = canonicalCodes(lengths, lengths.length);
	for (let symbol = 0; symbol < codes.length; symbol++) {
		codes[symbol] = reverseBits(codes[symbol], lengths[symbol]);
	}
	return { codes, lengths };
}

const FIXED_LITERAL_CODE = writingCode(
	new Uint8Array(288).fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288),
);
const FIXED_DISTANCE_CODE = writingCode(new Uint8Array(DISTANCE_SYMBOLS).fill(5));

/** Bits written least significant first into pieces of output. */
export class BitSink {
	readonly pieces: Uint8Array[] = [];
	private bytes = new Uint8Array(PIECE_BYTES);
	private at = 0;
	private bits = 0;
	private count = 0;

	/** Makes room for `bytes` more bytes in the current piece, starting a new piece if needed. */
	reserve(bytes: number): void {
		if (this.at + bytes + 4 <= this.bytes.length) return;
		this.pieces.push(this.bytes.subarray(0, this.at));
		this.bytes = new Uint8Array(Math.max(PIECE_BYTES, bytes + 4));
		this.at = 0;
	}

	/** Writes the `count` (at most 16) low bits of `value`; room must have been reserved. */
	write(value: number, count: number): void {
		this.bits |= value << this.count;
		this.count += count;
		if (this.count >= 16) {
			this.bytes[this.at++] = this.bits & 0xff;
			this.bytes[this.at++] = (this.bits >>> 8) & 0xff;
			this.bits >>>= 16;
			this.count -= 16;
		}
	}

	/** Pads to a whole byte with zero bits. */
	alignToByte(): void {
		while (this.count > 0) {
			this.bytes[this.at++] = this.bits & 0xff;
			this.bits >>>= 8;
			this.count = Math.max(0, this.count - 8);
		}
		this.bits = 0;
	}

	/** Copies whole bytes; the sink must be at a byte boundary. */
	copy(source: Uint8Array, from: number, to: number): void {
		this.bytes.set(source.subarray(from, to), this.at);
		this.at += to - from;
	}

	/**
	 * A block's symbols and its end-of-block code; room must have been reserved. The hottest loop
	 * of the writing, so the bit buffer is kept in locals rather than fields.
	 */
	writeSymbols(block: SymbolBlock, literal: WritingCode, distance: WritingCode): void {
		const { literals, distances, count } = block;
		const bytes = this.bytes;
		let { at, bits, count: bitCount } = this;
		const put = (value: number, length: number) => {
			bits |= value << bitCount;
			bitCount += length;
			if (bitCount >= 16) {
				bytes[at++] = bits & 0xff;
				bytes[at++] = (bits >>> 8) & 0xff;
				bits >>>= 16;
				bitCount -= 16;
			}
		};
		for (let i = 0; i < count; i++) {
			const value = literals[i];
			const back = distances[i];
			if (back === 0) {
				put(literal.codes[value], literal.lengths[value]);
				continue;
			}
			const lengthCode = LENGTH_CODE[value];
			put(literal.codes[257 + lengthCode], literal.lengths[257 + lengthCode]);
			if (LENGTH_EXTRA[lengthCode] > 0)
				put(value - LENGTH_BASE[lengthCode], LENGTH_EXTRA[lengthCode]);
			const code = distanceCode(back);
			put(distance.codes[code], distance.lengths[code]);
			if (DISTANCE_EXTRA[code] > 0) put(back - DISTANCE_BASE[code], DISTANCE_EXTRA[code]);
		}
		put(literal.codes[END_OF_BLOCK], literal.lengths[END_OF_BLOCK]);
		[this.at, this.bits, this.count] = [at, bits, bitCount];
	}

	/** The pieces written, the last one included; the sink is not used afterwards. */
	finish(): Uint8Array[] {
		this.alignToByte();
		this.pieces.push(this.bytes.subarray(0, this.at));
		return this.pieces;
	}
}

/**
 * One block of LZ77 symbols: `literals[i]` is a byte (0..255) when `distances[i]` is 0, else the
 * length (3..258) of a copy from `distances[i]` bytes back. `input` from `start` to `end` are the
 * bytes the block stands for, written as they are if that is smallest.
 */
export interface SymbolBlock {
	literals: Uint16Array;
	distances: Uint16Array;
	count: number;
	literalFrequencies: Uint32Array;
	distanceFrequencies: Uint32Array;
	input: Uint8Array;
	start: number;
	end: number;
}

export const newSymbolBlock = (capacity: number, input: Uint8Array): SymbolBlock => ({
	literals: new Uint16Array(capacity),
	distances: new Uint16Array(capacity),
	count: 0,
	literalFrequencies: new Uint32Array(LITERAL_SYMBOLS),
	distanceFrequencies: new Uint32Array(DISTANCE_SYMBOLS),
	input,
	start: 0,
	end: 0,
});

/** The bits the block's symbols take with these codes, extra bits and end of block included. */
function symbolBits(block: SymbolBlock, literal: Uint8Array, distance: Uint8Array): number {
	let bits = literal[END_OF_BLOCK];
	for (let s = 0; s < 256; s++) bits += block.literalFrequencies[s] * literal[s];
	for (let code = 0; code < 29; code++) {
		bits += block.literalFrequencies[257 + code] * (literal[257 + code] + LENGTH_EXTRA[code]);
	}
	for (let code = 0; code < DISTANCE_SYMBOLS; code++) {
		bits += block.distanceFrequencies[code] * (distance[code] + DISTANCE_EXTRA[code]);
	}
	return bits;
}

/** A dynamic block's header: code lengths run-length coded (RFC 1951 §3.2.7), and its size. */
class DynamicHeader {
	readonly literal: WritingCode;
	readonly distance: WritingCode;
	private readonly literalCount: number;
	private readonly distanceCount: number;
	/** Run-length symbols 0..18, each with its extra-bit value. */
	private readonly runs: Array<[number, number]> = [];
	private readonly lengthCode: WritingCode;
	private readonly lengthCodeCount: number;
	readonly bits: number;

	constructor(block: SymbolBlock) {
		block.literalFrequencies[END_OF_BLOCK] = 1;
		this.literal = writingCode(huffmanLengths(block.literalFrequencies, MAX_CODE_BITS));
		this.distance = writingCode(huffmanLengths(block.distanceFrequencies, MAX_CODE_BITS));
		this.literalCount = lastUsed(this.literal.lengths, 257);
		this.distanceCount = lastUsed(this.distance.lengths, 1);
		const all = new Uint8Array(this.literalCount + this.distanceCount);
		all.set(this.literal.lengths.subarray(0, this.literalCount));
		all.set(this.distance.lengths.subarray(0, this.distanceCount), this.literalCount);
		const frequencies = new Uint32Array(CODE_LENGTH_SYMBOLS);
		for (let at = 0; at < all.length; ) {
			const value = all[at];
			let run = 1;
			while (at + run < all.length && all[at + run] === value) run++;
			at += run;
			if (value === 0) {
				for (; run >= 11; run -= Math.min(run, 138)) this.runs.push([18, Math.min(run, 138) - 11]);
				if (run >= 3) {
					this.runs.push([17, run - 3]);
					run = 0;
				}
			} else {
				this.runs.push([value, 0]);
				run--;
				for (; run >= 3; run -= Math.min(run, 6)) this.runs.push([16, Math.min(run, 6) - 3]);
			}
			for (; run > 0; run--) this.runs.push([value, 0]);
		}
		for (const [symbol] of this.runs) frequencies[symbol]++;
		this.lengthCode = writingCode(huffmanLengths(frequencies, MAX_CODE_LENGTH_BITS));
		this.lengthCodeCount = 4;
		for (let i = 0; i < CODE_LENGTH_SYMBOLS; i++) {
			if (this.lengthCode.lengths[CODE_LENGTH_ORDER[i]] > 0)
				this.lengthCodeCount = Math.max(4, i + 1);
		}
		let bits = 5 + 5 + 4 + 3 * this.lengthCodeCount;
		for (const [symbol] of this.runs) bits += this.lengthCode.lengths[symbol] + RUN_EXTRA[symbol];
		this.bits = bits + symbolBits(block, this.literal.lengths, this.distance.lengths);
	}

	write(out: BitSink): void {
		out.write(this.literalCount - 257, 5);
		out.write(this.distanceCount - 1, 5);
		out.write(this.lengthCodeCount - 4, 4);
		for (let i = 0; i < this.lengthCodeCount; i++) {
			out.write(this.lengthCode.lengths[CODE_LENGTH_ORDER[i]], 3);
		}
		for (const [symbol, extra] of this.runs) {
			out.write(this.lengthCode.codes[symbol], this.lengthCode.lengths[symbol]);
			if (RUN_EXTRA[symbol] > 0) out.write(extra, RUN_EXTRA[symbol]);
		}
	}
}

/** Extra bits of the run-length symbols 16 (repeat), 17 and 18 (zeros). */
const RUN_EXTRA = new Uint8Array(CODE_LENGTH_SYMBOLS);
RUN_EXTRA.set([2, 3, 7], 16);

/** The number of leading entries up to the last non-zero length, at least `least`. */
function lastUsed(lengths: Uint8Array, least: number): number {
	let count = lengths.length;
	while (count > least && lengths[count - 1] === 0) count--;
	return count;
}

/** Writes the block in its smallest form, then empties it for the next symbols. */
export function writeBlock(out: BitSink, block: SymbolBlock, last: boolean): void {
	const header = new DynamicHeader(block);
	const fixedBits = symbolBits(block, FIXED_LITERAL_CODE.lengths, FIXED_DISTANCE_CODE.lengths);
	const storedLength = block.end - block.start;
	// Each stored block costs its 3 header bits padded to a byte, then 4 bytes of lengths.
	const storedBits = (storedLength + 5 * Math.max(1, Math.ceil(storedLength / MAX_STORED))) * 8 + 7;
	const smallest = Math.min(header.bits, fixedBits, storedBits);
	out.reserve(Math.ceil(smallest / 8) + 8);
	if (storedBits === smallest) {
		for (let from = block.start; ; from += MAX_STORED) {
			const to = Math.min(block.end, from + MAX_STORED);
			out.write(last && to === block.end ? 1 : 0, 1);
			out.write(0, 2);
			out.alignToByte();
			out.write(to - from, 16);
			out.write(~(to - from) & 0xffff, 16);
			out.copy(block.input, from, to);
			if (to === block.end) break;
		}
	} else if (fixedBits === smallest) {
		out.write(last ? 1 : 0, 1);
		out.write(1, 2);
		out.writeSymbols(block, FIXED_LITERAL_CODE, FIXED_DISTANCE_CODE);
	} else {
		out.write(last ? 1 : 0, 1);
		out.write(2, 2);
		header.write(out);
		out.writeSymbols(block, header.literal, header.distance);
	}
	block.count = 0;
	block.literalFrequencies.fill(0);
	block.distanceFrequencies.fill(0);
	block.start = block.end;
}
