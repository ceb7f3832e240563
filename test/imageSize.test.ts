/**
 * Image sizes read from file headers only, on real files built here byte by byte (PNG through the
 * simulator's encoder), whole, cut at every length and mangled; and the size each endpoint is asked
 * for, on the examples and on thousands of picture sizes.
 */
import type { ImageSize, SizeLimits } from '../nodes/ModelsLabInpaint/size/imageSize';
import {
	MAX_IMAGE_SIDE,
	fitToEndpoint,
	imageSizeOf,
} from '../nodes/ModelsLabInpaint/size/imageSize';
import { encodePng } from '../simulator/png-codec';
import { makePhoto } from '../simulator/png';

const bytes = (...parts: Array<number[] | string | Buffer>) =>
	Buffer.concat(
		parts.map((part) =>
			typeof part === 'string'
				? Buffer.from(part, 'latin1')
				: Buffer.isBuffer(part)
					? part
					: Buffer.from(part),
		),
	);
const u16be = (n: number) => [(n >> 8) & 0xff, n & 0xff];
const u16le = (n: number) => [n & 0xff, (n >> 8) & 0xff];
const u24le = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const u32le = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
const u32be = (n: number) => u32le(n).reverse();

/** A small deterministic random generator (mulberry32), so every run tests the same bytes. */
function randomBytes(seed: number) {
	let state = seed >>> 0;
	const next = () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	return {
		next,
		bytes: (length: number) => Buffer.from(Array.from({ length }, () => Math.floor(next() * 256))),
	};
}

// ---- JPEG, by hand ----------------------------------------------------------------------------

/** A marker segment: FF, the marker, the length (counting itself), the data. */
const segment = (marker: number, data: number[] | Buffer) =>
	bytes([0xff, marker], u16be(data.length + 2), Buffer.from(data));

/** A frame header (SOF0 baseline, SOF2 progressive, ...): precision, height, width, 3 components. */
const sof = (marker: number, width: number, height: number) =>
	segment(marker, [8, ...u16be(height), ...u16be(width), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);

/**
 * A Huffman table whose first bytes, misread as a frame header, would say 257×2: a walker that
 * took C4 for a frame would answer that instead of the real size.
 */
const dht = segment(0xc4, [0x00, 0, 2, 1, 1, ...new Array<number>(12).fill(0), 0, 1, 2, 3]);

/** Arithmetic-coding conditions (DAC, CC), misread as a frame header they would say 1×1. */
const dac = segment(0xcc, [0x00, 0x00, 0x01, 0x00, 0x01, 0x00]);

const dqt = segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]);
const jfif = segment(0xe0, bytes('JFIF\0', [1, 1, 0, 0, 1, 0, 1, 0, 0]));
const xmp = segment(0xe1, bytes('http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>'));
const scan = bytes(
	segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 0x3f, 0]),
	[0x12, 0x34, 0xff, 0x00, 0x56],
);
const EOI = [0xff, 0xd9];

/**
 * An APP1 EXIF segment in either byte order whose IFD0 has a Model entry, then the orientation
 * (so the reader has to walk the entries), then the end of the IFD list.
 */
function exif(order: 'II' | 'MM', orientation: number, type = 3) {
	const little = order === 'II';
	const s = (n: number) => (little ? u16le(n) : u16be(n));
	const l = (n: number) => (little ? u32le(n) : u32be(n));
	const short = (n: number) => (little ? [...u16le(n), 0, 0] : [...u16be(n), 0, 0]);
	const tiff = bytes(
		order,
		s(42),
		l(8),
		s(2),
		[...s(0x0110), ...s(2), ...l(4), ...Buffer.from('abc\0', 'latin1')],
		[...s(0x0112), ...s(type), ...l(1), ...short(orientation)],
		l(0),
	);
	return segment(0xe1, bytes('Exif\0\0', tiff));
}

