/**
 * A JPEG's coefficients read only down to a pixel row (jpegDecode.ts `readJpegCoefficients` with
 * `lastRow`, as the crop reads its photo): every region above that row is byte for byte the full
 * decode's, in every layout (baseline, progressive, restarts, gray, RGB); the blocks below are
 * left undecoded; and the crop sent (stitchPlan.ts `cropForEndpoint`) is exactly the photo's box:
 * unscaled, its own blocks (the full decode's pixels); scaled, the full decode's box resized and
 * encoded as the crop is.
 */
import { writeJpegCrop } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegCrop';
import { applyOrientation, storedBox } from '../nodes/ModelsLabInpaint/codecs/orient';
import { decodeJpeg, readJpegCoefficients } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegDecode';
import { encodeJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegEncode';
import { regionRaster } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegRegion';
import { encodeGrayPngSliced } from '../nodes/ModelsLabInpaint/codecs/png/grayPng';
import type { Box, Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import { cropRaster, resizeRaster } from '../nodes/ModelsLabInpaint/stitch/resample';
import { cropForEndpoint } from '../nodes/ModelsLabInpaint/stitch/stitchPlan';
import { JPEG_QUALITY } from '../nodes/ModelsLabInpaint/stitch/sentPhoto';
import { fixture, slice, testPicture, withExifOrientation } from './support/codecCorpus';

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

describe('the crop sent', () => {
	const size = { width: 1400, height: 1100 };
	const raster: Raster = { ...size, rgba: testPicture(size.width, size.height), hasAlpha: false };
	/** A mask of the photo's size (or `area`: a turned photo's size as shown), white in `box`. */
	const maskOf = async (box: Box, area = size) => {
		const gray = new Uint8Array(area.width * area.height);
		for (let y = box.top; y < box.top + box.height; y++) {
			gray.fill(255, y * area.width + box.left, y * area.width + box.left + box.width);
		}
		return await encodeGrayPngSliced(area.width, area.height, gray, slice());
	};
	const photoJpeg = () => encodeJpeg(raster, { quality: 90, subsampling: '4:2:0' }, slice());

	it('unscaled: the photo’s own blocks, on the MCU grid, the full decode’s pixels', async () => {
		const photo = await photoJpeg();
		const mask = await maskOf({ left: 500, top: 200, width: 260, height: 220 });
		const { plan, files } = (await cropForEndpoint(photo, mask, { max: 1024 }))!;
		const { box } = plan.crop;
		expect(plan.crop.scaled).toBe(false);
		expect(box.top + box.height).toBeLessThan(size.height - 16);
		expect([box.left % 16, box.top % 16]).toEqual([0, 0]);
		const coefficients = await readJpegCoefficients(photo, MAX_PIXELS, slice());
		const copied = await writeJpegCrop(coefficients, box, slice());
		expect(Buffer.from(files.photo.file).equals(Buffer.from(copied))).toBe(true);
		const full = (await decodeJpeg(photo, MAX_PIXELS, slice())).raster;
		const sent = (await decodeJpeg(files.photo.file, MAX_PIXELS, slice())).raster;
		expect(Buffer.from(sent.rgba).equals(Buffer.from(cropRaster(full, box).rgba))).toBe(true);
	});

	it('scaled: the full decode’s box resized, encoded at JPEG_QUALITY, 4:4:4', async () => {
		const photo = await photoJpeg();
		const mask = await maskOf({ left: 100, top: 80, width: 1100, height: 700 });
		const { plan, files } = (await cropForEndpoint(photo, mask, { max: 1024 }))!;
		expect(plan.crop.scaled).toBe(true);
		const full = (await decodeJpeg(photo, MAX_PIXELS, slice())).raster;
		const resized = await resizeRaster(
			cropRaster(full, plan.crop.box),
			plan.crop.sendSize,
			slice(),
		);
		const options = { quality: JPEG_QUALITY, subsampling: '4:4:4' as const };
		const expected = await encodeJpeg(resized, options, slice());
		expect(Buffer.from(files.photo.file).equals(Buffer.from(expected))).toBe(true);
	});

	it('of a photo with an Exif orientation other than 1: turned upright from its pixels, not its blocks as they are', async () => {
		const photo = withExifOrientation(await photoJpeg(), 6);
		// Turned a quarter: the mask is drawn on the photo as shown, 1100 wide and 1400 tall.
		const shown = { width: size.height, height: size.width };
		const mask = await maskOf({ left: 200, top: 500, width: 220, height: 260 }, shown);
		const { plan, files } = (await cropForEndpoint(photo, mask, { max: 1024 }))!;
		expect(plan.crop.scaled).toBe(false);
		const sent = (await decodeJpeg(files.photo.file, MAX_PIXELS, slice())).raster;
		expect([sent.width, sent.height]).toEqual([plan.crop.box.width, plan.crop.box.height]);
		// The box's pixels as stored, turned upright, encoded at JPEG_QUALITY: no Exif, no blocks copied.
		const full = (await decodeJpeg(photo, MAX_PIXELS, slice())).raster;
		const stored = cropRaster(full, storedBox(plan.crop.box, 6, size));
		const upright = await applyOrientation(stored, 6, slice());
		const options = { quality: JPEG_QUALITY, subsampling: '4:4:4' as const };
		const expected = await encodeJpeg(upright, options, slice());
		expect(Buffer.from(files.photo.file).equals(Buffer.from(expected))).toBe(true);
		expect(Buffer.from(files.photo.file).includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(false);
	});
});
