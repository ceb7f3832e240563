/**
 * Masks read from the pictures ModelsLab jobs return (nodes/ModelsLabInpaint/mask/maskFromPicture.ts):
 * each of the three kinds is recognised and turned into white = the object.
 */
import type { Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import { adjustMask, maskCoverage, resizeMask } from '../nodes/ModelsLabInpaint/mask/maskAdjust';
import { maskFromPicture } from '../nodes/ModelsLabInpaint/mask/maskFromPicture';
import { encodeGrayPngSliced } from '../nodes/ModelsLabInpaint/codecs/png/grayPng';
import { TimeSlice } from '../nodes/shared/pacing/timeSlice';
import { disc, drawGray, readGrayPng, seeded, type Size } from './support/masks';

const size = { width: 240, height: 180 };
const sofa = disc(130, 95, 50);
const truth = drawGray(size, sofa);

/** A picture whose pixel at (x, y) is `colour(x, y)`: red, green, blue, alpha. */
function picture(
	{ width, height }: Size,
	colour: (x: number, y: number) => [number, number, number, number],
	hasAlpha = false,
): Raster {
	const rgba = new Uint8Array(width * height * 4);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) rgba.set(colour(x + 0.5, y + 0.5), (y * width + x) * 4);
	}
	return { width, height, rgba, hasAlpha };
}

/** Pixels where the mask (thresholded at 128) disagrees with the shape. */
function mismatches(gray: Uint8Array, shape: Uint8Array): number {
	let count = 0;
	for (let i = 0; i < gray.length; i++) if (gray[i] >= 128 !== shape[i] >= 128) count++;
	return count;
}

const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));

/** A textured, colourful object: stripes of colour, with a dark patch in the middle. */
const objectColour = (x: number, y: number): [number, number, number, number] =>
	(x - 130) ** 2 + (y - 95) ** 2 < 15 ** 2
		? [8, 6, 10, 255]
		: [clamp(120 + 100 * Math.sin(x / 7)), clamp(90 + 60 * Math.cos(y / 5)), 200, 255];

const read = async (raster: Raster) => await maskFromPicture(raster, new TimeSlice());

