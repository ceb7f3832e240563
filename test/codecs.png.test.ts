/**
 * The PNG decoder and the inflater against the references: pngjs (PNG.sync.read) pixel for pixel
 * and node's zlib byte for byte. Files pngjs cannot write (palette, 1/2/4/16-bit, tRNS, Adam7,
 * every filter, IDAT in many chunks) come from the test encoder in support/pngEncoder.ts.
 * Then what must be refused: damaged, cut short, too large, deflate bombs.
 */
import { PNG } from 'pngjs';
import { deflateRawSync, deflateSync } from 'zlib';

import { decodeImage, DECODE_FORMATS } from '../nodes/ModelsLabInpaint/codecs/decodeImage';
import { encodeGrayPng } from '../nodes/ModelsLabInpaint/codecs/png/grayPng';
import { inflateZlibStream } from '../nodes/ModelsLabInpaint/codecs/png/inflate';
import { decodePng } from '../nodes/ModelsLabInpaint/codecs/png/pngDecode';
import { ImageDecodeError } from '../nodes/ModelsLabInpaint/codecs/raster';
import { TimeSlice } from '../nodes/shared/pacing/timeSlice';
import { slice, testPicture, withTicker } from './support/codecCorpus';
import {
	chunk,
	encodePng,
	PNG_SIGNATURE,
	pngHeader,
	pngWithStream,
	random,
	type PngSpec,
} from './support/pngEncoder';

/** Everything a zlib stream unpacks to, taken in chunks as it unpacks (as the PNG reader does). */
async function inflateZlib(
	compressed: Uint8Array,
	{ maxBytes }: { maxBytes: number },
	slice: TimeSlice,
) {
	const chunks: Uint8Array[] = [];
	await inflateZlibStream(compressed, { maxBytes, chunkBytes: 4096 }, slice, (out, from, to) => {
		chunks.push(out.slice(from, to));
		return to;
	});
	return Buffer.concat(chunks);
}

const LIMITS = { maxPixels: 50_000_000 };
const CHANNELS = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 } as const;

async function refusal(promise: Promise<unknown>): Promise<ImageDecodeError> {
	const error = await promise.then(
		() => undefined,
		(caught: unknown) => caught,
	);
	expect(error).toBeInstanceOf(ImageDecodeError);
	return error as ImageDecodeError;
}

/** pngjs turns a tRNS-transparent pixel into 0,0,0,0; we keep its colour, as libpng does. */
function matchesPngjs(file: Buffer, rgba: Uint8Array): void {
	const expected = PNG.sync.read(file).data;
	expect(rgba.length).toBe(expected.length);
	let mismatches = 0;
	for (let i = 0; i < rgba.length; i += 4) {
		const transparent = expected[i + 3] === 0 && rgba[i + 3] === 0;
		for (let c = 0; c < 4; c++) {
			if (!(transparent && c < 3) && rgba[i + c] !== expected[i + c]) mismatches++;
		}
	}
	expect(mismatches).toBe(0);
}

/** Random samples for a spec; palette pictures get a palette and tRNS no longer than it. */
function randomSpec(
	colourType: PngSpec['colourType'],
	bitDepth: PngSpec['bitDepth'],
	interlaced: boolean,
	width = 37,
	height = 23,
): PngSpec {
	const next = random(colourType * 100 + bitDepth * 2 + Number(interlaced));
	const levels = colourType === 3 ? Math.min(2 ** bitDepth, 200) : 2 ** bitDepth;
	const samples = Array.from({ length: width * height * CHANNELS[colourType] }, () =>
		Math.floor(next() * levels),
	);
	const spec: PngSpec = { width, height, colourType, bitDepth, interlaced, samples };
	if (colourType === 3) {
		spec.palette = Array.from({ length: levels * 3 }, () => Math.floor(next() * 256));
		spec.trns = [0, 128, 255, 7].slice(0, levels);
	}
	return spec;
}

const FORMATS: Array<[PngSpec['colourType'], PngSpec['bitDepth']]> = [
	[0, 1],
	[0, 2],
	[0, 4],
	[0, 8],
	[0, 16],
	[2, 8],
	[2, 16],
	[3, 1],
	[3, 2],
	[3, 4],
	[3, 8],
	[4, 8],
	[4, 16],
	[6, 8],
	[6, 16],
];