const jpeg = (...segments: Buffer[]) => bytes([0xff, 0xd8], ...segments, scan, EOI);

// ---- WEBP, GIF, BMP, by hand ------------------------------------------------------------------

const riff = (fourCc: string, data: number[]) =>
	bytes('RIFF', u32le(4 + 8 + data.length), 'WEBP', fourCc, u32le(data.length), data);

const webpLossy = (width: number, height: number) =>
	riff('VP8 ', [0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, ...u16le(width), ...u16le(height), 0, 0, 0, 0]);

function webpLossless(width: number, height: number) {
	const bits = ((width - 1) | ((height - 1) << 14) | (1 << 28)) >>> 0; // alpha bit set, version 0
	return riff('VP8L', [0x2f, ...u32le(bits), 0, 0, 0]);
}

const webpExtended = (width: number, height: number) =>
	bytes(
		riff('VP8X', [0x10, 0, 0, 0, ...u24le(width - 1), ...u24le(height - 1)]),
		webpLossy(8, 8).subarray(12),
	);

const gif = (version: '87a' | '89a', width: number, height: number) =>
	bytes(
		'GIF',
		version,
		u16le(width),
		u16le(height),
		[0x80, 0, 0],
		[0, 0, 0, 255, 255, 255],
		[0x3b],
	);

/** A BMP with a BITMAPINFOHEADER (40 bytes, or the bigger V4/V5 ones), 24-bit, no pixels. */
function bmpInfo(width: number, height: number, headerSize = 40) {
	const info = Buffer.alloc(headerSize);
	info.writeUInt32LE(headerSize, 0);
	info.writeInt32LE(width, 4);
	info.writeInt32LE(height, 8);
	info.writeUInt16LE(1, 12);
	info.writeUInt16LE(24, 14);
	return bytes('BM', u32le(14 + headerSize), [0, 0, 0, 0], u32le(14 + headerSize), info);
}

/** A BMP with the old 12-byte BITMAPCOREHEADER: unsigned 16-bit sides. */
const bmpCore = (width: number, height: number) =>
	bytes(
		'BM',
		u32le(26),
		[0, 0, 0, 0],
		u32le(26),
		u32le(12),
		u16le(width),
		u16le(height),
		u16le(1),
		u16le(24),
	);

const png = (width: number, height: number) =>
	encodePng(width, height, new Uint8Array(width * height * 4).fill(200));

// ---- The files and their sizes ----------------------------------------------------------------