describe('the kind of picture is recognised', () => {
	it('reads a black-and-white mask as its luminance, soft edges kept', async () => {
		const soft = await adjustMask(
			truth,
			size,
			{ invert: false, growPixels: 0, softEdgePixels: 8 },
			new TimeSlice(),
		);
		const raster = picture(size, (x, y) => {
			const level = soft[Math.floor(y) * size.width + Math.floor(x)];
			return [level, level, level, 255];
		});
		const { gray, form } = await read(raster);
		expect(form).toBe('mask');
		expect(mismatches(gray, truth)).toBeLessThan(10);
		expect(gray.filter((value) => value > 0 && value < 255).length).toBeGreaterThan(500);
		expect([gray[0], gray[95 * size.width + 130]]).toEqual([0, 255]);
	});

	it('reads a JPEG-noisy black-and-white mask as a clean mask', async () => {
		const random = seeded(5);
		const raster = picture(size, (x, y) => {
			// Blocky luma error and a little chroma noise, as JPEG leaves on a black-and-white picture.
			const block = ((Math.floor(x / 8) * 7 + Math.floor(y / 8) * 13) % 9) - 4;
			const level = (sofa(x, y) ? 245 : 9) + block + (random() - 0.5) * 12;
			const tint = () => (random() - 0.5) * 8;
			return [clamp(level + tint()), clamp(level + tint()), clamp(level + tint()), 255];
		});
		const { gray, form } = await read(raster);
		expect(form).toBe('mask');
		expect(mismatches(gray, truth)).toBe(0);
		expect(await maskCoverage(gray, new TimeSlice())).toBeCloseTo(
			await maskCoverage(truth, new TimeSlice()),
			5,
		);
		expect(Math.max(...gray.filter((_, i) => truth[i] === 0))).toBeLessThan(20);
	});

	it('reads a cutout on transparency by its alpha channel', async () => {
		const soft = await adjustMask(
			truth,
			size,
			{ invert: false, growPixels: 0, softEdgePixels: 4 },
			new TimeSlice(),
		);
		const raster = picture(
			size,
			(x, y) => {
				const alpha = soft[Math.floor(y) * size.width + Math.floor(x)];
				return alpha > 0
					? ([...objectColour(x, y).slice(0, 3), alpha] as [number, number, number, number])
					: [0, 0, 0, 0];
			},
			true,
		);
		const { gray, form } = await read(raster);
		expect(form).toBe('cutout');
		expect(Buffer.from(gray).equals(Buffer.from(soft))).toBe(true);
	});

	it('reads an opaque picture with an alpha channel by its colours', async () => {
		const raster = picture(
			size,
			(x, y) => (sofa(x, y) ? [255, 255, 255, 255] : [0, 0, 0, 255]),
			true,
		);
		const { gray, form } = await read(raster);
		expect(form).toBe('mask');
		expect(mismatches(gray, truth)).toBe(0);
	});

	it('reads an object on black by its difference from the background, dark parts included', async () => {
		const random = seeded(8);
		const raster = picture(size, (x, y) => {
			const noise = () => (random() - 0.5) * 14;
			const [r, g, b] = sofa(x, y) ? objectColour(x, y) : [0, 0, 0];
			return [clamp(r + noise()), clamp(g + noise()), clamp(b + noise()), 255];
		});
		const { gray, form } = await read(raster);
		expect(form).toBe('cutoutOnSolid');
		expect(mismatches(gray, truth)).toBeLessThan(20);
		expect(gray[95 * size.width + 130]).toBe(255); // the dark patch in the middle is the object
	});

	it('reads an object on a plain white background, touching the picture edge', async () => {
		const edgeSofa = disc(200, 95, 60);
		const raster = picture(size, (x, y) =>
			edgeSofa(x, y) ? objectColour(x, y) : [250, 250, 250, 255],
		);
		const { gray, form } = await read(raster);
		expect(form).toBe('cutoutOnSolid');
		expect(mismatches(gray, drawGray(size, edgeSofa))).toBeLessThan(20);
	});

	it('does not take a gray object on black for a black-and-white mask', async () => {
		const raster = picture(size, (x, y) => {
			const level = 110 + 50 * Math.sin(x / 9);
			return sofa(x, y) ? [level, level, level, 255] : [0, 0, 0, 255];
		});
		const { gray, form } = await read(raster);
		expect(form).toBe('cutoutOnSolid');
		expect(mismatches(gray, truth)).toBeLessThan(20);
	});

	it('refuses a photo, whose border has no one colour', async () => {
		const random = seeded(2);
		const photo = picture(size, () => [random() * 255, random() * 255, random() * 255, 255]);
		await expect(read(photo)).rejects.toThrow('The picture is not a mask');
	});

	it('refuses pixel data that does not fit the size', async () => {
		await expect(
			read({ width: 2, height: 2, rgba: new Uint8Array(15), hasAlpha: false }),
		).rejects.toThrow('A 2×2 picture cannot have 15 bytes of pixels');
	});
});

describe('the whole path, from a returned picture to the mask sent', () => {
	it.each([
		[1024, 768],
		[4032, 3024],
	])(
		'makes a %i × %i mask from a 512 × 512 object on black, in time slices',
		async (width, height) => {
			const from = { width: 512, height: 512 };
			const raster = picture(from, (x, y) =>
				disc(256, 256, 160)(x, y) ? objectColour(x, y) : [0, 0, 0, 255],
			);
			const slice = new TimeSlice();
			const started = Date.now();
			const { gray } = await maskFromPicture(raster, slice);
			const resized = await resizeMask(gray, from, { width, height }, slice);
			const adjusted = await adjustMask(
				resized,
				{ width, height },
				{ invert: false, growPixels: 20, softEdgePixels: 10 },
				slice,
			);
			const png = await encodeGrayPngSliced(width, height, adjusted, slice);
			console.log(
				`512² object on black → ${width}×${height} mask, grow 20, soft edge 10, PNG: ${Date.now() - started} ms, longest slice ${slice.longestMs} ms`,
			);
			expect(Buffer.from(readGrayPng(png).gray).equals(Buffer.from(adjusted))).toBe(true);
			// An ellipse of radii 160 × (width / 512) and 160 × (height / 512), grown by 20.
			const expected =
				(Math.PI * ((160 * width) / 512 + 20) * ((160 * height) / 512 + 20)) / (width * height);
			expect(Math.abs((await maskCoverage(adjusted, new TimeSlice())) - expected)).toBeLessThan(
				0.01,
			);
			// Sliced whatever the machine's load: no slice near the whole (bench measures the longest).
			expect(slice.longestMs).toBeLessThan((Date.now() - started) / 2);
		},
		120_000,
	);
});
