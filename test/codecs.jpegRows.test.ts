/**
 * Where each MCU row of a JPEG's scan starts, noted by the crop's read (codecs/jpeg/jpegBand.ts
 * ScanRows): the stitch's band read starts decoding at its band's first row from it, and writes the
 * very bytes it writes without it. A record not of the file, or without the band's first row, is
 * not used: the scan is decoded from its start, as without one.
 */
import { readJpegBand } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegBand';
import { ScanRowsRecorder } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegScan';
import { readJpegCoefficients } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegDecode';
import { encodeJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegEncode';
import { BlockDecoder } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegHuffman';
import { replaceRegion } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegPatch';
import { patchJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegSplice';
import type { ScanRows } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegScan';
import type { Box } from '../nodes/ModelsLabInpaint/codecs/raster';
import { fixture, painted, slice, testPicture } from './support/codecCorpus';

const MAX_PIXELS = 50_000_000;
const SIZE = { width: 203, height: 150 };

/** A picture with grain, so that every MCU has AC codes and neighbouring DCs differ. */
async function grainyJpeg(subsampling: '4:2:0' | '4:4:4'): Promise<Uint8Array> {
	const rgba = testPicture(SIZE.width, SIZE.height);
	let state = 777;
	for (let i = 0; i < rgba.length; i++) {
		if ((i & 3) === 3) continue;
		state = (state * 1103515245 + 12345) >>> 0;
		rgba[i] = Math.max(0, Math.min(255, rgba[i] + ((state >>> 24) % 31) - 15));
	}
	return await encodeJpeg(
		{ ...SIZE, rgba, hasAlpha: false },
		{ quality: 90, subsampling },
		slice(),
	);
}

/** The rows as the crop notes them, its read stopping at pixel row `lastRow`. */
async function rowsOf(file: Uint8Array, lastRow = Infinity): Promise<ScanRows | undefined> {
	const recorder = new ScanRowsRecorder();
	await readJpegCoefficients(file, MAX_PIXELS, slice(), lastRow, recorder.readScan);
	return recorder.rows;
}

/** The file patched around `area`, and the blocks decoded on the way. */
async function patched(file: Uint8Array, area: Box, rows?: ScanRows) {
	const decoded = jest.spyOn(BlockDecoder.prototype, 'decode');
	const out = await patchJpeg(
		file,
		area,
		MAX_PIXELS,
		async (jpeg, region) =>
			await replaceRegion(jpeg, region, painted(region, [250, 140, 20], 40), slice()),
		slice(),
		rows,
	);
	const blocks = decoded.mock.calls.length;
	decoded.mockRestore();
	return { out: Buffer.from(out), blocks };
}

const areas = (W: number, H: number): Array<[string, Box]> => [
	['the first MCU row', { left: 40, top: 2, width: 30, height: 5 }],
	['the middle', { left: 33, top: 61, width: 50, height: 29 }],
	['the last MCU row', { left: 60, top: H - 4, width: 40, height: 4 }],
	['the right edge', { left: W - 19, top: 41, width: 19, height: 30 }],
	['the last MCU', { left: W - 5, top: H - 5, width: 5, height: 5 }],
];

describe.each(['4:2:0', '4:4:4'] as const)('a %s JPEG', (sampling) => {
	it.each(areas(SIZE.width, SIZE.height))(
		'patched in %s from the rows noted: the same bytes, fewer blocks decoded',
		async (_, area) => {
			const file = await grainyJpeg(sampling);
			// As the crop reads it: down to the bottom of a box around the area.
			const rows = await rowsOf(file, area.top + area.height + 20);
			expect(rows).toBeDefined();
			const without = await patched(file, area);
			const withRows = await patched(file, area, rows);
			expect(withRows.out.equals(without.out)).toBe(true);
			const mcuHeight = sampling === '4:2:0' ? 16 : 8;
			if (area.top >= mcuHeight) expect(withRows.blocks).toBeLessThan(without.blocks);
			else expect(withRows.blocks).toBe(without.blocks);
		},
	);
});

it('a gray file (one component, its blocks the MCUs): the same band read from the rows noted', async () => {
	const file = fixture('gray.jpg'); // its tables lack codes the patch needs: the splice falls through
	const area = { left: 50, top: 60, width: 30, height: 20 };
	const bandOf = async (rows?: ScanRows) => {
		const read = await readJpegBand(file, area, MAX_PIXELS, slice(), rows);
		if (!read || !('band' in read)) throw new Error('no band');
		const { runs, jpeg, firstRow } = read.band;
		// The runs' blocks: past a run's end, a row's MCUs are not decoded when the next row's start is noted.
		const [{ coefficients, blocksPerLineForMcu: across }] = jpeg.components;
		const blocks = runs.flatMap(({ first, end }) =>
			Array.from({ length: end - first }, (_, i) => {
				const at = (Math.floor((first + i) / across) - firstRow) * across + ((first + i) % across);
				return Buffer.from(coefficients.subarray(at * 64, at * 64 + 64));
			}),
		);
		return { runs, blocks };
	};
	const rows = await rowsOf(file);
	expect(rows?.bits.length).toBeGreaterThan(8);
	expect(await bandOf(rows)).toEqual(await bandOf());
	const [without, withRows] = [await patched(file, area), await patched(file, area, rows)];
	expect(withRows.out.equals(without.out)).toBe(true);
});

it('notes nothing for files the splice does not take', async () => {
	expect(await rowsOf(fixture('progressive-420.jpg'))).toBeUndefined();
	expect(await rowsOf(fixture('restart-420.jpg'))).toBeUndefined();
});

describe('a record that is not of the file, or lacks the row, is not used', () => {
	const area = { left: 33, top: 61, width: 50, height: 29 };
	const cases: Array<[string, (rows: ScanRows) => unknown]> = [
		['one whose header hash differs', (rows) => (rows.header ^= 1)],
		['one of a file of another length', (rows) => (rows.fileLength += 1)],
		['one whose scan starts elsewhere', (rows) => (rows.dataStart += 2)],
		['one without the row (the crop read less)', (rows) => (rows.bits.length = 2)],
		['one with a bit past the file', (rows) => rows.bits.fill(1e9)],
		['one with a bit before the scan', (rows) => rows.bits.fill(-1)],
		['one with DCs missing', (rows) => (rows.dc.length = 3)],
	];
	it.each(cases)('%s', async (_, spoil) => {
		const file = await grainyJpeg('4:2:0');
		const rows = (await rowsOf(file))!;
		spoil(rows);
		const without = await patched(file, area);
		const withRows = await patched(file, area, rows);
		expect(withRows.out.equals(without.out)).toBe(true);
		expect(withRows.blocks).toBe(without.blocks);
	});

	it('another file’s rows (of the same size, another sampling)', async () => {
		const [file, other] = [await grainyJpeg('4:2:0'), await grainyJpeg('4:4:4')];
		const without = await patched(file, area);
		const withRows = await patched(file, area, await rowsOf(other));
		expect(withRows.out.equals(without.out)).toBe(true);
		expect(withRows.blocks).toBe(without.blocks);
	});

	it('is used when it is of the file (the cases above would pass if it never were)', async () => {
		const file = await grainyJpeg('4:2:0');
		const without = await patched(file, area);
		const withRows = await patched(file, area, await rowsOf(file));
		expect(withRows.out.equals(without.out)).toBe(true);
		expect(withRows.blocks).toBeLessThan(without.blocks);
	});
});

it('decodes each band row only to its run’s end where the next row’s start is noted', async () => {
	const file = await grainyJpeg('4:2:0');
	const area = { left: 33, top: 61, width: 50, height: 29 }; // MCU rows 3 to 5, columns 2 to 5
	const rows = (await rowsOf(file))!;
	// Only the band's first row noted: every band row is decoded to its end, as before.
	const firstOnly = { ...rows, bits: rows.bits.map((bit, row) => (row > 3 ? -1 : bit)) };
	const [without, whole, skipping] = [
		await patched(file, area),
		await patched(file, area, firstOnly),
		await patched(file, area, rows),
	];
	expect(whole.out.equals(without.out)).toBe(true);
	expect(skipping.out.equals(without.out)).toBe(true);
	// 13 MCUs a row, 6 blocks each: rows 3 to 5 stop after MCU 6 (the one after the patch).
	expect(whole.blocks - skipping.blocks).toBe(3 * (13 - 7) * 6);
});
