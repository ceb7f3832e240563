import type { TimeSlice } from '../../../shared/pacing/timeSlice';
import type { Raster } from '../raster';
import { DEFAULT_EFFORT, deflateZlib, FAST_EFFORT } from './deflate';
import { crc32 } from './checksums';

/**
 * A raster as an 8-bit PNG: RGB (colour type 2) when every pixel is opaque, else RGBA (type 6),
 * not interlaced. Each row gets whichever of the five PNG filters leaves the smallest sum of
 * absolute differences (bytes read as signed), the heuristic of libpng and the PNG spec's
 * advice (§12.8): it favours the rows that compress best. The filtered rows go through deflate.ts.
 *
 * Memory: the raster (the caller's) + the filtered rows (height × (1 + width × 3 or 4) bytes) +
 * the compressed stream twice (its pieces, then the file) + 7 rows of scratch + deflate's 400 KB:
 * for a 12-megapixel RGB photo, about 36 MB besides the raster and the file.
 */

export interface PngEncodeOptions {
	/** 'fast' compresses a few percent less in about half the time. Default 'default'. */
	effort?: 'default' | 'fast';
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const FILTERS = 5;
/** Bytes checksummed between two looks at the time slice. */
const CRC_STEP = 1 << 20;

/** Whether any pixel is less than fully opaque. */
function anyTransparent(rgba: Uint8Array): boolean {
	for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return true;
	return false;
}

/** Row `y`'s samples, RGB or RGBA, into `row`. */
function packRow(raster: Raster, y: number, channels: number, row: Uint8Array): void {
	const { rgba, width } = raster;
	const from = y * width * 4;
	if (channels === 4) {
		row.set(rgba.subarray(from, from + width * 4));
		return;
	}
	for (let x = 0, i = from, o = 0; x < width; x++, i += 4, o += 3) {
		row[o] = rgba[i];
		row[o + 1] = rgba[i + 1];
		row[o + 2] = rgba[i + 2];
	}
}

/** The magnitude of a filtered byte read as signed, for each byte value. */
const MAGNITUDE = Uint16Array.from({ length: 256 }, (_, value) =>
	value < 128 ? value : 256 - value,
);

/** The Paeth predictor (PNG spec §9.4): whichever neighbour is closest to left + up - upLeft. */
function paeth(left: number, up: number, upLeft: number): number {
	const toLeft = up > upLeft ? up - upLeft : upLeft - up;
	const toUp = left > upLeft ? left - upLeft : upLeft - left;
	const sum = left + up - 2 * upLeft;
	const toUpLeft = sum < 0 ? -sum : sum;
	return toLeft <= toUp && toLeft <= toUpLeft ? left : toUp <= toUpLeft ? up : upLeft;
}

/**
 * Filter `type` applied to `row` (with `above`, zeros for the first row) into `out`; returns the
 * sum of the filtered bytes' magnitudes. One loop per filter and no global looked up per byte
 * (in a vm context, as under jest, each look-up is slow).
 */
function filterRow(
	type: number,
	row: Uint8Array,
	above: Uint8Array,
	bpp: number,
	out: Uint8Array,
): number {
	const length = row.length;
	const magnitude = MAGNITUDE;
	let sum = 0;
	if (type === 0) {
		for (let i = 0; i < length; i++) sum += magnitude[(out[i] = row[i])];
	} else if (type === 1) {
		for (let i = 0; i < bpp; i++) sum += magnitude[(out[i] = row[i])];
		for (let i = bpp; i < length; i++) sum += magnitude[(out[i] = (row[i] - row[i - bpp]) & 0xff)];
	} else if (type === 2) {
		for (let i = 0; i < length; i++) sum += magnitude[(out[i] = (row[i] - above[i]) & 0xff)];
	} else if (type === 3) {
		for (let i = 0; i < bpp; i++) sum += magnitude[(out[i] = (row[i] - (above[i] >> 1)) & 0xff)];
		for (let i = bpp; i < length; i++) {
			sum += magnitude[(out[i] = (row[i] - ((row[i - bpp] + above[i]) >> 1)) & 0xff)];
		}
	} else {
		// With no left neighbours, Paeth predicts from the byte above.
		for (let i = 0; i < bpp; i++) sum += magnitude[(out[i] = (row[i] - above[i]) & 0xff)];
		for (let i = bpp; i < length; i++) {
			const predicted = paeth(row[i - bpp], above[i], above[i - bpp]);
			sum += magnitude[(out[i] = (row[i] - predicted) & 0xff)];
		}
	}
	return sum;
}

/** Every row with its best filter, a filter-type byte before each. */
async function filteredRows(raster: Raster, channels: number, slice: TimeSlice) {
	const rowBytes = raster.width * channels;
	const filtered = new Uint8Array(raster.height * (rowBytes + 1));
	let row = new Uint8Array(rowBytes);
	let above = new Uint8Array(rowBytes);
	const candidates = Array.from({ length: FILTERS }, () => new Uint8Array(rowBytes));
	for (let y = 0; y < raster.height; y++) {
		packRow(raster, y, channels, row);
		let best = 0;
		let bestSum = filterRow(0, row, above, channels, candidates[0]);
		for (let type = 1; type < FILTERS; type++) {
			const sum = filterRow(type, row, above, channels, candidates[type]);
			if (sum < bestSum) {
				best = type;
				bestSum = sum;
			}
		}
		const at = y * (rowBytes + 1);
		filtered[at] = best;
		filtered.set(candidates[best], at + 1);
		[row, above] = [above, row];
		if (slice.over) await slice.next();
	}
	return filtered;
}

/** Writes a chunk (length, type, data, CRC) into `file` at `at`; returns where it ends. */
async function writeChunk(
	file: Uint8Array,
	at: number,
	type: string,
	data: Uint8Array,
	slice: TimeSlice,
): Promise<number> {
	const view = new DataView(file.buffer, file.byteOffset);
	view.setUint32(at, data.length);
	for (let i = 0; i < 4; i++) file[at + 4 + i] = type.charCodeAt(i);
	file.set(data, at + 8);
	const end = at + 8 + data.length;
	let crc = 0;
	for (let from = at + 4; from < end; from += CRC_STEP) {
		crc = crc32(file, from, Math.min(end, from + CRC_STEP), crc);
		if (slice.over) await slice.next();
	}
	view.setUint32(end, crc);
	return end + 4;
}

export async function encodePng(
	raster: Raster,
	options: PngEncodeOptions,
	slice: TimeSlice,
): Promise<Uint8Array> {
	const { width, height, rgba } = raster;
	if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
		throw new Error(`Cannot encode a ${width}×${height} picture`);
	}
	if (rgba.length !== width * height * 4) {
		throw new Error(`Expected ${width * height * 4} RGBA bytes, got ${rgba.length}`);
	}
	const channels = anyTransparent(rgba) ? 4 : 3;
	const header = new Uint8Array(13);
	new DataView(header.buffer).setUint32(0, width);
	new DataView(header.buffer).setUint32(4, height);
	header[8] = 8; // bit depth
	header[9] = channels === 4 ? 6 : 2; // RGBA or RGB
	// Compression 0 (deflate), filter method 0, no interlace: bytes 10 to 12 stay 0.
	const filtered = await filteredRows(raster, channels, slice);
	const effort = options.effort === 'fast' ? FAST_EFFORT : DEFAULT_EFFORT;
	const pieces = await deflateZlib(filtered, effort, slice);
	const idat = pieces.filter((piece) => piece.length > 0);
	const size =
		8 + (12 + header.length) + idat.reduce((sum, piece) => sum + 12 + piece.length, 0) + 12;
	const file = new Uint8Array(size);
	file.set(PNG_SIGNATURE);
	let at = await writeChunk(file, 8, 'IHDR', header, slice);
	for (const piece of idat) at = await writeChunk(file, at, 'IDAT', piece, slice);
	await writeChunk(file, at, 'IEND', new Uint8Array(0), slice);
	return file;
}
