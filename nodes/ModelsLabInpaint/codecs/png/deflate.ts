import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import { BitSink, distanceCode, LENGTH_CODE, newSymbolBlock, writeBlock } from './deflateBlocks';
import { adler32 } from './checksums';

/**
 * A deflate compressor (RFC 1951) in a zlib stream (RFC 1950), without node's zlib, which n8n
 * Cloud does not let community nodes import. It works as zlib's own does at its middle levels:
 * every position is put in hash chains of the bytes three at a time over the last 32 KB, the
 * longest earlier copy is looked for along a bounded part of the chain, and a match is only taken
 * once the next position has no longer one ("lazy" matching). Symbols are gathered in blocks of
 * BLOCK_SYMBOLS and each block is written with Huffman codes made for it (or fixed codes or as
 * stored bytes when smaller; deflateBlocks.ts).
 *
 * The effort is bounded: at most `chain` candidates a position (a quarter once a good match is
 * in hand), none once a match reaches `nice` bytes, so a hostile input (long runs of one byte,
 * which make chains long) costs no more a byte than a photograph.
 *
 * Memory: the input (the caller's) + the output (at most the input + 5 bytes a 64 KB, in pieces
 * of 1 MB or more) + 256 KB of hash chains + 128 KB of block symbols.
 */

export interface DeflateEffort {
	/** Chain candidates looked at a position. */
	chain: number;
	/** A match this long is taken without looking further. */
	nice: number;
	/** No lazy look at the next position once a match is this long. */
	lazy: number;
	/** Once the previous match is this long, only a quarter of the chain is searched. */
	good: number;
}

/** Between zlib's levels 4 and 5; its level 6 looks at up to 128 candidates for 1 % less. */
export const DEFAULT_EFFORT: DeflateEffort = { chain: 8, nice: 128, lazy: 16, good: 8 };
/** About zlib's level 2: for speed over size. */
export const FAST_EFFORT: DeflateEffort = { chain: 4, nice: 16, lazy: 4, good: 4 };

const WINDOW = 32768;
const WINDOW_MASK = WINDOW - 1;
const HASH_BITS = 15;
const HASH_MASK = (1 << HASH_BITS) - 1;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
/** A 3-byte match this far back costs more bits than three literals (zlib's TOO_FAR). */
const TOO_FAR = 4096;
/** Symbols a block gathers before it is written (zlib's default is 16 K). */
const BLOCK_SYMBOLS = 32768;
/** Input bytes compressed between two looks at the time slice. */
const STEP_BYTES = 65536;

const hashAt = (data: Uint8Array, at: number) =>
	((data[at] << 10) ^ (data[at + 1] << 5) ^ data[at + 2]) & HASH_MASK;

class Deflater {
	private readonly head = new Int32Array(1 << HASH_BITS).fill(-1);
	/** The previous position with the same hash, of each position in the window. */
	private readonly previous = new Int32Array(WINDOW);
	private readonly block;
	private readonly out = new BitSink();
	private at = 0;
	/** The match found at `at - 1`, not yet written (length 0: none). */
	private heldLength = 0;
	private heldDistance = 0;
	/** Whether the byte at `at - 1` waits to be written as a literal or as the held match. */
	private holding = false;
	private foundDistance = 0;

	constructor(
		private readonly data: Uint8Array,
		private readonly effort: DeflateEffort,
	) {
		this.block = newSymbolBlock(BLOCK_SYMBOLS, data);
		this.out.reserve(2);
		this.out.write(0x78, 8); // deflate, 32 KB window
		this.out.write(0x9c, 8); // default level, no dictionary; 0x789c is a multiple of 31
	}

	private insert(at: number): number {
		const hash = hashAt(this.data, at);
		const candidate = this.head[hash];
		this.previous[at & WINDOW_MASK] = candidate;
		this.head[hash] = at;
		return candidate;
	}

