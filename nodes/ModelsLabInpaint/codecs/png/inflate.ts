import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import {
	buildCode,
	CODE_LENGTH_ORDER,
	damaged,
	DISTANCE_BASE,
	copyMatch,
	SHORT_MATCH,
	DISTANCE_EXTRA,
	FAST_MASK,
	FIXED_DISTANCES,
	FIXED_LITERALS,
	LENGTH_BASE,
	LENGTH_EXTRA,
	MAX_CODE_BITS,
	type HuffmanCode,
} from './deflateCodes';
import { ImageDecodeError } from '../raster';
import { adler32, adler32Run } from './checksums';

/**
 * A zlib stream (RFC 1950) unpacked without node's zlib, which n8n Cloud does not let community
 * nodes import: stored, fixed-Huffman and dynamic-Huffman deflate blocks (RFC 1951), the zlib
 * header and the Adler-32 of the output checked.
 *
 * A few hundred bytes of deflate can stand for gigabytes, so the caller names the most output it
 * will take (for a PNG: exactly what its header promises) and a stream that would go past it is
 * refused as it reaches the bound, before any more memory is taken.
 *
 * Memory: the compressed bytes (the caller's) + two small code tables + a window of the output
 * (a PNG's rows are taken as they unpack): a few hundred kilobytes.
 *
 * The work is cut into steps of about 8 KB of output, each synchronous and fast; between steps
 * the time slice may hand the event loop to other work, and the Adler-32 is summed over the step.
 */

/** Output bytes written between two looks at the time slice. */
const STEP_BYTES = 8192;

/** How far back a match may reach (RFC 1951 §2), and its longest length. */
const WINDOW_BYTES = 32768;
const MAX_MATCH = 258;

class Inflater {
	private at = 0;
	private bits = 0;
	private bitCount = 0;
	/** The output, from byte `base` of the stream (streaming drops what was taken). */
	out: Uint8Array;
	written = 0;
	private base = 0;
	/** The most `written` may reach before `reserve` grows the output or refuses the stream. */
	private room: number;
	private checked = 0;
	private adler = 1;
	private lastBlock = false;
	private storedLeft = -1;
	private literals: HuffmanCode | undefined;
	private distances: HuffmanCode | undefined;
	done = false;

	constructor(
		private readonly input: Uint8Array,
		private readonly maxBytes: number,
		/** A buffer of this many bytes, whatever `maxBytes` is (see inflateZlibStream). */
		capacity: number,
	) {
		this.out = new Uint8Array(capacity);
		this.room = Math.min(this.out.length, maxBytes);
		if (input.length < 6) throw damaged('it is cut short');
		const method = input[0];
		const flags = input[1];
		if ((method & 0x0f) !== 8 || method >> 4 > 7 || ((method << 8) | flags) % 31 !== 0) {
			throw damaged('it does not start with a zlib header');
		}
		if (flags & 0x20) throw damaged('it asks for a preset dictionary');
		this.at = 2;
	}

	/** The next `count` (≤ 16) bits, least significant first; zeros past the end. */
	private need(count: number): void {
		while (this.bitCount < count) {
			if (this.at >= this.input.length + 4) throw damaged('it is cut short');
			const byte = this.at < this.input.length ? this.input[this.at] : 0;
			this.at++;
			this.bits |= byte << this.bitCount;
			this.bitCount += 8;
		}
	}

	private take(count: number): number {
		if (count === 0) return 0;
		this.need(count);
		const value = this.bits & ((1 << count) - 1);
		this.bits >>>= count;
		this.bitCount -= count;
		return value;
	}

	private decodeSymbol(code: HuffmanCode): number {
		this.need(MAX_CODE_BITS);
		const entry = code.fast[this.bits & FAST_MASK];
		if (entry !== 0) {
			const length = entry & 15;
			this.bits >>>= length;
			this.bitCount -= length;
			return entry >> 4;
		}
		// A long code: walk the canonical code one bit at a time (as zlib's puff.c does).
		let value = 0;
		let first = 0;
		let index = 0;
		for (let length = 1; length <= MAX_CODE_BITS; length++) {
			value |= (this.bits >>> (length - 1)) & 1;
			const count = code.counts[length];
			if (value - first < count) {
				this.bits >>>= length;
				this.bitCount -= length;
				return code.symbols[index + value - first];
			}
			index += count;
			first = (first + count) << 1;
			value <<= 1;
		}
		throw damaged('an invalid code');
	}

