/**
 * Telling a whole picture from one cut short (nodes/shared/images/wholeImage.ts): small valid files of each
 * checked type are built here, byte by byte, and every shorter version of them must be refused.
 */
import {
	END_BYTES,
	expectedImageType,
	fileEndsOf,
	fileEndsOfBase64,
	fileEndsOfStream,
	imageIsComplete,
	wholeImageRule,
} from '../nodes/shared/images/wholeImage';
import { sniffImageType } from '../nodes/shared/images/imageType';
import { encodePng, makePhoto } from '../simulator/png';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');

/** SOI, a JFIF APP0 segment, a comment segment, EOI: the smallest JPEG structure there is. */
const JPEG = hex('ffd8 ffe0 0010 4a46494600 0101 00 0001 0001 0000 fffe 0005 6f6b21 ffd9');

/** A 1×1 GIF89a: header, screen, 2-colour table, image descriptor, LZW data, block end 00, trailer 3B. */
const GIF = hex(
	'474946383961 0100 0100 80 00 00 000000 ffffff 2c 0000 0000 0100 0100 00 02 02 4401 00 3b',
);

/** The well-known smallest lossless WebP (1×1): RIFF size 26, one 13-byte VP8L chunk and its pad byte. */
const webp = () => Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

const PNG = encodePng(2, 2, new Uint8Array(16).fill(200));

const FILES: Array<[string, Buffer]> = [
	['image/png', PNG],
	['image/jpeg', JPEG],
	['image/gif', GIF],
	['image/webp', webp()],
];

/** Every version of `bytes` cut short: from empty to one byte less than whole. */
const cuts = (bytes: Buffer) =>
	Array.from({ length: bytes.length }, (_, length) => bytes.subarray(0, length));

describe('imageIsComplete', () => {
	it.each(FILES)(
		'accepts a whole %s, and the test file is one (its signature is recognised)',
		(type, bytes) => {
			expect(sniffImageType(bytes)).toBe(type);
			expect(imageIsComplete(bytes, type)).toBe(true);
			expect(imageIsComplete(fileEndsOf(bytes), type)).toBe(true);
		},
	);

	it.each(FILES)('refuses every cut-short version of a %s', (type, bytes) => {
		const accepted = cuts(bytes).filter((cut) => imageIsComplete(cut, type));
		expect(accepted.map((cut) => cut.length)).toEqual([]);
		// As the download checks them: the type from the bytes, or the declared one when too short to tell.
		const acceptedAsDownloaded = cuts(bytes).filter((cut) =>
			imageIsComplete(cut, expectedImageType(fileEndsOf(cut), type)),
		);
		expect(acceptedAsDownloaded.map((cut) => cut.length)).toEqual([]);
	});

	it('refuses every cut of a real, larger PNG too, including one missing only the IEND CRC', () => {
		const png = makePhoto(64, 48);
		expect(imageIsComplete(png, 'image/png')).toBe(true);
		for (const length of [
			0,
			7,
			8,
			33,
			png.length / 2,
			png.length - 12,
			png.length - 4,
			png.length - 1,
		]) {
			expect({ length, whole: imageIsComplete(png.subarray(0, length), 'image/png') }).toEqual({
				length,
				whole: false,
			});
		}
	});

	it('accepts a WebP longer than its header says (not cut), and a GIF needs the block end before 3B', () => {
		expect(imageIsComplete(Buffer.concat([webp(), hex('00000000')]), 'image/webp')).toBe(true);
		// Cut right after a 3B byte inside the image data: not the trailer.
		const cutAtDataByte = Buffer.concat([GIF.subarray(0, -3), hex('3b')]);
		expect(imageIsComplete(cutAtDataByte, 'image/gif')).toBe(false);
	});

	it('counts types it cannot judge as whole, so nothing new is refused for them', () => {
		expect(imageIsComplete(hex('424d 0000'), 'image/bmp')).toBe(true);
		expect(imageIsComplete(Buffer.from('<svg/>'), 'image/svg+xml')).toBe(true);
		expect(imageIsComplete(Buffer.alloc(0), undefined)).toBe(true);
	});
});

describe('expectedImageType', () => {
	it('trusts the bytes, and the declared type only for a file too short to tell', () => {
		expect(expectedImageType(fileEndsOf(JPEG), 'image/png')).toBe('image/jpeg');
		expect(expectedImageType(fileEndsOf(Buffer.alloc(0)), 'image/png')).toBe('image/png');
		expect(expectedImageType(fileEndsOf(PNG.subarray(0, 5)), 'image/png')).toBe('image/png');
		// Long enough to have a signature, and has none: not a cut picture, so not judged here.
		expect(
			expectedImageType(fileEndsOf(Buffer.alloc(END_BYTES, 0x41)), 'image/png'),
		).toBeUndefined();
	});
});

describe('wholeImageRule', () => {
	it('says in plain words how a whole file of the type ends', () => {
		const ends = (bytes: Buffer) => fileEndsOf(bytes);
		expect(wholeImageRule(ends(PNG), 'image/png')).toBe('a whole PNG ends with its IEND marker');
		expect(wholeImageRule(ends(JPEG), 'image/jpeg')).toBe(
			'a whole JPEG ends with its end-of-image marker FF D9',
		);
		expect(wholeImageRule(ends(GIF), 'image/gif')).toBe(
			'a whole GIF ends with its trailer byte 3B',
		);
		expect(wholeImageRule(ends(webp().subarray(0, 20)), 'image/webp')).toBe(
			`a whole WebP is ${webp().length} bytes long, as its RIFF header says`,
		);
		expect(wholeImageRule(ends(webp().subarray(0, 4)), 'image/webp')).toBe(
			'a whole WebP is as long as its RIFF header says',
		);
	});
});

describe('file ends read without the whole file', () => {
	const samples = [Buffer.alloc(0), hex('ff'), JPEG, GIF, webp(), PNG, makePhoto(40, 30)];

	it.each([true, false])(
		'from base64 text (padded: %s) they equal the ends of the bytes',
		(padded) => {
			for (const bytes of [...samples, ...cuts(PNG)]) {
				const base64 = bytes.toString('base64');
				const text = padded ? base64 : base64.replace(/=+$/, '');
				expect(fileEndsOfBase64(text)).toEqual(fileEndsOf(bytes));
			}
		},
	);

	it('from a stream in pieces of any size they equal the ends of the bytes', async () => {
		async function* inPieces(bytes: Buffer, size: number) {
			for (let offset = 0; offset < bytes.length; offset += size)
				yield bytes.subarray(offset, offset + size);
		}
		for (const bytes of samples) {
			for (const size of [1, 3, END_BYTES - 1, END_BYTES, END_BYTES + 1, 1000, 65536]) {
				expect(await fileEndsOfStream(inPieces(bytes, size))).toEqual(fileEndsOf(bytes));
			}
		}
	});
});
