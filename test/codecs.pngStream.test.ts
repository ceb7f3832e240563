/**
 * The PNG rows unpacked as a stream (inflate.ts `inflateZlibStream`, pngDecode.ts `unpackRows`)
 * and the shortcuts taken on the way, each against a reference: the stream byte for byte against
 * node's zlib, however the bytes are taken; Adler-32's skip over zeros against the sum byte by byte;
 * rows that repeat the row above (an Up row of zeros, a row of another filter that comes out the
 * same) and rows wider than the 32 KB window, pixel for pixel against pngjs.
 */
import { PNG } from 'pngjs';
import { deflateSync } from 'zlib';

import { adler32, adler32Run } from '../nodes/ModelsLabInpaint/codecs/png/checksums';
import { inflateZlibStream } from '../nodes/ModelsLabInpaint/codecs/png/inflate';
import { decodePng } from '../nodes/ModelsLabInpaint/codecs/png/pngDecode';
import { ImageDecodeError } from '../nodes/ModelsLabInpaint/codecs/raster';
import { slice } from './support/codecCorpus';
import { encodePng, filteredData, pngWithStream, random, type PngSpec } from './support/pngEncoder';

/** Bytes with long runs of zeros, runs of one value, repeats and noise, as a mask's rows unpack. */
function maskLikeBytes(length: number, seed: number): Uint8Array {
	const next = random(seed);
	const bytes = new Uint8Array(length);
	for (let at = 0; at < length; ) {
		const kind = Math.floor(next() * 4);
		const run = Math.min(length - at, 1 + Math.floor(next() * (kind === 0 ? 40_000 : 3000)));
		const value = Math.floor(next() * 256);
		for (let i = at; i < at + run; i++) {
			bytes[i] =
				kind === 0 ? 0 : kind === 1 ? value : kind === 2 ? (bytes[i - 100] ?? 0) : next() * 256;
		}
		at += run;
	}
	return bytes;
}

/** The stream taken in whole pieces of `piece` bytes, as rows are (0: all that is offered). */
async function streamed(stream: Uint8Array, maxBytes: number, piece: number) {
	const parts: Uint8Array[] = [];
	let got = 0;
	const take = (out: Uint8Array, from: number, to: number) => {
		const last = got + to - from === maxBytes;
		const end = piece === 0 || last ? to : from + Math.floor((to - from) / piece) * piece;
		parts.push(out.slice(from, end));
		got += end - from;
		return end;
	};
	const chunkBytes = Math.max(piece, 1);
	const total = await inflateZlibStream(stream, { maxBytes, chunkBytes }, slice(), take);
	return { bytes: Buffer.concat(parts), total };
}

describe('inflateZlibStream', () => {
	const data = maskLikeBytes(1_500_000, 7);

	it.each([
		['stored blocks, all taken', 0, 0],
		['fast, all taken', 1, 0],
		['default, taken in pieces of 1000 bytes', 6, 1000],
		['best, taken in pieces of 70001 bytes (more than the window)', 9, 70_001],
	])('%s: byte for byte as zlib', async (_name, level, piece) => {
		const stream = deflateSync(data, { level });
		const { bytes, total } = await streamed(stream, data.length, piece);
		expect(total).toBe(data.length);
		expect(bytes.equals(Buffer.from(data))).toBe(true);
	});

	it('refuses a wrong Adler-32 over zeros, and a stream past its bound', async () => {
		const zeros = deflateSync(Buffer.alloc(200_000), { level: 9 });
		const wrong = Buffer.from(zeros);
		wrong[wrong.length - 1] ^= 1;
		const take = (_out: Uint8Array, _from: number, to: number) => to;
		const options = { maxBytes: 200_000, chunkBytes: 1 };
		await expect(inflateZlibStream(wrong, options, slice(), take)).rejects.toThrow(
			ImageDecodeError,
		);
		await expect(inflateZlibStream(zeros, options, slice(), take)).resolves.toBe(200_000);
		await expect(
			inflateZlibStream(zeros, { ...options, maxBytes: 150_000 }, slice(), take),
		).rejects.toThrow(/more than the 150000 bytes/);
	});
});

it('Adler-32 skips runs of zeros with the same sum as byte by byte', () => {
	const plain = (bytes: Uint8Array, from: number, to: number, previous: number) => {
		let [a, b] = [previous & 0xffff, previous >>> 16];
		for (let i = from; i < to; i++) [a, b] = [(a + bytes[i]) % 65521, (b + a + bytes[i]) % 65521];
		return ((b << 16) | a) >>> 0;
	};
	const bytes = maskLikeBytes(300_000, 3);
	for (const [from, to] of [
		[0, bytes.length],
		[1, 5553],
		[4000, 250_001],
		[77, 78],
	]) {
		expect(adler32(bytes, from, to, 12345)).toBe(plain(bytes, from, to, 12345));
	}
	// Zeros at both ends of a block, but not between.
	const sparse = new Uint8Array(6000);
	sparse[700] = 5;
	sparse[3000] = 9;
	for (const from of [0, 188, 699]) {
		expect(adler32(sparse, from, sparse.length, 1)).toBe(plain(sparse, from, sparse.length, 1));
	}
});

