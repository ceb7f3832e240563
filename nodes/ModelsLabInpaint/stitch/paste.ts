/**
 * The endpoint's result put back into the full-size photo, so that only the box can change and
 * inside it the result fades into the original instead of ending at a hard seam.
 *
 * `seamBlend` makes the weights: the mask (cropped to the box) grown by `featherPixels`, then
 * softened over `featherPixels` (Soft Edge's blur: its fade spans about that width, centred on the
 * grown edge), so the repainted area and about half the feather around it take the result whole,
 * and the fade lies in context the model saw. No weight falls below the mask's own level. On the
 * box's sides that lie inside the photo, the outer 2 px ring is 0 and the weights ramp up over the
 * next `featherPixels`: even a result that reaches the box's edge meets the untouched photo
 * there without a step. cropBox.ts leaves 64 px or more of context on such sides; a feather up
 * to the context less 2 px keeps the ramp off the repainted area, and up to about 0.4 × the
 * context keeps it off the fade as well (the fade reaches 1.5 × the feather past the mask).
 *
 * `pasteWithSeam` mixes per channel: out = (result × w + original × (255 − w)) / 255, rounded,
 * alpha kept from the original. It only ever writes inside the box, and w = 0 leaves a pixel's
 * bytes as they were, w = 255 takes the result's exactly.
 *
 * Memory: pasting allocates nothing (it writes into the original). The blend of an N-pixel box
 * is N bytes; it is grown and softened only over the mask's bounds and twice the feather around
 * them, M pixels (M ≤ N): about 4 M bytes at the peak (growMask), then 3 M (softenMask).
 */

import type { TimeSlice } from '../../shared/pacing/timeSlice';
import type { Raster } from '../codecs/raster';
import { MAX_SOFT_EDGE_PIXELS } from '../mask/maskAdjust';
import { softenMask } from '../mask/maskBlur';
import { growMask } from '../mask/maskDistance';
import type { Box, BoxSides, PixelArea } from './cropBox';
import { maskBounds } from './cropBox';
import { cropGray } from './resample';
import { checkBoxInside } from '../codecs/raster';

/** The ring along the box's inner sides that always keeps the original. */
export const SEAM_RING_PIXELS = 2;

const EVERY_SIDE: BoxSides = { left: true, top: true, right: true, bottom: true };

/** `bounds` grown by `margin` on each side, cut at the edges of `size`. */
function aroundBounds(bounds: Box, size: PixelArea, margin: number): Box {
	const left = Math.max(0, bounds.left - margin);
	const top = Math.max(0, bounds.top - margin);
	const right = Math.min(size.width, bounds.left + bounds.width + margin);
	const bottom = Math.min(size.height, bounds.top + bounds.height + margin);
	return { left, top, width: right - left, height: bottom - top };
}

/** More than any box's side: "no side to keep away from". */
const FAR = 0x3fffffff;

/**
 * Row `y` of the blend: the grown and softened weight, never under the mask's own level, ramped
 * down towards the seam sides (`down`: the row's distance to the nearest top or bottom one).
 * Kept out of the async loop: V8 optimises a plain function's loop far better than one inside an
 * async body (maskBlur.ts).
 */
function blendRow(
	blend: Uint8Array,
	maskCrop: Uint8Array,
	weights: Uint8Array,
	y: number,
	width: number,
	work: Box,
	down: number,
	edges: { across: Int32Array; ramp: number; reach: number },
): void {
	const { across, ramp, reach } = edges;
	const row = y * width;
	const inWork = (y - work.top) * work.width - work.left;
	for (let x = work.left; x < work.left + work.width; x++) {
		const mask = maskCrop[row + x];
		let weight = weights[inWork + x];
		if (weight < mask) weight = mask;
		const distance = across[x] < down ? across[x] : down;
		if (distance < SEAM_RING_PIXELS) weight = 0;
		else if (distance < reach) {
			weight = ((weight * (distance - SEAM_RING_PIXELS + 1)) / ramp) | 0;
		}
		blend[row + x] = weight;
	}
}

/**
 * The blend weights (0..255, how much of the result to take) for a box of `size`, from the mask
 * cropped to it. `seamSides` are the sides that get the 0 ring and the ramp: by default all four;
 * pass cropBox.ts's `innerSides(box, photo)` so a mask reaching the photo's border is repainted to
 * the border (there is no seam there to hide). Memory: at most 4 N bytes at the peak for N pixels
 * (growMask), the result N bytes, and one row of column distances.
 */
