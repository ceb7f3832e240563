/**
 * A box of a JPEG written from its coefficients (codecs/jpeg/jpegCrop.ts): the crop decodes to
 * exactly the pixels of the whole photo decoded and then cut to the box, with our decoder and with
 * jpeg-js. Exactly, at 4:2:0 too, because both decoders upsample chroma by repeating the nearest
 * sample (jpegIdct.ts; jpeg-js reads the sample at ⌊x · h / maxH⌋): with the box's left and top on
 * the MCU grid, every pixel of the crop takes the same chroma sample as in the photo. A decoder
 * with smooth (triangle) upsampling, like libjpeg's default, could differ by a level along the
 * crop's border, where it would mix in the chroma past the box; no such decoder is compared here.
 */
import * as jpeg from 'jpeg-js';

import { decodeImage } from '../nodes/ModelsLabInpaint/codecs/decodeImage';
import {
	cropCoefficients,
	cropMarks,
	onMcuGrid,
	spliceJpegCrop,
	writeJpegCrop,
} from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegCrop';
import { ScanRowsRecorder } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegScan';
import { encodingOf } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegSplice';
import { readJpegCoefficients } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegDecode';
import { mcuSize } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegRegion';
import type { Box } from '../nodes/ModelsLabInpaint/codecs/raster';
import {
	fixture,
	slice,
	testPicture,
	withExifOrientation,
	withTicker,
} from './support/codecCorpus';

const LIMIT = 50_000_000;

/** `colorTransform` false for RGB files, which jpeg-js takes as YCbCr whatever their markers. */
const jpegJs = (file: Uint8Array, colorTransform?: boolean) =>
	jpeg.decode(file, { useTArray: true, formatAsRGBA: true, colorTransform });

const ours = async (file: Uint8Array) =>
	(await decodeImage(file, { maxPixels: LIMIT }, slice())).raster;

/** `box` cut out of RGBA rows `width` pixels wide. */
function cut(rgba: Uint8Array, width: number, box: Box): Uint8Array {
	const out = new Uint8Array(box.width * box.height * 4);
	for (let y = 0; y < box.height; y++) {
		const from = ((box.top + y) * width + box.left) * 4;
		out.set(rgba.subarray(from, from + box.width * 4), y * box.width * 4);
	}
	return out;
}

/** How a crop is made: from the coefficients, or from the file's bits (undefined: it cannot). */
type CropWriter = (file: Uint8Array, box: Box) => Promise<Uint8Array | undefined>;

const fromCoefficients: CropWriter = async (file, box) =>
	await writeJpegCrop(await readJpegCoefficients(file, LIMIT, slice()), box, slice());

/** The file read as the node's crop reads it: down to the box's bottom, its box MCUs noted. */
async function readNoted(file: Uint8Array, box: Box) {
	const rows = new ScanRowsRecorder();
	const photo = await readJpegCoefficients(
		file,
		LIMIT,
		slice(),
		async (frame) => {
			rows.watch(cropMarks(frame, box));
			return box.top + box.height - 1;
		},
		rows.readScan,
	);
	return { photo, marks: rows.marks };
}

/** The crop as the node makes it: the box's MCUs' bits copied. */
const fromBits: CropWriter = async (file, box) => {
	const { photo, marks } = await readNoted(file, box);
	return marks && (await spliceJpegCrop(file, photo, box, marks, slice()));
};

/** The crop of `file` to `box` decodes, by both decoders, to the photo's pixels in the box. */
async function expectExactCrop(
	file: Uint8Array,
	box: Box,
	colorTransform?: boolean,
	writer = fromCoefficients,
) {
	const crop = (await writer(file, box))!;
	expect(crop).toBeDefined();
	const [whole, cropped] = [await ours(file), await ours(crop)];
	expect([cropped.width, cropped.height]).toEqual([box.width, box.height]);
	expect(Buffer.from(cropped.rgba).equals(Buffer.from(cut(whole.rgba, whole.width, box)))).toBe(
		true,
	);
	const [wholeJs, croppedJs] = [jpegJs(file, colorTransform), jpegJs(crop, colorTransform)];
	expect([croppedJs.width, croppedJs.height]).toEqual([box.width, box.height]);
	const expected = cut(wholeJs.data, wholeJs.width, box);
	expect(Buffer.from(croppedJs.data).equals(Buffer.from(expected))).toBe(true);
	return crop;
}

// The fixtures are 150 × 101 (test/fixtures/codecs/make-fixtures.sh).
const FIXTURES: Array<[string, { width: number; height: number }]> = [
	['baseline-420.jpg', { width: 16, height: 16 }],
	['baseline-422.jpg', { width: 16, height: 8 }],
	['baseline-440.jpg', { width: 8, height: 16 }],
	['baseline-444.jpg', { width: 8, height: 8 }],
	['gray.jpg', { width: 8, height: 8 }],
	['progressive-420.jpg', { width: 16, height: 16 }],
	['progressive-444.jpg', { width: 8, height: 8 }],
	['gray-progressive.jpg', { width: 8, height: 8 }],
	['restart-420.jpg', { width: 16, height: 16 }],
	['restart-progressive.jpg', { width: 8, height: 8 }],
];

