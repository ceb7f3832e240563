/**
 * A JPEG in the coefficient domain: its coefficients read without pixels, the pixels of a region
 * (byte for byte the full decode's), new pixels put into whole MCUs and the file written again,
 * every other block kept exactly, so every decoder (ours and jpeg-js) shows the same pixels there.
 */
import * as jpeg from 'jpeg-js';

import { decodeJpeg, readJpegCoefficients } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegDecode';
import { replaceRegion } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegPatch';
import {
	mcuAlignedBox,
	regionRaster,
	type JpegCoefficients,
} from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegRegion';
import { writeJpegCoefficients } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegRewrite';
import type { Box, Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import { TimeSlice } from '../nodes/shared/pacing/timeSlice';
import {
	changedOutside,
	painted,
	difference,
	fixture,
	markerAt,
	slice,
	testPicture,
	withExifOrientation,
	withTicker,
} from './support/codecCorpus';

const MAX_PIXELS = 50_000_000;

const CORPUS = [
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
	'rgb.jpg',
];

/** The box of a raster, copied out. */
function crop(raster: Raster, box: Box): Uint8Array {
	const out = new Uint8Array(box.width * box.height * 4);
	for (let y = 0; y < box.height; y++) {
		const from = ((box.top + y) * raster.width + box.left) * 4;
		out.set(raster.rgba.subarray(from, from + box.width * 4), y * box.width * 4);
	}
	return out;
}

/** Boxes over a 150 × 101 picture: whole, single pixels, edges, odd offsets. */
const BOXES: Box[] = [
	{ left: 0, top: 0, width: 150, height: 101 },
	{ left: 0, top: 0, width: 1, height: 1 },
	{ left: 149, top: 100, width: 1, height: 1 },
	{ left: 7, top: 9, width: 33, height: 17 },
	{ left: 15, top: 15, width: 2, height: 2 },
	{ left: 31, top: 40, width: 119, height: 61 },
	{ left: 64, top: 0, width: 17, height: 101 },
];

const coefficientsOf = async (file: Uint8Array) =>
	await readJpegCoefficients(file, MAX_PIXELS, slice());
const decoded = async (file: Uint8Array) => (await decodeJpeg(file, MAX_PIXELS, slice())).raster;

/** jpeg-js's pixels; `colorTransform` false for RGB files it would take as YCbCr. */
const reference = (file: Uint8Array, colorTransform?: boolean) =>
	jpeg.decode(file, { useTArray: true, formatAsRGBA: true, colorTransform }).data;

async function patched(file: Uint8Array, around: Box) {
	const coefficients = await coefficientsOf(file);
	const box = mcuAlignedBox(coefficients, around);
	const pixels = painted(box);
	await replaceRegion(coefficients, box, pixels, slice());
	return { box, pixels, coefficients, out: await writeJpegCoefficients(coefficients, slice()) };
}

describe('regionRaster', () => {
	it.each(CORPUS)('%s: each box byte for byte the full decode’s', async (name) => {
		const file = fixture(name);
		const full = await decoded(file);
		const coefficients = await coefficientsOf(file);
		expect([coefficients.width, coefficients.height]).toEqual([full.width, full.height]);
		for (const box of BOXES) {
			const region = await regionRaster(coefficients, box, slice());
			expect([region.width, region.height]).toEqual([box.width, box.height]);
			expect(Buffer.from(region.rgba).equals(Buffer.from(crop(full, box)))).toBe(true);
		}
	});

	it('refuses a box outside the picture', async () => {
		const coefficients = await coefficientsOf(fixture('baseline-420.jpg'));
		const box = { left: 140, top: 0, width: 20, height: 10 };
		await expect(regionRaster(coefficients, box, slice())).rejects.toThrow(RangeError);
	});
});

describe('mcuAlignedBox', () => {
	it('grows a box to whole MCUs, cut at the picture’s edges', async () => {
		const c420 = await coefficientsOf(fixture('baseline-420.jpg'));
		expect(mcuAlignedBox(c420, { left: 17, top: 5, width: 10, height: 20 })).toEqual({
			left: 16,
			top: 0,
			width: 16,
			height: 32,
		});
		expect(mcuAlignedBox(c420, { left: 140, top: 90, width: 10, height: 11 })).toEqual({
			left: 128,
			top: 80,
			width: 22,
			height: 21,
		});
		const c444 = await coefficientsOf(fixture('baseline-444.jpg'));
		expect(mcuAlignedBox(c444, { left: 17, top: 5, width: 10, height: 20 })).toEqual({
			left: 16,
			top: 0,
			width: 16,
			height: 32,
		});
		expect(mcuAlignedBox(c444, { left: 9, top: 9, width: 1, height: 1 })).toEqual({
			left: 8,
			top: 8,
			width: 8,
			height: 8,
		});
	});
});

describe('writeJpegCoefficients', () => {
	it.each(CORPUS)('%s unchanged: the same pixels, for us and for jpeg-js', async (name) => {
		const file = fixture(name);
		const coefficients = await coefficientsOf(file);
		const out = await writeJpegCoefficients(coefficients, slice());
		expect(out[markerAt(out, 0xc0) + 1]).toBe(0xc0); // baseline
		expect(
			Buffer.from((await decoded(out)).rgba).equals(Buffer.from((await decoded(file)).rgba)),
		).toBe(true);
		const rgb = name === 'rgb.jpg' ? false : undefined;
		// jpeg-js takes three components as YCbCr unless told, Adobe segment or not.
		expect(Buffer.from(reference(out, rgb)).equals(Buffer.from(reference(file, rgb)))).toBe(true);
	});

	it('keeps ids, sampling factors and quantization tables', async () => {
		for (const name of ['baseline-422.jpg', 'progressive-420.jpg', 'gray.jpg', 'rgb.jpg']) {
			const before = await coefficientsOf(fixture(name));
			const after = await coefficientsOf(await writeJpegCoefficients(before, slice()));
			const shape = (c: JpegCoefficients) =>
				c.components.map(({ id, h, v, quantization }) => ({ id, h, v, q: [...quantization] }));
			expect(shape(after)).toEqual(shape(before));
			expect(after.rgb).toBe(before.rgb);
			for (let i = 0; i < before.components.length; i++) {
				const [a, b] = [after.components[i], before.components[i]];
				expect(Buffer.from(a.coefficients.buffer).equals(Buffer.from(b.coefficients.buffer))).toBe(
					true,
				);
			}
		}
	});

	it('keeps the Exif segment and its orientation, and the ICC profile', async () => {
		const file = withExifOrientation(fixture('baseline-420.jpg'), 6);
		const coefficients = await coefficientsOf(file);
		expect(coefficients.orientation).toBe(6);
		const icc = Uint8Array.from([...Buffer.from('ICC_PROFILE\0', 'latin1'), 1, 1, 9, 8, 7]);
		coefficients.icc.push(icc);
		const out = await writeJpegCoefficients(coefficients, slice());
		const again = await coefficientsOf(out);
		expect(again.orientation).toBe(6);
		expect(Buffer.from(again.exif!).equals(Buffer.from(coefficients.exif!))).toBe(true);
		expect(again.icc.map((body) => [...body])).toEqual([[...icc]]);
	});

	it('writes a 16-bit quantization table as such (extended sequential, SOF1)', async () => {
		const coefficients = await coefficientsOf(fixture('baseline-444.jpg'));
		const table = coefficients.components[0].quantization;
		table[63] = 300;
		const out = await writeJpegCoefficients(coefficients, slice());
		expect(out[markerAt(out, 0xc1) + 1]).toBe(0xc1);
		expect((await coefficientsOf(out)).components[0].quantization[63]).toBe(300);
	});
});

describe('replaceRegion', () => {
	it.each(CORPUS)(
		'%s: exactly the original outside the MCUs, the new pixels inside',
		async (name) => {
			const file = fixture(name);
			const { box, pixels, out } = await patched(file, {
				left: 37,
				top: 21,
				width: 40,
				height: 30,
			});
			const before = await decoded(file);
			const after = await decoded(out);
			expect(changedOutside(after.rgba, before.rgba, before.width, box)).toBe(0);
			const rgb = name === 'rgb.jpg' ? false : undefined;
			const [jsBefore, jsAfter] = [reference(file, rgb), reference(out, rgb)];
			expect(changedOutside(jsAfter, jsBefore, before.width, box)).toBe(0);
			const inside = crop(after, box);
			const gray = name.startsWith('gray');
			const expected = gray ? grayOf(pixels.rgba) : pixels.rgba;
			const { max, mean } = difference(inside, expected);
			expect(mean).toBeLessThan(3);
			expect(max).toBeLessThan(gray ? 12 : 60); // colour edges of subsampled chroma at most
		},
	);

	it('covers the MCUs on the right and bottom edges (padding past the picture)', async () => {
		const file = fixture('baseline-420.jpg');
		const { box, pixels, out } = await patched(file, { left: 140, top: 95, width: 10, height: 6 });
		expect(box).toEqual({ left: 128, top: 80, width: 22, height: 21 });
		const after = await decoded(out);
		expect(changedOutside(after.rgba, (await decoded(file)).rgba, after.width, box)).toBe(0);
		expect(difference(crop(after, box), pixels.rgba).mean).toBeLessThan(3);
	});

	it('refuses a box that is not made of whole MCUs', async () => {
		const coefficients = await coefficientsOf(fixture('baseline-420.jpg'));
		const box = { left: 8, top: 0, width: 16, height: 16 };
		await expect(replaceRegion(coefficients, box, painted(box), slice())).rejects.toThrow(
			/whole MCUs/,
		);
	});

	it('works in time slices on a 1600 × 1200 picture', async () => {
		const [width, height] = [1600, 1200];
		const file = new Uint8Array(
			jpeg.encode({ data: testPicture(width, height), width, height }, 90).data,
		);
		const timeSlice = new TimeSlice();
		const { ticks, elapsedMs } = await withTicker(async () => {
			const coefficients = await readJpegCoefficients(file, MAX_PIXELS, timeSlice);
			const box = { left: 0, top: 0, width, height };
			await replaceRegion(
				coefficients,
				box,
				await regionRaster(coefficients, box, timeSlice),
				timeSlice,
			);
			return await writeJpegCoefficients(coefficients, timeSlice);
		});
		expect(ticks).toBeGreaterThanOrEqual(3);
		expect(timeSlice.longestMs).toBeLessThan(elapsedMs / 2);
	});
});

/** The luma a gray JPEG keeps of RGBA pixels, as RGBA. */
function grayOf(rgba: Uint8Array): Uint8Array {
	const out = new Uint8Array(rgba.length);
	for (let i = 0; i < rgba.length; i += 4) {
		const y = Math.round(0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]);
		out.set([y, y, y, 255], i);
	}
	return out;
}
