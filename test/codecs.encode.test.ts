/**
 * The encoders (codecs/png/pngEncode.ts, codecs/jpeg/jpegEncode.ts, codecs/encodeImage.ts): every
 * PNG is read back exactly, by pngjs and by our decoder, and compressed within 1.3 × of what
 * node's zlib (level 6) makes of the same filtered rows; every JPEG is read by jpeg-js and by our
 * decoder, near enough to the source (PSNR thresholds per quality and subsampling), with the
 * Exif segment given kept. Both yield to the event loop on a large picture.
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { deflateSync, inflateSync } from 'zlib';

import { decodeImage } from '../nodes/ModelsLabInpaint/codecs/decodeImage';
import { encodeImage } from '../nodes/ModelsLabInpaint/codecs/encodeImage';
import { encodeJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegEncode';
import { exifOrientation } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegExif';
import { encodePng } from '../nodes/ModelsLabInpaint/codecs/png/pngEncode';
import type { Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import { TimeSlice } from '../nodes/shared/pacing/timeSlice';
import {
	markerAt,
	slice,
	testPicture,
	withExifOrientation,
	withTicker,
} from './support/codecCorpus';
import { photoLike } from './support/photoLike';

const LIMITS = { maxPixels: 50_000_000 };

function seededBytes(length: number, seed: number): Uint8Array {
	const bytes = new Uint8Array(length);
	for (let i = 0; i < length; i++) {
		seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
		bytes[i] = seed >>> 24;
	}
	return bytes;
}

const noise = (width: number, height: number, alpha: boolean): Raster => {
	const rgba = seededBytes(width * height * 4, width * 31 + height);
	if (!alpha) for (let i = 3; i < rgba.length; i += 4) rgba[i] = 255;
	return { width, height, rgba, hasAlpha: alpha };
};

const gradient = (width: number, height: number, alpha: boolean): Raster => {
	const rgba = new Uint8Array(width * height * 4);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const o = (y * width + x) * 4;
			rgba.set([x & 255, y & 255, (x + y) & 255, alpha ? (x * 7 + y) & 255 : 255], o);
		}
	}
	return { width, height, rgba, hasAlpha: alpha };
};

/** The concatenated IDAT data of a PNG: its zlib stream. */
function idat(png: Uint8Array): Buffer {
	const file = Buffer.from(png);
	const parts: Buffer[] = [];
	for (let at = 8; at < file.length; ) {
		const length = file.readUInt32BE(at);
		if (file.toString('latin1', at + 4, at + 8) === 'IDAT') {
			parts.push(file.subarray(at + 8, at + 8 + length));
		}
		at += 12 + length;
	}
	return Buffer.concat(parts);
}

async function expectPngRoundTrip(raster: Raster, effort?: 'default' | 'fast') {
	const png = await encodePng(raster, { effort }, slice());
	const reference = PNG.sync.read(Buffer.from(png));
	expect([reference.width, reference.height]).toEqual([raster.width, raster.height]);
	expect(Buffer.from(reference.data).equals(Buffer.from(raster.rgba))).toBe(true);
	const ours = await decodeImage(png, LIMITS, slice());
	expect(ours.format).toBe('png');
	expect(Buffer.from(ours.raster.rgba).equals(Buffer.from(raster.rgba))).toBe(true);
	expect(ours.raster.hasAlpha).toBe(raster.rgba.some((value, i) => i % 4 === 3 && value !== 255));
	return png;
}