export async function seamBlend(
	maskCrop: Uint8Array,
	size: PixelArea,
	featherPixels: number,
	slice: TimeSlice,
	seamSides: BoxSides = EVERY_SIDE,
): Promise<Uint8Array> {
	const { width, height } = size;
	if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
		throw new RangeError(`A blend cannot be ${width}×${height} pixels`);
	}
	if (maskCrop.length !== width * height) {
		throw new RangeError(`A ${width}×${height} mask cannot have ${maskCrop.length} levels`);
	}
	if (
		!Number.isInteger(featherPixels) ||
		featherPixels < 0 ||
		featherPixels > MAX_SOFT_EDGE_PIXELS
	) {
		throw new RangeError(`The feather must be 0 to ${MAX_SOFT_EDGE_PIXELS} whole pixels`);
	}
	const blend = new Uint8Array(width * height);
	const bounds = maskBounds(maskCrop, size);
	if (!bounds) return blend; // no weight anywhere
	// Grown and softened only around the mask: past the grown edge and the blur's reach every
	// weight is 0 either way, and a margin of zeros repeated at the work's edges changes nothing
	// inside it (the blur's radii add up to less than the feather: maskBlur.ts).
	const work = aroundBounds(bounds, size, 2 * featherPixels + 2);
	let weights = cropGray(maskCrop, size, work);
	if (featherPixels > 0) {
		const grown = await growMask(weights, work, featherPixels, slice);
		weights = await softenMask(grown, work, featherPixels, slice);
	}
	// Each column's distance to the nearest left or right seam side (FAR when neither is one).
	const across = new Int32Array(width);
	for (let x = 0; x < width; x++) {
		const fromLeft = seamSides.left ? x : FAR;
		const fromRight = seamSides.right ? width - 1 - x : FAR;
		across[x] = fromLeft < fromRight ? fromLeft : fromRight;
	}
	const edges = { across, ramp: featherPixels + 1, reach: SEAM_RING_PIXELS + featherPixels };
	for (let y = work.top; y < work.top + work.height; y++) {
		const fromTop = seamSides.top ? y : FAR;
		const fromBottom = seamSides.bottom ? height - 1 - y : FAR;
		const down = fromTop < fromBottom ? fromTop : fromBottom;
		blendRow(blend, maskCrop, weights, y, width, work, down, edges);
		if (slice.over) await slice.next();
	}
	return blend;
}

/**
 * `result` (the box's size) mixed into `original` inside `box` by `blend`, in place. Alpha stays
 * the original's; nothing outside the box is written. Memory: nothing allocated.
 */
export async function pasteWithSeam(
	original: Raster,
	result: Raster,
	box: Box,
	blend: Uint8Array,
	slice: TimeSlice,
): Promise<void> {
	checkBoxInside(box, original);
	if (original.rgba.length !== original.width * original.height * 4) {
		throw new RangeError(`A ${original.width}×${original.height} raster has the wrong length`);
	}
	if (
		result.width !== box.width ||
		result.height !== box.height ||
		result.rgba.length !== box.width * box.height * 4
	) {
		throw new RangeError(
			`The result is ${result.width}×${result.height}, not the box's ${box.width}×${box.height}`,
		);
	}
	if (blend.length !== box.width * box.height) {
		throw new RangeError(`A ${box.width}×${box.height} box needs as many blend weights`);
	}
	for (let y = 0; y < box.height; y++) {
		pasteRow(original, result.rgba, box, blend, y);
		if (slice.over) await slice.next();
	}
}

/** Row `y` of the box mixed as pasteWithSeam says; a plain function for V8 (see blendRow). */
function pasteRow(original: Raster, source: Uint8Array, box: Box, blend: Uint8Array, y: number) {
	const target = original.rgba;
	const { width } = box;
	let at = ((box.top + y) * original.width + box.left) * 4;
	let from = y * width * 4;
	const weights = y * width;
	for (let x = 0; x < width; x++, at += 4, from += 4) {
		const take = blend[weights + x];
		if (take === 0) continue;
		if (take === 255) {
			target[at] = source[from];
			target[at + 1] = source[from + 1];
			target[at + 2] = source[from + 2];
			continue;
		}
		const keep = 255 - take;
		// (a·w + b·(255 − w) + 127) / 255 rounds the exact mix to the nearest level, at most 255.
		target[at] = ((source[from] * take + target[at] * keep + 127) / 255) | 0;
		target[at + 1] = ((source[from + 1] * take + target[at + 1] * keep + 127) / 255) | 0;
		target[at + 2] = ((source[from + 2] * take + target[at + 2] * keep + 127) / 255) | 0;
	}
}
