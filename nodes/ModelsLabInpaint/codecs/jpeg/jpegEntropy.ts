/**
 * The writing of JPEG's entropy-coded data (ITU T.81 Annex F.1.2): the standard Huffman tables
 * of Annex K.3 (good for photographs at every quality, and needing no first pass over the
 * picture), the bit writer with byte stuffing, and the coding of one 8 × 8 block.
 *
 * Memory: the output, grown by doubling (so at most twice the file at the last growth), + 2 KB.
 */

export interface HuffmanSpec {
	/** How many codes of each length 1..16 (the DHT segment's 16 counts). */
	counts: number[];
	/** The symbols in code order. */
	symbols: number[];
}

/** Symbols (run << 4 | size) of the AC tables, in the order of Annex K.3.3. */
const AC_LUMA_SYMBOLS = [
	0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
	0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
	0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
	0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
	0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
	0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
	0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
	0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
	0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
	0xf9, 0xfa,
];
const AC_CHROMA_SYMBOLS = [
	0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
	0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
	0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
	0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
	0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
	0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
	0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
	0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
	0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
	0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
	0xf9, 0xfa,
];
const DC_SYMBOLS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** The four tables of Annex K.3: DC and AC, for luminance and for chrominance. */
export const STANDARD_TABLES = {
	dcLuma: { counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: DC_SYMBOLS },
	dcChroma: { counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], symbols: DC_SYMBOLS },
	acLuma: {
		counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
		symbols: AC_LUMA_SYMBOLS,
	},
	acChroma: {
		counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
		symbols: AC_CHROMA_SYMBOLS,
	},
} satisfies Record<string, HuffmanSpec>;

/** Code and length of each symbol (T.81 Annex C: codes of one length are consecutive). */
export interface HuffmanEncoding {
	codes: Uint16Array;
	lengths: Uint8Array;
}

export function huffmanEncoding(spec: HuffmanSpec): HuffmanEncoding {
	const codes = new Uint16Array(256);
	const lengths = new Uint8Array(256);
	let code = 0;
	let k = 0;
	for (let length = 1; length <= 16; length++, code <<= 1) {
		for (let i = 0; i < spec.counts[length - 1]; i++, k++, code++) {
			codes[spec.symbols[k]] = code;
			lengths[spec.symbols[k]] = length;
		}
	}
	return { codes, lengths };
}

/** The bit size (category) of each value -2047..2047 at [value + 2047]: 0 for 0, 1 for ±1... */
const CATEGORY = new Uint8Array(4095);
for (let value = -2047; value <= 2047; value++) {
	let magnitude = value < 0 ? -value : value;
	let bits = 0;
	for (; magnitude > 0; magnitude >>= 1) bits++;
	CATEGORY[value + 2047] = bits;
}

/** Bits written most significant first, a 0x00 stuffed after every 0xFF byte (T.81 F.1.2.3). */
export class JpegBitWriter {
	bytes: Uint8Array;
	at = 0;
	/** Set when a code of length 0 was asked for: a symbol the Huffman table has no code for. */
	missingCode = false;
	private bits = 0;
	private count = 0;

	constructor(capacity: number) {
		this.bytes = new Uint8Array(capacity);
	}

