/**
 * The decoder's one-look-up values (jpegHuffman.ts `HuffmanTable.fastValue`,
 * `BitReader.decodeWithValue`) against the slow way (`decode`, then `receiveExtend`): for every
 * 16-bit prefix of the stream, in the standard DC and AC tables and a table of short codes, either
 * the same value, zero run and bits taken, or 0 with nothing read (the slow way then reads it).
 */
import { STANDARD_TABLES } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegEntropy';
import {
	BitReader,
	buildHuffmanTable,
	type HuffmanTable,
} from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegHuffman';

/** A reader over two bytes (`prefix`, none of them 0xFF's marker) then a tail of `tail` bytes. */
const readerOf = (prefix: number, tail: number) =>
	new BitReader(Uint8Array.from([prefix >> 8, prefix & 0xff, tail, tail, tail, tail]), 0);

/** Every coefficient is read and the next 8 bits after it compared: the same bits were taken. */
function compareAll(table: HuffmanTable): { fast: number; wrong: number[] } {
	let fast = 0;
	const wrong: number[] = [];
	for (let prefix = 0; prefix < 65536; prefix++) {
		if (prefix >> 8 === 0xff || (prefix & 0xff) === 0xff) continue; // a marker or stuffing
		const quick = readerOf(prefix, 0x5a);
		const entry = quick.decodeWithValue(table);
		if (entry === 0) {
			// Nothing was taken: the slow way reads from the same place.
			if (quick.receive(16) !== prefix) wrong.push(prefix);
			continue;
		}
		fast++;
		const slow = readerOf(prefix, 0x5a);
		const rs = slow.decode(table);
		const value = slow.receiveExtend(rs & 15);
		const same =
			entry >> 16 === value &&
			((entry >> 8) & 15) === rs >> 4 &&
			quick.receive(8) === slow.receive(8);
		if (!same) wrong.push(prefix);
	}
	return { fast, wrong };
}

it.each([
	['DC luma', STANDARD_TABLES.dcLuma],
	['DC chroma', STANDARD_TABLES.dcChroma],
	['AC luma', STANDARD_TABLES.acLuma],
	['AC chroma', STANDARD_TABLES.acChroma],
	[
		'of short codes',
		{
			counts: [0, 2, 2, 4, ...new Array<number>(12).fill(0)],
			symbols: [0x01, 0x00, 0x12, 0x03, 0x21, 0x04, 0xf0, 0x35],
		},
	],
])('the table (%s): values read in one look-up as the slow way reads them', (_name, spec) => {
	const table = buildHuffmanTable(Uint8Array.from(spec.counts), Uint8Array.from(spec.symbols));
	const { fast, wrong } = compareAll(table);
	expect(wrong).toEqual([]);
	// Most prefixes are read fast: the short codes of small values.
	expect(fast).toBeGreaterThan(65536 / 2);
});
