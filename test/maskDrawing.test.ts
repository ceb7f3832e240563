/**
 * Masks drawn from shapes (nodes/ModelsLabInpaint/mask/shapes.ts, encoded by codecs/png/grayPng.ts). Every PNG is read back twice: with the
 * simulator's independent decoder and, chunk by chunk, with Node's zlib (which checks the deflate
 * stream and its Adler-32). Pixels are compared with a brute-force reference computed here.
 */
import { crc32, inflateSync } from 'zlib';

import { encodeGrayPng, zlibCompress } from '../nodes/ModelsLabInpaint/codecs/png/grayPng';
import { TimeSlice } from '../nodes/shared/pacing/timeSlice';
import {
	MAX_FEATHER_PIXELS,
	checkMaskSpec,
	drawMask,
	type MaskShape,
	type MaskSpec,
} from '../nodes/ModelsLabInpaint/mask/shapes';

type ImageSize = { width: number; height: number };
import { decodePng } from '../simulator/png-codec';
import { withTicker } from './support/codecCorpus';
import { seeded } from './support/masks';

interface Chunk {
	type: string;
	data: Buffer;
}

/** Splits a PNG into chunks, checking the signature and each chunk's CRC with zlib's crc32. */
function chunksOf(png: Buffer): Chunk[] {
	expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
	const chunks: Chunk[] = [];
	for (let offset = 8; offset < png.length; ) {
		const length = png.readUInt32BE(offset);
		const type = png.toString('latin1', offset + 4, offset + 8);
		const data = png.subarray(offset + 8, offset + 8 + length);
		expect(png.readUInt32BE(offset + 8 + length)).toBe(
			crc32(png.subarray(offset + 4, offset + 8 + length)),
		);
		chunks.push({ type, data });
		offset += 12 + length;
	}
	return chunks;
}

