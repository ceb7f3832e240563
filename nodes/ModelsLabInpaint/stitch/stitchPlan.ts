/**
 * Full resolution, the pixel side: a large photo and its full-size mask → the box around the mask,
 * cropped (and scaled to what the endpoint takes), as the two files sent; then, once ModelsLab has
 * repainted it, the result pasted back into the original with a soft seam and encoded in the
 * photo's own format. Outside the box every pixel is the original's: exactly for PNG; for JPEG the
 * whole picture is encoded again at quality JPEG_QUALITY (bench: the difference outside the box).
 *
 * The photo is kept between the two steps as its file only (a few MB), never decoded: a stitch
 * decodes it again. Memory of a stitch, for a photo of N pixels: the decoded photo (4 N bytes),
 * the result at the box's size and the blend (at most 5 N), and the encoder's own (see
 * pngEncode.ts / jpegEncode.ts): about 3 × the decoded size at the peak, and at most
 * STITCHES_AT_ONCE stitches run at a time per n8n process.
 */
import { ConcurrencyLimit } from '../../shared/pacing/pool';
import { TimeSlice } from '../../shared/pacing/timeSlice';
import { decodeImage } from '../codecs/decodeImage';
import { encodeImage } from '../codecs/encodeImage';
import { encodeGrayPngSliced } from '../codecs/png/grayPng';
import type { Raster } from '../codecs/raster';
import { ImageDecodeError } from '../codecs/raster';
import { maskFromPicture } from '../mask/maskFromPicture';
import type { SizeLimits } from '../size/imageSize';
import type { Box, CropPlan, PixelArea } from './cropBox';
import { cropBoxFor, innerSides, maskBounds } from './cropBox';
import { seamBlend, pasteWithSeam } from './paste';
import { cropGray, cropRaster, resizeRaster } from './resample';
import { resizeSamples } from './resampleAxes';

/** The largest photo stitched: 40 megapixels (e.g. 7744 × 5163), 160 MB decoded. */
export const MAX_FULL_RESOLUTION_PIXELS = 40_000_000;
/** JPEG photos are encoded again at this quality (4:4:4, so colour edges stay sharp). */
export const JPEG_QUALITY = 94;
/** The seam's width around the repainted area: the result fades into the original over it. */
export const SEAM_FEATHER_PIXELS = 12;
/** How far past the mask the seam can change a pixel: the mask grown by the feather, then softened (paste.ts). */
export const SEAM_REACH_PIXELS = Math.ceil(SEAM_FEATHER_PIXELS * 1.5);
/** Stitches running at once in this n8n process (each is CPU work on the main thread anyway). */
export const STITCHES_AT_ONCE = 1;
const stitches = new ConcurrencyLimit(STITCHES_AT_ONCE);

export type StitchFormat = 'png' | 'jpeg';

/** What a stitch needs once the result is in; everything but the photo's file is small. */
export interface StitchPlan {
	photoFile: Uint8Array;
	format: StitchFormat;
	/** The JPEG's Exif segment, written back (orientation included: nothing is turned). */
	exif?: Uint8Array;
	photo: PixelArea;
	crop: CropPlan;
	/** The mask over the box (box-sized gray), where the result is taken. */
	maskCrop: Uint8Array;
}

/** The two files sent instead of the photo and the mask: the box, at the size sent. */
export interface CroppedFiles {
	photo: { file: Buffer; mimeType: string };
	mask: { file: Buffer; mimeType: string };
}

const mimeTypeOf = (format: StitchFormat) => `image/${format}`;

/** The photo decoded, and its mask as gray levels of the same size (255 = repaint). */
async function decodePhotoAndMask(photoFile: Uint8Array, maskFile: Uint8Array, slice: TimeSlice) {
	const limit = { maxPixels: MAX_FULL_RESOLUTION_PIXELS };
	const decoded = await decodeImage(photoFile, limit, slice);
	const photo = { width: decoded.raster.width, height: decoded.raster.height };
	const maskPicture = (await decodeImage(maskFile, limit, slice)).raster;
	if (maskPicture.width !== photo.width || maskPicture.height !== photo.height)
		throw new ImageDecodeError(
			`the mask is ${maskPicture.width}×${maskPicture.height} pixels and the photo ${photo.width}×${photo.height}: they must be the same size`,
		);
	const mask = (await maskFromPicture(maskPicture, slice)).gray;
	return { decoded, photo, mask };
}