describe('PNG encoding', () => {
	const sizes: Array<[number, number]> = [
		[1, 1],
		[7, 5],
		[13, 1],
		[1, 300],
		[3, 1000],
		[61, 37],
		[257, 129],
	];
	for (const alpha of [false, true]) {
		it.each(sizes)(
			`noise %i×%i ${alpha ? 'with' : 'without'} alpha reads back exactly`,
			async (w, h) => {
				await expectPngRoundTrip(noise(w, h, alpha));
			},
		);
		it.each(sizes)(
			`gradients %i×%i ${alpha ? 'with' : 'without'} alpha read back exactly`,
			async (w, h) => {
				await expectPngRoundTrip(gradient(w, h, alpha));
			},
		);
		it(`a photo-like picture ${alpha ? 'with' : 'without'} alpha reads back exactly`, async () => {
			await expectPngRoundTrip(photoLike(333, 251, 6, alpha));
			await expectPngRoundTrip(photoLike(333, 251, 6, alpha), 'fast');
		});
	}

	it('writes RGB when every pixel is opaque and RGBA otherwise', async () => {
		const opaque = await encodePng(gradient(9, 9, false), {}, slice());
		const clear = await encodePng(gradient(9, 9, true), {}, slice());
		expect([opaque[25], clear[25]]).toEqual([2, 6]); // IHDR colour type
	});

	it('compresses a photo-like picture within 1.3 × of zlib level 6 on the same filtered rows', async () => {
		const png = await expectPngRoundTrip(photoLike(1024, 768));
		const stream = idat(png);
		const zlibSize = deflateSync(inflateSync(stream), { level: 6 }).length;
		const ratio = stream.length / zlibSize;
		console.log(
			`photo-like 1024×768: ${stream.length} bytes of deflate, zlib 6: ${zlibSize}, ratio ${ratio.toFixed(3)}`,
		);
		expect(ratio).toBeLessThan(1.3);
	});

	it('stores incompressible rows with little overhead and compresses flat ones to almost nothing', async () => {
		const random = await encodePng(noise(256, 256, true), {}, slice());
		expect(random.length).toBeLessThan(256 * 256 * 4 * 1.01 + 1000);
		const flat = await encodePng(
			{ width: 512, height: 512, rgba: new Uint8Array(512 * 512 * 4).fill(255), hasAlpha: false },
			{},
			slice(),
		);
		expect(flat.length).toBeLessThan(2000);
	});

	it('refuses a raster whose bytes do not match its size', async () => {
		const bad = { width: 4, height: 4, rgba: new Uint8Array(10), hasAlpha: false };
		await expect(encodePng(bad, {}, slice())).rejects.toThrow('Expected 64 RGBA bytes');
	});
});

/** PSNR over the colour channels, and the mean absolute difference. */
function fidelity(source: Uint8Array, decoded: Uint8Array) {
	let squares = 0;
	let absolute = 0;
	let count = 0;
	for (let i = 0; i < source.length; i++) {
		if (i % 4 === 3) continue;
		const d = source[i] - decoded[i];
		squares += d * d;
		absolute += Math.abs(d);
		count++;
	}
	return { psnr: 10 * Math.log10((255 * 255) / (squares / count)), mean: absolute / count };
}

async function decodeBoth(file: Uint8Array) {
	const reference = jpeg.decode(file, { useTArray: true, formatAsRGBA: true });
	const ours = await decodeImage(file, LIMITS, slice());
	expect(ours.format).toBe('jpeg');
	expect([ours.raster.width, ours.raster.height]).toEqual([reference.width, reference.height]);
	return { reference: reference.data, ours: ours.raster.rgba, orientation: ours.orientation };
}

