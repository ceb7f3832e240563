/**
 * Soft Edge: the mask blurred so its edges fade over about `edgePixels`.
 *
 * The blur is a Gaussian approximated by three box blurs (their sizes chosen as in Kovesi, "Fast
 * Almost-Gaussian Filtering", 2010), each done by running sums: the cost per pixel does not
 * depend on the width. Its σ is edgePixels / 4, so the middle 95 % of the fade (gray 6 to 249) spans
 * `edgePixels`, as the whole ramp of a drawn shape's soft edge does; a hard edge stays centred
 * where it was. Pixels past the picture's edges repeat the edge pixels, so a mask touching the
 * edge does not fade towards it.
 *
 * Memory: for a mask of N pixels, the input and two working copies (N bytes each) and one row of
 * sums: about 3 N bytes.
 */

import type { TimeSlice } from '../../shared/pacing/timeSlice';
import type { MaskSize } from './maskDistance';

const BOXES = 3;

/** The radii of BOXES box blurs whose sum has the variance of a Gaussian of `sigma`. */
function boxRadii(sigma: number): number[] {
	const ideal = Math.sqrt((12 * sigma * sigma) / BOXES + 1);
	let lower = Math.floor(ideal);
	if (lower % 2 === 0) lower--;
	const upper = lower + 2;
	const lowerCount = Math.round(
		(12 * sigma * sigma - BOXES * lower * lower - 4 * BOXES * lower - 3 * BOXES) / (-4 * lower - 4),
	);
	return Array.from({ length: BOXES }, (_, i) => ((i < lowerCount ? lower : upper) - 1) / 2);
}

/**
 * One row of `from` blurred along x into `to` (a clamped view, so sums round to 0..255). The sum
 * enters and leaves pixels past the row's ends as copies of its end pixels, without Math.min or
 * Math.max per pixel: global lookups are slow where node code runs in a vm context (jest).
 */
function blurRow(
	from: Uint8Array,
	to: Uint8ClampedArray,
	row: number,
	width: number,
	radius: number,
) {
	const scale = 1 / (2 * radius + 1);
	const last = row + width - 1;
	let sum = (radius + 1) * from[row];
	for (let i = 1; i <= radius; i++) sum += from[i < width ? row + i : last];
	for (let x = 0; x < width; x++) {
		to[row + x] = sum * scale;
		const entering = x + radius + 1;
		const leaving = x - radius;
		sum += from[entering < width ? row + entering : last] - from[leaving > 0 ? row + leaving : row];
	}
}

/**
 * One output row of the column blur: `sums` written out scaled, then moved down a row. Kept out of
 * the async loop: V8 optimises a plain function's loop far better than one inside an async body.
 */
function blurColumnsRow(
	from: Uint8Array,
	to: Uint8ClampedArray,
	sums: Int32Array,
	width: number,
	out: number,
	entering: number,
	leaving: number,
	scale: number,
) {
	for (let x = 0; x < width; x++) {
		to[out + x] = sums[x] * scale;
		sums[x] += from[entering + x] - from[leaving + x];
	}
}

/** Blurs along y: a running sum per column, kept in `sums`, moved down one row at a time. */
async function blurColumns(
	from: Uint8Array,
	to: Uint8ClampedArray,
	{ width, height }: MaskSize,
	radius: number,
	sums: Int32Array,
	slice: TimeSlice,
): Promise<void> {
	const scale = 1 / (2 * radius + 1);
	const rowAt = (y: number) => Math.min(Math.max(y, 0), height - 1) * width;
	for (let x = 0; x < width; x++) sums[x] = (radius + 1) * from[x];
	for (let i = 1; i <= radius; i++) {
		const row = rowAt(i);
		for (let x = 0; x < width; x++) sums[x] += from[row + x];
	}
	for (let y = 0; y < height; y++) {
		const out = y * width;
		const entering = rowAt(y + radius + 1);
		const leaving = rowAt(y - radius);
		blurColumnsRow(from, to, sums, width, out, entering, leaving, scale);
		if (slice.over) await slice.next();
	}
}

/** The mask with a soft edge about `edgePixels` wide (a new array; the input is left as it is). */
export async function softenMask(
	gray: Uint8Array,
	size: MaskSize,
	edgePixels: number,
	slice: TimeSlice,
): Promise<Uint8Array> {
	const { width, height } = size;
	// Copied a row at a time: at once, 40 megapixels would hold the event loop for about 50 ms.
	const mask = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) {
		mask.set(gray.subarray(y * width, (y + 1) * width), y * width);
		if (slice.over) await slice.next();
	}
	const work = new Uint8Array(width * height);
	const maskOut = new Uint8ClampedArray(mask.buffer);
	const workOut = new Uint8ClampedArray(work.buffer);
	const sums = new Int32Array(width);
	for (const radius of boxRadii(edgePixels / 4)) {
		if (radius < 1) continue;
		for (let y = 0; y < height; y++) {
			blurRow(mask, workOut, y * width, width, radius);
			if (slice.over) await slice.next();
		}
		await blurColumns(work, maskOut, size, radius, sums, slice);
	}
	return mask;
}