/** The gray levels, read by the simulator's decoder and, independently, by zlib and unfiltering here. */
function readMask(png: Buffer, image: ImageSize): Uint8Array {
	const chunks = chunksOf(png);
	expect(chunks.map((chunk) => chunk.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
	const header = chunks[0].data;
	expect(header.length).toBe(13);
	expect(header.readUInt32BE(0)).toBe(image.width);
	expect(header.readUInt32BE(4)).toBe(image.height);
	expect([...header.subarray(8)]).toEqual([8, 0, 0, 0, 0]); // 8-bit grayscale, deflate, no interlace
	expect([...chunks[1].data.subarray(0, 2)]).toEqual([0x78, 0x01]);
	const raw = inflateSync(chunks[1].data); // checks the deflate data and the Adler-32
	const stride = image.width + 1;
	expect(raw.length).toBe(stride * image.height);
	const gray = new Uint8Array(image.width * image.height);
	for (let y = 0; y < image.height; y++) {
		const filter = raw[y * stride];
		expect([0, 1, 2]).toContain(filter);
		for (let x = 0; x < image.width; x++) {
			const left = x > 0 ? gray[y * image.width + x - 1] : 0;
			const up = y > 0 ? gray[(y - 1) * image.width + x] : 0;
			const predicted = filter === 1 ? left : filter === 2 ? up : 0;
			gray[y * image.width + x] = (raw[y * stride + 1 + x] + predicted) & 0xff;
		}
	}
	const raster = decodePng(png);
	expect([raster.width, raster.height]).toEqual([image.width, image.height]);
	const decoded = new Uint8Array(image.width * image.height);
	for (let i = 0; i < decoded.length; i++) {
		const [r, g, b, a] = raster.rgba.subarray(i * 4, i * 4 + 4);
		if (r !== g || g !== b || a !== 255) throw new Error(`Pixel ${i} is not opaque gray`);
		decoded[i] = r;
	}
	expect(Buffer.from(decoded).equals(Buffer.from(gray))).toBe(true);
	return gray;
}

/** Draws `spec` (in time slices, as the node does) and reads it back: pixel(x, y) is the gray level there. */
async function draw(spec: MaskSpec, image: ImageSize) {
	const png = (await drawMask(spec, image, new TimeSlice())).file;
	const gray = readMask(png, image);
	return { png, gray, pixel: (x: number, y: number) => gray[y * image.width + x] };
}

const rect = (
	left: number,
	top: number,
	width: number,
	height: number,
	unit: MaskShape['unit'] = 'pixels',
): MaskShape => ({
	kind: 'rectangle',
	left,
	top,
	width,
	height,
	unit,
});
const ellipse = (
	left: number,
	top: number,
	width: number,
	height: number,
	unit: MaskShape['unit'] = 'pixels',
): MaskShape => ({
	...rect(left, top, width, height, unit),
	kind: 'ellipse',
});
const mask = (
	shapes: MaskShape[],
	repaint: MaskSpec['repaint'] = 'inside',
	featherPixels = 0,
): MaskSpec => ({
	shapes,
	repaint,
	featherPixels,
});

/** A shape's box in pixels, computed here as documented: percent of the image's width or height. */
function boxInPixels(shape: MaskShape, image: ImageSize) {
	const sx = (value: number) => (shape.unit === 'percent' ? (value * image.width) / 100 : value);
	const sy = (value: number) => (shape.unit === 'percent' ? (value * image.height) / 100 : value);
	return {
		x0: sx(shape.left),
		y0: sy(shape.top),
		x1: sx(shape.left) + sx(shape.width),
		y1: sy(shape.top) + sy(shape.height),
	};
}

/**
 * Whether a pixel centre is in a shape, or undefined when it lies so close to an ellipse's outline
 * that the two formulations (here and in the module) may round differently.
 */
function insideReference(
	shape: MaskShape,
	image: ImageSize,
	cx: number,
	cy: number,
): boolean | undefined {
	const { x0, y0, x1, y1 } = boxInPixels(shape, image);
	if (shape.kind === 'rectangle') return cx >= x0 && cx < x1 && cy >= y0 && cy < y1;
	const rx = (x1 - x0) / 2;
	const ry = (y1 - y0) / 2;
	const lhs = (cx - (x0 + rx)) ** 2 * ry * ry + (cy - (y0 + ry)) ** 2 * rx * rx;
	const rhs = rx * rx * ry * ry;
	if (Math.abs(lhs - rhs) <= 1e-9 * rhs) return undefined;
	return lhs <= rhs;
}

/** A closed polygon, as the x and y of its corners. */
interface Polygon {
	xs: Float64Array;
	ys: Float64Array;
}

/**
 * The shape's outline as a closed polygon: the rectangle's corners, or 360 points on the ellipse
 * (whose chords stray from it by 0.001 pixel at most for the radii used here).
 */
function outline(shape: MaskShape, image: ImageSize): Polygon {
	const { x0, y0, x1, y1 } = boxInPixels(shape, image);
	if (shape.kind === 'rectangle') {
		return { xs: Float64Array.of(x0, x1, x1, x0), ys: Float64Array.of(y0, y0, y1, y1) };
	}
	const rx = (x1 - x0) / 2;
	const ry = (y1 - y0) / 2;
	const angles = Array.from({ length: 360 }, (_, i) => (2 * Math.PI * i) / 360);
	return {
		xs: Float64Array.from(angles, (angle) => x0 + rx + rx * Math.cos(angle)),
		ys: Float64Array.from(angles, (angle) => y0 + ry + ry * Math.sin(angle)),
	};
}

// Local copies: global lookups (Math, Infinity) are slow inside jest's sandbox, and this runs often.
const { min, max } = Math;

/** Brute force: the shortest distance from a point to any side of the polygon. */
function distanceToPolygon({ xs, ys }: Polygon, px: number, py: number): number {
	let best = Number.MAX_VALUE;
	for (let i = 0; i < xs.length; i++) {
		const next = i + 1 === xs.length ? 0 : i + 1;
		const dx = xs[next] - xs[i];
		const dy = ys[next] - ys[i];
		const t = max(0, min(1, ((px - xs[i]) * dx + (py - ys[i]) * dy) / (dx * dx + dy * dy)));
		const ex = px - xs[i] - t * dx;
		const ey = py - ys[i] - t * dy;
		best = min(best, ex * ex + ey * ey);
	}
	return Math.sqrt(best);
}

/**
 * The brute-force mask: each shape's value at each pixel centre (hard: inside or not; soft: the
 * documented ramp of the distance to the outline), the largest over the shapes, inverted for
 * 'outside'. Undefined where a hard ellipse edge is too close to call.
 */
function referenceMask(spec: MaskSpec, image: ImageSize): Array<number | undefined> {
	const outlines = spec.featherPixels > 0 ? spec.shapes.map((shape) => outline(shape, image)) : [];
	const values: Array<number | undefined> = [];
	for (let y = 0; y < image.height; y++) {
		for (let x = 0; x < image.width; x++) {
			let value: number | undefined = 0;
			spec.shapes.forEach((shape, index) => {
				const inside = insideReference(shape, image, x + 0.5, y + 0.5);
				let shapeValue: number | undefined;
				if (spec.featherPixels === 0)
					shapeValue = inside === undefined ? undefined : inside ? 255 : 0;
				else {
					const distance =
						distanceToPolygon(outlines[index], x + 0.5, y + 0.5) * (inside === false ? -1 : 1);
					shapeValue = 255 * Math.min(1, Math.max(0, 0.5 + distance / spec.featherPixels));
				}
				value =
					value === undefined || shapeValue === undefined ? undefined : Math.max(value, shapeValue);
			});
			values.push(
				value === undefined ? undefined : spec.repaint === 'outside' ? 255 - value : value,
			);
		}
	}
	return values;
}

describe('hard-edged masks, checked pixel by pixel at their edges', () => {
	it('a rectangle in pixels: white inside, black outside, its first and last rows and columns exact', async () => {
		const { pixel } = await draw(mask([rect(10, 20, 30, 40)]), { width: 100, height: 80 });
		// The image's corners and the shape's centre.
		expect([pixel(0, 0), pixel(99, 0), pixel(0, 79), pixel(99, 79)]).toEqual([0, 0, 0, 0]);
		expect(pixel(25, 40)).toBe(255);
		// The shape's corners, just inside, and their neighbours just outside.
		expect([pixel(10, 20), pixel(39, 20), pixel(10, 59), pixel(39, 59)]).toEqual([
			255, 255, 255, 255,
		]);
		expect([pixel(9, 20), pixel(10, 19), pixel(40, 20), pixel(39, 19)]).toEqual([0, 0, 0, 0]);
		expect([pixel(9, 59), pixel(10, 60), pixel(40, 59), pixel(39, 60)]).toEqual([0, 0, 0, 0]);
	});

	it('repaint outside: the same rectangle, inverted', async () => {
		const inside = (await draw(mask([rect(10, 20, 30, 40)]), { width: 100, height: 80 })).gray;
		const { gray, pixel } = await draw(mask([rect(10, 20, 30, 40)], 'outside'), {
			width: 100,
			height: 80,
		});
		expect([...gray]).toEqual([...inside].map((value) => 255 - value));
		expect([pixel(0, 0), pixel(25, 40), pixel(10, 20), pixel(9, 20)]).toEqual([255, 0, 0, 255]);
	});

	it('a rectangle in percent of the image: 25 %, 50 %, 50 %, 25 % of 200×100 is 50, 50, 100, 25 pixels', async () => {
		const { pixel } = await draw(mask([rect(25, 50, 50, 25, 'percent')]), {
			width: 200,
			height: 100,
		});
		expect([pixel(50, 50), pixel(149, 50), pixel(50, 74), pixel(149, 74), pixel(100, 62)]).toEqual([
			255, 255, 255, 255, 255,
		]);
		expect([
			pixel(49, 50),
			pixel(150, 50),
			pixel(50, 49),
			pixel(50, 75),
			pixel(0, 0),
			pixel(199, 99),
		]).toEqual([0, 0, 0, 0, 0, 0]);
	});

	it('an ellipse is the one inscribed in its box: its centre and the middles of its sides are in, the corners out', async () => {
		const { pixel } = await draw(mask([ellipse(0, 0, 100, 100)]), { width: 100, height: 100 });
		expect(pixel(50, 50)).toBe(255);
		expect([pixel(50, 0), pixel(0, 50), pixel(99, 50), pixel(50, 99)]).toEqual([
			255, 255, 255, 255,
		]);
		expect([pixel(0, 0), pixel(99, 0), pixel(0, 99), pixel(99, 99), pixel(10, 10)]).toEqual([
			0, 0, 0, 0, 0,
		]);
		// On the diagonal the outline crosses at 50 - 50 / √2 ≈ 14.64: pixel 14 (centre 14.5) is out, 15 in.
		expect([pixel(14, 14), pixel(15, 15), pixel(85, 85), pixel(84, 84)]).toEqual([0, 255, 0, 255]);
	});

	it('an ellipse in percent, repainting outside it', async () => {
		// 10 %, 20 %, 80 %, 60 % of 300×150: the box 30..270 × 30..120, centre (150, 75), radii 120 and 45.
		const { pixel } = await draw(mask([ellipse(10, 20, 80, 60, 'percent')], 'outside'), {
			width: 300,
			height: 150,
		});
		expect(pixel(150, 75)).toBe(0);
		expect([pixel(30, 75), pixel(269, 75), pixel(150, 30), pixel(150, 119)]).toEqual([0, 0, 0, 0]);
		expect([pixel(29, 75), pixel(270, 75), pixel(150, 29), pixel(150, 120)]).toEqual([
			255, 255, 255, 255,
		]);
		expect([pixel(0, 0), pixel(299, 149), pixel(31, 31)]).toEqual([255, 255, 255]);
	});

	it('several shapes make their union; outside, the rest of the image', async () => {
		const shapes = [rect(0, 0, 10, 10), ellipse(5, 5, 20, 10)];
		const { pixel } = await draw(mask(shapes), { width: 40, height: 20 });
		expect([pixel(0, 0), pixel(9, 9), pixel(15, 10), pixel(24, 10), pixel(7, 9)]).toEqual([
			255, 255, 255, 255, 255,
		]);
		expect([pixel(10, 0), pixel(25, 10), pixel(39, 19), pixel(24, 5)]).toEqual([0, 0, 0, 0]);
		const outside = await draw(mask(shapes, 'outside'), { width: 40, height: 20 });
		expect([outside.pixel(0, 0), outside.pixel(15, 10), outside.pixel(39, 19)]).toEqual([
			0, 0, 255,
		]);
	});

	it('a shape partly outside the image is clipped', async () => {
		const { pixel } = await draw(mask([rect(30, 10, 500, 500), ellipse(35, 15, 50, 50)]), {
			width: 40,
			height: 20,
		});
		expect([pixel(30, 10), pixel(39, 19), pixel(29, 19), pixel(39, 9)]).toEqual([255, 255, 0, 0]);
	});
});

describe('the PNG is exactly the image size', () => {
	it.each([
		[1, 1],
		[1, 500],
		[500, 1],
		[2, 3],
		[1023, 767],
		[767, 1023],
	])('%d×%d', async (width, height) => {
		const image = { width, height };
		const { gray } = await draw(
			mask([ellipse(0, 0, 50, 50, 'percent'), rect(50, 50, 50, 50, 'percent')], 'inside', 2),
			image,
		);
		expect(gray.length).toBe(width * height);
	});

	it('a 1×1 image: a shape over its centre makes it white, one beside it leaves it black', async () => {
		expect((await draw(mask([rect(0, 0, 1, 1)]), { width: 1, height: 1 })).pixel(0, 0)).toBe(255);
		expect((await draw(mask([rect(0.6, 0, 0.4, 1)]), { width: 1, height: 1 })).pixel(0, 0)).toBe(0);
		expect(
			(await draw(mask([rect(0, 0, 1, 1)], 'outside'), { width: 1, height: 1 })).pixel(0, 0),
		).toBe(0);
	});
});

describe('feathered edges', () => {
	it('a rectangle with an 8-pixel feather: a linear ramp across each edge, half inside and half outside', async () => {
		const { pixel } = await draw(mask([rect(20, 20, 40, 40)], 'inside', 8), {
			width: 80,
			height: 80,
		});
		const across = Array.from({ length: 80 }, (_, x) => pixel(x, 40));
		// Left edge at x = 20: centres 16.5..23.5 are on the ramp, 255 × (0.5 + (x + 0.5 - 20) / 8).
		expect(across.slice(14, 26)).toEqual([0, 0, 16, 48, 80, 112, 143, 175, 207, 239, 255, 255]);
		expect(across.slice(0, 40).every((value, x) => x === 0 || value >= across[x - 1])).toBe(true);
		expect(across.slice(40).every((value, x) => x === 0 || value <= across[40 + x - 1])).toBe(true);
		expect(pixel(40, 40)).toBe(255);
		expect(pixel(0, 0)).toBe(0);
		// A corner is rounded outside: the distance to the corner point counts.
		expect(pixel(17, 17)).toBe(Math.round(255 * Math.max(0, 0.5 - Math.hypot(2.5, 2.5) / 8)));
	});

	it('an ellipse with a feather: intermediate grays, rising monotonically towards the centre on every ray', async () => {
		const image = { width: 120, height: 90 };
		// Centre (60.5, 45.5), radii 50 and 30: the pixel centres of row 45 lie on the long axis.
		const { pixel } = await draw(mask([ellipse(10.5, 15.5, 100, 60)], 'inside', 10), image);
		const grays = new Set<number>();
		for (const angle of [0, 0.4, 1, Math.PI / 2, 2.2, Math.PI, 4, 5.5]) {
			let previous = 255;
			for (let step = 0; step <= 70; step++) {
				const x = Math.floor(60 + step * Math.cos(angle));
				const y = Math.floor(45 + step * Math.sin(angle));
				if (x < 0 || y < 0 || x >= image.width || y >= image.height) break;
				const value = pixel(x, y);
				expect(value).toBeLessThanOrEqual(previous);
				previous = value;
				grays.add(value);
			}
		}
		expect([...grays].filter((value) => value > 0 && value < 255).length).toBeGreaterThan(10);
		// On the axes the distance is exact: the outline crosses row 45 at x = 110.5.
		expect([pixel(109, 45), pixel(110, 45), pixel(111, 45)]).toEqual([153, 128, 102]);
	});

	it('repaint outside with a feather is the inside mask inverted', async () => {
		const image = { width: 60, height: 40 };
		const shapes = [ellipse(5, 5, 30, 20), rect(30, 10, 25, 25)];
		const inside = (await draw(mask(shapes, 'inside', 6), image)).gray;
		const outside = (await draw(mask(shapes, 'outside', 6), image)).gray;
		expect([...outside]).toEqual([...inside].map((value) => 255 - value));
	});

	it('overlapping feathered shapes: each pixel is the larger of the two', async () => {
		const image = { width: 60, height: 40 };
		const a = (await draw(mask([rect(5, 5, 25, 25)], 'inside', 6), image)).gray;
		const b = (await draw(mask([ellipse(20, 10, 35, 25)], 'inside', 6), image)).gray;
		const both = (
			await draw(mask([rect(5, 5, 25, 25), ellipse(20, 10, 35, 25)], 'inside', 6), image)
		).gray;
		expect([...both]).toEqual([...a].map((value, i) => Math.max(value, b[i])));
	});
});

describe('random shapes against the brute-force reference', () => {
	const random = seeded(20240611);
	const pick = <T>(values: T[]) => values[Math.floor(random() * values.length)];
	const randomShape = (image: ImageSize, minSize = 1): MaskShape => {
		const unit = pick<MaskShape['unit']>(['pixels', 'percent']);
		const kind = pick<MaskShape['kind']>(['rectangle', 'ellipse']);
		if (unit === 'percent') {
			const tenth = (max: number) => Math.round(random() * max * 10) / 10;
			const left = tenth(95);
			const top = tenth(95);
			return {
				kind,
				unit,
				left,
				top,
				width: Math.max(0.1, tenth(100)),
				height: Math.max(0.1, tenth(100)),
			};
		}
		const left = Math.floor(random() * (image.width - 1));
		const top = Math.floor(random() * (image.height - 1));
		const width = minSize + Math.floor(random() * image.width);
		const height = minSize + Math.floor(random() * image.height);
		return { kind, unit, left, top, width, height };
	};

	it('hard edges: 150 masks of 1 to 5 shapes match the reference exactly (bar outline ties)', async () => {
		let compared = 0;
		let ties = 0;
		for (let run = 0; run < 150; run++) {
			const image = { width: 1 + Math.floor(random() * 70), height: 1 + Math.floor(random() * 50) };
			const shapes = Array.from({ length: 1 + Math.floor(random() * 5) }, () => randomShape(image));
			const spec = mask(shapes, pick<MaskSpec['repaint']>(['inside', 'outside']));
			expect(checkMaskSpec(spec, image)).toBeUndefined();
			const { gray } = await draw(spec, image);
			const expected = referenceMask(spec, image);
			expected.forEach((value, i) => {
				if (value === undefined) ties++;
				else {
					compared++;
					if (gray[i] !== value)
						throw new Error(
							`Run ${run}, pixel ${i}: ${gray[i]} ≠ ${value} for ${JSON.stringify({ spec, image })}`,
						);
				}
			});
		}
		expect(ties).toBeLessThan(compared / 100);
	});

	it('soft rectangles: 40 masks match the brute-force distance ramp to within one gray level', async () => {
		for (let run = 0; run < 40; run++) {
			const image = { width: 8 + Math.floor(random() * 40), height: 8 + Math.floor(random() * 40) };
			const shapes = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
				...randomShape(image, 2),
				kind: 'rectangle' as const,
			}));
			const spec = mask(
				shapes,
				pick<MaskSpec['repaint']>(['inside', 'outside']),
				1 + Math.floor(random() * 12),
			);
			const { gray } = await draw(spec, image);
			referenceMask(spec, image).forEach((value, i) => {
				if (Math.abs(gray[i] - value!) > 1)
					throw new Error(
						`Run ${run}, pixel ${i}: ${gray[i]} vs ${value} for ${JSON.stringify({ spec, image })}`,
					);
			});
		}
	});

	it('soft ellipses: the approximate distance stays close to the brute-force one (exact for circles)', async () => {
		let worst = 0;
		for (let run = 0; run < 18; run++) {
			const image = { width: 64, height: 64 };
			const radiusX = 10 + random() * 16;
			const radiusY = run % 3 === 0 ? radiusX : radiusX * (0.6 + random() * 0.6);
			const shape = ellipse(32 - radiusX, 32 - radiusY, 2 * radiusX, 2 * radiusY);
			const feather = 2 + Math.floor(random() * 7);
			const spec = mask([shape], 'inside', feather);
			const { gray } = await draw(spec, image);
			const expected = referenceMask(spec, image);
			const tolerance = run % 3 === 0 ? 1 : 6;
			expected.forEach((value, i) => {
				const error = Math.abs(gray[i] - value!);
				if (run % 3 !== 0) worst = Math.max(worst, error);
				if (error > tolerance)
					throw new Error(
						`Run ${run}, pixel ${i}: ${gray[i]} vs ${value} for ${JSON.stringify(spec)}`,
					);
			});
		}
		console.log(
			`Soft ellipses (aspect 0.6 to 1.2, radii ≥ 10 px): largest gray-level difference from exact distance ${worst}`,
		);
	});
});