const files: Array<[string, Buffer, ImageSize]> = [
	['PNG photo from the simulator', makePhoto(64, 48), { width: 64, height: 48, format: 'png' }],
	['PNG 1×1', png(1, 1), { width: 1, height: 1, format: 'png' }],
	['PNG 3×700', png(3, 700), { width: 3, height: 700, format: 'png' }],
	[
		'JPEG SOF0 baseline',
		jpeg(jfif, dqt, sof(0xc0, 640, 480), dht),
		{ width: 640, height: 480, format: 'jpeg' },
	],
	[
		'JPEG SOF2 progressive',
		jpeg(jfif, dqt, sof(0xc2, 1920, 1080), dht),
		{ width: 1920, height: 1080, format: 'jpeg' },
	],
	[
		'JPEG with DHT before SOF0',
		jpeg(dqt, dht, sof(0xc0, 800, 600)),
		{ width: 800, height: 600, format: 'jpeg' },
	],
	[
		'JPEG with DHT and DAC before SOF9',
		jpeg(dht, dac, sof(0xc9, 300, 200)),
		{ width: 300, height: 200, format: 'jpeg' },
	],
	[
		'JPEG EXIF II orientation 6',
		jpeg(exif('II', 6), dqt, dht, sof(0xc0, 640, 480)),
		{ width: 480, height: 640, format: 'jpeg', orientation: 6 },
	],
	[
		'JPEG EXIF MM orientation 6',
		jpeg(exif('MM', 6), dqt, dht, sof(0xc2, 640, 480)),
		{ width: 480, height: 640, format: 'jpeg', orientation: 6 },
	],
	[
		'JPEG EXIF MM orientation 3 (half turn)',
		jpeg(exif('MM', 3), sof(0xc0, 640, 480)),
		{ width: 640, height: 480, format: 'jpeg', orientation: 3 },
	],
	[
		'JPEG JFIF, XMP then EXIF',
		jpeg(jfif, xmp, exif('II', 8), sof(0xc1, 1000, 10)),
		{ width: 10, height: 1000, format: 'jpeg', orientation: 8 },
	],
	[
		'JPEG with fill bytes',
		bytes([0xff, 0xd8, 0xff, 0xff], jfif.subarray(0), [0xff, 0xff, 0xff], sof(0xc0, 5, 7)),
		{ width: 5, height: 7, format: 'jpeg' },
	],
	['WEBP lossy (VP8)', webpLossy(550, 368), { width: 550, height: 368, format: 'webp' }],
	[
		'WEBP lossy, scaling bits set',
		webpLossy(550 | 0xc000, 368 | 0x4000),
		{ width: 550, height: 368, format: 'webp' },
	],
	['WEBP lossless (VP8L)', webpLossless(386, 395), { width: 386, height: 395, format: 'webp' }],
	[
		'WEBP lossless 16384²',
		webpLossless(16384, 16384),
		{ width: 16384, height: 16384, format: 'webp' },
	],
	['WEBP extended (VP8X)', webpExtended(4000, 3000), { width: 4000, height: 3000, format: 'webp' }],
	['GIF87a', gif('87a', 320, 240), { width: 320, height: 240, format: 'gif' }],
	['GIF89a', gif('89a', 1, 65535), { width: 1, height: 65535, format: 'gif' }],
	['BMP info header', bmpInfo(1023, 767), { width: 1023, height: 767, format: 'bmp' }],
	['BMP info header, top-down', bmpInfo(640, -480), { width: 640, height: 480, format: 'bmp' }],
	['BMP V5 header, top-down', bmpInfo(300, -200, 124), { width: 300, height: 200, format: 'bmp' }],
	['BMP core header', bmpCore(200, 100), { width: 200, height: 100, format: 'bmp' }],
];