	/** Makes room for `more` bytes, doubling the buffer when needed. */
	reserve(more: number): void {
		if (this.at + more <= this.bytes.length) return;
		const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + more));
		grown.set(this.bytes.subarray(0, this.at));
		this.bytes = grown;
	}

	/** Whole bytes, outside the entropy-coded data (markers, segments). */
	writeBytes(bytes: ArrayLike<number>): void {
		this.reserve(bytes.length);
		this.bytes.set(bytes, this.at);
		this.at += bytes.length;
	}

	/** The `length` (at most 16) low bits of `value`. */
	write(value: number, length: number): void {
		if (length === 0) this.missingCode = true;
		this.bits = (this.bits << length) | (value & ((1 << length) - 1));
		this.count += length;
		while (this.count >= 8) {
			this.count -= 8;
			const byte = (this.bits >>> this.count) & 0xff;
			this.bytes[this.at++] = byte;
			if (byte === 0xff) this.bytes[this.at++] = 0;
		}
		this.bits &= (1 << this.count) - 1;
	}

	/** The bits waiting for their byte to fill (0 to 7): the offset in a byte the next bit lands at. */
	get bitPhase(): number {
		return this.count;
	}

	/**
	 * Another scan's entropy-coded bits, from bit `from` to bit `to` of `data` (file positions as
	 * jpegHuffman.ts `BitReader.position` gives them): its stuffing undone and done again for where
	 * they land. When they land at the bit offset they had, the bytes between are copied as they are.
	 * False, and the bits not all written, when a marker comes among them (the data ends before `to`).
	 */
	copyBits(data: Uint8Array, from: number, to: number): boolean {
		let p = from >> 3;
		const last = to >> 3;
		const skip = from & 7;
		this.reserve(8);
		if (p === last) {
			if (to > from) this.write((data[p] >> (8 - (to & 7))) & ((1 << (to - from)) - 1), to - from);
			return true;
		}
		// The first byte's bits after `from`, then whole bytes.
		if (skip > 0) {
			this.write(data[p], 8 - skip);
			p += data[p] === 0xff ? 2 : 1;
		}
		// As they are: as many bytes; moved: each byte may need a stuffed zero after it.
		this.reserve((this.count === 0 ? 1 : 2) * (last - p) + 8);
		const bytes = this.bytes;
		let at = this.at;
		if (this.count === 0) {
			for (let q = data.indexOf(0xff, p); q >= 0 && q < last; q = data.indexOf(0xff, q + 2)) {
				if (data[q + 1] !== 0) return false;
			}
			bytes.set(data.subarray(p, last), at);
			at += last - p;
		} else {
			const shift = this.count;
			let rest = this.bits;
			while (p < last) {
				const byte = data[p++];
				if (byte === 0xff && data[p++] !== 0) return false;
				const out = ((rest << (8 - shift)) | (byte >> shift)) & 0xff;
				rest = byte & ((1 << shift) - 1);
				bytes[at++] = out;
				if (out === 0xff) bytes[at++] = 0;
			}
			this.bits = rest;
		}
		this.at = at;
		if ((to & 7) > 0) this.write(data[last] >> (8 - (to & 7)), to & 7);
		return true;
	}

	/** Where the writing is, to come back to (`restore`) and write over what follows. */
	mark(): [number, number, number] {
		return [this.at, this.bits, this.count];
	}

	restore([at, bits, count]: [number, number, number]): void {
		[this.at, this.bits, this.count] = [at, bits, count];
	}

	/** Pads the last byte with 1 bits, as T.81 F.1.2.3 asks before a marker. */
	padToByte(): void {
		if (this.count > 0) this.write(0x7f, 8 - this.count);
	}
}

/**
 * One block's 64 quantized coefficients (zig-zag order) as Huffman codes: the DC difference from
 * the previous block's DC, then runs of zeros and values (ZRL for 16 zeros, EOB for the rest).
 * Returns this block's DC, the next block's predictor. Needs 200 bytes of room (64 codes of at
 * most 16 + 11 bits, each byte possibly stuffed). `padding.zrl` ZRL codes are put before the EOB
 * where they fit (and taken off it), to move what follows by a chosen number of bits.
 */
export function writeBlock(
	out: JpegBitWriter,
	coefficients: Int16Array,
	previousDc: number,
	dc: HuffmanEncoding,
	ac: HuffmanEncoding,
	padding?: { zrl: number },
): number {
	const category = CATEGORY;
	const difference = coefficients[0] - previousDc;
	const dcSize = category[difference + 2047];
	out.write(dc.codes[dcSize], dc.lengths[dcSize]);
	// Negative values are sent as value - 1 in their bit size (one's complement).
	if (dcSize > 0) out.write(difference < 0 ? difference - 1 : difference, dcSize);
	let last = 63;
	while (last > 0 && coefficients[last] === 0) last--;
	let zeros = 0;
	for (let k = 1; k <= last; k++) {
		const value = coefficients[k];
		if (value === 0) {
			zeros++;
			continue;
		}
		for (; zeros >= 16; zeros -= 16) out.write(ac.codes[0xf0], ac.lengths[0xf0]);
		const size = category[value + 2047];
		const symbol = (zeros << 4) | size;
		out.write(ac.codes[symbol], ac.lengths[symbol]);
		out.write(value < 0 ? value - 1 : value, size);
		zeros = 0;
	}
	if (last < 63) {
		// ZRLs asked for (the splice's alignment, jpegSplice.ts) while 16 zeros still fit before
		// the EOB: decoders skip them; libjpeg's encoder never writes them, but they code no value.
		if (padding !== undefined) {
			for (; padding.zrl > 0 && last + 17 <= 63; padding.zrl--, last += 16) {
				out.write(ac.codes[0xf0], ac.lengths[0xf0]);
			}
		}
		out.write(ac.codes[0], ac.lengths[0]); // EOB
	}
	return coefficients[0];
}