describe('JPEG encoding', () => {
	// Photo-like with mild sensor noise: white noise in every channel is the hardest content there is.
	const photo = photoLike(512, 384, 2);
	const thresholds: Array<[JpegSubsampling, number, number]> = [
		['4:2:0', 50, 35],
		['4:2:0', 75, 36.5],
		['4:2:0', 92, 38],
		['4:4:4', 50, 37],
		['4:4:4', 75, 40],
		['4:4:4', 92, 43],
	];
	it.each(thresholds)(
		'%s at quality %i: PSNR at least %d dB through jpeg-js and our decoder',
		async (subsampling, quality, least) => {
			const file = await encodeJpeg(photo, { quality, subsampling }, slice());
			const { reference, ours } = await decodeBoth(file);
			const theirs = fidelity(photo.rgba, reference);
			const mine = fidelity(photo.rgba, ours);
			console.log(
				`${subsampling} q${quality}: ${file.length} bytes; jpeg-js PSNR ${theirs.psnr.toFixed(2)} dB, mean error ${theirs.mean.toFixed(2)}; ours ${mine.psnr.toFixed(2)} dB, ${mine.mean.toFixed(2)}`,
			);
			expect(theirs.psnr).toBeGreaterThanOrEqual(least);
			expect(mine.psnr).toBeGreaterThanOrEqual(least);
			if (quality === 92) expect(mine.mean).toBeLessThan(subsampling === '4:4:4' ? 1.5 : 2);
		},
	);

	it('gets smaller as quality goes down', async () => {
		const sizes = [];
		for (const quality of [95, 80, 60, 30, 5]) {
			sizes.push((await encodeJpeg(photo, { quality, subsampling: '4:2:0' }, slice())).length);
		}
		expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
	});

	it.each([
		[1, 1],
		[17, 9],
		[4033, 1],
		[1, 33],
		[31, 17],
	])('%i×%i decodes to its size in both subsamplings', async (width, height) => {
		const raster = { width, height, rgba: testPicture(width, height), hasAlpha: false };
		for (const subsampling of ['4:2:0', '4:4:4'] as const) {
			const file = await encodeJpeg(raster, { quality: 95, subsampling }, slice());
			const { reference, ours } = await decodeBoth(file);
			expect(fidelity(raster.rgba, ours).mean).toBeLessThan(12);
			expect(fidelity(raster.rgba, reference).mean).toBeLessThan(12);
		}
	});

	it('keeps flat colours to within a level or two, alpha dropped', async () => {
		const rgba = new Uint8Array(40 * 24 * 4);
		for (let i = 0; i < rgba.length; i += 4) rgba.set([200, 40, 90, 0], i);
		const file = await encodeJpeg(
			{ width: 40, height: 24, rgba, hasAlpha: true },
			{ quality: 90, subsampling: '4:2:0' },
			slice(),
		);
		const { ours } = await decodeBoth(file);
		for (let i = 0; i < ours.length; i += 4) {
			expect(
				Math.abs(ours[i] - 200) + Math.abs(ours[i + 1] - 40) + Math.abs(ours[i + 2] - 90),
			).toBeLessThanOrEqual(4);
			expect(ours[i + 3]).toBe(255);
		}
	});

	it('writes the Exif segment given as it is, and our Exif reader finds its orientation', async () => {
		const carrier = withExifOrientation(
			jpeg.encode({ data: testPicture(8, 8), width: 8, height: 8 }, 90).data,
			6,
			true,
		);
		const at = markerAt(carrier, 0xe1);
		const exif = carrier.subarray(at + 4, at + 2 + ((carrier[at + 2] << 8) | carrier[at + 3]));
		expect(exifOrientation(exif)).toBe(6);
		const file = await encodeJpeg(photo, { quality: 85, subsampling: '4:2:0', exif }, slice());
		expect(Buffer.from(file).indexOf(Buffer.from(exif))).toBe(6); // right after SOI, FF E1 and length
		const { orientation } = await decodeBoth(file);
		expect(orientation).toBe(6);
		const plain = await encodeJpeg(photo, { quality: 85, subsampling: '4:2:0' }, slice());
		expect(Buffer.from(plain.subarray(6, 11)).toString('latin1')).toBe('JFIF\0');
	});

	it('refuses what it cannot write', async () => {
		const raster = photoLike(8, 8);
		await expect(encodeJpeg(raster, { quality: 0, subsampling: '4:2:0' }, slice())).rejects.toThrow(
			'quality',
		);
		const exif = new Uint8Array(70000);
		await expect(
			encodeJpeg(raster, { quality: 90, subsampling: '4:2:0', exif }, slice()),
		).rejects.toThrow('Exif');
		const wide = { width: 70000, height: 1, rgba: new Uint8Array(280000), hasAlpha: false };
		await expect(encodeJpeg(wide, { quality: 90, subsampling: '4:2:0' }, slice())).rejects.toThrow(
			'65535',
		);
	});
});

type JpegSubsampling = '4:2:0' | '4:4:4';

describe('encodeImage', () => {
	it('writes the format asked for', async () => {
		const raster = photoLike(40, 30);
		const png = await encodeImage(raster, 'png', {}, slice());
		const jpg = await encodeImage(raster, 'jpeg', { quality: 90, subsampling: '4:4:4' }, slice());
		expect((await decodeImage(png, LIMITS, slice())).format).toBe('png');
		expect((await decodeImage(jpg, LIMITS, slice())).format).toBe('jpeg');
	});
});

describe('time slices', () => {
	const big = photoLike(2048, 2048, 4);
	it.each([
		['PNG', (s: TimeSlice) => encodePng(big, {}, s)],
		['JPEG', (s: TimeSlice) => encodeJpeg(big, { quality: 92, subsampling: '4:2:0' }, s)],
	])('a 2048 × 2048 %s encode lets the event loop run', async (_, encode) => {
		const timeSlice = new TimeSlice();
		const { ticks, elapsedMs } = await withTicker(() => encode(timeSlice));
		expect(ticks).toBeGreaterThanOrEqual(3);
		// Sliced whatever the machine's load: no slice near the whole (bench measures the longest).
		expect(timeSlice.longestMs).toBeLessThan(elapsedMs / 2);
	});
});