describe('imageSizeOf on whole files', () => {
	it.each(files)('%s', (_name, file, expected) => {
		expect(imageSizeOf(file)).toEqual(expected);
	});

	it('reads a bigger PNG from the simulator', () => {
		expect(imageSizeOf(makePhoto(1200, 900))).toEqual({ width: 1200, height: 900, format: 'png' });
	});

	it('reads a buffer that is a slice of a bigger one (a pooled Buffer)', () => {
		const junk = Buffer.alloc(37, 0xab);
		for (const [, file, expected] of files) {
			const slice = Buffer.concat([junk, file, junk]).subarray(
				junk.length,
				junk.length + file.length,
			);
			expect(imageSizeOf(slice)).toEqual(expected);
		}
	});

	it.each([1, 2, 3, 4, 5, 6, 7, 8])(
		'swaps the sides for EXIF orientation %d only from 5 on',
		(orientation) => {
			const turned = orientation >= 5;
			for (const order of ['II', 'MM'] as const) {
				expect(imageSizeOf(jpeg(exif(order, orientation), sof(0xc0, 640, 480)))).toEqual({
					width: turned ? 480 : 640,
					height: turned ? 640 : 480,
					format: 'jpeg',
					...(orientation > 1 && { orientation }),
				});
			}
		},
	);

	it('ignores orientations that are not 1 to 8, or not a SHORT', () => {
		for (const file of [
			jpeg(exif('II', 0), sof(0xc0, 640, 480)),
			jpeg(exif('MM', 9), sof(0xc0, 640, 480)),
			jpeg(exif('II', 6, 4), sof(0xc0, 640, 480)),
		]) {
			expect(imageSizeOf(file)).toEqual({ width: 640, height: 480, format: 'jpeg' });
		}
	});

	it('keeps the size when the EXIF segment is broken', () => {
		const broken = exif('II', 6);
		// Segment bytes 14-17 are IFD0's offset (little-endian 8): now it points far past the segment.
		broken[16] = 0xff;
		broken[17] = 0x7f;
		expect(imageSizeOf(jpeg(broken, sof(0xc0, 640, 480)))).toEqual({
			width: 640,
			height: 480,
			format: 'jpeg',
		});
		const badOrder = exif('II', 6);
		badOrder[10] = 0x58; // "XI"
		expect(imageSizeOf(jpeg(badOrder, sof(0xc0, 640, 480)))).toEqual({
			width: 640,
			height: 480,
			format: 'jpeg',
		});
	});

	it('finds the frame header behind 60 KB of metadata, but not when it lies past the bytes read', () => {
		const icc = segment(0xe2, Buffer.alloc(30_000, 7));
		const near = jpeg(exif('MM', 6), icc, icc, sof(0xc0, 4032, 3024));
		expect(near.length).toBeLessThan(64 * 1024);
		expect(imageSizeOf(near.subarray(0, 64 * 1024))).toEqual({
			width: 3024,
			height: 4032,
			format: 'jpeg',
			orientation: 6,
		});
		const far = jpeg(exif('MM', 6), icc, icc, icc, sof(0xc0, 4032, 3024));
		expect(imageSizeOf(far)).toEqual({ width: 3024, height: 4032, format: 'jpeg', orientation: 6 });
		expect(imageSizeOf(far.subarray(0, 64 * 1024))).toBeUndefined();
	});
});

describe('imageSizeOf on implausible sizes', () => {
	it.each([
		['PNG 0 wide', bytes(png(1, 1).subarray(0, 16), u32be(0), png(1, 1).subarray(20))],
		[
			'PNG over the largest side',
			bytes(png(1, 1).subarray(0, 16), u32be(MAX_IMAGE_SIDE + 1), png(1, 1).subarray(20)),
		],
		[
			'PNG 2^32 - 1 high',
			bytes(png(1, 1).subarray(0, 20), u32be(0xffffffff), png(1, 1).subarray(24)),
		],
		['JPEG 0 high (height given later, by DNL)', jpeg(sof(0xc0, 640, 0))],
		['GIF 0×0', gif('89a', 0, 0)],
		['BMP with a negative width', bmpInfo(-640, 480)],
		['BMP over the largest side', bmpInfo(640, -(MAX_IMAGE_SIDE + 1))],
		['BMP with an unknown header size', bmpInfo(640, 480, 20)],
		['VP8X over the largest side', webpExtended(MAX_IMAGE_SIDE + 1, 10)],
		['VP8 with a 0 side', webpLossy(0, 10)],
	])('%s', (_name, file) => {
		expect(imageSizeOf(file)).toBeUndefined();
	});

	it('takes the largest side itself', () => {
		const file = bytes(png(1, 1).subarray(0, 16), u32be(MAX_IMAGE_SIDE), png(1, 1).subarray(20));
		expect(imageSizeOf(file)).toEqual({ width: MAX_IMAGE_SIDE, height: 1, format: 'png' });
	});

	it('refuses a PNG whose first chunk is not IHDR, a VP8L of another version, a VP8 without start code', () => {
		const noIhdr = png(2, 2);
		noIhdr.write('IDAT', 12, 'latin1');
		expect(imageSizeOf(noIhdr)).toBeUndefined();
		const version = webpLossless(10, 10);
		version[24] |= 0x20;
		expect(imageSizeOf(version)).toBeUndefined();
		const noStart = webpLossy(10, 10);
		noStart[24] = 0x02;
		expect(imageSizeOf(noStart)).toBeUndefined();
	});
});