describe('writeJpegCrop', () => {
	it.each(FIXTURES)(
		'%s: MCU multiples, the right and bottom edges, odd sizes',
		async (name, mcu) => {
			const file = fixture(name);
			expect(mcuSize(await readJpegCoefficients(file, LIMIT, slice()))).toEqual(mcu);
			const [x, y] = [mcu.width, mcu.height];
			// Whole MCUs inside; then to the photo's right and bottom edges (150 and 101 are no MCU
			// multiples); then a width and height that are not MCU multiples, inside the photo.
			await expectExactCrop(file, { left: x, top: y, width: 4 * x, height: 3 * y });
			await expectExactCrop(file, { left: 2 * x, top: y, width: 150 - 2 * x, height: 101 - y });
			await expectExactCrop(file, { left: x, top: 2 * y, width: 37, height: 29 });
			await expectExactCrop(file, { left: 0, top: 0, width: 150, height: 101 });
			await expectExactCrop(file, { left: 144, top: 96, width: 6, height: 5 });
		},
	);

	it('an RGB file (Adobe segment, ids "R", "G", "B") stays RGB', async () => {
		const crop = await expectExactCrop(
			fixture('rgb.jpg'),
			{ left: 8, top: 16, width: 99, height: 61 },
			false,
		);
		const coefficients = await readJpegCoefficients(crop, LIMIT, slice());
		expect(coefficients.rgb).toBe(true);
	});

	it('keeps the photo’s quantization and sampling, writes a baseline file without Exif', async () => {
		const file = withExifOrientation(fixture('progressive-420.jpg'), 1);
		const photo = await readJpegCoefficients(file, LIMIT, slice());
		expect(photo.exif).toBeDefined();
		const crop = await writeJpegCrop(photo, { left: 32, top: 16, width: 70, height: 50 }, slice());
		expect([crop[0], crop[1]]).toEqual([0xff, 0xd8]);
		const read = await readJpegCoefficients(crop, LIMIT, slice());
		expect(read.exif).toBeUndefined();
		expect(read.icc).toEqual([]);
		expect(read.components.map((c) => [c.id, c.h, c.v, Array.from(c.quantization)])).toEqual(
			photo.components.map((c) => [c.id, c.h, c.v, Array.from(c.quantization)]),
		);
		// Every block the crop shows is the photo's, coefficient for coefficient.
		const copied = await cropCoefficients(
			photo,
			{ left: 32, top: 16, width: 70, height: 50 },
			slice(),
		);
		for (const [i, c] of read.components.entries()) {
			const expected = copied.components[i];
			for (let row = 0; row < c.blocksPerColumn; row++) {
				const from = row * c.blocksPerLineForMcu * 64;
				const length = c.blocksPerLine * 64;
				expect(c.coefficients.subarray(from, from + length)).toEqual(
					expected.coefficients.subarray(from, from + length),
				);
			}
		}
	});

	it('takes coefficients read only down to the box’s bottom, as the crop reads them', async () => {
		const file = fixture('progressive-420.jpg');
		const box = { left: 16, top: 32, width: 80, height: 40 };
		const lastRow = box.top + box.height - 1;
		const partial = await readJpegCoefficients(file, LIMIT, slice(), async () => lastRow);
		const crop = await writeJpegCrop(partial, box, slice());
		const whole = await ours(file);
		const cropped = await ours(crop);
		expect(Buffer.from(cropped.rgba).equals(Buffer.from(cut(whole.rgba, whole.width, box)))).toBe(
			true,
		);
	});

	it('refuses a box off the MCU grid or outside the picture', async () => {
		const photo = await readJpegCoefficients(fixture('baseline-420.jpg'), LIMIT, slice());
		expect(onMcuGrid(photo, { left: 16, top: 32, width: 5, height: 5 })).toBe(true);
		expect(onMcuGrid(photo, { left: 8, top: 32, width: 5, height: 5 })).toBe(false);
		for (const box of [
			{ left: 8, top: 16, width: 32, height: 32 },
			{ left: 16, top: 4, width: 32, height: 32 },
			{ left: 128, top: 0, width: 32, height: 32 },
			{ left: 0, top: 96, width: 16, height: 6 },
		]) {
			await expect(writeJpegCrop(photo, box, slice())).rejects.toThrow(RangeError);
		}
	});

	it('writes a large crop in slices, letting the event loop turn', async () => {
		const [width, height] = [2048, 2048];
		const file = new Uint8Array(
			jpeg.encode({ data: testPicture(width, height), width, height }, 90).data,
		);
		const photo = await readJpegCoefficients(file, LIMIT, slice());
		const box = { left: 0, top: 0, width: 2048, height: 1536 };
		const { result, ticks } = await withTicker(() => writeJpegCrop(photo, box, slice()));
		expect(ticks).toBeGreaterThan(0);
		const cropped = await ours(result);
		const whole = await ours(file);
		expect(Buffer.from(cropped.rgba).equals(Buffer.from(cut(whole.rgba, width, box)))).toBe(true);
	});
});

