/**
 * A mask made to fit the photo and adjusted: resized to the photo's size, then Invert, Grow or
 * Shrink and Soft Edge, in that order. Invert comes first so Grow/Shrink and Soft Edge act on the
 * area that is repainted (white), whichever it was in the picture the mask came from.
 *
 * Resizing stretches the mask over the whole photo, each axis on its own: linear interpolation
 * between pixel centres when enlarging (a 512 × 512 mask onto a 4032 × 3024 photo), the average
 * of the area each new pixel covers when shrinking (so thin lines fade instead of vanishing).
 * It is the routine rasters are resized by (stitch/resampleAxes.ts), with one channel.
 *
 * Every loop pauses between rows once the time slice is used up. Memory: resizing holds the
 * mask, the result and the picture in between (at most the larger of the two sizes); adjusting
 * a mask of N pixels holds at most about 4 N bytes (see maskDistance.ts and maskBlur.ts).
 */

import type { TimeSlice } from '../../shared/pacing/timeSlice';
import { softenMask } from './maskBlur';
import { growMask, type MaskSize } from './maskDistance';
import { resizeSamples } from '../stitch/resampleAxes';

export type { MaskSize } from './maskDistance';

/** The furthest Grow or Shrink reaches, in pixels (a quarter of the largest mask's side). */
export const MAX_GROW_PIXELS = 1024;
/** The widest Soft Edge, in pixels (as for drawn shapes). */
export const MAX_SOFT_EDGE_PIXELS = 256;

export interface MaskAdjustments {
	/** Repaint what the mask leaves out, and keep what it covers. */
	invert: boolean;
	/** Pixels the repainted area grows by; negative shrinks it. 0 leaves it. */
	growPixels: number;
	/** Width of the fade along the repainted area's edge; 0 leaves the edges as they are. */
	softEdgePixels: number;
}

/** Whole sizes only; how large a mask may be is the caller's rule (maskFile.ts: MAX_MASK_PIXELS). */
function checkSize({ width, height }: MaskSize): void {
	const whole = (value: number) => Number.isInteger(value) && value >= 1;
	if (!whole(width) || !whole(height)) {
		throw new Error(`A mask cannot be ${width}×${height} pixels`);
	}
}

function checkMask(gray: Uint8Array, size: MaskSize): void {
	checkSize(size);
	if (gray.length !== size.width * size.height) {
		const levels = size.width * size.height;
		throw new Error(
			`A ${size.width}×${size.height} mask has ${levels} gray levels, not ${gray.length}`,
		);
	}
}

/** The mask stretched from `from` to `to` pixels (a new array, unless the sizes are equal). */
export async function resizeMask(
	gray: Uint8Array,
	from: MaskSize,
	to: MaskSize,
	slice: TimeSlice,
): Promise<Uint8Array> {
	checkMask(gray, from);
	checkSize(to);
	return await resizeSamples(gray, from, to, 1, slice);
}

/**
 * The mask inverted, grown or shrunk, then softened. With all three off it is returned as it is
 * (the same array, soft edges and all).
 */
export async function adjustMask(
	gray: Uint8Array,
	size: MaskSize,
	{ invert, growPixels, softEdgePixels }: MaskAdjustments,
	slice: TimeSlice,
): Promise<Uint8Array> {
	checkMask(gray, size);
	if (!Number.isFinite(growPixels) || Math.abs(growPixels) > MAX_GROW_PIXELS) {
		throw new Error(
			`Grow must be -${MAX_GROW_PIXELS} to ${MAX_GROW_PIXELS} pixels (got ${growPixels})`,
		);
	}
	if (
		!Number.isFinite(softEdgePixels) ||
		softEdgePixels < 0 ||
		softEdgePixels > MAX_SOFT_EDGE_PIXELS
	) {
		throw new Error(
			`Soft Edge must be 0 to ${MAX_SOFT_EDGE_PIXELS} pixels (got ${softEdgePixels})`,
		);
	}
	let mask = gray;
	if (invert) {
		mask = new Uint8Array(gray.length);
		for (let y = 0; y < size.height; y++) {
			for (let i = y * size.width, end = i + size.width; i < end; i++) mask[i] = 255 - gray[i];
			if (slice.over) await slice.next();
		}
	}
	if (growPixels !== 0) mask = await growMask(mask, size, growPixels, slice);
	if (softEdgePixels > 0) mask = await softenMask(mask, size, softEdgePixels, slice);
	return mask;
}

/** The share of the mask that is repainted: pixels from 128 up, 0 to 1. */
export async function maskCoverage(gray: Uint8Array, slice: TimeSlice): Promise<number> {
	let repainted = 0;
	for (let start = 0; start < gray.length; start += COVERAGE_STEP) {
		const end = Math.min(gray.length, start + COVERAGE_STEP);
		for (let i = start; i < end; i++) if (gray[i] >= 128) repainted++;
		if (slice.over) await slice.next();
	}
	return gray.length > 0 ? repainted / gray.length : 0;
}

/** Pixels counted between two chances to pause. */
const COVERAGE_STEP = 65536;