describe('the encoder', () => {
	it('a 1024×1024 mask stays tiny (and far under the 5 MB upload limit)', async () => {
		const image = { width: 1024, height: 1024 };
		const sizes: Record<string, number> = {};
		const cases: Record<string, MaskSpec> = {
			'one rectangle': mask([rect(200, 300, 500, 400)]),
			'one rectangle, feather 8': mask([rect(200, 300, 500, 400)], 'inside', 8),
			'one ellipse': mask([ellipse(112, 212, 800, 600)]),
			'one ellipse, feather 8': mask([ellipse(112, 212, 800, 600)], 'inside', 8),
			'20 ellipses, feather 256': mask(
				Array.from({ length: 20 }, (_, i) =>
					ellipse((i * 97) % 900, (i * 151) % 900, 100 + i * 11, 80 + i * 7),
				),
				'outside',
				MAX_FEATHER_PIXELS,
			),
		};
		for (const [name, spec] of Object.entries(cases)) {
			const { png, gray } = await draw(spec, image);
			expect(gray.length).toBe(1024 * 1024);
			sizes[name] = png.length;
		}
		console.log(`1024×1024 mask PNG sizes in bytes: ${JSON.stringify(sizes, null, 1)}`);
		expect(sizes['one rectangle']).toBeLessThan(20_000);
		expect(sizes['one ellipse']).toBeLessThan(20_000);
		expect(sizes['one rectangle, feather 8']).toBeLessThan(20_000);
		expect(sizes['one ellipse, feather 8']).toBeLessThan(50_000);
		// Soft gradients everywhere are the worst case for literals with fixed codes: still far under 5 MB.
		expect(sizes['20 ellipses, feather 256']).toBeLessThan(1_000_000);
	});

	it('noise, the worst case, decodes exactly and stays within 9/8 of the raw size', () => {
		const random = seeded(7);
		for (const [width, height] of [
			[1, 1],
			[3, 2],
			[257, 33],
			[1024, 64],
		]) {
			const pixels = Uint8Array.from({ length: width * height }, () => Math.floor(random() * 256));
			const png = encodeGrayPng(width, height, pixels);
			expect(Buffer.from(readMask(png, { width, height })).equals(Buffer.from(pixels))).toBe(true);
			expect(png.length).toBeLessThanOrEqual(Math.ceil(((width + 1) * height * 9) / 8) + 80);
		}
	});

	it('zlibCompress round-trips through zlib for runs, repeats, long matches and random data', () => {
		const random = seeded(99);
		const inputs: Uint8Array[] = [
			new Uint8Array(0),
			Uint8Array.of(42),
			new Uint8Array(100_000).fill(255),
			Uint8Array.from({ length: 70_000 }, (_, i) => (i % 300 < 150 ? 0 : (i * 7) & 0xff)),
			Uint8Array.from({ length: 5000 }, () => (random() < 0.9 ? 0 : Math.floor(random() * 256))),
			Uint8Array.from({ length: 5000 }, () => Math.floor(random() * 256)),
		];
		for (const data of inputs) {
			for (const rowLength of [0, 1, 300, 32768, 40000]) {
				expect(
					Buffer.from(inflateSync(zlibCompress(data, rowLength))).equals(Buffer.from(data)),
				).toBe(true);
			}
		}
		// Rows that repeat a non-trivial pattern are copied from the row above.
		const row = Uint8Array.from({ length: 1000 }, () => Math.floor(random() * 256));
		const rows = new Uint8Array(row.length * 50);
		for (let y = 0; y < 50; y++) rows.set(row, y * row.length);
		const compressed = zlibCompress(rows, row.length);
		expect(Buffer.from(inflateSync(compressed)).equals(Buffer.from(rows))).toBe(true);
		expect(compressed.length).toBeLessThan(row.length * 1.2 + 49 * 4 * 4);
	});

	it('refuses pixel data that does not fit the size', () => {
		expect(() => encodeGrayPng(2, 2, new Uint8Array(3))).toThrow('Expected 4 gray levels, got 3');
		expect(() => encodeGrayPng(0, 2, new Uint8Array(0))).toThrow('Cannot encode a 0×2 mask');
	});
});

