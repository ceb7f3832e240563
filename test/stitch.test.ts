/**
 * Crop and stitch's primitives (nodes/ModelsLabInpaint/stitch/): the mask's bounds, the crop plan
 * for each endpoint's limits, resizing and cropping rasters, the seam's blend and the paste.
 */
import type { Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import type { SizeLimits } from '../nodes/ModelsLabInpaint/size/imageSize';
import {
	cropBoxFor,
	innerSides,
	maskBounds,
	type Box,
	type CropPlan,
} from '../nodes/ModelsLabInpaint/stitch/cropBox';
import { MAX_SOFT_EDGE_PIXELS } from '../nodes/ModelsLabInpaint/mask/maskAdjust';
import { softenMask } from '../nodes/ModelsLabInpaint/mask/maskBlur';
import { growMask } from '../nodes/ModelsLabInpaint/mask/maskDistance';
import { pasteWithSeam, seamBlend } from '../nodes/ModelsLabInpaint/stitch/paste';
import { cropGray, cropRaster, resizeRaster } from '../nodes/ModelsLabInpaint/stitch/resample';
import { TimeSlice } from '../nodes/shared/pacing/timeSlice';
import { encodeGrayPngSliced } from '../nodes/ModelsLabInpaint/codecs/png/grayPng';
import { cropForEndpoint, planWholePhoto } from '../nodes/ModelsLabInpaint/stitch/stitchPlan';
import { makePhoto } from '../simulator';
import { disc, drawGray, randomCropCase, seeded, type Size } from './support/masks';

const PHONE = { width: 4032, height: 3024 };
const UP_TO_1024: SizeLimits = { max: 1024 };
const COMMUNITY: SizeLimits = { min: 512, max: 1024, multipleOf: 8 };

/** A raster whose every pixel is `pixel(x, y)` → [r, g, b, a]. */
function rasterOf(
	{ width, height }: Size,
	pixel: (x: number, y: number) => number[],
	hasAlpha = false,
): Raster {
	const rgba = new Uint8Array(width * height * 4);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) rgba.set(pixel(x, y), (y * width + x) * 4);
	}
	return { width, height, rgba, hasAlpha };
}

const at = (raster: Raster, x: number, y: number) => [
	...raster.rgba.subarray((y * raster.width + x) * 4, (y * raster.width + x) * 4 + 4),
];

const contains = (outer: Box, inner: Box) =>
	inner.left >= outer.left &&
	inner.top >= outer.top &&
	inner.left + inner.width <= outer.left + outer.width &&
	inner.top + inner.height <= outer.top + outer.height;

/** Every promise a crop plan makes, whatever the case. */
function expectPlanHolds(plan: CropPlan, bounds: Box, photo: Size, limits: SizeLimits) {
	const { box, sendSize, scaled } = plan;
	const step = limits.multipleOf ?? 1;
	for (const value of [box.left, box.top, box.width, box.height]) {
		expect(Number.isInteger(value)).toBe(true);
	}
	expect(contains({ left: 0, top: 0, ...photo }, box)).toBe(true);
	expect(contains(box, bounds)).toBe(true);
	for (const side of [sendSize.width, sendSize.height]) {
		expect(side).toBeLessThanOrEqual(limits.max);
		expect(side).toBeGreaterThanOrEqual(limits.min ?? 1);
		expect(side % step).toBe(0);
	}
	expect(scaled).toBe(box.width !== sendSize.width || box.height !== sendSize.height);
	const outside = (side: number) => side > limits.max || side < (limits.min ?? 1);
	if (outside(box.width) || outside(box.height)) expect(scaled).toBe(true);
	// The aspect is kept when the photo let the box grow to match it.
	if (scaled && box.width < photo.width && box.height < photo.height) {
		const height = (box.height * sendSize.width) / box.width;
		expect(Math.abs(height - sendSize.height)).toBeLessThanOrEqual(1);
	}
}

