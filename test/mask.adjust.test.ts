/**
 * Masks fitted to the photo and adjusted (nodes/ModelsLabInpaint/mask/maskAdjust.ts and its
 * helpers), and encoded in time slices (codecs/png/grayPng.ts), read back with pngjs.
 */
import { encodeGrayPng, encodeGrayPngSliced } from '../nodes/ModelsLabInpaint/codecs/png/grayPng';
import {
	adjustMask,
	MAX_GROW_PIXELS,
	MAX_SOFT_EDGE_PIXELS,
	maskCoverage,
	resizeMask,
} from '../nodes/ModelsLabInpaint/mask/maskAdjust';
import { TimeSlice } from '../nodes/shared/pacing/timeSlice';
import {
	box,
	disc,
	drawGray,
	measuredRadius,
	readGrayPng,
	repainted,
	repaintedBox,
	seeded,
	type Size,
} from './support/masks';

const off = { invert: false, growPixels: 0, softEdgePixels: 0 };
const adjust = async (gray: Uint8Array, size: Size, changes: Partial<typeof off>) =>
	await adjustMask(gray, size, { ...off, ...changes }, new TimeSlice());

describe('resizeMask stretches the mask over the whole photo', () => {
	it('enlarges a 512 × 512 mask onto a 4032 × 3024 photo, the rectangle where it should be', async () => {
		const from = { width: 512, height: 512 };
		const to = { width: 4032, height: 3024 };
		const resized = await resizeMask(
			drawGray(from, box(128, 64, 192, 320)),
			from,
			to,
			new TimeSlice(),
		);
		expect(resized.length).toBe(to.width * to.height);
		const found = repaintedBox(resized, to);
		const [sx, sy] = [to.width / from.width, to.height / from.height];
		expect(Math.abs(found.left - 128 * sx)).toBeLessThanOrEqual(2);
		expect(Math.abs(found.right - 192 * sx)).toBeLessThanOrEqual(2);
		expect(Math.abs(found.top - 64 * sy)).toBeLessThanOrEqual(2);
		expect(Math.abs(found.bottom - 320 * sy)).toBeLessThanOrEqual(2);
		// Linear between pixel centres: the edge is a ramp about one old pixel wide, then flat.
		const row = Math.round(200 * sy) * to.width;
		expect(resized[row + Math.round(160 * sx)]).toBe(255);
		expect(resized[row + Math.round(100 * sx)]).toBe(0);
	});

	it('shrinks a 4032 × 3024 mask to 512 × 512 by area, the rectangle where it should be', async () => {
		const from = { width: 4032, height: 3024 };
		const to = { width: 512, height: 512 };
		const resized = await resizeMask(
			drawGray(from, box(1000, 400, 2500, 2000)),
			from,
			to,
			new TimeSlice(),
		);
		const found = repaintedBox(resized, to);
		const [sx, sy] = [to.width / from.width, to.height / from.height];
		expect(Math.abs(found.left - 1000 * sx)).toBeLessThanOrEqual(1);
		expect(Math.abs(found.right - 2500 * sx)).toBeLessThanOrEqual(1);
		expect(Math.abs(found.top - 400 * sy)).toBeLessThanOrEqual(1);
		expect(Math.abs(found.bottom - 2000 * sy)).toBeLessThanOrEqual(1);
		// Area averaging keeps the covered share: the rectangle's area scales exactly.
		const expected = 1500 * 1600 * sx * sy;
		expect(Math.abs(repainted(resized) - expected) / expected).toBeLessThan(0.01);
		// A one-pixel line fades to its covered share instead of vanishing or staying whole.
		const line = await resizeMask(
			drawGray(from, box(0, 1497, 4032, 1498)),
			from,
			to,
			new TimeSlice(),
		);
		const level = line[Math.floor(1497 * sy) * to.width + 100]; // that old row lies in one new row
		expect(level).toBeGreaterThan(30);
		expect(level).toBeLessThan(50);
	});

	it('handles one axis growing while the other shrinks, and 1-pixel sides', async () => {
		const from = { width: 100, height: 400 };
		const to = { width: 300, height: 50 };
		const resized = await resizeMask(
			drawGray(from, box(20, 100, 60, 300)),
			from,
			to,
			new TimeSlice(),
		);
		expect(repaintedBox(resized, to)).toEqual({ left: 60, top: 12, right: 180, bottom: 38 });
		const dot = await resizeMask(
			Uint8Array.of(200),
			{ width: 1, height: 1 },
			{ width: 7, height: 3 },
			new TimeSlice(),
		);
		expect([...dot]).toEqual(new Array(21).fill(200));
		const all = await resizeMask(
			new Uint8Array(21).fill(77),
			{ width: 7, height: 3 },
			{ width: 1, height: 1 },
			new TimeSlice(),
		);
		expect([...all]).toEqual([77]);
	});

	it('keeps a mask of the right size as it is, and refuses sizes that do not fit', async () => {
		const gray = Uint8Array.from({ length: 12 }, (_, i) => i * 20);
		const size = { width: 4, height: 3 };
		expect([...(await resizeMask(gray, size, size, new TimeSlice()))]).toEqual([...gray]);
		await expect(resizeMask(gray, { width: 5, height: 3 }, size, new TimeSlice())).rejects.toThrow(
			'A 5×3 mask has 15 gray levels, not 12',
		);
		await expect(resizeMask(gray, size, { width: 0, height: 3 }, new TimeSlice())).rejects.toThrow(
			'A mask cannot be 0×3 pixels',
		);
	});
});