describe('every colour type and bit depth, as pngjs reads them', () => {
	it.each(
		FORMATS.flatMap(([type, depth]) => [
			[type, depth, false],
			[type, depth, true],
		]),
	)('colour type %i, %i-bit, interlaced: %s', async (type, depth, interlaced) => {
		const spec = randomSpec(
			type as PngSpec['colourType'],
			depth as PngSpec['bitDepth'],
			interlaced as boolean,
		);
		const file = encodePng({ ...spec, idatChunkBytes: 61 });
		const { raster, format, orientation } = await decodeImage(file, LIMITS, slice());
		expect([format, orientation, raster.width, raster.height]).toEqual(['png', 1, 37, 23]);
		expect(raster.hasAlpha).toBe(type === 3 || type === 4 || type === 6);
		matchesPngjs(file, raster.rgba);
	});

	it.each([
		[1, 1],
		[1, 9],
		[9, 1],
		[3, 3],
		[8, 8],
		[13, 7],
	])('Adam7 with empty passes: %i × %i', async (width, height) => {
		const spec = randomSpec(6, 8, true, width, height);
		const file = encodePng(spec);
		matchesPngjs(file, (await decodePng(file, LIMITS.maxPixels, slice())).rgba);
	});

	it.each([0, 1, 2, 3, 4])('filter %i on every row', async (filter) => {
		const file = encodePng({ ...randomSpec(2, 8, false), filterOf: () => filter });
		matchesPngjs(file, (await decodePng(file, LIMITS.maxPixels, slice())).rgba);
	});
});

describe('tRNS transparency', () => {
	it.each([
		[0, 1, [0, 1]],
		[0, 4, [0, 9]],
		[0, 8, [0, 77]],
		[0, 16, [0x12, 0x34]],
		[2, 8, [0, 10, 0, 20, 0, 30]],
		[2, 16, [1, 2, 3, 4, 5, 6]],
	])('colour type %i, %i-bit, key %j', async (type, depth, trns) => {
		const spec = randomSpec(type as PngSpec['colourType'], depth as PngSpec['bitDepth'], false);
		// Make sure the key colour occurs: every third pixel takes it.
		const key =
			depth === 16
				? [0, 2, 4].slice(0, CHANNELS[type as 0 | 2]).map((i) => (trns[i] << 8) | trns[i + 1])
				: [1, 3, 5].slice(0, CHANNELS[type as 0 | 2]).map((i) => trns[i]);
		const channels = CHANNELS[type as 0 | 2];
		const samples = spec.samples as number[];
		for (let p = 0; p < spec.width * spec.height; p += 3) {
			for (let c = 0; c < channels; c++) samples[p * channels + c] = key[c];
		}
		const file = encodePng({ ...spec, trns });
		const raster = await decodePng(file, LIMITS.maxPixels, slice());
		expect(raster.hasAlpha).toBe(true);
		expect(raster.rgba[3]).toBe(0);
		expect(raster.rgba[7]).toBe(255);
		matchesPngjs(file, raster.rgba);
	});
});

describe('files from other encoders', () => {
	it('pngjs RGBA and the gray mask encoder', async () => {
		const png = new PNG({ width: 64, height: 48 });
		png.data = testPicture(64, 48);
		const file = PNG.sync.write(png);
		const raster = await decodePng(new Uint8Array(file), LIMITS.maxPixels, slice());
		expect(Buffer.from(raster.rgba).equals(png.data)).toBe(true);
		const mask = Uint8Array.from({ length: 50 * 30 }, (_, i) => (i * 7) % 256);
		const gray = await decodePng(encodeGrayPng(50, 30, mask), LIMITS.maxPixels, slice());
		expect(gray.hasAlpha).toBe(false);
		expect(Array.from(gray.rgba.filter((_, i) => i % 4 === 0))).toEqual(Array.from(mask));
	});
});

describe('inflate', () => {
	const data = Buffer.from(
		Array.from({ length: 300_000 }, (_, i) => (i % 1000 < 500 ? (i * 31) & 0xff : i & 3)),
	);

	it.each([
		['stored blocks', 0],
		['fast', 1],
		['default', 6],
		['best', 9],
	])('%s (zlib level %i), byte for byte', async (_name, level) => {
		const stream = deflateSync(data, { level });
		const out = await inflateZlib(stream, { maxBytes: data.length }, slice());
		expect(Buffer.from(out).equals(data)).toBe(true);
	});

	it.each([1, 2, 3, 4, 7, 15, 16, 17, 100, 4000])(
		'long repeating runs of period %i (matches that overlap themselves), byte for byte',
		async (period) => {
			// Runs of a repeating pattern between bits of noise, as masks and flat areas unpack.
			const bytes = new Uint8Array(200_000);
			let seed = period;
			for (let i = 0; i < bytes.length; i++) {
				seed = (seed * 1103515245 + 12345) >>> 0;
				const inRun = i % 20_000 > 300;
				bytes[i] = inRun ? (bytes[i - period] ?? seed >>> 24) : seed >>> 24;
			}
			const stream = deflateSync(bytes, { level: 9 });
			const out = await inflateZlib(stream, { maxBytes: bytes.length }, slice());
			expect(Buffer.from(out).equals(Buffer.from(bytes))).toBe(true);
		},
	);

	it('fixed Huffman codes (a short stream)', async () => {
		const short = Buffer.from('hello hello hello hello');
		const stream = deflateSync(short, { strategy: 4 }); // Z_FIXED
		const out = await inflateZlib(stream, { maxBytes: 100 }, slice());
		expect(Buffer.from(out).toString()).toBe('hello hello hello hello');
	});

	it('refuses a wrong Adler-32, a raw deflate stream and a stream cut short', async () => {
		const stream = deflateSync(data);
		const wrongSum = Buffer.from(stream);
		wrongSum[wrongSum.length - 1] ^= 1;
		await refusal(inflateZlib(wrongSum, { maxBytes: data.length }, slice()));
		await refusal(inflateZlib(deflateRawSync(data), { maxBytes: data.length }, slice()));
		for (const end of [1, 5, 100, stream.length - 3]) {
			await refusal(inflateZlib(stream.subarray(0, end), { maxBytes: data.length }, slice()));
		}
	});

	it('refuses a deflate bomb at its output bound', async () => {
		const bomb = deflateSync(Buffer.alloc(50_000_000), { level: 9 });
		expect(bomb.length).toBeLessThan(100_000);
		const error = await refusal(inflateZlib(bomb, { maxBytes: 1_000_000 }, slice()));
		expect(error.message).toMatch(/more than the 1000000 bytes/);
	});
});