describe('maskBounds', () => {
	const size = { width: 7, height: 5 };

	it('is undefined for an empty mask, and below the threshold', () => {
		expect(maskBounds(new Uint8Array(35), size)).toBeUndefined();
		expect(maskBounds(new Uint8Array(35).fill(99), size, 100)).toBeUndefined();
	});

	it('is one pixel for one pixel, wherever it is', () => {
		for (const [x, y] of [
			[0, 0],
			[6, 4],
			[3, 2],
			[6, 0],
		]) {
			const gray = new Uint8Array(35);
			gray[y * 7 + x] = 1;
			expect(maskBounds(gray, size)).toEqual({ left: x, top: y, width: 1, height: 1 });
		}
	});

	it('is the whole mask when it is full, and holds every pixel of a scattered one', () => {
		expect(maskBounds(new Uint8Array(35).fill(255), size)).toEqual({
			left: 0,
			top: 0,
			...size,
		});
		const gray = new Uint8Array(35);
		gray[1 * 7 + 5] = 255;
		gray[3 * 7 + 2] = 255;
		gray[2 * 7 + 4] = 40;
		expect(maskBounds(gray, size)).toEqual({ left: 2, top: 1, width: 4, height: 3 });
		expect(maskBounds(gray, size, 128)).toEqual({ left: 2, top: 1, width: 4, height: 3 });
		expect(maskBounds(gray, size, 255)).toEqual({ left: 2, top: 1, width: 4, height: 3 });
	});

	it('refuses a mask of the wrong length and a threshold out of 1..255', () => {
		expect(() => maskBounds(new Uint8Array(34), size)).toThrow(RangeError);
		expect(() => maskBounds(new Uint8Array(35), size, 0)).toThrow(RangeError);
	});
});

