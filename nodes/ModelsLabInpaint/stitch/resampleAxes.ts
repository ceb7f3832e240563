/**
 * Resampling of interleaved 8-bit samples (1 channel for a mask, 4 for RGBA), each axis on its
 * own: linear interpolation between pixel centres when an axis grows, the average of the area
 * each new pixel covers when it shrinks (so thin lines fade instead of vanishing). The axis that
 * shrinks the picture more goes first, so the picture in between is the smaller one.
 *
 * One routine for masks (maskAdjust.ts's resizeMask) and rasters (resample.ts): the arithmetic is
 * the same per channel, and channels never mix. A sample's sum is kept in a double along a row and
 * in a Float32Array down the columns, then rounded by a clamped view (0..255, ties to even).
 *
 * Every loop pauses between rows once the time slice is used up. Memory: the input, the result
 * and the picture in between (at most the larger of the two sizes, × channels), plus one row of
 * Float32 sums and the taps of each axis (about 4 × (span + 2) bytes per new pixel of a side).
 */

import type { TimeSlice } from '../../shared/pacing/timeSlice';

export interface PixelSize {
	width: number;
	height: number;
}

/**
 * How one axis is resampled: for each new pixel, the first old pixel it reads, how many, and
 * their weights (`weights[index * span + k]`).
 */
interface AxisTaps {
	first: Int32Array;
	count: Int32Array;
	weights: Float32Array;
	span: number;
}

function axisTaps(from: number, to: number): AxisTaps {
	const ratio = from / to;
	const span = to < from ? Math.ceil(ratio) + 1 : 2;
	const taps = {
		first: new Int32Array(to),
		count: new Int32Array(to),
		weights: new Float32Array(to * span),
		span,
	};
	for (let index = 0; index < to; index++) {
		if (to < from) {
			// The old pixels the new one covers, each weighted by the share of it that is covered.
			const start = index * ratio;
			const end = (index + 1) * ratio;
			const first = Math.floor(start);
			taps.first[index] = first;
			taps.count[index] = Math.min(from, Math.ceil(end)) - first;
			for (let k = 0; k < taps.count[index]; k++) {
				const covered = Math.min(end, first + k + 1) - Math.max(start, first + k);
				taps.weights[index * span + k] = covered / ratio;
			}
		} else {
			// Pixel centres line up: new centre (index + ½) sits at old position (index + ½) × ratio.
			const at = Math.min(Math.max((index + 0.5) * ratio - 0.5, 0), from - 1);
			const first = Math.min(Math.floor(at), from - 2);
			const share = at - first;
			taps.first[index] = Math.max(first, 0);
			taps.count[index] = from > 1 ? 2 : 1;
			taps.weights[index * span] = from > 1 ? 1 - share : 1;
			taps.weights[index * span + 1] = share;
		}
	}
	return taps;
}

/** Each row resampled from `from.width` to `toWidth` pixels; the height stays. */
async function resizeRows(
	samples: Uint8Array,
	from: PixelSize,
	toWidth: number,
	channels: number,
	slice: TimeSlice,
): Promise<Uint8Array> {
	const taps = axisTaps(from.width, toWidth);
	const result = new Uint8Array(toWidth * from.height * channels);
	const out = new Uint8ClampedArray(result.buffer);
	for (let y = 0; y < from.height; y++) {
		resizeRow(samples, out, y, [from.width, toWidth, channels], taps);
		if (slice.over) await slice.next();
	}
	return result;
}

/**
 * Row `y` resampled, channel by channel. This and addRow are plain functions: V8 optimises
 * their loops far better than inside the async passes.
 */
function resizeRow(
	samples: Uint8Array,
	out: Uint8ClampedArray,
	y: number,
	[fromWidth, toWidth, channels]: [number, number, number],
	{ first, count, weights, span }: ReturnType<typeof axisTaps>,
): void {
	const rowOut = toWidth * channels;
	for (let channel = 0; channel < channels; channel++) {
		const row = y * fromWidth * channels + channel;
		for (let x = 0; x < toWidth; x++) {
			let sum = 0;
			const start = row + first[x] * channels;
			const taps = count[x];
			const weightAt = x * span;
			for (let k = 0; k < taps; k++) sum += samples[start + k * channels] * weights[weightAt + k];
			out[y * rowOut + x * channels + channel] = sum;
		}
	}
}

/** `weight` × the row at `row` added into `sums`. */
function addRow(sums: Float32Array, samples: Uint8Array, row: number, weight: number): void {
	for (let i = 0; i < sums.length; i++) sums[i] += samples[row + i] * weight;
}

/** Each column resampled from `from.height` to `toHeight` pixels; the width stays. */
async function resizeColumns(
	samples: Uint8Array,
	from: PixelSize,
	toHeight: number,
	channels: number,
	slice: TimeSlice,
): Promise<Uint8Array> {
	const rowLength = from.width * channels;
	const { first, count, weights, span } = axisTaps(from.height, toHeight);
	const result = new Uint8Array(rowLength * toHeight);
	const out = new Uint8ClampedArray(result.buffer);
	const sums = new Float32Array(rowLength);
	for (let y = 0; y < toHeight; y++) {
		sums.fill(0);
		for (let k = 0; k < count[y]; k++) {
			const row = (first[y] + k) * rowLength;
			const weight = weights[y * span + k];
			addRow(sums, samples, row, weight);
			if (slice.over) await slice.next();
		}
		out.set(sums, y * rowLength);
	}
	return result;
}

/**
 * `channels` interleaved samples per pixel stretched from `from` to `to` pixels: a new array,
 * unless the sizes are equal (then `samples` itself). Sizes are whole and at least 1; the caller
 * checks them and the length (`from.width × from.height × channels`). Memory: the input, the
 * result and one picture in between, the smaller of the two orders; one row of Float32 sums.
 */
export async function resizeSamples(
	samples: Uint8Array,
	from: PixelSize,
	to: PixelSize,
	channels: number,
	slice: TimeSlice,
): Promise<Uint8Array> {
	let current = samples;
	let size = from;
	const resizeWidth = async () => {
		if (size.width !== to.width) {
			current = await resizeRows(current, size, to.width, channels, slice);
		}
		size = { width: to.width, height: size.height };
	};
	const resizeHeight = async () => {
		if (size.height !== to.height) {
			current = await resizeColumns(current, size, to.height, channels, slice);
		}
		size = { width: size.width, height: to.height };
	};
	// Whichever axis shrinks the picture more goes first, so the picture in between is smaller.
	if (to.width * from.height <= from.width * to.height) {
		await resizeWidth();
		await resizeHeight();
	} else {
		await resizeHeight();
		await resizeWidth();
	}
	return current;
}
