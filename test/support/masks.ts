/** Helpers for the mask tests: seeded noise, drawn shapes, measurements and pngjs as the reference decoder. */

/** A small seeded generator (mulberry32), so every run checks the same "random" cases. */
export function seeded(seed: number) {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * A random photo (up to 6000×5000; every third one at most 300 wide) and mask bounds inside it,
 * from a seeded generator: the cases the crop box's promises are checked over.
 */
export function randomCropCase(random: () => number, index: number) {
	const pick = (below: number) => Math.floor(random() * below);
	const photo = { width: 1 + pick(index % 3 === 0 ? 300 : 6000), height: 1 + pick(5000) };
	const left = pick(photo.width);
	const top = pick(photo.height);
	const bounds = {
		left,
		top,
		width: 1 + pick(photo.width - left),
		height: 1 + pick(photo.height - top),
	};
	return { photo, bounds };
}

export interface Size {
	width: number;
	height: number;
}

/** A hard-edged mask: 255 where `inside(x + ½, y + ½)`, else 0. */
export function drawGray(
	{ width, height }: Size,
	inside: (x: number, y: number) => boolean,
): Uint8Array {
	const gray = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) if (inside(x + 0.5, y + 0.5)) gray[y * width + x] = 255;
	}
	return gray;
}

export const disc =
	(cx: number, cy: number, radius: number) =>
	(x: number, y: number): boolean =>
		(x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2;

export const box =
	(left: number, top: number, right: number, bottom: number) =>
	(x: number, y: number): boolean =>
		x >= left && x < right && y >= top && y < bottom;

/** The count of pixels from 128 up (repainted). */
export function repainted(gray: Uint8Array): number {
	let count = 0;
	for (const value of gray) if (value >= 128) count++;
	return count;
}

/** The radius of a disc with the mask's repainted area. */
export const measuredRadius = (gray: Uint8Array) => Math.sqrt(repainted(gray) / Math.PI);

/** The box holding every repainted pixel: left, top, right and bottom (exclusive). */
export function repaintedBox(gray: Uint8Array, { width, height }: Size) {
	let [left, top, right, bottom] = [width, height, 0, 0];
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			if (gray[y * width + x] < 128) continue;
			[left, top] = [Math.min(left, x), Math.min(top, y)];
			[right, bottom] = [Math.max(right, x + 1), Math.max(bottom, y + 1)];
		}
	}
	return { left, top, right, bottom };
}

/** The box (inclusive corners) of an RGBA picture's pixels whose red is above 0: a mask's white. */
export function whiteBounds(mask: { width: number; height: number; rgba: Uint8Array }) {
	const { width, height } = mask;
	let [left, top, right, bottom] = [width, height, -1, -1];
	for (let i = 0; i < width * height; i++)
		if (mask.rgba[i * 4] > 0) {
			const [x, y] = [i % width, Math.floor(i / width)];
			[left, top] = [Math.min(left, x), Math.min(top, y)];
			[right, bottom] = [Math.max(right, x), Math.max(bottom, y)];
		}
	return { left, top, right, bottom };
}

interface DecodedPng {
	width: number;
	height: number;
	data: Buffer;
}

// pngjs ships no types; only its synchronous reader is used.
const { PNG } = jest.requireActual<{ PNG: { sync: { read(png: Buffer): DecodedPng } } }>('pngjs');

/** A PNG's gray levels as pngjs reads them (which also checks every CRC and the zlib stream). */
export function readGrayPng(png: Buffer | Uint8Array): {
	width: number;
	height: number;
	gray: Uint8Array;
} {
	const decoded = PNG.sync.read(Buffer.from(png));
	const gray = new Uint8Array(decoded.width * decoded.height);
	for (let i = 0; i < gray.length; i++) {
		const [r, g, b, a] = decoded.data.subarray(i * 4, i * 4 + 4);
		if (r !== g || g !== b || a !== 255) throw new Error(`Pixel ${i} is not opaque gray`);
		gray[i] = r;
	}
	return { width: decoded.width, height: decoded.height, gray };
}