describe('imageSizeOf on cut files', () => {
	it.each(files)(
		'%s: every prefix gives undefined or the right size, never throws',
		(_name, file, expected) => {
			// PNGs carry their size in the first 24 bytes; their pixels add nothing to test here.
			const longest = Math.min(file.length, 200);
			let firstRight: number | undefined;
			for (let length = 0; length <= longest; length++) {
				const prefix = file.subarray(0, length);
				let answer: ImageSize | undefined;
				expect(() => (answer = imageSizeOf(prefix))).not.toThrow();
				if (answer === undefined) {
					// Once enough of the header is there, more bytes never lose the answer.
					expect(firstRight).toBeUndefined();
				} else {
					expect(answer).toEqual(expected);
					firstRight ??= length;
				}
			}
			expect(firstRight).toBeDefined();
		},
	);

	it('reads no byte past the end of the buffer', () => {
		// A view of the front of a bigger buffer: a read past its end would find the real size there.
		for (const [, file] of files) {
			for (let length = 0; length < Math.min(file.length, 200); length++) {
				const whole = Buffer.from(file);
				const view = new Uint8Array(whole.buffer, whole.byteOffset, length);
				const answer = imageSizeOf(view);
				if (answer !== undefined) expect(imageSizeOf(file)).toEqual(answer);
			}
		}
	});
});

describe('imageSizeOf on what is not an image', () => {
	const html = Buffer.from(
		'<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1>' +
			'<img src="photo.png" width="640" height="480"></body></html>\n',
	);

	it.each([
		['nothing', Buffer.alloc(0)],
		['one byte', Buffer.from([0xff])],
		['an HTML page', html],
		['JSON', Buffer.from('{"status":"error","message":"Image not found"}')],
		['zeros', Buffer.alloc(4096)],
		['0xFF everywhere', Buffer.alloc(4096, 0xff)],
		['a JPEG start and then zeros', bytes([0xff, 0xd8, 0xff, 0xe0], Buffer.alloc(100))],
		['a JPEG whose scan comes before any frame', bytes([0xff, 0xd8], dqt, scan, EOI)],
		['a JPEG of segments with a length below 2', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 1, 0xff, 0xc0])],
		['a RIFF that is a WAV', bytes('RIFF', u32le(36), 'WAVEfmt ', Buffer.alloc(40))],
		['a WEBP with an unknown first chunk', riff('ALPH', new Array<number>(20).fill(1))],
		['a TIFF (not read here)', bytes('II', [42, 0, 8, 0, 0, 0], Buffer.alloc(40))],
		['a GIF look-alike', bytes('GIF90a', u16le(10), u16le(10))],
	])('%s', (_name, file) => {
		expect(imageSizeOf(file)).toBeUndefined();
	});

	it('returns undefined for random bytes', () => {
		const random = randomBytes(1);
		for (let k = 0; k < 500; k++) {
			expect(imageSizeOf(random.bytes(1 + Math.floor(random.next() * 300)))).toBeUndefined();
		}
	});

	it('never throws and never answers an implausible size for mangled headers', () => {
		const random = randomBytes(2);
		for (const [, file] of files) {
			const head = file.subarray(0, Math.min(file.length, 300));
			for (let k = 0; k < 300; k++) {
				const mangled = Buffer.from(head);
				const changes = 1 + Math.floor(random.next() * 4);
				for (let c = 0; c < changes; c++) {
					mangled[Math.floor(random.next() * mangled.length)] = Math.floor(random.next() * 256);
				}
				const answer = imageSizeOf(
					mangled.subarray(0, Math.floor(random.next() * (mangled.length + 1))),
				);
				if (answer !== undefined) {
					for (const side of [answer.width, answer.height]) {
						expect(Number.isInteger(side) && side >= 1 && side <= MAX_IMAGE_SIDE).toBe(true);
					}
				}
			}
		}
	});

	it('walks a JPEG of thousands of empty segments without running away', () => {
		const empty = bytes([0xff, 0xfe, 0, 2]);
		const many = bytes([0xff, 0xd8], ...new Array<Buffer>(20_000).fill(empty), sof(0xc0, 10, 10));
		expect(imageSizeOf(many)).toBeUndefined();
		const some = bytes([0xff, 0xd8], ...new Array<Buffer>(1_000).fill(empty), sof(0xc0, 10, 10));
		expect(imageSizeOf(some)).toEqual({ width: 10, height: 10, format: 'jpeg' });
	});
});

