/**
 * A JPEG's coefficients read only down to a pixel row (jpegDecode.ts `readJpegCoefficients` with
 * `lastRow`, as the crop reads its photo): every region above that row is byte for byte the full
 * decode's, in every layout (baseline, progressive, restarts, gray, RGB); the blocks below are
 * left undecoded; and the crop sent (stitchPlan.ts `cropForEndpoint`) is exactly the photo's box,
 * cropped from a full decode and encoded as the crop is.
 */
import { decodeJpeg, readJpegCoefficients } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegDecode';
import { encodeJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegEncode';
import { regionRaster } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegRegion';
import { encodeGrayPngSliced } from '../nodes/ModelsLabInpaint/codecs/png/grayPng';
import type { Box, Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import { cropRaster } from '../nodes/ModelsLabInpaint/stitch/resample';
import { cropForEndpoint, JPEG_QUALITY } from '../nodes/ModelsLabInpaint/stitch/stitchPlan';
import { fixture, slice, testPicture } from './support/codecCorpus';

const MAX_PIXELS = 50_000_000;

const CORPUS = [
	'baseline-444.jpg',
	'baseline-420.jpg',
	'baseline-440.jpg',
	'progressive-420.jpg',
	'gray.jpg',
	'gray-progressive.jpg',
	'restart-420.jpg',
	'restart-progressive.jpg',
	'rgb.jpg',
];

/** Boxes over a 150 × 101 picture ending above its last MCU row, and one at its bottom. */
const BOXES: Box[] = [
	{ left: 0, top: 0, width: 150, height: 1 },
	{ left: 7, top: 9, width: 33, height: 17 },
	{ left: 31, top: 40, width: 119, height: 24 },
	{ left: 64, top: 0, width: 17, height: 101 },
];

describe('coefficients read down to a row', () => {
	it.each(CORPUS)('%s: each region above it byte for byte the full decode’s', async (name) => {
		const file = fixture(name);
		const full = (await decodeJpeg(file, MAX_PIXELS, slice())).raster;
		for (const box of BOXES) {
			const lastRow = box.top + box.height - 1;
			const top = await readJpegCoefficients(file, MAX_PIXELS, slice(), lastRow);
			const region = await regionRaster(top, box, slice());
			expect(Buffer.from(region.rgba).equals(Buffer.from(cropRaster(full, box).rgba))).toBe(true);
			// Below the MCU row holding lastRow: nothing decoded.
			const luma = top.components[0];
			const mcuRow = Math.floor(lastRow / (8 * top.maxV));
			const below = (mcuRow + 1) * luma.v * luma.blocksPerLineForMcu * 64;
			expect(luma.coefficients.subarray(below).every((value) => value === 0)).toBe(true);
		}
	});

	it('asks for the row once, given the frame’s size, before any scan', async () => {
		const sizes: Array<{ width: number; height: number }> = [];
		const lastRow = async (size: { width: number; height: number }) => {
			sizes.push({ width: size.width, height: size.height });
			return 20;
		};
		const top = await readJpegCoefficients(
			fixture('progressive-420.jpg'),
			MAX_PIXELS,
			slice(),
			lastRow,
		);
		expect(sizes).toEqual([{ width: 150, height: 101 }]);
		expect(
			top.components[0].coefficients
				.subarray(4 * top.components[0].blocksPerLineForMcu * 64)
				.some(Boolean),
		).toBe(false);
	});
});

it('the crop sent is the photo’s box from a full decode, encoded as the crop is', async () => {
	const size = { width: 1400, height: 1100 };
	const raster: Raster = { ...size, rgba: testPicture(size.width, size.height), hasAlpha: false };
	const photo = await encodeJpeg(raster, { quality: 90, subsampling: '4:2:0' }, slice());
	const gray = new Uint8Array(size.width * size.height);
	for (let y = 200; y < 420; y++) gray.fill(255, y * size.width + 500, y * size.width + 760);
	const mask = await encodeGrayPngSliced(size.width, size.height, gray, slice());
	const { plan, files } = (await cropForEndpoint(photo, mask, { max: 1024 }))!;
	expect(plan.crop.box.top + plan.crop.box.height).toBeLessThan(size.height - 16);
	const full = (await decodeJpeg(photo, MAX_PIXELS, slice())).raster;
	const options = { quality: JPEG_QUALITY, subsampling: '4:4:4' as const };
	const expected = await encodeJpeg(cropRaster(full, plan.crop.box), options, slice());
	expect(Buffer.from(files.photo.file).equals(Buffer.from(expected))).toBe(true);
});