	/** Room for `count` more bytes, refusing to pass the caller's bound. */
	private reserve(count: number): void {
		const needed = this.written + count;
		if (needed <= this.room) return;
		if (this.base + needed > this.maxBytes) {
			throw new ImageDecodeError(
				`The picture's data unpacks to more than the ${this.maxBytes} bytes its size allows; the file is damaged or built to exhaust memory.`,
			);
		}
		const most = this.maxBytes - this.base;
		const grown = new Uint8Array(Math.min(most, Math.max(needed, this.out.length * 2)));
		grown.set(this.out.subarray(0, this.written));
		this.out = grown;
		this.room = Math.min(grown.length, most);
	}

	/** Lets go of out[0..from) (streaming: bytes taken, and more than a window back). */
	drop(from: number): void {
		this.out.copyWithin(0, from, this.written);
		this.base += from;
		this.written -= from;
		this.checked -= from;
		this.room = Math.min(this.out.length, this.maxBytes - this.base);
	}

	/** The bytes unpacked so far. */
	get total(): number {
		return this.base + this.written;
	}

	private readBlockHeader(): void {
		this.lastBlock = this.take(1) === 1;
		const type = this.take(2);
		if (type === 0) {
			this.bits = 0; // a stored block starts at the next byte boundary
			this.at -= this.bitCount >> 3;
			this.bitCount = 0;
			if (this.at + 4 > this.input.length) throw damaged('it is cut short');
			const length = this.input[this.at] | (this.input[this.at + 1] << 8);
			const inverse = this.input[this.at + 2] | (this.input[this.at + 3] << 8);
			if ((length ^ 0xffff) !== inverse) throw damaged('a stored block has a wrong length');
			this.at += 4;
			this.storedLeft = length;
		} else if (type === 1) {
			this.literals = FIXED_LITERALS;
			this.distances = FIXED_DISTANCES;
		} else if (type === 2) {
			this.readDynamicCodes();
		} else {
			throw damaged('an unknown block type');
		}
	}

	private readDynamicCodes(): void {
		const literalCount = this.take(5) + 257;
		const distanceCount = this.take(5) + 1;
		const lengthCount = this.take(4) + 4;
		if (literalCount > 286 || distanceCount > 30) throw damaged('too many codes');
		const codeLengths = new Uint8Array(19);
		for (let i = 0; i < lengthCount; i++) codeLengths[CODE_LENGTH_ORDER[i]] = this.take(3);
		const lengthCode = buildCode(codeLengths, 19);
		const lengths = new Uint8Array(literalCount + distanceCount);
		for (let i = 0; i < lengths.length; ) {
			const symbol = this.decodeSymbol(lengthCode);
			if (symbol < 16) {
				lengths[i++] = symbol;
				continue;
			}
			let repeat: number;
			let value = 0;
			if (symbol === 16) {
				if (i === 0) throw damaged('a repeat with nothing before it');
				value = lengths[i - 1];
				repeat = 3 + this.take(2);
			} else if (symbol === 17) repeat = 3 + this.take(3);
			else repeat = 11 + this.take(7);
			if (i + repeat > lengths.length) throw damaged('too many code lengths');
			lengths.fill(value, i, i + repeat);
			i += repeat;
		}
		if (lengths[256] === 0) throw damaged('no end-of-block code');
		this.literals = buildCode(lengths.subarray(0, literalCount), literalCount);
		this.distances = buildCode(lengths.subarray(literalCount), distanceCount);
	}

	/** Unpacks about STEP_BYTES more (not past `limit` in `out`), or until the stream ends. */
	step(limit = Infinity): void {
		const stop = Math.min(this.written + STEP_BYTES, limit);
		while (!this.done && this.written < stop) {
			if (this.storedLeft < 0 && !this.literals) this.readBlockHeader();
			if (this.storedLeft >= 0) this.copyStored(stop);
			else this.decodeHuffman(stop);
			if (this.storedLeft < 0 && !this.literals && this.lastBlock) this.finish();
		}
		this.sumAdler();
	}

	private copyStored(stop: number): void {
		const count = Math.min(this.storedLeft, Math.max(1, stop - this.written));
		if (this.at + count > this.input.length) throw damaged('it is cut short');
		this.reserve(count);
		this.out.set(this.input.subarray(this.at, this.at + count), this.written);
		this.at += count;
		this.written += count;
		this.storedLeft -= count;
		if (this.storedLeft === 0) this.storedLeft = -1;
	}

