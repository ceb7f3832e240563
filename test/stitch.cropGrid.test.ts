/**
 * cropBoxFor with a placement grid (a JPEG's MCU size, rule 4 of stitch/cropBox.ts): the box keeps
 * the size it has without the grid, and its left and top move to the nearest multiples of the grid
 * at which it still holds the bounds inside the photo; where there are none, it stays put.
 */
import type { SizeLimits } from '../nodes/ModelsLabInpaint/size/imageSize';
import { cropBoxFor, type Box } from '../nodes/ModelsLabInpaint/stitch/cropBox';
import { randomCropCase, seeded } from './support/masks';

const PHONE = { width: 4032, height: 3024 };
const UP_TO_1024: SizeLimits = { max: 1024 };
const COMMUNITY: SizeLimits = { min: 512, max: 1024, multipleOf: 8 };
const MCU_420 = { x: 16, y: 16 };

describe('cropBoxFor on a grid', () => {
	it('moves a mask’s box in the middle to the nearest grid lines, its size kept', () => {
		const bounds = { left: 2000, top: 1500, width: 300, height: 200 };
		expect(cropBoxFor(bounds, PHONE, UP_TO_1024).box).toEqual({
			left: 1850,
			top: 1350,
			width: 600,
			height: 500,
		});
		// 1856 is 6 px from 1850 (1840 is 10); 1344 is 6 px from 1350 (1360 is 10).
		expect(cropBoxFor(bounds, PHONE, UP_TO_1024, MCU_420)).toEqual({
			box: { left: 1856, top: 1344, width: 600, height: 500 },
			sendSize: { width: 600, height: 500 },
			scaled: false,
		});
		const mcu422 = cropBoxFor(bounds, PHONE, UP_TO_1024, { x: 16, y: 8 }).box;
		expect([mcu422.left, mcu422.top]).toEqual([1856, 1352]);
	});

	it('at the photo’s right and bottom edges, moves inward rather than out of the photo', () => {
		const bounds = { left: 3900, top: 2890, width: 100, height: 100 };
		// Without the grid the box ends at the photo's edges: 4032 − 228 = 3804, 3024 − 228 = 2796.
		expect(cropBoxFor(bounds, PHONE, UP_TO_1024).box).toEqual({
			left: 3804,
			top: 2796,
			width: 228,
			height: 228,
		});
		// 3808 and 2800 would leave the photo: 3792 and 2784, still holding the bounds.
		expect(cropBoxFor(bounds, PHONE, UP_TO_1024, MCU_420).box).toEqual({
			left: 3792,
			top: 2784,
			width: 228,
			height: 228,
		});
	});

	it('stays where it was when no grid line holds the bounds inside the photo', () => {
		// A mask on the right and bottom edges of a photo whose sides are no multiples of 16: the
		// box must end at the edge and start where the bounds' context ends, one place only.
		const photo = { width: 4030, height: 3021 };
		const bounds = { left: 3930, top: 2921, width: 100, height: 100 };
		const plain = cropBoxFor(bounds, photo, UP_TO_1024);
		expect(plain.box).toEqual({ left: 3802, top: 2793, width: 228, height: 228 });
		expect(cropBoxFor(bounds, photo, UP_TO_1024, MCU_420)).toEqual(plain);
		// One axis can move (1941 → 1936) while the other cannot.
		const low = { left: 2005, top: 2921, width: 100, height: 100 };
		expect(cropBoxFor(low, photo, UP_TO_1024, MCU_420).box).toEqual({
			left: 1936,
			top: 2793,
			width: 228,
			height: 228,
		});
	});

	it('places a scaled box on the grid too, and the whole photo at 0', () => {
		const large = { left: 1203, top: 905, width: 1500, height: 1000 };
		const plain = cropBoxFor(large, PHONE, UP_TO_1024);
		const onGrid = cropBoxFor(large, PHONE, UP_TO_1024, MCU_420);
		expect(onGrid.scaled).toBe(true);
		expect(onGrid.sendSize).toEqual(plain.sendSize);
		expect([onGrid.box.width, onGrid.box.height]).toEqual([plain.box.width, plain.box.height]);
		expect([onGrid.box.left % 16, onGrid.box.top % 16]).toEqual([0, 0]);
		const most = { left: 100, top: 80, width: 3800, height: 2800 };
		expect(cropBoxFor(most, PHONE, UP_TO_1024, MCU_420).box).toEqual({ left: 0, top: 0, ...PHONE });
	});

	it('refuses a grid that is not whole pixels', () => {
		const bounds = { left: 10, top: 10, width: 10, height: 10 };
		for (const grid of [
			{ x: 0, y: 16 },
			{ x: 16, y: 2.5 },
			{ x: -8, y: 8 },
		]) {
			expect(() => cropBoxFor(bounds, PHONE, UP_TO_1024, grid)).toThrow(RangeError);
		}
	});

	it('over 2000 random cases: the same size, aligned exactly when it can be, else unmoved', () => {
		const random = seeded(20261207);
		const limitSets: SizeLimits[] = [UP_TO_1024, COMMUNITY, { min: 256, max: 2048 }];
		const grids = [MCU_420, { x: 8, y: 8 }, { x: 16, y: 8 }, { x: 8, y: 16 }, { x: 24, y: 32 }];
		for (let i = 0; i < 2000; i++) {
			const { photo, bounds } = randomCropCase(random, i);
			const limits = limitSets[i % limitSets.length];
			const grid = grids[i % grids.length];
			const plain = cropBoxFor(bounds, photo, limits);
			const onGrid = cropBoxFor(bounds, photo, limits, grid);
			expect(onGrid.sendSize).toEqual(plain.sendSize);
			expect(onGrid.scaled).toBe(plain.scaled);
			const axes: Array<[keyof Box, keyof Box, number, number]> = [
				['left', 'width', grid.x, photo.width],
				['top', 'height', grid.y, photo.height],
			];
			for (const [start, span, step, length] of axes) {
				const [at, size, was] = [onGrid.box[start], onGrid.box[span], plain.box[start]];
				expect(size).toBe(plain.box[span]);
				// Every start from `lowest` to `highest` holds the bounds inside the photo.
				const lowest = Math.max(0, bounds[start] + bounds[span] - size);
				const highest = Math.min(bounds[start], length - size);
				expect(at).toBeGreaterThanOrEqual(lowest);
				expect(at).toBeLessThanOrEqual(highest);
				const first = Math.ceil(lowest / step) * step;
				if (first > highest) {
					expect(at).toBe(was);
					continue;
				}
				expect(at % step).toBe(0);
				// The nearest such multiple to where the box was.
				for (let other = first; other <= highest; other += step) {
					expect(Math.abs(at - was)).toBeLessThanOrEqual(Math.abs(other - was));
				}
			}
		}
	});
});