describe('cropBoxFor', () => {
	it('crops a small mask in a phone photo’s corner unscaled, its context on the inner sides', () => {
		const bounds = { left: 10, top: 20, width: 100, height: 80 };
		const plan = cropBoxFor(bounds, PHONE, UP_TO_1024);
		expectPlanHolds(plan, bounds, PHONE, UP_TO_1024);
		expect(plan.scaled).toBe(false);
		// 64 px of context each side, the part past the corner moved to the inner sides.
		expect(plan.box).toEqual({ left: 0, top: 0, width: 228, height: 208 });
		expect(plan.sendSize).toEqual({ width: 228, height: 208 });
	});

	it('pads a mask in the middle evenly by half its larger side', () => {
		const bounds = { left: 2000, top: 1500, width: 300, height: 200 };
		const plan = cropBoxFor(bounds, PHONE, UP_TO_1024);
		expect(plan.box).toEqual({ left: 1850, top: 1350, width: 600, height: 500 });
		expect(plan.scaled).toBe(false);
	});

	it('cuts the context rather than the resolution when the mask alone fits', () => {
		const bounds = { left: 1500, top: 1000, width: 700, height: 500 };
		const plan = cropBoxFor(bounds, PHONE, UP_TO_1024);
		expectPlanHolds(plan, bounds, PHONE, UP_TO_1024);
		expect(plan).toMatchObject({ scaled: false, sendSize: { width: 1024, height: 1024 } });
	});

	it('scales a large mask down to 1024, the aspect kept within a pixel', () => {
		const bounds = { left: 1200, top: 900, width: 1500, height: 1000 };
		const plan = cropBoxFor(bounds, PHONE, UP_TO_1024);
		expectPlanHolds(plan, bounds, PHONE, UP_TO_1024);
		expect(plan.scaled).toBe(true);
		expect(plan.sendSize.width).toBe(1024);
		expect(plan.box.width).toBeGreaterThan(1024);
	});

	it('gives the whole photo for a mask covering most of it', () => {
		const bounds = { left: 100, top: 80, width: 3800, height: 2800 };
		const plan = cropBoxFor(bounds, PHONE, UP_TO_1024);
		expect(plan).toEqual({
			box: { left: 0, top: 0, ...PHONE },
			sendSize: { width: 1024, height: 768 },
			scaled: true,
		});
	});

	it('meets Community Models’ limits: at least 512, multiples of 8, by growing the box', () => {
		const small = { left: 3000, top: 10, width: 100, height: 80 };
		const plan = cropBoxFor(small, PHONE, COMMUNITY);
		expectPlanHolds(plan, small, PHONE, COMMUNITY);
		expect(plan).toMatchObject({ scaled: false, sendSize: { width: 512, height: 512 } });
		const medium = { left: 1000, top: 1000, width: 301, height: 250 };
		const unscaled = cropBoxFor(medium, PHONE, COMMUNITY);
		expectPlanHolds(unscaled, medium, PHONE, COMMUNITY);
		expect(unscaled).toMatchObject({ scaled: false, sendSize: { width: 608, height: 552 } });
		const large = { left: 600, top: 300, width: 2000, height: 1700 };
		const scaled = cropBoxFor(large, PHONE, COMMUNITY);
		expectPlanHolds(scaled, large, PHONE, COMMUNITY);
		expect(scaled.scaled).toBe(true);
	});

	it('crops a photo smaller than the limits to the padded bounds or the whole photo', () => {
		const photo = { width: 800, height: 600 };
		const inner = { left: 250, top: 200, width: 300, height: 200 };
		expect(cropBoxFor(inner, photo, UP_TO_1024)).toEqual({
			box: { left: 100, top: 50, width: 600, height: 500 },
			sendSize: { width: 600, height: 500 },
			scaled: false,
		});
		const wide = { left: 50, top: 50, width: 700, height: 500 };
		expect(cropBoxFor(wide, photo, UP_TO_1024).box).toEqual({ left: 0, top: 0, ...photo });
		// Below Community Models' minimum the whole photo is sent, scaled up to 512.
		const tiny = { width: 400, height: 300 };
		const bounds = { left: 100, top: 100, width: 50, height: 50 };
		const plan = cropBoxFor(bounds, tiny, COMMUNITY);
		expectPlanHolds(plan, bounds, tiny, COMMUNITY);
		expect(plan).toEqual({
			box: { left: 0, top: 0, ...tiny },
			sendSize: { width: 680, height: 512 },
			scaled: true,
		});
	});

	it('handles a tall thin photo', () => {
		const photo = { width: 600, height: 4000 };
		const low = { left: 250, top: 3950, width: 100, height: 50 };
		const plan = cropBoxFor(low, photo, UP_TO_1024);
		expectPlanHolds(plan, low, photo, UP_TO_1024);
		expect(plan.box).toEqual({ left: 186, top: 3822, width: 228, height: 178 });
		const long = { left: 100, top: 100, width: 400, height: 3800 };
		for (const limits of [UP_TO_1024, COMMUNITY]) {
			const whole = cropBoxFor(long, photo, limits);
			expectPlanHolds(whole, long, photo, limits);
			expect(whole.box).toEqual({ left: 0, top: 0, ...photo });
			expect(whole.sendSize.height).toBe(1024);
		}
	});

	it('keeps every promise over 2000 random cases', () => {
		const random = seeded(20240611);
		const limitSets: SizeLimits[] = [
			UP_TO_1024,
			COMMUNITY,
			{ max: 768, multipleOf: 64 },
			{ min: 256, max: 2048 },
			{ min: 1024, max: 1024, multipleOf: 8 },
		];
		for (let i = 0; i < 2000; i++) {
			const { photo, bounds } = randomCropCase(random, i);
			const limits = limitSets[i % limitSets.length];
			expectPlanHolds(cropBoxFor(bounds, photo, limits), bounds, photo, limits);
		}
	});

	it('refuses bounds outside the photo and limits no side meets', () => {
		const photo = { width: 100, height: 100 };
		expect(() => cropBoxFor({ left: 90, top: 0, width: 20, height: 5 }, photo, UP_TO_1024)).toThrow(
			RangeError,
		);
		const bounds = { left: 0, top: 0, width: 5, height: 5 };
		expect(() => cropBoxFor(bounds, photo, { min: 900, max: 800 })).toThrow(RangeError);
	});
});

