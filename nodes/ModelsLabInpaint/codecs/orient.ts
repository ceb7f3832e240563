import type { TimeSlice } from '../../shared/pacing/timeSlice';
import type { Box, Raster } from './raster';

/**
 * A picture turned to the way it is meant to be seen, from the Exif orientation its camera wrote
 * (1 to 8, TIFF 6.0 tag 0x0112): 1 as stored; 2 mirrored left to right; 3 turned 180°; 4 mirrored
 * top to bottom; 5 mirrored along the top-left to bottom-right diagonal; 6 turned 90° clockwise;
 * 7 mirrored along the other diagonal; 8 turned 90° counter-clockwise. 5 to 8 swap width and
 * height. Any other value counts as 1.
 *
 * Two frames follow: "stored" (the pixels as the file holds them) and "shown" (as n8n, browsers
 * and viewers display them, where a user draws a mask). Turning by `undoOrientation(o)` takes a
 * shown picture back to stored.
 *
 * Memory: the samples (the caller's) + the turned copy (4 bytes a pixel for a raster, 1 for gray
 * levels); orientation 1 returns the samples themselves.
 */

const isTurning = (orientation: number) =>
	Number.isInteger(orientation) && orientation >= 2 && orientation <= 8;

/** Whether the orientation turns the picture a quarter (5 to 8): shown as tall as stored wide. */
export const isQuarterTurn = (orientation: number) => isTurning(orientation) && orientation >= 5;

/** The orientation that takes a picture shown with `orientation` back to how it is stored. */
export const undoOrientation = (orientation: number) =>
	orientation === 6 ? 8 : orientation === 8 ? 6 : orientation;

/** A size in the other frame: width and height swapped by a quarter turn (either way). */
export function turnedSize(size: { width: number; height: number }, orientation: number) {
	const { width, height } = size;
	return isQuarterTurn(orientation) ? { width: height, height: width } : { width, height };
}

/**
 * Where the stored pixel for display pixel (0, 0) is, and how far to step in the stored pixels
 * per display column (`alongX`) and per display row (`alongY`), for each orientation.
 */
function walk(orientation: number, width: number, height: number) {
	const last = { x: width - 1, y: height - 1 };
	const at = (x: number, y: number) => y * width + x;
	switch (orientation) {
		case 2:
			return { start: at(last.x, 0), alongX: -1, alongY: width };
		case 3:
			return { start: at(last.x, last.y), alongX: -1, alongY: -width };
		case 4:
			return { start: at(0, last.y), alongX: 1, alongY: -width };
		case 5:
			return { start: at(0, 0), alongX: width, alongY: 1 };
		case 6:
			return { start: at(0, last.y), alongX: -width, alongY: 1 };
		case 7:
			return { start: at(last.x, last.y), alongX: -width, alongY: -1 };
		case 8:
			return { start: at(last.x, 0), alongX: width, alongY: -1 };
		default:
			return { start: 0, alongX: 1, alongY: width };
	}
}

/**
 * The box of stored pixels that shows as `box` (in a picture shown with `orientation`, whose
 * stored size is `stored`): its two corners walked back, the smaller and larger of each.
 */
export function storedBox(
	box: Box,
	orientation: number,
	stored: { width: number; height: number },
): Box {
	const { start, alongX, alongY } = walk(orientation, stored.width, stored.height);
	const point = (x: number, y: number) => {
		const index = start + x * alongX + y * alongY;
		return { x: index % stored.width, y: Math.floor(index / stored.width) };
	};
	const a = point(box.left, box.top);
	const b = point(box.left + box.width - 1, box.top + box.height - 1);
	const [left, top] = [Math.min(a.x, b.x), Math.min(a.y, b.y)];
	return { left, top, width: Math.abs(a.x - b.x) + 1, height: Math.abs(a.y - b.y) + 1 };
}

/** One sample per element (a gray level, or a whole RGBA pixel as 32 bits) walked into the shown order. */
async function turnSamples<T extends Uint8Array | Uint32Array>(
	from: T,
	size: { width: number; height: number },
	orientation: number,
	to: T,
	slice: TimeSlice,
): Promise<void> {
	const shown = turnedSize(size, orientation);
	const { start, alongX, alongY } = walk(orientation, size.width, size.height);
	for (let y = 0, o = 0; y < shown.height; y++) {
		for (let x = 0, i = start + y * alongY; x < shown.width; x++, i += alongX) to[o++] = from[i];
		if (slice.over) await slice.next();
	}
}

export async function applyOrientation(
	raster: Raster,
	orientation: number,
	slice: TimeSlice,
): Promise<Raster> {
	if (!isTurning(orientation)) return raster;
	const rgba = new Uint8Array(raster.width * raster.height * 4);
	// Whole pixels at a time; a raster's bytes may start anywhere in their buffer, so copy to a
	// 4-byte aligned one first when they do not.
	const source = raster.rgba.byteOffset % 4 === 0 ? raster.rgba : raster.rgba.slice();
	const from = new Uint32Array(source.buffer, source.byteOffset, raster.width * raster.height);
	await turnSamples(from, raster, orientation, new Uint32Array(rgba.buffer), slice);
	return { ...turnedSize(raster, orientation), rgba, hasAlpha: raster.hasAlpha };
}

/** Gray levels (one byte a pixel, `size` as they are) turned the same way. */
export async function applyOrientationGray(
	gray: Uint8Array,
	size: { width: number; height: number },
	orientation: number,
	slice: TimeSlice,
): Promise<Uint8Array> {
	if (!isTurning(orientation)) return gray;
	const turned = new Uint8Array(gray.length);
	await turnSamples(gray, size, orientation, turned, slice);
	return turned;
}
