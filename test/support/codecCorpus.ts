/**
 * Pictures and comparisons for the codec tests: made-up pixels, the committed JPEG fixtures, an
 * Exif segment spliced into a JPEG, and the difference between two rasters.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { TimeSlice } from '../../nodes/shared/pacing/timeSlice';
import type { Box, Raster } from '../../nodes/ModelsLabInpaint/codecs/raster';

export const fixture = (name: string) =>
	new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'codecs', name)));

export const slice = () => new TimeSlice();

/** width × height RGBA of gradients, hard edges and a checker, opaque. */
export function testPicture(width: number, height: number): Buffer {
	const data = Buffer.alloc(width * height * 4);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const o = (y * width + x) * 4;
			const inBox = x > width / 4 && x < width / 2 && y > height / 3 && y < (2 * height) / 3;
			data[o] = inBox ? 230 : (x * 255) / width;
			data[o + 1] = inBox ? 20 : (y * 255) / height;
			data[o + 2] = ((x >> 3) + (y >> 3)) % 2 ? 200 : 40;
			data[o + 3] = 255;
		}
	}
	return data;
}

/** The largest and the mean per-channel difference between two RGBA buffers of one size. */
export function difference(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
	if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} and ${b.length}`);
	let max = 0;
	let sum = 0;
	for (let i = 0; i < a.length; i++) {
		const d = Math.abs(a[i] - b[i]);
		if (d > max) max = d;
		sum += d;
	}
	return { max, mean: sum / a.length };
}

/** The largest and the mean colour (RGB) difference between two RGBA pictures at some pixels' offsets. */
export function differenceAt(a: Uint8Array, b: Uint8Array, offsets: number[]) {
	let [total, largest] = [0, 0];
	for (const offset of offsets)
		for (let c = 0; c < 3; c++) {
			const d = Math.abs(a[offset + c] - b[offset + c]);
			total += d;
			largest = Math.max(largest, d);
		}
	return { largest, mean: total / (offsets.length * 3) };
}

/** A JPEG with an APP1 Exif segment (one IFD entry: Orientation) put right after SOI. */
export function withExifOrientation(jpeg: Uint8Array, orientation: number, bigEndian = false) {
	const tiff = Buffer.alloc(8 + 2 + 12 + 4);
	const u16 = (value: number, at: number) =>
		bigEndian ? tiff.writeUInt16BE(value, at) : tiff.writeUInt16LE(value, at);
	const u32 = (value: number, at: number) =>
		bigEndian ? tiff.writeUInt32BE(value, at) : tiff.writeUInt32LE(value, at);
	tiff.write(bigEndian ? 'MM' : 'II', 0, 'latin1');
	u16(42, 2);
	u32(8, 4); // IFD0 right after the header
	u16(1, 8); // one entry
	u16(0x0112, 10); // Orientation
	u16(3, 12); // SHORT
	u32(1, 14); // count
	u16(orientation, 18); // the value, left-justified in the 4-byte field
	const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
	const segment = Buffer.alloc(4);
	segment.writeUInt16BE(0xffe1, 0);
	segment.writeUInt16BE(body.length + 2, 2);
	return new Uint8Array(Buffer.concat([jpeg.subarray(0, 2), segment, body, jpeg.subarray(2)]));
}

/** The offset of the first marker `marker` (FF xx) in a JPEG's header segments. */
export function markerAt(jpeg: Uint8Array, marker: number): number {
	for (let at = 2; at + 4 <= jpeg.length; ) {
		if (jpeg[at] !== 0xff) throw new Error('not at a marker');
		if (jpeg[at + 1] === marker) return at;
		at += 2 + ((jpeg[at + 2] << 8) | jpeg[at + 3]);
	}
	throw new Error(`no marker ${marker.toString(16)}`);
}

/**
 * Runs `work` while a setInterval ticker counts how often the event loop turned; the decoder must
 * let it run now and then, however long the work takes.
 */
export async function withTicker<T>(
	work: () => Promise<T>,
): Promise<{ result: T; ticks: number; elapsedMs: number }> {
	let ticks = 0;
	const ticker = setInterval(() => ticks++, 1);
	const started = Date.now();
	try {
		const result = await work();
		return { result, ticks, elapsedMs: Date.now() - started };
	} finally {
		clearInterval(ticker);
	}
}

/** How many bytes differ outside `box` (both rasters of one size). */
export function changedOutside(a: Uint8Array, b: Uint8Array, width: number, box: Box): number {
	let changed = 0;
	for (let i = 0; i < a.length; i++) {
		const x = (i >> 2) % width;
		const y = Math.floor((i >> 2) / width);
		const inside =
			x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
		if (!inside && a[i] !== b[i]) changed++;
	}
	return changed;
}

/** A box of pixels painted: a flat colour with a ramp across of `period` levels, opaque. */
export function painted(box: Box, [r, g, b] = [200, 60, 30], period = 50): Raster {
	const rgba = new Uint8Array(box.width * box.height * 4);
	for (let i = 0; i < rgba.length; i += 4) {
		const x = (i >> 2) % box.width;
		rgba.set([r, g + (x % period), b, 255], i);
	}
	return { width: box.width, height: box.height, rgba, hasAlpha: false };
}