describe('a mask larger than 4096 × 4096', () => {
	it('is drawn and encoded in time slices: 6000 × 4000, two soft shapes, repaint outside', async () => {
		const image = { width: 6000, height: 4000 };
		const spec = mask(
			[ellipse(10, 10, 50, 60, 'percent'), rect(3000, 500, 2500, 3000)],
			'outside',
			20,
		);
		const slice = new TimeSlice();
		const {
			result: png,
			ticks,
			elapsedMs,
		} = await withTicker(async () => (await drawMask(spec, image, slice)).file);
		console.log(
			`6000×4000 mask, 2 shapes, feather 20: ${elapsedMs} ms, longest slice ${slice.longestMs} ms, ticks ${ticks}, PNG ${png.length} bytes`,
		);
		const [header, data] = chunksOf(png);
		expect([header.data.readUInt32BE(0), header.data.readUInt32BE(4)]).toEqual([6000, 4000]);
		expect(inflateSync(data.data).length).toBe(6001 * 4000);
		expect(ticks).toBeGreaterThanOrEqual(3);
		// Sliced whatever the machine's load: no slice near the whole (bench measures the longest).
		expect(slice.longestMs).toBeLessThan(elapsedMs / 2);
	}, 60_000);

	it('is too large to encode at once: the sync encoder stops at 4096 × 4096', () => {
		expect(() => encodeGrayPng(4097, 4096, new Uint8Array(4097 * 4096))).toThrow(
			'Cannot encode a 4097×4096 mask at once: encode it in time slices',
		);
	});
});

