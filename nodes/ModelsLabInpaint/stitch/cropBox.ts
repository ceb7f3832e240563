/**
 * Where to crop a full-size photo for an inpaint endpoint that takes at most `max` pixels a side,
 * so the repainted area is sent at as much of its own resolution as the endpoint allows.
 *
 * The rules of `cropBoxFor`, each axis on its own until the last step:
 * 1. Context: the mask's bounds padded on each side by half their larger side, at least 64 px.
 *    The model matches light, texture and perspective from what surrounds the hole; SD-family
 *    models see the picture at 1/8 in latent space, so 32 px would be 4 latent cells, too few.
 * 2. Resolution before context: when the padded side would exceed `max` but the bounds with a
 *    least context (an eighth of their larger side, at least 64 px) fit, the context is cut to
 *    reach exactly `max`, so the mask goes unscaled; only a mask too large for that is scaled.
 * 3. The side grows toward the endpoint's `min`, never past the photo.
 * 4. Placing: centred on the bounds, then shifted inward where it would leave the photo (so a mask
 *    at an edge keeps its context on the other side), and clipped only when the photo is smaller.
 *    With a `grid` (a JPEG's MCU size), each side's start then moves to the nearest multiple of the
 *    grid at which the box, its size unchanged, still holds the bounds and lies inside the photo
 *    (either way, so at the photo's right or bottom edge it moves inward); where no multiple does,
 *    it stays. A box on the grid can be sent as the photo's own blocks (codecs/jpeg/jpegCrop.ts).
 * 5. When both sides are within the limits, each is rounded to `multipleOf` by growing the box
 *    (or, at the photo's edge, shrinking it while it still holds the bounds): no resampling.
 *    Then `sendSize` is the box's size and `scaled` is false.
 * 6. Otherwise `sendSize` is `fitToEndpoint` of the box (aspect kept, within the limits) and
 *    `scaled` is true; the box then grows a little where the photo allows so its aspect matches
 *    `sendSize`'s exactly, and the way back (send → box) stretches both axes alike.
 * So `scaled` is true exactly when `sendSize` differs from the box's size, which is always the
 * case when the box is larger than `max` (or smaller than `min`). The box always lies inside the
 * photo and holds the bounds; a mask covering most of the photo gives the whole photo.
 *
 * Memory: `maskBounds` reads the mask once and allocates a row of zeros; the rest is arithmetic.
 */

import { fitToEndpoint, type SizeLimits } from '../size/imageSize';

import { sameBytes, type Box } from '../codecs/raster';

export type { Box };

export interface PixelArea {
	width: number;
	height: number;
}

export interface CropPlan {
	/** The part of the photo to send, in the photo's pixels. */
	box: Box;
	/** The size the box is sent at: the box's own size unless `scaled`. */
	sendSize: PixelArea;
	/** Whether the box must be resampled to `sendSize` (and the result back to the box's size). */
	scaled: boolean;
}

/** Which sides of a box lie inside the photo, where a seam could show (not on its border). */
export interface BoxSides {
	left: boolean;
	top: boolean;
	right: boolean;
	bottom: boolean;
}

/** Context on each side: this share of the bounds' larger side... */
const CONTEXT_SHARE = 1 / 2;
/** ...and never less than this many pixels. */
const MIN_CONTEXT_PIXELS = 64;
/** The share of the context kept when it gives way to resolution (rule 2). */
const LEAST_CONTEXT_SHARE = 1 / 8;

const isWhole = (value: number) => Number.isInteger(value) && value >= 1;

/**
 * The smallest box holding every pixel at `threshold` or above, or undefined when there is none.
 * Each row is scanned from the left to its first such pixel and from the right to its last; a row
 * of zeros (most of a mask) is passed over by a native compare. Memory: a row of zeros.
 */
