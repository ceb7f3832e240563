/**
 * The pixel moves of crop and stitch: a photo cropped to the box sent, the box resized to what the
 * endpoint takes and the result back to the box's size, the mask cropped alike.
 *
 * Resizing is resampleAxes.ts's, the same as a mask's: the average of the area each new pixel
 * covers when an axis shrinks, linear between pixel centres when it grows. The four channels are
 * resampled alike and apart, alpha straight (not premultiplied): the photos sent are opaque, and
 * the paste keeps the original's alpha anyway.
 *
 * Memory: cropping allocates the crop only (4 bytes a pixel for a raster, 1 for a mask); resizing
 * holds the input, the result and one picture in between (see resampleAxes.ts).
 */

import type { TimeSlice } from '../../shared/pacing/timeSlice';
import { checkBoxInside, type Raster } from '../codecs/raster';
import type { Box, PixelArea } from './cropBox';
import { resizeSamples } from './resampleAxes';

const isWhole = (value: number) => Number.isInteger(value) && value >= 1;

function checkRaster({ width, height, rgba }: Raster): void {
	if (!isWhole(width) || !isWhole(height) || rgba.length !== width * height * 4) {
		throw new RangeError(`A ${width}×${height} raster cannot have ${rgba.length} bytes`);
	}
}

/**
 * The raster stretched to `to` (aspect as given): a new raster, or this one when the sizes are
 * equal. Memory: the input, the result and the picture in between, 4 bytes a pixel each.
 */
export async function resizeRaster(
	raster: Raster,
	to: PixelArea,
	slice: TimeSlice,
): Promise<Raster> {
	checkRaster(raster);
	if (!isWhole(to.width) || !isWhole(to.height)) {
		throw new RangeError(`A raster cannot be resized to ${to.width}×${to.height}`);
	}
	if (to.width === raster.width && to.height === raster.height) return raster;
	const rgba = await resizeSamples(raster.rgba, raster, to, 4, slice);
	return { width: to.width, height: to.height, rgba, hasAlpha: raster.hasAlpha };
}

/** The raster's pixels in `box`, as a new raster. Memory: the crop only (4 bytes a pixel). */
export function cropRaster(raster: Raster, box: Box): Raster {
	checkRaster(raster);
	checkBoxInside(box, raster);
	const rgba = new Uint8Array(box.width * box.height * 4);
	const rowBytes = box.width * 4;
	for (let y = 0; y < box.height; y++) {
		const from = ((box.top + y) * raster.width + box.left) * 4;
		rgba.set(raster.rgba.subarray(from, from + rowBytes), y * rowBytes);
	}
	return { width: box.width, height: box.height, rgba, hasAlpha: raster.hasAlpha };
}

/** The mask's gray levels in `box`, as a new array. Memory: the crop only (1 byte a pixel). */
export function cropGray(gray: Uint8Array, size: PixelArea, box: Box): Uint8Array {
	if (!isWhole(size.width) || !isWhole(size.height) || gray.length !== size.width * size.height) {
		throw new RangeError(`A ${size.width}×${size.height} mask cannot have ${gray.length} levels`);
	}
	checkBoxInside(box, size);
	const crop = new Uint8Array(box.width * box.height);
	for (let y = 0; y < box.height; y++) {
		const from = (box.top + y) * size.width + box.left;
		crop.set(gray.subarray(from, from + box.width), y * box.width);
	}
	return crop;
}
