/**
 * A JPEG patched by splicing (codecs/jpeg/jpegSplice.ts, jpegBand.ts): the patched MCUs coded
 * again with the file's own tables, every other MCU's bits copied from the original. Outside the
 * patched MCUs every pixel must decode as the original's, for our decoder and for jpeg-js; inside,
 * as the full rewrite's (the same coefficients). Files the splice cannot take (restart markers,
 * progressive, tables without the codes the patch needs) are written whole, as before.
 */
import * as jpeg from 'jpeg-js';

import { decodeJpeg, readJpegCoefficients } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegDecode';
import { encodeJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegEncode';
import { BlockDecoder } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegHuffman';
import { replaceRegion } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegPatch';
import { mcuAlignedBox } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegRegion';
import * as rewrite from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegRewrite';
import { patchJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegSplice';
import type { Box, Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import {
	changedOutside,
	painted,
	fixture,
	markerAt,
	slice,
	testPicture,
	withExifOrientation,
} from './support/codecCorpus';

const MAX_PIXELS = 50_000_000;
const SIZE = { width: 203, height: 150 };

/** A picture with grain, so neighbouring DCs differ and every MCU has AC codes. */
function grainy({ width, height }: typeof SIZE): Raster {
	const rgba = testPicture(width, height);
	let state = 12345;
	for (let i = 0; i < rgba.length; i++) {
		if ((i & 3) === 3) continue;
		state = (state * 1103515245 + 12345) >>> 0;
		rgba[i] = Math.max(0, Math.min(255, rgba[i] + ((state >>> 24) % 21) - 10));
	}
	return { width, height, rgba, hasAlpha: false };
}

const ourJpeg = async (subsampling: '4:2:0' | '4:4:4') =>
	withExifOrientation(await encodeJpeg(grainy(SIZE), { quality: 88, subsampling }, slice()), 6);

/** A box painted a colour far from the picture's, with a ramp. */
const orange = (box: Box) => painted(box, [250, 140, 20], 40);

/** The file patched in the MCUs around `area` by the splice, and those MCUs (photo pixels). */
async function spliced(file: Uint8Array, area: Box) {
	let patched: Box | undefined;
	const out = await patchJpeg(
		file,
		area,
		MAX_PIXELS,
		async (coefficients, region, top) => {
			patched = { ...region, top: region.top + top };
			await replaceRegion(coefficients, region, orange(region), slice());
		},
		slice(),
	);
	return { out, region: patched! };
}

/** The same patch by the full rewrite (the coefficients read whole, every block written again). */
async function rewritten(file: Uint8Array, area: Box): Promise<Uint8Array> {
	const coefficients = await readJpegCoefficients(file, MAX_PIXELS, slice());
	const region = mcuAlignedBox(coefficients, area);
	await replaceRegion(coefficients, region, orange(region), slice());
	return await rewrite.writeJpegCoefficients(coefficients, slice());
}

const ours = async (file: Uint8Array) => (await decodeJpeg(file, MAX_PIXELS, slice())).raster.rgba;
const theirs = (file: Uint8Array, colorTransform?: boolean) =>
	jpeg.decode(file, { useTArray: true, formatAsRGBA: true, colorTransform }).data;

/**
 * Patches of a W × H picture: in the first MCU row, the last, on the right edge (the DC carried
 * into the next row), across the whole width (runs merged), in the last MCU of all, one pixel.
 */
const areas = (W: number, H: number): Array<[string, Box]> => [
	['the first MCU row', { left: 40, top: 2, width: 30, height: 5 }],
	['the last MCU row', { left: 60, top: H - 4, width: 40, height: 4 }],
	['the right edge', { left: W - 19, top: 41, width: 19, height: 30 }],
	['the left edge', { left: 0, top: 70, width: 21, height: 17 }],
	['the whole width', { left: 0, top: 50, width: W, height: 20 }],
	['the last MCU', { left: W - 5, top: H - 5, width: 5, height: 5 }],
	['one pixel', { left: 101, top: 77, width: 1, height: 1 }],
	['several rows in the middle', { left: 33, top: 29, width: 77, height: 61 }],
];

describe.each(['4:2:0', '4:4:4'] as const)('a %s JPEG with the standard tables', (sampling) => {
	it.each(areas(SIZE.width, SIZE.height))(
		'patched in %s: the original outside, the rewrite inside',
		async (_, area) => {
			const file = await ourJpeg(sampling);
			const full = jest.spyOn(rewrite, 'writeJpegCoefficients');
			const { out, region } = await spliced(file, area);
			expect(full).not.toHaveBeenCalled();
			full.mockRestore();
			expect(changedOutside(await ours(out), await ours(file), SIZE.width, region)).toBe(0);
			expect(changedOutside(theirs(out), theirs(file), SIZE.width, region)).toBe(0);
			const whole = await rewritten(file, area);
			expect(Buffer.from(await ours(out)).equals(Buffer.from(await ours(whole)))).toBe(true);
			// The very coefficients of the rewrite, in a file of about its size: a few ZRL codes may
			// move the rest of the scan to the bit offset it had, where it needs other stuffed bytes.
			const [a, b] = [
				await readJpegCoefficients(out, MAX_PIXELS, slice()),
				await readJpegCoefficients(whole, MAX_PIXELS, slice()),
			];
			for (let i = 0; i < a.components.length; i++) {
				const [x, y] = [a.components[i].coefficients, b.components[i].coefficients];
				expect(Buffer.from(x.buffer).equals(Buffer.from(y.buffer))).toBe(true);
			}
			const scanBytes = (file: Uint8Array) => file.length - markerAt(file, 0xda);
			expect(Math.abs(scanBytes(out) - scanBytes(whole))).toBeLessThan(scanBytes(whole) / 50);
			// Past the patch's last row, the original's bytes as they were, to its last.
			if (region.top + region.height < SIZE.height - 16) {
				const tail = (file: Uint8Array) => Buffer.from(file.subarray(file.length - 64));
				expect(tail(out).equals(tail(file))).toBe(true);
			}
			// The original's segments (its Exif, with the orientation) kept as they were.
			expect(
				Buffer.from(out.subarray(0, markerAt(file, 0xda))).equals(
					Buffer.from(file.subarray(0, markerAt(file, 0xda))),
				),
			).toBe(true);
		},
	);
});

it('keeps a file’s own tables and segments, and copies the bits before the patch as they are', async () => {
	const file = fixture('rgb.jpg'); // one table pair for all three components: not the rewrite's
	const area = { left: 60, top: 40, width: 30, height: 20 };
	const { out, region } = await spliced(file, area);
	const scan = markerAt(file, 0xda);
	expect(
		Buffer.from(out.subarray(0, scan + 40)).equals(Buffer.from(file.subarray(0, scan + 40))),
	).toBe(true);
	expect(changedOutside(await ours(out), await ours(file), 150, region)).toBe(0);
	expect(changedOutside(theirs(out, false), theirs(file, false), 150, region)).toBe(0);
	const whole = await rewritten(file, area);
	expect(Buffer.from(await ours(out)).equals(Buffer.from(await ours(whole)))).toBe(true);
});

describe.each([
	['restart-420.jpg', 'restart markers'],
	['progressive-420.jpg', 'a progressive file'],
	['baseline-420.jpg', 'tables made for the picture (codes the patch needs may be missing)'],
	['gray.jpg', 'a gray file'],
])('%s (%s)', (name) => {
	it.each(areas(150, 101))(
		'patched in %s: the original outside, the rewrite inside',
		async (_, area) => {
			const file = fixture(name);
			const { out, region } = await spliced(file, area);
			const width = 150;
			expect(changedOutside(await ours(out), await ours(file), width, region)).toBe(0);
			expect(changedOutside(theirs(out), theirs(file), width, region)).toBe(0);
			const whole = await rewritten(file, area);
			expect(Buffer.from(await ours(out)).equals(Buffer.from(await ours(whole)))).toBe(true);
		},
	);
});

it('decodes the photo no further than the patch’s rows', async () => {
	const file = await ourJpeg('4:2:0');
	const decoded = jest.spyOn(BlockDecoder.prototype, 'decode');
	await spliced(file, { left: 30, top: 3, width: 20, height: 10 });
	// The first MCU row of 13 (4:2:0, 6 blocks an MCU) and one MCU of the next, of 130 in all.
	expect(decoded.mock.calls.length).toBeLessThanOrEqual(14 * 6);
	decoded.mockRestore();
});

it('leaves out an MPF segment (the images it points to after the first are not written)', async () => {
	const file = await ourJpeg('4:4:4');
	const mpf = Buffer.from([
		0xff,
		0xe2,
		0,
		10,
		...Buffer.from('MPF\0', 'latin1'),
		0x4d,
		0x4d,
		0,
		42,
	]);
	const com = Buffer.from([0xff, 0xfe, 0, 6, ...Buffer.from('note', 'latin1')]);
	const withMpf = new Uint8Array(Buffer.concat([file.subarray(0, 2), mpf, com, file.subarray(2)]));
	const { out } = await spliced(withMpf, { left: 60, top: 60, width: 10, height: 10 });
	expect(Buffer.from(out).includes(Buffer.from('MPF\0', 'latin1'))).toBe(false);
	expect(Buffer.from(out).includes(com)).toBe(true);
	expect(out.length).toBeGreaterThan(file.length / 2);
});