describe('bad masks are refused before anything is drawn, naming the shape and the field', () => {
	const image = { width: 512, height: 256 };
	const good = rect(10, 10, 100, 100);
	const cases: Array<[string, MaskSpec, string]> = [
		['no shapes', mask([]), 'The mask needs at least one shape'],
		[
			'21 shapes',
			mask(Array.from({ length: 21 }, () => good)),
			'The mask has 21 shapes; at most 20 are allowed',
		],
		[
			'a negative width',
			mask([good, rect(10, 10, -5, 10)]),
			'Shape 2: "Width" must not be negative (got -5 pixels)',
		],
		[
			'a negative height',
			mask([rect(10, 10, 5, -1, 'percent')]),
			'Shape 1: "Height" must not be negative (got -1 %)',
		],
		[
			'a negative left',
			mask([good, good, ellipse(-1, 10, 5, 5)]),
			'Shape 3: "Left" must not be negative (got -1 pixels)',
		],
		[
			'a negative top',
			mask([rect(1, -0.5, 5, 5)]),
			'Shape 1: "Top" must not be negative (got -0.5 pixels)',
		],
		['NaN', mask([rect(1, 1, Number.NaN, 5)]), 'Shape 1: "Width" must be a number (got NaN)'],
		[
			'infinity',
			mask([good, rect(Infinity, 1, 5, 5)]),
			'Shape 2: "Left" must be a number (got Infinity)',
		],
		['text', mask([rect(1, '12' as never, 5, 5)]), 'Shape 1: "Top" must be a number (got "12")'],
		[
			'nothing',
			mask([rect(1, 1, 5, undefined as never)]),
			'Shape 1: "Height" must be a number (got undefined)',
		],
		[
			'a zero width',
			mask([good, rect(10, 10, 0, 10)]),
			'Shape 2: "Width" is 0 pixels, so the shape has no area',
		],
		[
			'a zero height in percent',
			mask([ellipse(10, 10, 10, 0, 'percent')]),
			'Shape 1: "Height" is 0 %, so the shape has no area',
		],
		[
			'over 100 %',
			mask([rect(10, 10, 100.5, 10, 'percent')]),
			'Shape 1: "Width" must be at most 100 % (got 100.5 %)',
		],
		[
			'a left over 100 %',
			mask([rect(120, 10, 10, 10, 'percent')]),
			'Shape 1: "Left" must be at most 100 % (got 120 %)',
		],
		[
			'a huge size in pixels',
			mask([rect(1, 1, 2e6, 10)]),
			'Shape 1: "Width" must be at most 1000000 pixels (got 2000000 pixels)',
		],
		[
			'right of the image',
			mask([good, rect(512, 0, 10, 10)]),
			'Shape 2: "Left" (512 pixels) is at or past the right edge of the 512×256 image, so the shape lies entirely outside it',
		],
		[
			'below the image',
			mask([ellipse(0, 100, 10, 10, 'percent')]),
			'Shape 1: "Top" (100 %) is at or past the bottom edge of the 512×256 image, so the shape lies entirely outside it',
		],
		[
			'an unknown kind',
			mask([{ ...good, kind: 'circle' as never }]),
			'Shape 1: "Kind" must be rectangle or ellipse (got "circle")',
		],
		[
			'an unknown unit',
			mask([{ ...good, unit: 'cm' as never }]),
			'Shape 1: "Unit" must be pixels or percent (got "cm")',
		],
		['not a shape', mask([null as never]), 'Shape 1 is not a shape (got null)'],
		[
			'an unknown repaint',
			mask([good], 'around' as never),
			'"Repaint" must be inside or outside (got "around")',
		],
		[
			'a negative feather',
			mask([good], 'inside', -1),
			'"Feather" must be 0 to 256 pixels (got -1)',
		],
		[
			'a feather over 256',
			mask([good], 'inside', 257),
			'"Feather" must be 0 to 256 pixels (got 257)',
		],
		[
			'a NaN feather',
			mask([good], 'inside', Number.NaN),
			'"Feather" must be 0 to 256 pixels (got NaN)',
		],
	];

	it.each(cases)('%s', async (_, spec, message) => {
		expect(checkMaskSpec(spec, image)).toBe(message);
		await expect(drawMask(spec, image, new TimeSlice())).rejects.toThrow(message);
	});

	it('a shapes list that is not a list, and images that cannot have a mask', () => {
		expect(checkMaskSpec({ repaint: 'inside', featherPixels: 0 } as never, image)).toBe(
			'The mask needs at least one shape',
		);
		expect(checkMaskSpec(mask([good]), { width: 0, height: 10 })).toBe(
			"The image's size must be whole pixels (got 0×10)",
		);
		expect(checkMaskSpec(mask([good]), { width: 10.5, height: 10 })).toBe(
			"The image's size must be whole pixels (got 10.5×10)",
		);
		// Up to 40 megapixels, as full resolution: 7744×5163 is drawn, 7745×5165 is not.
		expect(checkMaskSpec(mask([good]), { width: 7744, height: 5163 })).toBeUndefined();
		expect(checkMaskSpec(mask([good]), { width: 7745, height: 5165 })).toBe(
			'A mask can be drawn for images of up to 40 megapixels; the image is 7745×5165',
		);
	});

	it('the limits themselves are fine: 20 shapes, 100 %, feather 0 and 256, a shape reaching past the edges', () => {
		expect(checkMaskSpec(mask(Array.from({ length: 20 }, () => good)), image)).toBeUndefined();
		expect(
			checkMaskSpec(mask([rect(0, 0, 100, 100, 'percent')], 'outside', 256), image),
		).toBeUndefined();
		expect(
			checkMaskSpec(mask([ellipse(500, 250, 1000, 1000)], 'inside', 0), image),
		).toBeUndefined();
		expect(checkMaskSpec(mask([rect(99.9, 99.9, 100, 100, 'percent')]), image)).toBeUndefined();
	});
});