// ---- fitToEndpoint ----------------------------------------------------------------------------

const COMMUNITY: SizeLimits = { min: 512, max: 1024, multipleOf: 8 };
const OTHERS: SizeLimits = { max: 1024 };

const ratioError = (a: { width: number; height: number }, b: { width: number; height: number }) =>
	Math.abs(a.width / a.height / (b.width / b.height) - 1);

describe('fitToEndpoint on the examples of the issue', () => {
	it.each([
		['1024×768, at most 1024', { width: 1024, height: 768 }, OTHERS, { width: 1024, height: 768 }],
		[
			'4000×3000, at most 1024',
			{ width: 4000, height: 3000 },
			OTHERS,
			{ width: 1024, height: 768 },
		],
		[
			'3000×4000, at most 1024',
			{ width: 3000, height: 4000 },
			OTHERS,
			{ width: 768, height: 1024 },
		],
		[
			'640×480, at most 1024: never up',
			{ width: 640, height: 480 },
			OTHERS,
			{ width: 640, height: 480 },
		],
		[
			'300×200, at most 1024: never up',
			{ width: 300, height: 200 },
			OTHERS,
			{ width: 300, height: 200 },
		],
		[
			'4000×3000, community',
			{ width: 4000, height: 3000 },
			COMMUNITY,
			{ width: 1024, height: 768 },
		],
		['1000×750, community', { width: 1000, height: 750 }, COMMUNITY, { width: 1000, height: 752 }],
		[
			'300×200, community: up to the minimum',
			{ width: 300, height: 200 },
			COMMUNITY,
			{ width: 768, height: 512 },
		],
		[
			'200×300, community: up to the minimum',
			{ width: 200, height: 300 },
			COMMUNITY,
			{ width: 512, height: 768 },
		],
		[
			'3000×500, community: ratio not kept',
			{ width: 3000, height: 500 },
			COMMUNITY,
			{ width: 1024, height: 512 },
		],
		[
			'500×3000, community: ratio not kept',
			{ width: 500, height: 3000 },
			COMMUNITY,
			{ width: 512, height: 1024 },
		],
		['100×100, community', { width: 100, height: 100 }, COMMUNITY, { width: 512, height: 512 }],
		['1×1, at most 1024', { width: 1, height: 1 }, OTHERS, { width: 1, height: 1 }],
		[
			'8000×1, at most 1024: at least 1',
			{ width: 8000, height: 1 },
			OTHERS,
			{ width: 1024, height: 1 },
		],
	])('%s', (_name, size, limits, expected) => {
		expect(fitToEndpoint(size, limits)).toEqual(expected);
	});

	it('keeps 1000×750 within 1 % of its ratio on the community endpoint', () => {
		const size = { width: 1000, height: 750 };
		expect(ratioError(fitToEndpoint(size, COMMUNITY), size)).toBeLessThan(0.01);
	});

	it('refuses sizes and limits that make no sense', () => {
		expect(() => fitToEndpoint({ width: 0, height: 10 }, OTHERS)).toThrow(RangeError);
		expect(() => fitToEndpoint({ width: 10, height: NaN }, OTHERS)).toThrow(RangeError);
		expect(() => fitToEndpoint({ width: 10, height: 10 }, { max: 0 })).toThrow(RangeError);
		expect(() => fitToEndpoint({ width: 10, height: 10 }, { max: 100, multipleOf: 0 })).toThrow(
			RangeError,
		);
		expect(() => fitToEndpoint({ width: 10, height: 10 }, { max: 100, multipleOf: 1.5 })).toThrow(
			RangeError,
		);
		expect(() => fitToEndpoint({ width: 10, height: 10 }, { min: 600, max: 500 })).toThrow(
			RangeError,
		);
		expect(() =>
			fitToEndpoint({ width: 10, height: 10 }, { min: 1001, max: 1020, multipleOf: 64 }),
		).toThrow(RangeError);
	});
});