describe('spliceJpegCrop', () => {
	// ImageMagick made the others with optimized tables that lack codes their crops need (below).
	const SPLICEABLE = FIXTURES.filter(([name]) =>
		['baseline-420.jpg', 'baseline-422.jpg', 'baseline-440.jpg'].includes(name),
	);

	it.each(SPLICEABLE)(
		'%s: the same pixels as the photo’s, from the file’s own bits',
		async (name, mcu) => {
			const file = fixture(name);
			const [x, y] = [mcu.width, mcu.height];
			// As for writeJpegCrop; and one MCU wide (no bits copied, only first MCUs coded again).
			await expectExactCrop(
				file,
				{ left: x, top: y, width: 4 * x, height: 3 * y },
				undefined,
				fromBits,
			);
			await expectExactCrop(
				file,
				{ left: 2 * x, top: y, width: 150 - 2 * x, height: 101 - y },
				undefined,
				fromBits,
			);
			await expectExactCrop(
				file,
				{ left: x, top: 2 * y, width: 37, height: 29 },
				undefined,
				fromBits,
			);
			await expectExactCrop(
				file,
				{ left: 0, top: 0, width: 150, height: 101 },
				undefined,
				fromBits,
			);
			await expectExactCrop(file, { left: 144, top: 96, width: 6, height: 5 }, undefined, fromBits);
			await expectExactCrop(
				file,
				{ left: 3 * x, top: y, width: x, height: 4 * y },
				undefined,
				fromBits,
			);
		},
	);

	it('holds the same coefficients as the crop written from them, with the photo’s tables and no Exif', async () => {
		const file = withExifOrientation(fixture('baseline-420.jpg'), 1);
		const box = { left: 32, top: 16, width: 70, height: 50 };
		const spliced = (await fromBits(file, box))!;
		const written = (await fromCoefficients(file, box))!;
		// The photo's own (optimized) tables: not the standard ones the writer uses.
		expect(Buffer.from(spliced).equals(Buffer.from(written))).toBe(false);
		const [a, b] = [
			await readJpegCoefficients(spliced, LIMIT, slice()),
			await readJpegCoefficients(written, LIMIT, slice()),
		];
		expect(a.exif).toBeUndefined();
		expect([a.width, a.height]).toEqual([70, 50]);
		for (const [i, c] of a.components.entries()) {
			expect(c.coefficients).toEqual(b.components[i].coefficients);
		}
	});

	it('is not made when the photo’s tables have no code for a first MCU’s new DC change', async () => {
		const file = fixture('gray.jpg');
		const box = { left: 24, top: 8, width: 8, height: 32 };
		const { photo, marks } = await readNoted(file, box);
		// Each row's one MCU (column 3) follows the previous row's in the crop (the first row: 0):
		// its DC changes by amounts whose size (T.81 F.1.2.1) a DC table of the file has no code for.
		const sizeOf = (value: number) =>
			value === 0 ? 0 : Math.floor(Math.log2(Math.abs(value))) + 1;
		const missing = photo.components.some((c, i) => {
			const codes = encodingOf(marks!.tables[i].dc);
			const dcAt = (row: number) => c.coefficients[(row * c.blocksPerLineForMcu + 3) * 64];
			return [1, 2, 3, 4].some((row) => {
				const change = dcAt(row) - (row === 1 ? 0 : dcAt(row - 1));
				return codes.lengths[sizeOf(change)] === 0;
			});
		});
		expect(missing).toBe(true);
		expect(await spliceJpegCrop(file, photo, box, marks!, slice())).toBeUndefined();
		expect(await spliceJpegCrop(file, photo, box, marks!, slice())).toBeUndefined();
	});

	it('is not made for files whose scan it cannot copy: progressive, restart markers', async () => {
		for (const name of ['progressive-420.jpg', 'restart-420.jpg', 'gray-progressive.jpg']) {
			expect(
				await fromBits(fixture(name), { left: 16, top: 16, width: 64, height: 48 }),
			).toBeFalsy();
		}
	});

	it('a large photo with stuffed bytes: each row’s bits land at another bit offset', async () => {
		const [width, height] = [1024, 768];
		const file = new Uint8Array(
			jpeg.encode({ data: testPicture(width, height), width, height }, 95).data,
		);
		expect(file.indexOf(0xff, 700)).toBeGreaterThan(0); // stuffed FF 00 pairs in the data
		for (const box of [
			{ left: 16, top: 32, width: 512, height: 400 },
			{ left: 496, top: 256, width: 528, height: 512 },
		]) {
			await expectExactCrop(file, box, undefined, fromBits);
		}
	});
});
