import { ImageDecodeError } from '../raster';

/**
 * JPEG's entropy-coded data (ITU T.81 Annex F and G): Huffman tables, the bit reader (byte
 * stuffing, markers), and the decoding of one 8 × 8 block's coefficients for a sequential scan or
 * for any of the four kinds of progressive scan (DC first and refining, AC first and refining).
 *
 * Codes of up to 10 bits, nearly all of them, are decoded with one table look-up, with the value's
 * bits after them where those fit too; longer ones with the MAXCODE / VALPTR tables of T.81 F.2.2.3. Nothing here allocates per block or per bit.
 */

/** Coefficient order in the file (zig-zag) → position in the 8 × 8 block, row by row. */
export const ZIGZAG = new Uint8Array([
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
	13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52,
	45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
]);

const FAST_BITS = 10;

export const jpegDamaged = (why: string) =>
	new ImageDecodeError(`The JPEG picture is damaged: ${why}.`);

export interface HuffmanTable {
	/** The next FAST_BITS bits → length << 8 | symbol, or 0 when the code is longer. */
	fast: Uint16Array;
	/**
	 * The next FAST_BITS bits, when they hold a code for a value and the value's bits too → value <<
	 * 16 | zero run (AC codes) << 8 | both lengths; 0 otherwise (EOB, ZRL, a DC of 0, longer codes).
	 */
	fastValue: Int32Array;
	/** Per code length 1..16: the largest code of that length (-1 when none). */
	maxCode: Int32Array;
	/** Per code length: index in `symbols` of its first code, minus that code. */
	offset: Int32Array;
	symbols: Uint8Array;
}

/** A table from a DHT segment's 16 counts and its symbols. */
export function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
	const fast = new Uint16Array(1 << FAST_BITS);
	const fastValue = new Int32Array(1 << FAST_BITS);
	const maxCode = new Int32Array(18).fill(-1);
	const offset = new Int32Array(18);
	let code = 0;
	let k = 0;
	for (let length = 1; length <= 16; length++) {
		const count = counts[length - 1];
		offset[length] = k - code;
		for (let i = 0; i < count; i++, k++, code++) {
			if (length <= FAST_BITS) {
				const shift = FAST_BITS - length;
				const size = symbols[k] & 15;
				for (let fill = code << shift; fill < (code + 1) << shift; fill++) {
					fast[fill] = (length << 8) | symbols[k];
					if (size === 0 || length + size > FAST_BITS) continue;
					const bits = (fill >> (shift - size)) & ((1 << size) - 1);
					const value = bits < 1 << (size - 1) ? bits - (1 << size) + 1 : bits;
					fastValue[fill] = (value << 16) | ((symbols[k] >> 4) << 8) | (length + size);
				}
			}
		}
		if (count > 0) maxCode[length] = code - 1;
		if (code > 1 << length) throw jpegDamaged('a Huffman table is over-subscribed');
		code <<= 1;
	}
	maxCode[17] = 0x7fffffff; // stops the slow search
	return { fast, fastValue, maxCode, offset, symbols };
}

/**
 * Reads the entropy-coded bits of a scan, most significant first. A 0xFF data byte comes as FF 00;
 * any other byte after FF is a marker, which ends the data: from there, and past the end of the
 * file, zeros are read, so a damaged file costs at most one scan's fixed number of blocks.
 */
export class BitReader {
	private bits = 0;
	private count = 0;
	private atMarker = false;
	/** Zero bytes read past the data's end (at a marker or the file's end), not in the file. */
	private padded = 0;

	constructor(
		private readonly data: Uint8Array,
		public at: number,
	) {}

	private fill(): void {
		const data = this.data;
		while (this.count <= 24) {
			let byte = 0;
			if (!this.atMarker) {
				if (this.at >= data.length) this.atMarker = true;
				else {
					byte = data[this.at];
					if (byte === 0xff) {
						const next = data[this.at + 1];
						if (next === 0) this.at += 2;
						else {
							this.atMarker = true;
							byte = 0;
						}
					} else this.at++;
				}
			}
			if (this.atMarker) this.padded++;
			this.bits = (this.bits << 8) | byte;
			this.count += 8;
		}
	}