describe('resizeRaster, cropRaster and cropGray', () => {
	const slice = () => new TimeSlice();

	it('shrinks a checkerboard to its average and a gradient to its mean per area', async () => {
		const board = rasterOf({ width: 8, height: 6 }, (x, y) =>
			(x + y) % 2 ? [255, 0, 255, 255] : [0, 255, 0, 255],
		);
		const half = await resizeRaster(board, { width: 4, height: 3 }, slice());
		expect(half).toMatchObject({ width: 4, height: 3, hasAlpha: false });
		for (const value of half.rgba.filter((_, i) => i % 4 !== 3)) {
			expect(Math.abs(value - 127.5)).toBeLessThanOrEqual(0.5);
		}
		const ramp = rasterOf({ width: 256, height: 3 }, (x) => [x, 255 - x, 9, 200]);
		const shrunk = await resizeRaster(ramp, { width: 128, height: 1 }, slice());
		for (let x = 0; x < 128; x++) {
			const [r, g, b, a] = at(shrunk, x, 0);
			expect(Math.abs(r - (2 * x + 0.5))).toBeLessThanOrEqual(0.5);
			// Halves round to even, so r and g may each be half a level off their exact sum.
			expect(Math.abs(r + g - 255)).toBeLessThanOrEqual(1);
			expect([b, a]).toEqual([9, 200]);
		}
	});

	it('enlarges linearly between pixel centres, each channel on its own axis', async () => {
		const small = rasterOf({ width: 13, height: 9 }, (x, y) => [x * 20, y * 30, 77, 255], true);
		const large = await resizeRaster(small, { width: 31, height: 17 }, slice());
		expect(large).toMatchObject({ width: 31, height: 17, hasAlpha: true });
		for (let y = 0; y < 17; y++) {
			for (let x = 0; x < 31; x++) {
				const [r, g, b, a] = at(large, x, y);
				const expectedR = Math.min(Math.max((x + 0.5) * (13 / 31) - 0.5, 0), 12) * 20;
				const expectedG = Math.min(Math.max((y + 0.5) * (9 / 17) - 0.5, 0), 8) * 30;
				expect(Math.abs(r - expectedR)).toBeLessThanOrEqual(0.5);
				expect(Math.abs(g - expectedG)).toBeLessThanOrEqual(0.5);
				expect([b, a]).toEqual([77, 255]);
			}
		}
	});

	it('handles 1 × 1 and odd sizes, and returns the raster itself at its own size', async () => {
		const one = rasterOf({ width: 1, height: 1 }, () => [10, 20, 30, 40]);
		const spread = await resizeRaster(one, { width: 5, height: 3 }, slice());
		for (let i = 0; i < 15; i++)
			expect(at(spread, i % 5, Math.floor(i / 5))).toEqual([10, 20, 30, 40]);
		const odd = rasterOf({ width: 7, height: 5 }, (x, y) => [x * 10 + y, 50, 60, 255]);
		const dot = await resizeRaster(odd, { width: 1, height: 1 }, slice());
		expect(at(dot, 0, 0)).toEqual([32, 50, 60, 255]);
		const even = await resizeRaster(
			rasterOf({ width: 7, height: 5 }, () => [1, 2, 3, 4]),
			{ width: 3, height: 2 },
			slice(),
		);
		expect(even.rgba).toEqual(rasterOf({ width: 3, height: 2 }, () => [1, 2, 3, 4]).rgba);
		expect(await resizeRaster(odd, { width: 7, height: 5 }, slice())).toBe(odd);
		await expect(resizeRaster(odd, { width: 0, height: 5 }, slice())).rejects.toThrow(RangeError);
	});

	it('crops a raster and a mask to a box', () => {
		const photo = rasterOf({ width: 9, height: 7 }, (x, y) => [x, y, x + y, 255]);
		const crop = cropRaster(photo, { left: 2, top: 3, width: 4, height: 2 });
		expect(crop).toMatchObject({ width: 4, height: 2 });
		expect(at(crop, 0, 0)).toEqual([2, 3, 5, 255]);
		expect(at(crop, 3, 1)).toEqual([5, 4, 9, 255]);
		const gray = Uint8Array.from({ length: 63 }, (_, i) => i);
		expect([...cropGray(gray, photo, { left: 7, top: 5, width: 2, height: 2 })]).toEqual([
			52, 53, 61, 62,
		]);
		expect(() => cropRaster(photo, { left: 6, top: 0, width: 4, height: 1 })).toThrow(RangeError);
	});
});