describe('Grow and Shrink move the edge by a round distance', () => {
	const size = { width: 300, height: 260 };
	const circle = drawGray(size, disc(150, 130, 60));

	it.each([10, 20, 45])(
		'grows a disc of radius 60 by %i pixels, to radius 60 plus that',
		async (pixels) => {
			const grown = await adjust(circle, size, { growPixels: pixels });
			expect(Math.abs(measuredRadius(grown) - (60 + pixels))).toBeLessThanOrEqual(1);
			expect(new Set(grown)).toEqual(new Set([0, 255]));
		},
	);

	it.each([10, 30, 59])(
		'shrinks a disc of radius 60 by %i pixels, to radius 60 minus that',
		async (pixels) => {
			const shrunk = await adjust(circle, size, { growPixels: -pixels });
			expect(Math.abs(measuredRadius(shrunk) - (60 - pixels))).toBeLessThanOrEqual(1);
		},
	);

	it('removes everything when the shrink is wider than the shape', async () => {
		const shrunk = await adjust(circle, size, { growPixels: -61 });
		expect(await maskCoverage(shrunk, new TimeSlice())).toBe(0);
	});

	it('grows a single pixel into a round disc, not a square or an octagon', async () => {
		const dot = new Uint8Array(size.width * size.height);
		dot[130 * size.width + 150] = 255;
		const grown = await adjust(dot, size, { growPixels: 50 });
		expect(Math.abs(measuredRadius(grown) - 50)).toBeLessThan(0.5);
		expect(repaintedBox(grown, size)).toEqual({ left: 100, top: 80, right: 201, bottom: 181 });
		expect(grown[(130 - 35) * size.width + 150 + 35]).toBe(255); // 49.5 away: inside
		expect(grown[(130 - 36) * size.width + 150 + 36]).toBe(0); // 50.9 away: outside
	});

	it('matches brute-force Euclidean distances on random masks', async () => {
		const random = seeded(3);
		const small = { width: 37, height: 23 };
		for (let round = 0; round < 6; round++) {
			const density = [0.01, 0.05, 0.5, 0.97][round % 4];
			const gray = Uint8Array.from({ length: 37 * 23 }, () => (random() < density ? 200 : 40));
			for (const pixels of [1, 2.5, 4, 9, -1, -3, -6]) {
				const got = await adjust(gray, small, { growPixels: pixels });
				const wanted = (x: number, y: number) => {
					let nearest = Infinity;
					for (let v = 0; v < small.height; v++) {
						for (let u = 0; u < small.width; u++) {
							if (gray[v * small.width + u] >= 128 !== pixels > 0) continue;
							nearest = Math.min(nearest, (u - x) ** 2 + (v - y) ** 2);
						}
					}
					const within = nearest <= pixels * pixels;
					return (pixels > 0 ? within : !within) ? 255 : 0;
				};
				for (let y = 0; y < small.height; y++) {
					for (let x = 0; x < small.width; x++)
						expect([x, y, got[y * small.width + x]]).toEqual([x, y, wanted(x, y)]);
				}
			}
		}
	});

	it('leaves an empty mask empty and a full one full, whatever the distance', async () => {
		const empty = new Uint8Array(size.width * size.height);
		const full = new Uint8Array(size.width * size.height).fill(255);
		expect(await maskCoverage(await adjust(empty, size, { growPixels: 30 }), new TimeSlice())).toBe(
			0,
		);
		expect(await maskCoverage(await adjust(full, size, { growPixels: -30 }), new TimeSlice())).toBe(
			1,
		);
	});
});

