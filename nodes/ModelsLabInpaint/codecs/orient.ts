import type { TimeSlice } from '../../shared/pacing/timeSlice';
import type { Raster } from './raster';

/**
 * A picture turned to the way it is meant to be seen, from the Exif orientation its camera wrote
 * (1 to 8, TIFF 6.0 tag 0x0112): 1 as stored; 2 mirrored left to right; 3 turned 180°; 4 mirrored
 * top to bottom; 5 mirrored along the top-left to bottom-right diagonal; 6 turned 90° clockwise;
 * 7 mirrored along the other diagonal; 8 turned 90° counter-clockwise. 5 to 8 swap width and
 * height. Any other value counts as 1.
 *
 * Memory: the raster (the caller's) + the turned copy (4 bytes a pixel); orientation 1 returns the
 * raster itself.
 */

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

export async function applyOrientation(
	raster: Raster,
	orientation: number,
	slice: TimeSlice,
): Promise<Raster> {
	if (!Number.isInteger(orientation) || orientation < 2 || orientation > 8) return raster;
	const swapped = orientation >= 5;
	const width = swapped ? raster.height : raster.width;
	const height = swapped ? raster.width : raster.height;
	const { start, alongX, alongY } = walk(orientation, raster.width, raster.height);
	const rgba = new Uint8Array(width * height * 4);
	// Whole pixels at a time; a raster's bytes may start anywhere in their buffer, so copy to a
	// 4-byte aligned one first when they do not.
	const source = raster.rgba.byteOffset % 4 === 0 ? raster.rgba : raster.rgba.slice();
	const from = new Uint32Array(source.buffer, source.byteOffset, raster.width * raster.height);
	const to = new Uint32Array(rgba.buffer);
	for (let y = 0, o = 0; y < height; y++) {
		for (let x = 0, i = start + y * alongY; x < width; x++, i += alongX) to[o++] = from[i];
		if (slice.over) await slice.next();
	}
	return { width, height, rgba, hasAlpha: raster.hasAlpha };
}