describe('seamBlend and pasteWithSeam', () => {
	const photoSize = { width: 60, height: 40 };
	const box = { left: 10, top: 5, width: 36, height: 28 };
	const random = seeded(77);
	const noise = (size: Size) =>
		rasterOf(size, () => [random() * 256, random() * 256, random() * 256, random() * 256]);

	it('weights the mask and its feather fully, fades outward, and keeps a 0 ring', async () => {
		const mask = drawGray(box, disc(18, 14, 5));
		const blend = await seamBlend(mask, box, 4, new TimeSlice());
		for (let y = 0; y < box.height; y++) {
			for (let x = 0; x < box.width; x++) {
				const weight = blend[y * box.width + x];
				const ring = Math.min(x, y, box.width - 1 - x, box.height - 1 - y) < 2;
				if (ring) expect(weight).toBe(0);
				const distance = Math.hypot(x + 0.5 - 18, y + 0.5 - 14);
				// The mask and the inner half of the feather take the result whole.
				if (distance <= 6) expect(weight).toBe(255);
				if (distance >= 5 + 4 + 3) expect(weight).toBe(0);
			}
		}
		// Values in between exist: the seam is soft.
		expect(blend.some((weight) => weight > 20 && weight < 235)).toBe(true);
	});

	it('ramps a mask reaching the box’s edge down to the ring, but not on the photo’s border', async () => {
		const size = { width: 40, height: 30 };
		const full = new Uint8Array(40 * 30).fill(255);
		const blend = await seamBlend(full, size, 6, new TimeSlice());
		const row = 15 * 40;
		expect([...blend.subarray(row, row + 10)]).toEqual([
			0, 0, 36, 72, 109, 145, 182, 218, 255, 255,
		]);
		const sides = innerSides(
			{ left: 0, top: 0, width: 40, height: 30 },
			{ width: 100, height: 30 },
		);
		expect(sides).toEqual({ left: false, top: false, right: true, bottom: false });
		const open = await seamBlend(full, size, 6, new TimeSlice(), sides);
		expect(open[row]).toBe(255);
		expect(open[0]).toBe(255);
		expect(open[row + 39]).toBe(0);
	});

	it.each([1, 12, MAX_SOFT_EDGE_PIXELS])(
		'weighs a small mask in a large box as grown and softened over the whole box (feather %i)',
		async (feather) => {
			const size = { width: 260, height: 200 };
			// A disc with a soft rim, and a stray gray pixel: the work around them is all that runs.
			const mask = new Uint8Array(size.width * size.height).map((_, i) => {
				const [x, y] = [i % size.width, Math.floor(i / size.width)];
				const d = Math.hypot(x - 90, y - 120);
				return d < 20 ? 255 : d < 26 ? (26 - d) * 40 : x === 200 && y === 30 ? 90 : 0;
			});
			const none = { left: false, top: false, right: false, bottom: false };
			const blend = await seamBlend(mask, size, feather, new TimeSlice(), none);
			const grown = await growMask(mask, size, feather, new TimeSlice());
			const whole = await softenMask(grown, size, feather, new TimeSlice());
			expect([...blend]).toEqual([...whole].map((weight, i) => Math.max(weight, mask[i])));
		},
	);

	it('leaves every byte outside the box as it was, takes the result where the weight is 255', async () => {
		const original = noise(photoSize);
		const before = Uint8Array.from(original.rgba);
		const result = noise(box);
		const blend = await seamBlend(drawGray(box, disc(18, 14, 8)), box, 3, new TimeSlice());
		await pasteWithSeam(original, result, box, blend, new TimeSlice());
		let mixed = 0;
		for (let y = 0; y < photoSize.height; y++) {
			for (let x = 0; x < photoSize.width; x++) {
				const was = [...before.subarray((y * 60 + x) * 4, (y * 60 + x) * 4 + 4)];
				const now = at(original, x, y);
				const [bx, by] = [x - box.left, y - box.top];
				const inBox = bx >= 0 && by >= 0 && bx < box.width && by < box.height;
				const weight = inBox ? blend[by * box.width + bx] : 0;
				if (weight === 0) {
					expect(now).toEqual(was);
					continue;
				}
				expect(now[3]).toBe(was[3]);
				const got = at(result, bx, by);
				for (let c = 0; c < 3; c++) {
					const exact = (got[c] * weight + was[c] * (255 - weight)) / 255;
					expect(Math.abs(now[c] - exact)).toBeLessThanOrEqual(0.5);
					if (weight === 255) expect(now[c]).toBe(got[c]);
				}
				if (weight < 255) mixed++;
			}
		}
		expect(mixed).toBeGreaterThan(0);
	});

	it('refuses a result or blend of the wrong size and a box outside the photo', async () => {
		const original = noise(photoSize);
		const blend = new Uint8Array(box.width * box.height);
		const slice = new TimeSlice();
		await expect(
			pasteWithSeam(original, noise({ width: 3, height: 3 }), box, blend, slice),
		).rejects.toThrow(RangeError);
		await expect(
			pasteWithSeam(original, noise(box), box, blend.subarray(1), slice),
		).rejects.toThrow(RangeError);
		const outside = { ...box, left: 30 };
		await expect(pasteWithSeam(original, noise(outside), outside, blend, slice)).rejects.toThrow(
			RangeError,
		);
	});
});