export function maskBounds(gray: Uint8Array, size: PixelArea, threshold = 1): Box | undefined {
	const { width, height } = size;
	if (!isWhole(width) || !isWhole(height) || gray.length !== width * height) {
		throw new RangeError(`A ${width}×${height} mask cannot have ${gray.length} gray levels`);
	}
	if (!Number.isInteger(threshold) || threshold < 1 || threshold > 255) {
		throw new RangeError(`A mask threshold must be 1 to 255 (got ${threshold})`);
	}
	let [left, right, top, bottom] = [width, -1, -1, -1];
	const zeros = new Uint8Array(width);
	for (let y = 0; y < height; y++) {
		const row = y * width;
		if (sameBytes(gray, row, zeros, 0, width)) continue;
		let x = 0;
		while (x < width && gray[row + x] < threshold) x++;
		if (x === width) continue;
		if (top < 0) top = y;
		bottom = y;
		if (x < left) left = x;
		let last = width - 1;
		while (last > right && gray[row + last] < threshold) last--;
		if (last > right) right = last;
	}
	if (top < 0) return undefined;
	return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** Which sides of `box` lie inside `photo` (true) rather than on its border (false). Memory: O(1). */
export function innerSides(box: Box, photo: PixelArea): BoxSides {
	return {
		left: box.left > 0,
		top: box.top > 0,
		right: box.left + box.width < photo.width,
		bottom: box.top + box.height < photo.height,
	};
}

/** One axis of the bounds: where they start and how long they are, and the photo's length. */
interface Axis {
	start: number;
	length: number;
	photo: number;
}

/** Where a box's left and top may start, in pixels across and down (rule 4). */
export interface PlacementGrid {
	x: number;
	y: number;
}

/**
 * The start of a span of `span` pixels centred on the bounds, shifted inward into the photo, then
 * moved to the nearest multiple of `grid` (the lower on a tie) where the span still holds the
 * bounds inside the photo.
 */
function place({ start, length, photo }: Axis, span: number, grid: number): number {
	const centred = start - Math.floor((span - length) / 2);
	const inside = Math.max(0, Math.min(centred, photo - span));
	// Every start from `lowest` to `highest` holds the bounds inside the photo; `inside` is one.
	const lowest = Math.max(0, start + length - span);
	const highest = Math.min(start, photo - span);
	const down = Math.floor(inside / grid) * grid;
	const up = down + grid;
	const downFits = down >= lowest;
	const upFits = up <= highest;
	if (downFits && (!upFits || inside - down <= up - inside)) return down;
	return upFits ? up : inside;
}

function checkPlanInput(bounds: Box, photo: PixelArea): void {
	if (!isWhole(photo.width) || !isWhole(photo.height)) {
		throw new RangeError(`A photo cannot be ${photo.width}×${photo.height} pixels`);
	}
	const inside =
		Number.isInteger(bounds.left) &&
		Number.isInteger(bounds.top) &&
		isWhole(bounds.width) &&
		isWhole(bounds.height) &&
		bounds.left >= 0 &&
		bounds.top >= 0 &&
		bounds.left + bounds.width <= photo.width &&
		bounds.top + bounds.height <= photo.height;
	if (!inside) {
		throw new RangeError(
			`Mask bounds ${JSON.stringify(bounds)} are not inside a ${photo.width}×${photo.height} photo`,
		);
	}
}

/** The crop box and the size it is sent at, by the rules at the top of this file. Memory: O(1). */
export function cropBoxFor(
	bounds: Box,
	photo: PixelArea,
	limits: SizeLimits,
	grid: PlacementGrid = { x: 1, y: 1 },
): CropPlan {
	checkPlanInput(bounds, photo);
	if (!isWhole(grid.x) || !isWhole(grid.y)) {
		throw new RangeError(`A placement grid cannot be ${grid.x}×${grid.y} pixels`);
	}
	// fitToEndpoint checks the limits themselves and throws on ones no side can meet.
	fitToEndpoint({ width: 1, height: 1 }, limits);
	const step = limits.multipleOf ?? 1;
	const lowest = Math.max(step, Math.ceil((limits.min ?? 0) / step) * step);
	const highest = Math.floor(limits.max / step) * step;

	const larger = Math.max(bounds.width, bounds.height);
	const context = Math.max(MIN_CONTEXT_PIXELS, Math.ceil(larger * CONTEXT_SHARE));
	const leastContext = Math.max(MIN_CONTEXT_PIXELS, Math.ceil(larger * LEAST_CONTEXT_SHARE));
	const axes: [Axis, Axis] = [
		{ start: bounds.left, length: bounds.width, photo: photo.width },
		{ start: bounds.top, length: bounds.height, photo: photo.height },
	];

	const spans = axes.map(({ length, photo: photoLength }) => {
		let span = length + 2 * context;
		if (span > highest) span = Math.max(highest, length + 2 * leastContext);
		span = Math.max(span, lowest);
		return Math.min(span, photoLength);
	});

	const fits = spans.every((span) => span >= lowest && span <= highest);
	if (fits) {
		const rounded = axes.map(({ length, photo: photoLength }, index) => {
			const up = Math.ceil(spans[index] / step) * step;
			if (up <= photoLength) return up;
			const down = Math.floor(spans[index] / step) * step;
			return down >= length && down >= lowest ? down : undefined;
		});
		if (rounded[0] !== undefined && rounded[1] !== undefined) {
			const box = boxOf(axes, [rounded[0], rounded[1]], grid);
			return { box, sendSize: { width: box.width, height: box.height }, scaled: false };
		}
	}

	const sendSize = fitToEndpoint({ width: spans[0], height: spans[1] }, limits);
	// Grow the side whose scale is the smaller, so both axes scale alike, where the photo allows.
	const [scaleX, scaleY] = [spans[0] / sendSize.width, spans[1] / sendSize.height];
	if (scaleX > scaleY) {
		spans[1] = Math.min(photo.height, Math.max(spans[1], Math.round(sendSize.height * scaleX)));
	} else {
		spans[0] = Math.min(photo.width, Math.max(spans[0], Math.round(sendSize.width * scaleY)));
	}
	const box = boxOf(axes, [spans[0], spans[1]], grid);
	const scaled = box.width !== sendSize.width || box.height !== sendSize.height;
	return { box, sendSize, scaled };
}

function boxOf(
	[across, down]: [Axis, Axis],
	[width, height]: [number, number],
	grid: PlacementGrid,
): Box {
	return { left: place(across, width, grid.x), top: place(down, height, grid.y), width, height };
}
