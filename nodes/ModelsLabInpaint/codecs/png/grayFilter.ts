/**
 * One row of a grayscale PNG filtered (grayPng.ts): with whichever of Up, Sub and None changes
 * least often between neighbouring bytes (in that order of preference on a tie), so rows equal to
 * the row above become zeros and linear ramps become constant, which the deflate encoder packs
 * into long runs.
 */

/**
 * One row (at `row`, the row above at `above`, -1 for none) filtered into `out` at `at`: its filter
 * byte, then its bytes. A plain function with plain counters, kept out of grayPng.ts's generators:
 * it runs for every pixel of a 40-megapixel mask, and V8 optimizes it best this way.
 */
export function filterRow(
	pixels: Uint8Array,
	row: number,
	above: number,
	width: number,
	out: Uint8Array,
	at: number,
): void {
	let upChanges = 0;
	let subChanges = 0;
	let noneChanges = 0;
	let lastUp = -1;
	let lastSub = -1;
	let lastNone = -1;
	let left = 0;
	for (let x = 0; x < width; x++) {
		const value = pixels[row + x];
		const up = (value - (above >= 0 ? pixels[above + x] : 0)) & 0xff;
		const sub = (value - left) & 0xff;
		left = value;
		if (up !== lastUp) {
			upChanges++;
			lastUp = up;
		}
		if (sub !== lastSub) {
			subChanges++;
			lastSub = sub;
		}
		if (value !== lastNone) {
			noneChanges++;
			lastNone = value;
		}
	}
	const filter =
		upChanges <= subChanges && upChanges <= noneChanges ? 2 : subChanges <= noneChanges ? 1 : 0;
	out[at] = filter;
	const start = at + 1;
	if (filter === 2 && above >= 0) {
		for (let x = 0; x < width; x++) out[start + x] = (pixels[row + x] - pixels[above + x]) & 0xff;
	} else if (filter === 1) {
		out[start] = pixels[row];
		for (let x = 1; x < width; x++) out[start + x] = (pixels[row + x] - pixels[row + x - 1]) & 0xff;
	} else {
		// None, or Up on the first row (nothing above: the pixels as they are).
		out.set(pixels.subarray(row, row + width), start);
	}
}