describe('fitToEndpoint on many sizes', () => {
	const special = [1, 2, 3, 7, 8, 9, 63, 64, 100, 199, 255, 299, 300, 500, 511, 512, 513, 515, 516];
	const more = [640, 750, 767, 768, 1000, 1001, 1003, 1004, 1012, 1023, 1024, 1025, 1500, 2048];
	const large = [3000, 4000, 4032, 4096, 6000, 7999, 8000];
	const stepped = Array.from({ length: 47 }, (_, k) => 1 + k * 173);
	const sides = [...new Set([...special, ...more, ...large, ...stepped])];

	it.each([
		['community (512-1024, ×8)', COMMUNITY],
		['the others (at most 1024)', OTHERS],
		['at most 768, ×8', { max: 768, multipleOf: 8 }],
		['256-1000, ×64', { min: 256, max: 1000, multipleOf: 64 }],
		['300-900, ×1', { min: 300, max: 900 }],
	] as Array<[string, SizeLimits]>)('%s', (_name, limits) => {
		const step = limits.multipleOf ?? 1;
		const lowest = Math.max(step, Math.ceil((limits.min ?? 0) / step) * step);
		const highest = Math.floor(limits.max / step) * step;
		const failures: string[] = [];
		for (const width of sides) {
			for (const height of sides) {
				const size = { width, height };
				const fit = fitToEndpoint(size, limits);
				const fail = (why: string) =>
					failures.push(`${width}×${height} → ${fit.width}×${fit.height}: ${why}`);
				const long = Math.max(width, height);
				const short = Math.min(width, height);
				const fitShort = Math.min(fit.width, fit.height);
				for (const side of [fit.width, fit.height]) {
					if (!Number.isInteger(side)) fail('not a whole number');
					if (side < lowest || side > highest) fail('outside the limits');
					if (side % step !== 0) fail(`not a multiple of ${step}`);
				}
				if (Math.sign(width - height) * Math.sign(fit.width - fit.height) < 0) fail('turned');
				// The ratio can be kept when a size with it fits between the smallest and largest side,
				// and the shorter side is long enough for rounding to bend it by less than 1 %.
				const keepable = limits.min === undefined || long / short <= highest / lowest;
				if (keepable && fitShort >= 64 * step && ratioError(fit, size) >= 0.01) {
					fail(`ratio off by ${(ratioError(fit, size) * 100).toFixed(2)} %`);
				}
				const belowMin = limits.min !== undefined && short < limits.min;
				if (!belowMin) {
					// Never scaled up: only rounding to an accepted value may add pixels.
					if (fit.width > Math.max(width + step, lowest)) fail('wider than the picture');
					if (fit.height > Math.max(height + step, lowest)) fail('taller than the picture');
					if (step === 1 && long <= limits.max && (fit.width !== width || fit.height !== height)) {
						fail('changed although it fits');
					}
				} else if (limits.min! % step === 0 && fitShort !== limits.min) {
					fail('not scaled up to exactly the minimum');
				}
				if (width % step === 0 && height % step === 0 && long <= limits.max && !belowMin) {
					if (fit.width !== width || fit.height !== height) fail('changed although accepted as is');
				}
			}
		}
		expect(failures).toEqual([]);
	});
});