it('Adler-32 of a run of one byte, in closed form, as byte by byte', () => {
	for (const [previous, value, count] of [
		[1, 0, 16],
		[0xfff0fff0, 255, 258],
		[123456789, 7, 200],
		[0x0001ffef, 128, 17],
	]) {
		const run = new Uint8Array(count).fill(value);
		expect(adler32Run(previous, value, count)).toBe(adler32(run, 0, count, previous));
	}
});

describe('rows as they unpack, as pngjs reads them', () => {
	/** Rows of random samples, each repeated a few times. */
	function repeatingRows(spec: Omit<PngSpec, 'samples'>, channels: number): PngSpec {
		const next = random(spec.width + spec.height);
		const rowLength = spec.width * channels;
		const samples = new Uint16Array(rowLength * spec.height);
		const most = 2 ** spec.bitDepth;
		const copyAbove = (y: number) =>
			samples.copyWithin(y * rowLength, (y - 1) * rowLength, y * rowLength);
		for (let y = 0; y < spec.height; y++) {
			if (spec.width === 3000 && y > 0) {
				// The row above with a few samples changed, as a mask's edge moves.
				copyAbove(y);
				for (let i = 0; i < 6; i++)
					samples[y * rowLength + ((y * 977 + i * 4111) % rowLength)] = next() * most;
			} else if (y % 4 !== 0) copyAbove(y);
			else for (let i = 0; i < rowLength; i++) samples[y * rowLength + i] = next() * most;
		}
		return { ...spec, samples };
	}

	it.each([
		['RGBA, every row Up', 6, 8, 4, () => 2],
		['RGB, the five filters in turn', 2, 8, 3, (y: number) => y % 5],
		['gray, no filter', 0, 8, 1, () => 0],
		[
			'16-bit RGBA 9000 wide (rows wider than the window), Paeth and Up',
			6,
			16,
			4,
			(y: number) => (y % 2 ? 2 : 4),
		],
		['interlaced RGBA, Up', 6, 8, 4, () => 2],
		['RGBA 3000 wide, rows changing in a few pixels, Up', 6, 8, 4, () => 2],
	] as const)('%s', async (name, colourType, bitDepth, channels, filterOf) => {
		const width = name.includes('9000') ? 9000 : name.includes('3000') ? 3000 : 301;
		const interlaced = name.startsWith('interlaced');
		const spec = repeatingRows(
			{ width, height: 23, colourType, bitDepth, interlaced, filterOf },
			channels,
		);
		const file = encodePng(spec);
		const raster = await decodePng(file, 50_000_000, slice());
		expect(Buffer.from(raster.rgba).equals(PNG.sync.read(file).data)).toBe(true);
	});
});

describe('only the first rows (a stitch takes no result pixel below its seam)', () => {
	const spec = (interlaced: boolean): PngSpec => {
		const next = random(7);
		const samples = Array.from({ length: 301 * 400 * 4 }, () => Math.floor(next() * 256));
		return { width: 301, height: 400, colourType: 6, bitDepth: 8, interlaced, samples };
	};
	/** The file with its Adler-32 wrong (its chunks' CRCs right): refused when read to the end. */
	const wrongSum = (s: PngSpec) => {
		const stream = deflateSync(filteredData(s));
		stream[stream.length - 1] ^= 1;
		return pngWithStream(s, stream);
	};

	it('unpacks those rows as a whole decode does, leaves the rest 0, checks no Adler-32', async () => {
		const whole = await decodePng(encodePng(spec(false)), 50_000_000, slice());
		const rowBytes = 301 * 4;
		for (const rows of [1, 17, 250]) {
			const part = await decodePng(wrongSum(spec(false)), 50_000_000, slice(), rows);
			expect(part.height).toBe(400);
			expect(Buffer.from(part.rgba.subarray(0, rows * rowBytes))).toEqual(
				Buffer.from(whole.rgba.subarray(0, rows * rowBytes)),
			);
			expect(part.rgba.subarray(rows * rowBytes).every((v) => v === 0)).toBe(true);
		}
	});

	it('reads to the end, and checks, when every row is asked for or the PNG is interlaced', async () => {
		await expect(decodePng(wrongSum(spec(false)), 50_000_000, slice(), 400)).rejects.toThrow(
			ImageDecodeError,
		);
		await expect(decodePng(wrongSum(spec(true)), 50_000_000, slice(), 5)).rejects.toThrow(
			ImageDecodeError,
		);
		const interlaced = await decodePng(encodePng(spec(true)), 50_000_000, slice(), 5);
		expect(Buffer.from(interlaced.rgba).equals(PNG.sync.read(encodePng(spec(true))).data)).toBe(
			true,
		);
	});
});