	bit(): number {
		if (this.count < 1) this.fill();
		this.count--;
		return (this.bits >>> this.count) & 1;
	}

	/** `length` (≤ 16) bits as an unsigned number. */
	receive(length: number): number {
		if (length === 0) return 0;
		if (this.count < length) this.fill();
		this.count -= length;
		return (this.bits >>> this.count) & ((1 << length) - 1);
	}

	/** `length` bits as the signed value T.81 F.2.2.1 (EXTEND) gives them. */
	receiveExtend(length: number): number {
		if (length === 0) return 0;
		const value = this.receive(length);
		return value < 1 << (length - 1) ? value - (1 << length) + 1 : value;
	}

	/** A code and its value at once, from `fastValue` (0, nothing read, when not there). */
	decodeWithValue(table: HuffmanTable): number {
		if (this.count < 16) this.fill();
		const entry =
			table.fastValue[(this.bits >>> (this.count - FAST_BITS)) & ((1 << FAST_BITS) - 1)];
		this.count -= entry & 0xff;
		return entry;
	}

	decode(table: HuffmanTable): number {
		if (this.count < 16) this.fill();
		const entry = table.fast[(this.bits >>> (this.count - FAST_BITS)) & ((1 << FAST_BITS) - 1)];
		if (entry !== 0) {
			this.count -= entry >> 8;
			return entry & 0xff;
		}
		const code16 = (this.bits >>> (this.count - 16)) & 0xffff;
		let length = FAST_BITS + 1;
		let code = code16 >>> (16 - length);
		while (code > table.maxCode[length]) {
			length++;
			if (length > 16) throw jpegDamaged('an invalid Huffman code');
			code = code16 >>> (16 - length);
		}
		this.count -= length;
		return table.symbols[table.offset[length] + code];
	}

	/**
	 * Where the next bit to read is in the file: byte × 8 + bit (0 the most significant), a stuffed
	 * FF 00 pair being its FF; -1 past the data's end. What the stitch copies
	 * from (jpegBand.ts): the bits read ahead are walked back over, a stuffed pair counting once.
	 */
	position(): number {
		const unread = this.count - this.padded * 8;
		if (unread < 0) return -1;
		const data = this.data;
		let p = this.at;
		const bytes = (unread + 7) >> 3;
		for (let i = 0; i < bytes; i++) p -= data[p - 1] === 0 && data[p - 2] === 0xff ? 2 : 1;
		return p * 8 + bytes * 8 - unread;
	}

	/** After a restart interval: skips to just past the RSTn marker; false if another marker comes first. */
	restart(): boolean {
		this.bits = this.count = this.padded = 0;
		this.atMarker = false;
		const data = this.data;
		for (let i = this.at; i + 1 < data.length; i++) {
			if (data[i] !== 0xff) continue;
			const marker = data[i + 1];
			if (marker >= 0xd0 && marker <= 0xd7) {
				this.at = i + 2;
				return true;
			}
			if (marker !== 0 && marker !== 0xff) {
				this.at = i;
				return false;
			}
		}
		throw jpegDamaged('the file is cut short');
	}

	/** Where the byte stream goes on after the scan: the next marker. */
	end(): number {
		return this.at;
	}
}

/** What a scan decodes block by block. */
export interface ScanComponent {
	coefficients: Int16Array;
	dcTable: HuffmanTable | undefined;
	acTable: HuffmanTable | undefined;
	/** The DC value of the component's previous block (DC is coded as the change from it). */
	previousDc: number;
}

/** Decodes blocks of one scan: `kind` says which of the five block codings the scan uses. */
export class BlockDecoder {
	/** Blocks left in an end-of-band run (progressive AC scans). */
	endOfBandRun = 0;

	constructor(
		private readonly reader: BitReader,
		readonly kind: 'sequential' | 'dcFirst' | 'dcRefine' | 'acFirst' | 'acRefine',
		private readonly start: number,
		private readonly end: number,
		private readonly shift: number,
	) {}

