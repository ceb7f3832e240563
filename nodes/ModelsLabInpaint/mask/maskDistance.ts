/**
 * Grow and Shrink: the mask's repainted area (white, from 128 up) made larger or smaller by a
 * round distance, as a hard-edged mask.
 *
 * A pixel joins the grown area when the nearest white pixel is at most `pixels` away (centre to
 * centre); a white pixel stays after a shrink when the nearest black pixel is further than that.
 * Distances are exact Euclidean distances (Felzenszwalb and Huttenlocher, "Distance Transforms
 * of Sampled Functions", 2012), so a disc of radius r becomes a disc of radius r ± pixels, with no
 * error beyond the pixel grid itself (a chamfer would make octagons, a few percent off).
 * First each column's distance to its nearest feature pixel is found by a sweep down and a sweep
 * up (row by row, so memory is read in order), then each row takes the lower envelope of the
 * parabolas (x − x')² + column distance². Only whether a distance is within `pixels` matters, so
 * column distances stop at `pixels` + 1, which fits 16 bits and changes no decision.
 * Pixels outside the picture count as neither: a mask touching the edge does not shrink away
 * from it, and an empty mask stays empty.
 *
 * Memory: for a mask of N pixels, the input and the result (N bytes each), the column distances
 * (2 N bytes) and four rows of numbers: about 4 N bytes.
 */

import type { TimeSlice } from '../../shared/pacing/timeSlice';

/** Read once: global lookups are slow in hot loops where node code runs in a vm context (jest). */
const UNBOUNDED = Number.POSITIVE_INFINITY;

export interface MaskSize {
	width: number;
	height: number;
}

/** Squared distances from each pixel of a row to the nearest parabola of `lift` (FH's 1D pass). */
class RowEnvelope {
	private readonly lift: Float64Array;
	private readonly apex: Int32Array;
	private readonly bounds: Float64Array;
	readonly distances: Float64Array;

	constructor(width: number) {
		this.lift = new Float64Array(width);
		this.apex = new Int32Array(width);
		this.bounds = new Float64Array(width + 1);
		this.distances = new Float64Array(width);
	}

	/** Fills `distances` from the column distances of one row. */
	run(column: Uint16Array, start: number, width: number): void {
		const { lift, apex, bounds, distances } = this;
		for (let x = 0; x < width; x++) lift[x] = column[start + x] * column[start + x];
		// Where the parabolas of q and v cross; bounds[0], minus infinity, ends every backtrack.
		const crossing = (q: number, v: number) =>
			(lift[q] + q * q - (lift[v] + v * v)) / (2 * (q - v));
		let top = 0;
		apex[0] = 0;
		bounds[0] = -UNBOUNDED;
		bounds[1] = UNBOUNDED;
		for (let q = 1; q < width; q++) {
			let at = crossing(q, apex[top]);
			while (at <= bounds[top]) at = crossing(q, apex[--top]);
			top++;
			apex[top] = q;
			bounds[top] = at;
			bounds[top + 1] = UNBOUNDED;
		}
		for (let x = 0, k = 0; x < width; x++) {
			while (bounds[k + 1] < x) k++;
			const v = apex[k];
			distances[x] = (x - v) * (x - v) + lift[v];
		}
	}
}

/*
 * The passes' rows as plain functions: V8 optimises a plain function's loop far better than one
 * inside an async body (maskBlur.ts).
 */

/**
 * Row `y` of the sweep down: 0 on a feature (the pixels distances are measured to: white when
 * growing, black when shrinking), else one more than the pixel above, at most `far`.
 */
function columnsDown(
	gray: Uint8Array,
	column: Uint16Array,
	y: number,
	width: number,
	far: number,
	grow: boolean,
): void {
	const row = y * width;
	for (let x = 0; x < width; x++) {
		const above = y > 0 ? column[row - width + x] + 1 : far;
		column[row + x] = gray[row + x] >= 128 === grow ? 0 : above < far ? above : far;
	}
}

/** Row `y` of the sweep up: the nearer of its own distance and one more than the pixel below. */
function columnsUp(column: Uint16Array, y: number, width: number): void {
	const row = y * width;
	for (let x = 0; x < width; x++) {
		const below = column[row + width + x] + 1;
		if (below < column[row + x]) column[row + x] = below;
	}
}

/** Whether any column distance of the row at `row` is within reach. */
function anyWithin(column: Uint16Array, row: number, width: number, far: number): boolean {
	for (let x = 0; x < width; x++) if (column[row + x] < far) return true;
	return false;
}

/** A row's squared distances to `inside` (within `limit`) or its opposite. */
function thresholdRow(
	distances: Float64Array,
	result: Uint8Array,
	row: number,
	width: number,
	limit: number,
	inside: number,
): void {
	for (let x = 0; x < width; x++) result[row + x] = distances[x] <= limit ? inside : 255 - inside;
}

/**
 * The mask grown (`pixels` > 0) or shrunk (`pixels` < 0) by |pixels|, thresholded at 128 first:
 * 255 in the resulting area, 0 elsewhere.
 */
export async function growMask(
	gray: Uint8Array,
	{ width, height }: MaskSize,
	pixels: number,
	slice: TimeSlice,
): Promise<Uint8Array> {
	const grow = pixels > 0;
	const limit = pixels * pixels;
	const far = Math.floor(Math.abs(pixels)) + 1;
	const column = new Uint16Array(width * height);
	for (let y = 0; y < height; y++) {
		columnsDown(gray, column, y, width, far, grow);
		if (slice.over) await slice.next();
	}
	for (let y = height - 2; y >= 0; y--) {
		columnsUp(column, y, width);
		if (slice.over) await slice.next();
	}
	const result = new Uint8Array(width * height);
	const envelope = new RowEnvelope(width);
	const inside = grow ? 255 : 0;
	for (let y = 0; y < height; y++) {
		const row = y * width;
		if (!anyWithin(column, row, width, far)) {
			// No feature within reach of this row: every distance is beyond the limit.
			result.fill(255 - inside, row, row + width);
		} else {
			envelope.run(column, row, width);
			thresholdRow(envelope.distances, result, row, width, limit, inside);
		}
		if (slice.over) await slice.next();
	}
	return result;
}