describe('a phone photo’s worth of pixels yields to the event loop', () => {
	/** Runs `work` with a ticker on the event loop; how often it ran, and the longest slice. */
	async function whileTicking(work: (slice: TimeSlice) => Promise<unknown>) {
		let ticks = 0;
		const ticker = setInterval(() => ticks++, 5);
		const slice = new TimeSlice();
		const started = Date.now();
		try {
			await work(slice);
		} finally {
			clearInterval(ticker);
		}
		return { ticks, longestMs: slice.longestMs, elapsedMs: Date.now() - started };
	}

	const photo = rasterOf({ width: 1, height: 1 }, () => [0, 0, 0, 255]);
	photo.width = PHONE.width;
	photo.height = PHONE.height;
	photo.rgba = new Uint8Array(PHONE.width * PHONE.height * 4).map((_, i) => (i * 7) & 255);

	it('pastes a 4032 × 3024 box in slices, only the box changed', async () => {
		const original = { ...photo, rgba: Uint8Array.from(photo.rgba) };
		const result = { ...photo, rgba: new Uint8Array(photo.rgba.length).fill(200) };
		const blend = new Uint8Array(PHONE.width * PHONE.height).map((_, i) => i & 255);
		const whole = { left: 0, top: 0, ...PHONE };
		const { ticks, longestMs, elapsedMs } = await whileTicking((slice) =>
			pasteWithSeam(original, result, whole, blend, slice),
		);
		expect(ticks).toBeGreaterThanOrEqual(3);
		// Sliced whatever the machine's load: no slice near the whole (bench measures the longest).
		expect(longestMs).toBeLessThan(elapsedMs / 2);
		expect(at(original, 0, 0)).toEqual(at(photo, 0, 0));
		expect(at(original, 255, 0).slice(0, 3)).toEqual([200, 200, 200]);
	});

	it('resizes 4032 × 3024 to 1024 × 768 and back in slices', async () => {
		const { ticks, longestMs, elapsedMs } = await whileTicking(async (slice) => {
			const small = await resizeRaster(photo, { width: 1024, height: 768 }, slice);
			const back = await resizeRaster(small, PHONE, slice);
			expect(back.rgba.length).toBe(photo.rgba.length);
		});
		expect(ticks).toBeGreaterThanOrEqual(3);
		// Sliced whatever the machine's load: no slice near the whole (bench measures the longest).
		expect(longestMs).toBeLessThan(elapsedMs / 2);
	});

	it('makes the blend of a 4032 × 3024 mask crop in slices', async () => {
		const mask = drawGray({ width: 2000, height: 1500 }, disc(1000, 750, 500));
		const { ticks, longestMs, elapsedMs } = await whileTicking((slice) =>
			seamBlend(mask, { width: 2000, height: 1500 }, 32, slice),
		);
		expect(ticks).toBeGreaterThanOrEqual(3);
		// Sliced whatever the machine's load: no slice near the whole (bench measures the longest).
		expect(longestMs).toBeLessThan(elapsedMs / 2);
	});
});

describe('a mask the node made goes to the plan as its levels', () => {
	it('planned from its levels exactly as from its PNG, and refused at another size', async () => {
		const size = { width: 320, height: 240 };
		const gray = drawGray(size, disc(160, 120, 40));
		const photo = makePhoto(size.width, size.height);
		const file = await encodeGrayPngSliced(size.width, size.height, gray, new TimeSlice());
		const fromFile = await cropForEndpoint(photo, file, { min: 0, max: 1024 });
		const fromLevels = await cropForEndpoint(photo, { gray }, { min: 0, max: 1024 });
		expect(fromLevels?.plan.crop).toEqual(fromFile?.plan.crop);
		expect(
			Buffer.from(fromLevels!.plan.maskCrop).equals(Buffer.from(fromFile!.plan.maskCrop)),
		).toBe(true);
		expect(fromLevels?.files.mask.file.equals(fromFile!.files.mask.file)).toBe(true);
		await expect(planWholePhoto(photo, { gray: gray.subarray(0, 100) }, undefined)).rejects.toThrow(
			/not of the photo's size, 320×240/,
		);
	});
});
