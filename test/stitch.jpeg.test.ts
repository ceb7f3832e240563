/**
 * Full resolution with a JPEG photo (stitch/stitchPlan.ts): the crop's pixels are the photo's
 * (read from its coefficients, never decoded whole), and the stitch rewrites only the MCUs the
 * seam blend reaches: every other pixel decodes exactly as the original's, and a result the blend
 * takes nothing from gives the original file back byte for byte.
 */
import { decodeImage } from '../nodes/ModelsLabInpaint/codecs/decodeImage';
import * as jpegBand from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegBand';
import { encodeJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegEncode';
import type { Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import { maskBounds, type Box } from '../nodes/ModelsLabInpaint/stitch/cropBox';
import {
	cropForEndpoint,
	prepareStitch,
	stitchResult,
	type StitchPlan,
} from '../nodes/ModelsLabInpaint/stitch/stitchPlan';
import { blendOf, SEAM_FEATHER_PIXELS } from '../nodes/ModelsLabInpaint/stitch/seamPlan';
import { seamBlend } from '../nodes/ModelsLabInpaint/stitch/paste';
import { innerSides } from '../nodes/ModelsLabInpaint/stitch/cropBox';
import { encodeGrayPngSliced } from '../nodes/ModelsLabInpaint/codecs/png/grayPng';
import { encodePng } from '../nodes/ModelsLabInpaint/codecs/png/pngEncode';
import { slice, testPicture, withExifOrientation } from './support/codecCorpus';

const PHOTO = { width: 1400, height: 1100 };
const LIMIT = { maxPixels: 50_000_000 };

async function photoFile(subsampling: '4:2:0' | '4:4:4'): Promise<Uint8Array> {
	const raster: Raster = {
		...PHOTO,
		rgba: testPicture(PHOTO.width, PHOTO.height),
		hasAlpha: false,
	};
	// Exif that turns nothing (a turned photo: inpaint.orientation.test.ts), written back as it was.
	return withExifOrientation(await encodeJpeg(raster, { quality: 90, subsampling }, slice()), 1);
}

/** A mask file: white in a disc of `radius` around (cx, cy). */
async function maskFile(cx: number, cy: number, radius: number): Promise<Uint8Array> {
	const gray = new Uint8Array(PHOTO.width * PHOTO.height);
	for (let y = 0; y < PHOTO.height; y++)
		for (let x = 0; x < PHOTO.width; x++)
			if ((x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2) gray[y * PHOTO.width + x] = 255;
	return await encodeGrayPngSliced(PHOTO.width, PHOTO.height, gray, slice());
}

const decoded = async (file: Uint8Array) => (await decodeImage(file, LIMIT, slice())).raster;

/** The crop sent, repainted: a flat orange, as a PNG of its size. */
async function repainted(size: { width: number; height: number }): Promise<Uint8Array> {
	const rgba = new Uint8Array(size.width * size.height * 4);
	for (let i = 0; i < rgba.length; i += 4) rgba.set([250, 140, 20, 255], i);
	return await encodePng({ ...size, rgba, hasAlpha: false }, {}, slice());
}

/** Bytes that differ outside `box`. */
function changedOutside(a: Raster, b: Raster, box: Box): number {
	let changed = 0;
	for (let y = 0; y < a.height; y++)
		for (let x = 0; x < a.width; x++) {
			if (x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height)
				continue;
			for (let c = 0; c < 4; c++) {
				const o = (y * a.width + x) * 4 + c;
				if (a.rgba[o] !== b.rgba[o]) changed++;
			}
		}
	return changed;
}

/** The box of whole `mcu`-pixel blocks around `box`, cut at the photo's edges. */
function aligned(box: Box, mcu: number): Box {
	const left = Math.floor(box.left / mcu) * mcu;
	const top = Math.floor(box.top / mcu) * mcu;
	const right = Math.min(PHOTO.width, Math.ceil((box.left + box.width) / mcu) * mcu);
	const bottom = Math.min(PHOTO.height, Math.ceil((box.top + box.height) / mcu) * mcu);
	return { left, top, width: right - left, height: bottom - top };
}

describe.each([
	['4:2:0', 16],
	['4:4:4', 8],
] as const)('a %s JPEG photo', (subsampling, mcu) => {
	it('crops from the coefficients, and stitches only the MCUs the seam reaches', async () => {
		const photo = await photoFile(subsampling);
		const cropped = (await cropForEndpoint(photo, await maskFile(700, 500, 120), { max: 1024 }))!;
		const { plan, files } = cropped;
		expect(plan.format).toBe('jpeg');
		expect(plan.crop.scaled).toBe(false);
		const original = await decoded(photo);
		// The crop sent: the photo's pixels in the box, saved at quality 94.
		const sent = await decoded(files.photo.file);
		expect([sent.width, sent.height]).toEqual([plan.crop.box.width, plan.crop.box.height]);
		const stitched = await stitchResult(plan, await repainted(plan.crop.sendSize));
		expect(stitched.mimeType).toBe('image/jpeg');
		// The crop noted where the MCU rows down to its box start; without the note, the same file.
		const bottomRow = Math.floor((plan.crop.box.top + plan.crop.box.height - 1) / mcu);
		expect(plan.scanRows?.bits.length).toBe(bottomRow + 1);
		const unnoted = await stitchResult(
			{ ...plan, scanRows: undefined },
			await repainted(plan.crop.sendSize),
		);
		expect(Buffer.from(unnoted.file).equals(Buffer.from(stitched.file))).toBe(true);
		const result = await decoded(stitched.file);
		expect(Buffer.from(stitched.file).includes(Buffer.from(photo.subarray(2, 38)))).toBe(true);
		// The blocks written again: those around the blend's nonzero weights, no more.
		const { box } = plan.crop;
		const blend = await seamBlend(
			plan.maskCrop,
			box,
			SEAM_FEATHER_PIXELS,
			slice(),
			innerSides(box, PHOTO),
		);
		const reach = maskBounds(blend, box)!;
		const rewritten = aligned(
			{ ...reach, left: box.left + reach.left, top: box.top + reach.top },
			mcu,
		);
		expect(rewritten.width * rewritten.height).toBeLessThan(box.width * box.height);
		expect(changedOutside(result, original, rewritten)).toBe(0);
		// The disc's centre takes the result.
		const centre = (500 * PHOTO.width + 700) * 4;
		expect(
			Math.abs(result.rgba[centre] - 250) + Math.abs(result.rgba[centre + 2] - 20),
		).toBeLessThan(12);
	});
});

it('the seam blend is made once per plan, while the job runs: every result of the job uses it', async () => {
	const photo = await photoFile('4:2:0');
	const { plan } = (await cropForEndpoint(photo, await maskFile(700, 500, 120), { max: 1024 }))!;
	await prepareStitch(plan);
	const made = await blendOf(plan);
	const { box } = plan.crop;
	expect(made).toEqual(
		await seamBlend(plan.maskCrop, box, SEAM_FEATHER_PIXELS, slice(), innerSides(box, PHOTO)),
	);
	// Each result (data, data_1...) is pasted by that blend, not one made again: with its weights
	// all 0, the result takes nothing and the photo's file comes back as it was, twice.
	made.fill(0);
	for (let result = 0; result < 2; result++) {
		const stitched = await stitchResult(plan, await repainted(plan.crop.sendSize));
		expect(Buffer.from(stitched.file).equals(Buffer.from(photo))).toBe(true);
	}
	expect(await blendOf(plan)).toBe(made);
	// A plan of its own gets a blend of its own.
	expect(await blendOf({ ...plan })).not.toBe(made);
});

it('the photo’s band is read while the job runs, for the first result only, to the same file', async () => {
	const photo = await photoFile('4:2:0');
	const mask = await maskFile(700, 500, 120);
	const { plan } = (await cropForEndpoint(photo, mask, { max: 1024 }))!;
	const result = await repainted(plan.crop.sendSize);
	// A plan of its own, not prepared: the band read when the result is in.
	const after = await stitchResult({ ...plan }, result);
	const reads = jest.spyOn(jpegBand, 'readJpegBand');
	try {
		await prepareStitch(plan);
		expect(reads).toHaveBeenCalledTimes(1);
		const first = await stitchResult(plan, result);
		expect(reads).toHaveBeenCalledTimes(1); // the band read ahead
		const second = await stitchResult(plan, result);
		expect(reads).toHaveBeenCalledTimes(2); // a band of its own: the first paste changed that one
		for (const stitched of [first, second])
			expect(Buffer.from(stitched.file).equals(Buffer.from(after.file))).toBe(true);
	} finally {
		reads.mockRestore();
	}
});

it('a blend that takes nothing from the result gives the original file back', async () => {
	const photo = await photoFile('4:2:0');
	const box = { left: 100, top: 100, width: 400, height: 300 };
	const plan: StitchPlan = {
		photoFile: photo,
		format: 'jpeg',
		photo: PHOTO,
		crop: { box, sendSize: box, scaled: false },
		maskCrop: new Uint8Array(box.width * box.height),
	};
	const stitched = await stitchResult(plan, await repainted(box));
	expect(Buffer.from(stitched.file).equals(Buffer.from(photo))).toBe(true);
});
