/**
 * The checksums of PNG and zlib: CRC-32 (every chunk) and Adler-32 (the zlib stream), without zlib.
 * Adler-32 steps over zeros and runs of one byte in closed form: a mask's rows unpack mostly to
 * them, and summing tens of megabytes byte by byte would cost more than unpacking them.
 */

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

/** 5552 bytes is the most that can be summed before b could pass 2³² (zlib's NMAX). */
const ADLER_CHUNK = 5552;
/** Runs of zeros are looked for in blocks of this many bytes. */
const ZERO_BLOCK = 512;
const ZEROS = Buffer.alloc(ZERO_BLOCK);

/** The Adler-32 of bytes [from, to); `previous` continues the checksum of the bytes before `from`. */
export function adler32(bytes: Uint8Array, from = 0, to = bytes.length, previous = 1): number {
	let a = previous & 0xffff;
	let b = previous >>> 16;
	let view: Buffer | undefined; // made when first needed: most calls of inflate's are short
	for (let start = from; start < to; start += ADLER_CHUNK) {
		const end = Math.min(to, start + ADLER_CHUNK);
		for (let block = start; block < end; block += ZERO_BLOCK) {
			const stop = Math.min(end, block + ZERO_BLOCK);
			// A block of zeros (most of a mask) leaves a as it is and adds it to b once a byte: its
			// ends are looked at first, so other data is rarely compared.
			const zeros =
				bytes[block] === 0 &&
				bytes[stop - 1] === 0 &&
				(view ??= Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)).compare(
					ZEROS,
					0,
					stop - block,
					block,
					stop,
				) === 0;
			if (zeros) b += (stop - block) * a;
			else
				for (let i = block; i < stop; i++) {
					a += bytes[i];
					b += a;
				}
		}
		a %= 65521;
		b %= 65521;
	}
	return ((b << 16) | a) >>> 0;
}

/** The Adler-32 after `count` bytes of `value` (a run), from the checksum `previous`. */
export function adler32Run(previous: number, value: number, count: number): number {
	const a = previous & 0xffff;
	const b = previous >>> 16;
	// a gains `value` a byte; b gains each byte's a: count × a + value × (1 + 2 + ... + count).
	const sumB = (b + count * a + (value * count * (count + 1)) / 2) % 65521;
	return ((sumB << 16) | (a + count * value) % 65521) >>> 0;
}