describe('Soft Edge, Invert, their order, and coverage', () => {
	const size = { width: 400, height: 40 };
	const leftHalf = drawGray(size, box(0, 0, 200, 40));

	it.each([8, 20, 60])(
		'fades a straight edge over about %i pixels, centred on it',
		async (edge) => {
			const soft = await adjust(leftHalf, size, { softEdgePixels: edge });
			const row = soft.subarray(20 * size.width, 21 * size.width);
			const lastWhite = row.findIndex((value) => value < 249);
			const firstBlack = row.findIndex((value) => value <= 6);
			expect(Math.abs(firstBlack - lastWhite - edge)).toBeLessThanOrEqual(Math.max(2, edge * 0.15));
			expect(Math.abs(row[199] + row[200] - 255)).toBeLessThanOrEqual(4);
			for (let x = 1; x < size.width; x++) expect(row[x]).toBeLessThanOrEqual(row[x - 1]);
			// The picture's own edges do not fade: the left column stays white, the right one black.
			expect([row[0], row[size.width - 1]]).toEqual([255, 0]);
		},
	);

	it('inverts, so the repainted area is what the mask left out', async () => {
		const gray = Uint8Array.from({ length: 12 }, (_, i) => i * 23);
		const inverted = await adjust(gray, { width: 4, height: 3 }, { invert: true });
		expect([...inverted]).toEqual([...gray].map((value) => 255 - value));
		expect(
			(await maskCoverage(inverted, new TimeSlice())) + (await maskCoverage(gray, new TimeSlice())),
		).toBe(1);
	});

	it('inverts before growing: the inverted area grows, so the hole left by the disc shrinks', async () => {
		const square = { width: 300, height: 300 };
		const circle = drawGray(square, disc(150, 150, 80));
		const adjusted = await adjust(circle, square, { invert: true, growPixels: 25 });
		const hole = adjusted.map((value) => 255 - value);
		expect(Math.abs(measuredRadius(hole) - 55)).toBeLessThanOrEqual(1);
	});

	it('returns the mask as it is when nothing is asked, soft edges kept', async () => {
		const gray = Uint8Array.from({ length: 64 }, (_, i) => i * 4);
		expect(await adjust(gray, { width: 8, height: 8 }, {})).toBe(gray);
	});

	it('measures coverage as the share of pixels from 128 up', async () => {
		expect(await maskCoverage(Uint8Array.of(0, 127, 128, 255), new TimeSlice())).toBe(0.5);
		expect(
			await maskCoverage(drawGray({ width: 100, height: 100 }, box(0, 0, 50, 50)), new TimeSlice()),
		).toBe(0.25);
		expect(await maskCoverage(new Uint8Array(10).fill(255), new TimeSlice())).toBe(1);
		expect(await maskCoverage(new Uint8Array(0), new TimeSlice())).toBe(0);
	});

	it('refuses adjustments past the limits', async () => {
		expect([MAX_GROW_PIXELS, MAX_SOFT_EDGE_PIXELS]).toEqual([1024, 256]);
		const gray = new Uint8Array(4);
		const size = { width: 2, height: 2 };
		await expect(adjust(gray, size, { growPixels: 1025 })).rejects.toThrow('Grow must be');
		await expect(adjust(gray, size, { growPixels: NaN })).rejects.toThrow('Grow must be');
		await expect(adjust(gray, size, { softEdgePixels: -1 })).rejects.toThrow('Soft Edge must be');
		await expect(adjust(gray, size, { softEdgePixels: 257 })).rejects.toThrow('Soft Edge must be');
	});
});