	/**
	 * Literals with short codes, as many as come in a row, in local variables (a photo's data is
	 * mostly literals: a look-up and a store each); whether any came. The rest goes the slow way.
	 */
	private shortLiterals({ fast }: HuffmanCode, stop: number): boolean {
		const { input, out } = this;
		const end = Math.min(stop, this.room);
		let { bits, bitCount, at, written } = this;
		const start = written;
		while (written < end) {
			for (; bitCount < MAX_CODE_BITS && at < input.length; bitCount += 8)
				bits |= input[at++] << bitCount;
			const entry = fast[bits & FAST_MASK];
			if (bitCount < MAX_CODE_BITS || entry === 0 || entry >> 4 > 255) break;
			bits >>>= entry & 15;
			bitCount -= entry & 15;
			out[written++] = entry >> 4;
		}
		[this.bits, this.bitCount, this.at, this.written] = [bits, bitCount, at, written];
		return written > start;
	}

	private decodeHuffman(stop: number): void {
		const literals = this.literals!;
		const distances = this.distances!;
		while (this.written < stop) {
			if (this.shortLiterals(literals, stop)) continue;
			const symbol = this.decodeSymbol(literals);
			if (symbol < 256) {
				if (this.written >= this.room) this.reserve(1);
				this.out[this.written++] = symbol;
				continue;
			}
			if (symbol === 256) {
				this.literals = this.distances = undefined;
				return;
			}
			const lengthIndex = symbol - 257;
			if (lengthIndex >= 29) throw damaged('an invalid length code');
			const length = LENGTH_BASE[lengthIndex] + this.take(LENGTH_EXTRA[lengthIndex]);
			const distanceIndex = this.decodeSymbol(distances);
			if (distanceIndex >= 30) throw damaged('an invalid distance code');
			const distance = DISTANCE_BASE[distanceIndex] + this.take(DISTANCE_EXTRA[distanceIndex]);
			if (distance > this.total) throw damaged('a copy from before the start');
			this.reserve(length);
			// A run of one byte (most of a mask) is summed at once, not byte by byte.
			const run = distance === 1 && length >= SHORT_MATCH;
			if (run) this.adler = adler32Run(this.sumAdler(), this.out[this.written - 1], length);
			copyMatch(this.out, this.written, distance, length);
			this.written += length;
			if (run) this.checked = this.written;
		}
	}

	private sumAdler(): number {
		this.adler = adler32(this.out, this.checked, this.written, this.adler);
		this.checked = this.written;
		return this.adler;
	}

	private finish(): void {
		this.sumAdler();
		this.at -= this.bitCount >> 3; // give back whole bytes read ahead
		if (this.at + 4 > this.input.length) throw damaged('it is cut short');
		const i = this.at;
		const stored =
			((this.input[i] << 24) |
				(this.input[i + 1] << 16) |
				(this.input[i + 2] << 8) |
				this.input[i + 3]) >>>
			0;
		if (stored !== this.adler) throw damaged('its checksum is wrong');
		this.done = true;
	}
}

/**
 * The bytes of a zlib stream, handed out as they unpack and never held whole: `take(out, from, to)`
 * is given out[from..to), the bytes not taken yet, and answers up to where it took them; it may
 * leave fewer than `chunkBytes` (a partial row), offered again with more, or answer -1 to stop
 * there (the rest not unpacked, its Adler-32 unchecked unless the last step reached the end).
 * Checked as the header comment says. Memory: a buffer of about four times the larger of `chunkBytes`
 * and the 32 KB window. Resolves to the number of bytes unpacked (when stopped, so far).
 */
export async function inflateZlibStream(
	compressed: Uint8Array,
	{ maxBytes, chunkBytes }: { maxBytes: number; chunkBytes: number },
	slice: TimeSlice,
	take: (out: Uint8Array, from: number, to: number) => number,
): Promise<number> {
	const keep = Math.max(chunkBytes, WINDOW_BYTES);
	const capacity = 4 * keep + STEP_BYTES + MAX_MATCH;
	const inflater = new Inflater(compressed, maxBytes, capacity);
	let taken = 0;
	while (!inflater.done) {
		inflater.step(capacity - MAX_MATCH);
		taken = take(inflater.out, taken, inflater.written);
		if (taken < 0) break;
		if (inflater.written + STEP_BYTES + MAX_MATCH > capacity) {
			// What is kept: what take left, and the window matches may copy from.
			const from = Math.min(taken, inflater.written - WINDOW_BYTES);
			if (inflater.written - from > keep) throw new Error('The stream was not taken in time');
			inflater.drop(from);
			taken -= from;
		}
		if (slice.over) await slice.next();
	}
	return inflater.total;
}