	/** The longest match at `at` longer than `atLeast` (0 when none); its distance in foundDistance. */
	private longestMatch(at: number, candidate: number, atLeast: number): number {
		const { data, previous, effort } = this;
		// Ternaries, not Math.min: no global is looked up per position (slow in a vm context).
		const maxLength = data.length - at < MAX_MATCH ? data.length - at : MAX_MATCH;
		const nice = effort.nice < maxLength ? effort.nice : maxLength;
		const oldest = at > WINDOW ? at - WINDOW : -1; // further back the chain may be overwritten
		let chain = atLeast >= effort.good ? effort.chain >> 2 : effort.chain;
		let best = atLeast;
		let bestDistance = 0;
		for (; candidate > oldest && chain > 0; chain--) {
			if (data[candidate + best] === data[at + best] && data[candidate] === data[at]) {
				let length = 1;
				while (length < maxLength && data[candidate + length] === data[at + length]) length++;
				if (length > best) {
					best = length;
					bestDistance = at - candidate;
					if (length >= nice) break;
				}
			}
			candidate = previous[candidate & WINDOW_MASK];
		}
		this.foundDistance = bestDistance;
		return bestDistance === 0 ? 0 : best;
	}

	private literal(value: number): void {
		const block = this.block;
		block.literals[block.count] = value;
		block.distances[block.count++] = 0;
		block.literalFrequencies[value]++;
		block.end++;
		if (block.count === BLOCK_SYMBOLS) writeBlock(this.out, block, false);
	}

	private match(length: number, distance: number): void {
		const block = this.block;
		block.literals[block.count] = length;
		block.distances[block.count++] = distance;
		block.literalFrequencies[257 + LENGTH_CODE[length]]++;
		block.distanceFrequencies[distanceCode(distance)]++;
		block.end += length;
		if (block.count === BLOCK_SYMBOLS) writeBlock(this.out, block, false);
	}

	/** Compresses up to position `until` (a little past it when a match runs over). */
	run(until: number): void {
		const { data, effort } = this;
		const hashable = data.length - MIN_MATCH;
		let at = this.at;
		while (at < until) {
			let length = 0;
			if (at <= hashable) {
				const candidate = this.insert(at);
				if (this.heldLength < effort.lazy && candidate >= 0) {
					const atLeast = this.heldLength > MIN_MATCH - 1 ? this.heldLength : MIN_MATCH - 1;
					length = this.longestMatch(at, candidate, atLeast);
					if (length === MIN_MATCH && this.foundDistance > TOO_FAR) length = 0;
				}
			}
			if (this.heldLength >= MIN_MATCH && length <= this.heldLength) {
				// The match at at - 1 is at least as long as the one here: write it, skip past it.
				const end = at - 1 + this.heldLength;
				this.match(this.heldLength, this.heldDistance);
				for (let next = at + 1; next < end && next <= hashable; next++) this.insert(next);
				at = end;
				this.heldLength = 0;
				this.holding = false;
				continue;
			}
			if (this.holding) this.literal(data[at - 1]);
			this.holding = true;
			this.heldLength = length;
			this.heldDistance = this.foundDistance;
			at++;
		}
		this.at = at;
	}

	/** Writes what is held and the last block, then the Adler-32 of the input. */
	finish(checksum: number): Uint8Array[] {
		if (this.holding) this.literal(this.data[this.data.length - 1]);
		writeBlock(this.out, this.block, true);
		this.out.alignToByte();
		this.out.reserve(4);
		for (let shift = 24; shift >= 0; shift -= 8) this.out.write((checksum >>> shift) & 0xff, 8);
		return this.out.finish();
	}
}

/**
 * `data` as a zlib stream, in pieces (their concatenation is the stream), compressed in time
 * slices of about 64 KB of input each.
 */
export async function deflateZlib(
	data: Uint8Array,
	effort: DeflateEffort,
	slice: TimeSlice,
): Promise<Uint8Array[]> {
	const deflater = new Deflater(data, effort);
	let checksum = 1;
	for (let from = 0; from < data.length; from += STEP_BYTES) {
		const to = Math.min(data.length, from + STEP_BYTES);
		deflater.run(to);
		checksum = adler32(data, from, to, checksum);
		if (slice.over) await slice.next();
	}
	return deflater.finish(checksum);
}
