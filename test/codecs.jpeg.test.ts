/**
 * The JPEG decoder against jpeg-js, the reference: the same pixels within a small per-channel
 * tolerance (the IDCTs round differently and jpeg-js truncates where we round): the largest
 * difference at most 4, the mean at most 0.5. Then what must be refused, and refused cleanly.
 */
import * as jpeg from 'jpeg-js';

import { decodeImage } from '../nodes/ModelsLabInpaint/codecs/decodeImage';
import { decodeJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegDecode';
import { ImageDecodeError } from '../nodes/ModelsLabInpaint/codecs/raster';
import { TimeSlice } from '../nodes/shared/pacing/timeSlice';
import {
	difference,
	fixture,
	markerAt,
	slice,
	testPicture,
	withExifOrientation,
	withTicker,
} from './support/codecCorpus';

const MAX_DIFFERENCE = 4;
const MAX_MEAN_DIFFERENCE = 0.5;
const LIMITS = { maxPixels: 50_000_000 };

/** `colorTransform: false` for RGB files without an Adobe segment, which jpeg-js takes as YCbCr. */
const reference = (file: Uint8Array, colorTransform?: boolean) =>
	jpeg.decode(file, {
		useTArray: true,
		formatAsRGBA: true,
		maxMemoryUsageInMB: 2048,
		colorTransform,
	});

async function expectLikeReference(file: Uint8Array, colorTransform?: boolean) {
	const expected = reference(file, colorTransform);
	const { raster, format } = await decodeImage(file, LIMITS, slice());
	expect(format).toBe('jpeg');
	expect([raster.width, raster.height]).toEqual([expected.width, expected.height]);
	expect(raster.hasAlpha).toBe(false);
	const { max, mean } = difference(raster.rgba, expected.data);
	expect(max).toBeLessThanOrEqual(MAX_DIFFERENCE);
	expect(mean).toBeLessThanOrEqual(MAX_MEAN_DIFFERENCE);
}

const encoded = (width: number, height: number, quality = 90) =>
	new Uint8Array(jpeg.encode({ data: testPicture(width, height), width, height }, quality).data);

async function refusal(file: Uint8Array, maxPixels = LIMITS.maxPixels): Promise<ImageDecodeError> {
	const error = await decodeImage(file, { maxPixels }, slice()).then(
		() => undefined,
		(caught: unknown) => caught,
	);
	expect(error).toBeInstanceOf(ImageDecodeError);
	return error as ImageDecodeError;
}

describe('baseline 4:2:0 from jpeg-js’s encoder', () => {
	it.each([
		[1, 1],
		[8, 8],
		[17, 9],
		[64, 48],
		[301, 203],
	])('%i × %i', async (width, height) => {
		await expectLikeReference(encoded(width, height));
	});

	it.each([10, 50, 100])('quality %i', async (quality) => {
		await expectLikeReference(encoded(120, 80, quality));
	});
});

describe('fixtures made with ImageMagick and cjpeg (test/fixtures/codecs/make-fixtures.sh)', () => {
	it.each([
		'baseline-444.jpg',
		'baseline-422.jpg',
		'baseline-420.jpg',
		'baseline-440.jpg',
		'progressive-420.jpg',
		'progressive-444.jpg',
		'gray.jpg',
		'gray-progressive.jpg',
		'restart-420.jpg',
		'restart-progressive.jpg',
	])('%s', async (name) => {
		await expectLikeReference(fixture(name));
	});

	it('rgb.jpg: RGB components (ids "R", "G", "B"), not YCbCr', async () => {
		await expectLikeReference(fixture('rgb.jpg'), false);
	});

	it('reads gray pictures as gray', async () => {
		const { raster } = await decodeImage(fixture('gray.jpg'), LIMITS, slice());
		let colourful = 0;
		for (let i = 0; i < raster.rgba.length; i += 4) {
			if (raster.rgba[i + 1] !== raster.rgba[i] || raster.rgba[i + 2] !== raster.rgba[i]) {
				colourful++;
			}
		}
		expect(colourful).toBe(0);
	});
});

describe('Exif orientation', () => {
	it('is 1 when the file names none', async () => {
		expect((await decodeImage(fixture('baseline-420.jpg'), LIMITS, slice())).orientation).toBe(1);
	});

	it.each([
		[6, false],
		[8, true],
		[3, false],
	])('reads %i (big-endian: %s) and leaves the pixels as stored', async (orientation, big) => {
		const plain = fixture('baseline-420.jpg');
		const file = withExifOrientation(plain, orientation, big);
		const decoded = await decodeImage(file, LIMITS, slice());
		expect(decoded.orientation).toBe(orientation);
		const upright = await decodeImage(plain, LIMITS, slice());
		expect(decoded.raster.width).toBe(upright.raster.width);
		expect(Buffer.from(decoded.raster.rgba).equals(Buffer.from(upright.raster.rgba))).toBe(true);
	});

	it('takes an out-of-range value as upright', async () => {
		const file = withExifOrientation(fixture('baseline-420.jpg'), 99);
		expect((await decodeImage(file, LIMITS, slice())).orientation).toBe(1);
	});
});

describe('what it refuses, by name', () => {
	it('CMYK', async () => {
		expect((await refusal(fixture('cmyk.jpg'))).message).toMatch(/CMYK/);
	});

	it('arithmetic coding', async () => {
		expect((await refusal(fixture('arithmetic.jpg'))).message).toMatch(/arithmetic coding/);
	});

	it('12-bit samples', async () => {
		const file = fixture('baseline-420.jpg');
		file[markerAt(file, 0xc0) + 4] = 12;
		expect((await refusal(file)).message).toMatch(/12-bit/);
	});

	it('lossless and hierarchical frames', async () => {
		const lossless = fixture('baseline-420.jpg');
		lossless[markerAt(lossless, 0xc0) + 1] = 0xc3;
		expect((await refusal(lossless)).message).toMatch(/lossless/);
		const hierarchical = fixture('baseline-420.jpg');
		hierarchical[markerAt(hierarchical, 0xc0) + 1] = 0xc5;
		expect((await refusal(hierarchical)).message).toMatch(/hierarchical/);
	});

	it('a picture over the pixel limit, before allocating it', async () => {
		const file = fixture('baseline-420.jpg');
		const sof = markerAt(file, 0xc0);
		file.set([0xea, 0x60, 0xea, 0x60], sof + 5); // 60000 × 60000
		expect((await refusal(file)).message).toMatch(/60000 × 60000 pixels, more than/);
		expect((await refusal(fixture('baseline-420.jpg'), 100 * 100)).message).toMatch(/more than/);
	});
});

describe('damaged files', () => {
	it('cut short anywhere: refused, never hung', async () => {
		for (const name of ['baseline-420.jpg', 'progressive-420.jpg', 'restart-420.jpg']) {
			const file = fixture(name);
			for (let end = 3; end < file.length - 1; end += 97) {
				await refusal(file.subarray(0, end));
			}
			await refusal(file.subarray(0, file.length - 2)); // all but EOI
		}
	});

	it('garbage after the JPEG signature, and garbage in the scan data', async () => {
		let seed = 7;
		const noise = (length: number) =>
			Uint8Array.from({ length }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
		await refusal(Uint8Array.from([0xff, 0xd8, 0xff, ...noise(5000)]));
		// Flipped bytes in the scan data decode to wrong pixels or an error, in bounded time.
		const file = fixture('progressive-420.jpg');
		const scan = markerAt(file, 0xda) + 40;
		file.set(noise(200), scan);
		await decodeImage(file, LIMITS, slice()).catch((error: unknown) =>
			expect(error).toBeInstanceOf(ImageDecodeError),
		);
	});
});

describe('time slicing', () => {
	it('decodes a 2048 × 2048 JPEG in slices, letting the event loop turn', async () => {
		const file = encoded(2048, 2048, 90);
		const timeSlice = new TimeSlice();
		const { result, ticks, elapsedMs } = await withTicker(() =>
			decodeJpeg(file, LIMITS.maxPixels, timeSlice),
		);
		expect(result.raster.width).toBe(2048);
		expect(ticks).toBeGreaterThanOrEqual(3);
		// Sliced whatever the machine's load: no slice near the whole (bench measures the longest).
		expect(timeSlice.longestMs).toBeLessThan(elapsedMs / 2);
	});
});