	decode(c: ScanComponent, at: number): void {
		if (this.kind === 'sequential') this.sequential(c, at);
		else if (this.kind === 'dcFirst') this.dcFirst(c, at);
		else if (this.kind === 'dcRefine') {
			if (this.reader.bit()) c.coefficients[at] |= 1 << this.shift;
		} else if (this.kind === 'acFirst') this.acFirst(c, at);
		else this.acRefine(c, at);
	}

	private sequential(c: ScanComponent, at: number): void {
		const reader = this.reader;
		const block = c.coefficients;
		const dc = c.dcTable!;
		const fastDc = reader.decodeWithValue(dc);
		c.previousDc += fastDc !== 0 ? fastDc >> 16 : reader.receiveExtend(reader.decode(dc));
		block[at] = c.previousDc;
		const ac = c.acTable!;
		for (let k = 1; k < 64; ) {
			// Most codes: the code and the value's bits in one look-up.
			const fast = reader.decodeWithValue(ac);
			if (fast !== 0) {
				k += (fast >> 8) & 15;
				if (k > 63) throw jpegDamaged('a block has too many coefficients');
				block[at + ZIGZAG[k]] = fast >> 16;
				k++;
				continue;
			}
			const rs = reader.decode(ac);
			const size = rs & 15;
			const run = rs >> 4;
			if (size === 0) {
				if (run < 15) break;
				k += 16;
				continue;
			}
			k += run;
			if (k > 63) throw jpegDamaged('a block has too many coefficients');
			block[at + ZIGZAG[k]] = reader.receiveExtend(size);
			k++;
		}
	}

	private dcFirst(c: ScanComponent, at: number): void {
		const s = this.reader.decode(c.dcTable!);
		c.previousDc += this.reader.receiveExtend(s);
		c.coefficients[at] = c.previousDc * (1 << this.shift);
	}

	private acFirst(c: ScanComponent, at: number): void {
		if (this.endOfBandRun > 0) {
			this.endOfBandRun--;
			return;
		}
		const reader = this.reader;
		const block = c.coefficients;
		const ac = c.acTable!;
		for (let k = this.start; k <= this.end; ) {
			const rs = reader.decode(ac);
			const size = rs & 15;
			const run = rs >> 4;
			if (size === 0) {
				if (run < 15) {
					this.endOfBandRun = (1 << run) - 1 + reader.receive(run);
					return;
				}
				k += 16;
				continue;
			}
			k += run;
			if (k > 63) throw jpegDamaged('a block has too many coefficients');
			block[at + ZIGZAG[k]] = reader.receiveExtend(size) * (1 << this.shift);
			k++;
		}
	}

	/** T.81 G.1.2.3, as libjpeg's decode_mcu_AC_refine does it. */
	private acRefine(c: ScanComponent, at: number): void {
		const reader = this.reader;
		const block = c.coefficients;
		const plus = 1 << this.shift;
		const minus = -1 << this.shift;
		let k = this.start;
		if (this.endOfBandRun === 0) {
			const ac = c.acTable!;
			for (; k <= this.end; k++) {
				const rs = reader.decode(ac);
				let run = rs >> 4;
				let value = 0;
				if ((rs & 15) !== 0) {
					value = reader.bit() ? plus : minus;
				} else if (run !== 15) {
					this.endOfBandRun = (1 << run) + reader.receive(run);
					break;
				}
				for (; k <= this.end; k++) {
					const z = at + ZIGZAG[k];
					const coefficient = block[z];
					if (coefficient !== 0) {
						if (reader.bit() && (coefficient & plus) === 0) {
							block[z] = coefficient >= 0 ? coefficient + plus : coefficient + minus;
						}
					} else if (--run < 0) break;
				}
				if (value !== 0 && k <= this.end) block[at + ZIGZAG[k]] = value;
			}
		}
		if (this.endOfBandRun > 0) {
			for (; k <= this.end; k++) {
				const z = at + ZIGZAG[k];
				const coefficient = block[z];
				if (coefficient !== 0 && reader.bit() && (coefficient & plus) === 0) {
					block[z] = coefficient >= 0 ? coefficient + plus : coefficient + minus;
				}
			}
			this.endOfBandRun--;
		}
	}
}