describe('what it refuses', () => {
	const good = () => encodePng(randomSpec(2, 8, false));

	it('a PNG claiming 100000 × 100000, by its header alone', async () => {
		const header = pngHeader({ width: 100_000, height: 100_000, bitDepth: 8, colourType: 6 });
		const file = Buffer.concat([PNG_SIGNATURE, header, chunk('IEND', [])]);
		const error = await refusal(decodeImage(file, LIMITS, slice()));
		expect(error.message).toMatch(/100000 × 100000 pixels, more than the 50000000/);
	});

	it('a 1 × 1 PNG whose data unpacks to 50 MB (a deflate bomb)', async () => {
		const spec = randomSpec(0, 8, false, 1, 1);
		const file = pngWithStream(spec, deflateSync(Buffer.alloc(50_000_000), { level: 9 }));
		expect((await refusal(decodeImage(file, LIMITS, slice()))).message).toMatch(/more than/);
	});

	it('a wrong chunk checksum, an unknown filter, data missing', async () => {
		const badCrc = good();
		badCrc[badCrc.length - 20] ^= 0xff; // inside the last IDAT
		await refusal(decodeImage(badCrc, LIMITS, slice()));
		const spec = randomSpec(0, 8, false, 4, 4);
		const badFilter = pngWithStream(
			spec,
			deflateSync(Buffer.from([9, 1, 2, 3, 4, ...new Array(15).fill(0)])),
		);
		expect((await refusal(decodeImage(badFilter, LIMITS, slice()))).message).toMatch(/filter/);
		const short = pngWithStream(spec, deflateSync(Buffer.alloc(10)));
		await refusal(decodeImage(short, LIMITS, slice()));
	});

	it('a file cut short anywhere', async () => {
		const file = encodePng({ ...randomSpec(6, 16, true), idatChunkBytes: 500 });
		for (let end = 8; end < file.length; end += 37) {
			await refusal(decodeImage(file.subarray(0, end), LIMITS, slice()));
		}
	});

	it.each([
		['WebP', Buffer.from('RIFF\x10\0\0\0WEBPVP8 ', 'latin1')],
		['GIF', Buffer.from('GIF89a\x01\0\x01\0', 'latin1')],
		['BMP', Buffer.from('BM\x3a\0\0\0\0\0', 'latin1')],
		['of an unknown kind', Buffer.from([1, 2, 3, 4, 5, 6, 7, 8])],
		['of an unknown kind', Buffer.alloc(0)],
	])('%s, naming the formats it reads', async (kind, bytes) => {
		const error = await refusal(decodeImage(bytes, LIMITS, slice()));
		expect(error.message).toContain(`can read PNG and JPEG pictures; this one is ${kind}`);
		expect(DECODE_FORMATS).toEqual(['PNG', 'JPEG']);
	});
});

describe('time slicing', () => {
	it('decodes a 2048 × 2048 PNG in slices, letting the event loop turn', async () => {
		// The filtered rows are written directly (pngjs's encoder is slow under jest): RGBA rows
		// with each of the five filters in turn, bytes that vary enough to need dynamic codes.
		const size = 2048;
		const rowBytes = size * 4 + 1;
		const rows = Buffer.alloc(size * rowBytes);
		for (let y = 0; y < size; y++) {
			rows[y * rowBytes] = y % 5;
			for (let i = 1; i < rowBytes; i++) rows[y * rowBytes + i] = (i * 7 + y) % 13;
		}
		const spec: PngSpec = { width: size, height: size, colourType: 6, bitDepth: 8, samples: [] };
		const file = pngWithStream({ ...spec, idatChunkBytes: 65536 }, deflateSync(rows));
		const timeSlice = new TimeSlice();
		const { result, ticks, elapsedMs } = await withTicker(() =>
			decodePng(file, LIMITS.maxPixels, timeSlice),
		);
		expect([result.width, result.height, result.hasAlpha]).toEqual([size, size, true]);
		expect(ticks).toBeGreaterThanOrEqual(3);
		// Sliced whatever the machine's load: no slice near the whole (bench measures the longest).
		expect(timeSlice.longestMs).toBeLessThan(elapsedMs / 2);
	});
});