describe('the sliced encoder', () => {
	it('makes the same PNG as the one at once, and pngjs reads it back exactly', async () => {
		const random = seeded(11);
		const sizes = [
			[1, 1],
			[7, 3],
			[13, 17],
			[100, 1],
			[1, 100],
			[257, 33],
			[1023, 61],
		];
		for (const [width, height] of sizes) {
			const noise = Uint8Array.from({ length: width * height }, () => Math.floor(random() * 256));
			const shaped = await adjust(
				drawGray({ width, height }, disc(width / 3, height / 2, width / 4 + 1)),
				{ width, height },
				{ growPixels: 2, softEdgePixels: 6 },
			);
			for (const pixels of [noise, shaped]) {
				const png = await encodeGrayPngSliced(width, height, pixels, new TimeSlice(0));
				expect(Buffer.from(png).equals(encodeGrayPng(width, height, pixels))).toBe(true);
				const read = readGrayPng(png);
				expect([read.width, read.height]).toEqual([width, height]);
				expect(Buffer.from(read.gray).equals(Buffer.from(pixels))).toBe(true);
			}
		}
	});

	it('reads back real-shaped masks at photo sizes', async () => {
		for (const size of [
			{ width: 333, height: 222 },
			{ width: 1001, height: 750 },
		]) {
			const from = { width: 64, height: 64 };
			const picture = drawGray(from, (x, y) => disc(32, 30, 18)(x, y) || box(5, 50, 60, 58)(x, y));
			const resized = await resizeMask(picture, from, size, new TimeSlice());
			const mask = await adjust(resized, size, {
				invert: true,
				growPixels: -7,
				softEdgePixels: 12,
			});
			const png = await encodeGrayPngSliced(size.width, size.height, mask, new TimeSlice());
			expect(Buffer.from(readGrayPng(png).gray).equals(Buffer.from(mask))).toBe(true);
		}
	});
});

describe('a 4096 × 4096 mask', () => {
	it('is resized, grown, softened and encoded without holding the event loop', async () => {
		const from = { width: 512, height: 512 };
		const size = { width: 4096, height: 4096 };
		const slice = new TimeSlice();
		let ticks = 0;
		const ticker = setInterval(() => ticks++, 1);
		const started = Date.now();
		try {
			const small = drawGray(
				from,
				(x, y) => disc(256, 256, 150)(x, y) || box(20, 20, 120, 60)(x, y),
			);
			const resized = await resizeMask(small, from, size, slice);
			const adjusted = await adjustMask(
				resized,
				size,
				{ invert: false, growPixels: 20, softEdgePixels: 10 },
				slice,
			);
			const png = await encodeGrayPngSliced(size.width, size.height, adjusted, slice);
			console.log(
				`4096² resize + grow 20 + soft edge 10 + encode: ${Date.now() - started} ms, longest slice ${slice.longestMs} ms, ticks ${ticks}, PNG ${png.length} bytes`,
			);
			// The disc's edge (x = 256 × 8 + 150 × 8 on its middle row) moved out by 20, softened by 10.
			const middle = adjusted.subarray(2048 * 4096, 2049 * 4096);
			expect(middle[3248 + 20 - 8]).toBeGreaterThanOrEqual(249);
			expect(Math.abs(middle[3248 + 20] - 128)).toBeLessThan(40);
			expect(middle[3248 + 20 + 8]).toBeLessThanOrEqual(6);
		} finally {
			clearInterval(ticker);
		}
		expect(ticks).toBeGreaterThanOrEqual(3);
		// Sliced whatever the machine's load: no slice near the whole (bench measures the longest).
		expect(slice.longestMs).toBeLessThan((Date.now() - started) / 2);
	}, 120_000);
});