/**
 * Plans the crop and makes the files to send. Undefined when the mask has no white at all (the
 * caller then sends the photo as it is, as before). Throws ImageDecodeError for a photo or mask
 * the codecs cannot read or one over MAX_FULL_RESOLUTION_PIXELS.
 */
export async function cropForEndpoint(
	photoFile: Uint8Array,
	maskFile: Uint8Array,
	limits: SizeLimits,
): Promise<{ plan: StitchPlan; files: CroppedFiles } | undefined> {
	return await stitches.run(async () => {
		const slice = new TimeSlice();
		const { decoded, photo, mask } = await decodePhotoAndMask(photoFile, maskFile, slice);
		const bounds = maskBounds(mask, photo);
		if (!bounds) return undefined;
		const crop = cropBoxFor(bounds, photo, limits);
		const maskCrop = cropGray(mask, photo, crop.box);
		const sentPhoto = await resizeRaster(
			cropRaster(decoded.raster, crop.box),
			crop.sendSize,
			slice,
		);
		const sentMask = crop.scaled
			? await resizeSamples(maskCrop, crop.box, crop.sendSize, 1, slice)
			: maskCrop;
		const format = decoded.format;
		const files: CroppedFiles = {
			photo: {
				file: Buffer.from(await encodeImage(sentPhoto, format, encodeOptions(format), slice)),
				mimeType: mimeTypeOf(format),
			},
			mask: {
				file: await encodeGrayPngSliced(crop.sendSize.width, crop.sendSize.height, sentMask, slice),
				mimeType: 'image/png',
			},
		};
		return { plan: { photoFile, format, exif: decoded.exif, photo, crop, maskCrop }, files };
	});
}

/**
 * Keep Original Pixels Outside the Mask, for a photo the endpoint takes whole: the request is sent
 * as it is, and the plan pastes the whole result back by the mask (the box is the photo). Undefined
 * when the mask has no white. Throws ImageDecodeError for a photo or mask the codecs cannot read.
 */
export async function planWholePhoto(
	photoFile: Uint8Array,
	maskFile: Uint8Array,
	sendSize: PixelArea | undefined,
): Promise<StitchPlan | undefined> {
	return await stitches.run(async () => {
		const { decoded, photo, mask } = await decodePhotoAndMask(photoFile, maskFile, new TimeSlice());
		if (!maskBounds(mask, photo)) return undefined;
		const box = { left: 0, top: 0, ...photo };
		const crop: CropPlan = { box, sendSize: sendSize ?? photo, scaled: false };
		return { photoFile, format: decoded.format, exif: decoded.exif, photo, crop, maskCrop: mask };
	});
}

const encodeOptions = (format: StitchFormat, exif?: Uint8Array) =>
	format === 'png'
		? {}
		: { quality: JPEG_QUALITY, subsampling: '4:4:4' as const, ...(exif ? { exif } : {}) };

/**
 * One result picture pasted back into the original photo: scaled to the box, blended in by the
 * mask grown and softened by SEAM_FEATHER_PIXELS, the whole encoded in the photo's format.
 */
export async function stitchResult(
	plan: StitchPlan,
	resultFile: Uint8Array,
): Promise<{ file: Buffer; mimeType: string; resultSize: PixelArea }> {
	return await stitches.run(async () => {
		const slice = new TimeSlice();
		const limit = { maxPixels: MAX_FULL_RESOLUTION_PIXELS };
		const result = (await decodeImage(resultFile, limit, slice)).raster;
		const { box } = plan.crop;
		const fitted = await resizeRaster(result, box, slice);
		const blend = await seamBlend(
			plan.maskCrop,
			box,
			SEAM_FEATHER_PIXELS,
			slice,
			innerSides(box, plan.photo),
		);
		const original: Raster = (await decodeImage(plan.photoFile, limit, slice)).raster;
		await pasteWithSeam(original, fitted, box, blend, slice);
		const file = await encodeImage(
			original,
			plan.format,
			encodeOptions(plan.format, plan.exif),
			slice,
		);
		return {
			file: Buffer.from(file),
			mimeType: mimeTypeOf(plan.format),
			resultSize: { width: result.width, height: result.height },
		};
	});
}

export type { Box };
