/**
 * applyOrientation (codecs/orient.ts) against the eight Exif orientations drawn out by hand: a
 * 3 × 2 picture whose pixels are numbered 1 to 6, as stored, and how each value shows it.
 */
import {
	applyOrientation,
	applyOrientationGray,
	storedBox,
	turnedSize,
	undoOrientation,
} from '../nodes/ModelsLabInpaint/codecs/orient';
import type { Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import { slice } from './support/codecCorpus';

/** Stored:  1 2 3
 *           4 5 6   (each pixel's red channel is its number). */
const stored: Raster = {
	width: 3,
	height: 2,
	rgba: Uint8Array.from([1, 2, 3, 4, 5, 6].flatMap((n) => [n, 10 * n, 100 + n, 255])),
	hasAlpha: false,
};

const numbers = (raster: Raster) =>
	Array.from({ length: raster.height }, (_, y) =>
		Array.from({ length: raster.width }, (_, x) => raster.rgba[(y * raster.width + x) * 4]),
	);

const expected: Record<number, number[][]> = {
	1: [
		[1, 2, 3],
		[4, 5, 6],
	],
	2: [
		[3, 2, 1],
		[6, 5, 4],
	],
	3: [
		[6, 5, 4],
		[3, 2, 1],
	],
	4: [
		[4, 5, 6],
		[1, 2, 3],
	],
	5: [
		[1, 4],
		[2, 5],
		[3, 6],
	],
	6: [
		[4, 1],
		[5, 2],
		[6, 3],
	],
	7: [
		[6, 3],
		[5, 2],
		[4, 1],
	],
	8: [
		[3, 6],
		[2, 5],
		[1, 4],
	],
};

it.each(Object.entries(expected))('orientation %s', async (orientation, grid) => {
	const turned = await applyOrientation(stored, Number(orientation), slice());
	expect(numbers(turned)).toEqual(grid);
	expect([turned.width, turned.height]).toEqual([grid[0].length, grid.length]);
	// Whole pixels move: the other channels go with the red one.
	for (let i = 0; i < turned.rgba.length; i += 4) {
		const n = turned.rgba[i];
		expect([turned.rgba[i + 1], turned.rgba[i + 2], turned.rgba[i + 3]]).toEqual([
			10 * n,
			100 + n,
			255,
		]);
	}
});

it('leaves the raster as it is for 1 and for values that are not orientations', async () => {
	for (const orientation of [1, 0, 9, -3, 2.5]) {
		expect(await applyOrientation(stored, orientation, slice())).toBe(stored);
	}
});

it('reads a raster whose bytes start at an odd offset of their buffer', async () => {
	const buffer = new Uint8Array(stored.rgba.length + 1);
	buffer.set(stored.rgba, 1);
	const shifted = { ...stored, rgba: buffer.subarray(1) };
	expect(numbers(await applyOrientation(shifted, 6, slice()))).toEqual(expected[6]);
});

it('turning by 6 then by 8 gives back the picture, on a large odd-sized one in slices', async () => {
	const width = 1001;
	const height = 777;
	const rgba = new Uint8Array(width * height * 4);
	for (let i = 0; i < rgba.length; i++) rgba[i] = (i * 2654435761) >>> 24;
	const raster = { width, height, rgba, hasAlpha: true };
	const back = await applyOrientation(await applyOrientation(raster, 6, slice()), 8, slice());
	expect([back.width, back.height, back.hasAlpha]).toEqual([width, height, true]);
	expect(Buffer.from(back.rgba).equals(Buffer.from(rgba))).toBe(true);
});

describe('the two frames: as stored and as shown', () => {
	/** A 7 × 5 stored picture whose pixel numbers (red, green) say where each is stored. */
	const size = { width: 7, height: 5 };
	const rgba = new Uint8Array(size.width * size.height * 4);
	for (let y = 0; y < size.height; y++)
		for (let x = 0; x < size.width; x++) rgba.set([x, y, 0, 255], (y * size.width + x) * 4);
	const numbered = { ...size, rgba, hasAlpha: false };

	it.each([1, 2, 3, 4, 5, 6, 7, 8])(
		'orientation %i: every box shown maps to the stored pixels it shows, and back',
		async (orientation) => {
			const shown = await applyOrientation(numbered, orientation, slice());
			expect(turnedSize(size, orientation)).toEqual({ width: shown.width, height: shown.height });
			for (const box of [
				{ left: 0, top: 0, width: 1, height: 1 },
				{ left: 1, top: 2, width: 3, height: 2 },
				{ left: 0, top: 0, width: shown.width, height: shown.height },
				{ left: shown.width - 2, top: shown.height - 3, width: 2, height: 3 },
			]) {
				const xs: number[] = [];
				const ys: number[] = [];
				for (let y = box.top; y < box.top + box.height; y++)
					for (let x = box.left; x < box.left + box.width; x++) {
						const at = (y * shown.width + x) * 4;
						xs.push(shown.rgba[at]);
						ys.push(shown.rgba[at + 1]);
					}
				expect(storedBox(box, orientation, size)).toEqual({
					left: Math.min(...xs),
					top: Math.min(...ys),
					width: Math.max(...xs) - Math.min(...xs) + 1,
					height: Math.max(...ys) - Math.min(...ys) + 1,
				});
			}
			// Turning back undoes it, for pixels and for gray levels turned the same way.
			const back = await applyOrientation(shown, undoOrientation(orientation), slice());
			expect(Buffer.from(back.rgba).equals(Buffer.from(rgba))).toBe(true);
			const gray = Uint8Array.from({ length: size.width * size.height }, (_, i) => i);
			const turnedGray = await applyOrientationGray(gray, size, orientation, slice());
			expect(Array.from(turnedGray)).toEqual(
				Array.from({ length: gray.length }, (_, i) => {
					const [x, y] = [shown.rgba[i * 4], shown.rgba[i * 4 + 1]];
					return y * size.width + x;
				}),
			);
		},
	);
});
