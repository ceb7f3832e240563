/**
 * Full resolution, the pixel side: a large photo and its full-size mask → the box around the mask,
 * cropped (and scaled to what the endpoint takes), as the two files sent; then, once ModelsLab has
 * repainted it, the result pasted back into the original with a soft seam, in the photo's own
 * format. Outside the box every pixel is the original's: exactly for PNG; a JPEG is patched in the
 * coefficient domain (codecs/jpeg/jpegRegion.ts, jpegPatch.ts, jpegSplice.ts): only the 8 × 8
 * blocks (whole MCUs) covering the pixels the seam blend takes from the result are encoded again,
 * with the photo's own quantization and Huffman tables and sampling; every other MCU keeps its
 * coded bits (or, for a file the splice cannot take, its coefficients: jpegRewrite.ts), so any
 * decoder shows those pixels exactly as in the original file (one with smooth chroma
 * upsampling may differ by a level along the patch's edge, where it mixes chroma across blocks).
 *
 * The photo is kept between the two steps as its file only (a few MB), never decoded: a stitch
 * reads it again. A JPEG is never decoded whole: the crop takes its coefficients (2 bytes a
 * sample: 3 bytes a pixel at 4:2:0), entropy-decoded only down to the box's bottom (the mask is
 * read first, a PNG row by row as it unpacks), and the box's pixels, or none when the box is sent
 * as the photo's own blocks (unscaled, upright, on the MCU grid: jpegCrop.ts); the stitch takes the
 * coefficients of the MCU rows it rewrites, their pixels, and writes the file. Memory of a stitch,
 * for a photo of N pixels and a box of B: a PNG photo decoded (4 N bytes) and encoded again (see
 * pngEncode.ts); a JPEG's coefficients of those rows (of the whole photo, at most 6 N bytes at
 * 4:4:4, for a file the splice cannot take) and its new file; both: the result at the box's size
 * and the blend (5 B), the pixels patched (4 B at most, plus the MCU margin). At most
 * STITCHES_AT_ONCE stitches run at a time per n8n process.
 */
import { ConcurrencyLimit } from '../../shared/pacing/pool';
import { TimeSlice } from '../../shared/pacing/timeSlice';
import { decodeImage, isJpeg } from '../codecs/decodeImage';
import { encodeImage, type EncodeOptions } from '../codecs/encodeImage';
import { ScanRowsRecorder, type ScanRows } from '../codecs/jpeg/jpegBand';
import { onMcuGrid, writeJpegCrop } from '../codecs/jpeg/jpegCrop';
import { readJpegCoefficients } from '../codecs/jpeg/jpegDecode';
import { replaceRegion } from '../codecs/jpeg/jpegPatch';
import { regionRaster, type JpegCoefficients } from '../codecs/jpeg/jpegRegion';
import { patchJpeg } from '../codecs/jpeg/jpegSplice';
import { encodeGrayPngSliced } from '../codecs/png/grayPng';
import type { Raster } from '../codecs/raster';
import { ImageDecodeError } from '../codecs/raster';
import { maskFromFile } from '../mask/maskPicture';
import type { SizeLimits } from '../size/imageSize';
import type { Box, CropPlan, PixelArea } from './cropBox';
import { cropBoxFor, innerSides, maskBounds } from './cropBox';
import { seamBlend, pasteWithSeam } from './paste';
import { cropGray, cropRaster, resizeRaster } from './resample';
import { resizeSamples } from './resampleAxes';

/** The largest photo stitched: 40 megapixels (e.g. 7744 × 5163), 160 MB decoded. */
export const MAX_FULL_RESOLUTION_PIXELS = 40_000_000;
/**
 * A JPEG photo's crop is encoded at this quality (4:4:4, so colour edges stay sharp) when scaled,
 * turned or off the MCU grid; otherwise it is sent as the photo's own blocks (jpegCrop.ts).
 */
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
	/** A JPEG's MCU rows as the crop read them (jpegBand.ts ScanRows): the stitch starts at its band. */
	scanRows?: ScanRows;
}

/** The two files sent instead of the photo and the mask: the box, at the size sent. */
export interface CroppedFiles {
	photo: { file: Buffer; mimeType: string };
	mask: { file: Buffer; mimeType: string };
}

const mimeTypeOf = (format: StitchFormat) => `image/${format}`;

const LIMIT = { maxPixels: MAX_FULL_RESOLUTION_PIXELS };

/** A JPEG's largest sampling factors: its MCU is 8 maxH × 8 maxV pixels. */
type JpegSampling = { maxH: number; maxV: number };

/**
 * The photo read: a PNG decoded; a JPEG as its coefficients only, its pixels taken box by box.
 */
type ReadPhoto =
	| { format: 'png'; size: PixelArea; raster: Raster }
	| {
			format: 'jpeg';
			size: PixelArea;
			jpeg: JpegCoefficients;
			exif?: Uint8Array;
			scanRows?: ScanRows;
	  };

async function readPhoto(
	photoFile: Uint8Array,
	slice: TimeSlice,
	lastRow?: (frame: PixelArea & JpegSampling) => Promise<number>,
): Promise<ReadPhoto> {
	if (isJpeg(photoFile)) {
		const rows = new ScanRowsRecorder();
		const max = MAX_FULL_RESOLUTION_PIXELS;
		const jpeg = await readJpegCoefficients(photoFile, max, slice, lastRow, rows.readScan);
		const size = { width: jpeg.width, height: jpeg.height };
		return { format: 'jpeg', size, jpeg, exif: jpeg.exif, scanRows: rows.rows };
	}
	const { raster } = await decodeImage(photoFile, LIMIT, slice); // a PNG, or refused
	return { format: 'png', size: { width: raster.width, height: raster.height }, raster };
}

/**
 * The mask of a stitch: a picture file (a mask given by link or binary field), or the levels of a
 * mask the node made at the photo's size (Shapes, words, adjustments), used without decoding.
 */
export type StitchMask = Uint8Array | { gray: Uint8Array };

/** The mask as gray levels of the photo's size (255 = repaint). */
async function maskOf(given: StitchMask, photo: PixelArea, slice: TimeSlice): Promise<Uint8Array> {
	if (!(given instanceof Uint8Array)) {
		if (given.gray.length !== photo.width * photo.height)
			throw new ImageDecodeError(
				`the mask made is not of the photo's size, ${photo.width}×${photo.height}`,
			);
		return given.gray;
	}
	const sameSize = ({ width, height }: PixelArea) => {
		if (width !== photo.width || height !== photo.height)
			throw new ImageDecodeError(
				`the mask is ${width}×${height} pixels and the photo ${photo.width}×${photo.height}: they must be the same size`,
			);
	};
	return (await maskFromFile(given, LIMIT.maxPixels, slice, sameSize)).gray;
}

/** The photo read, and its mask as gray levels of the same size (255 = repaint). */
async function readPhotoAndMask(photoFile: Uint8Array, given: StitchMask, slice: TimeSlice) {
	const read = await readPhoto(photoFile, slice);
	return { read, photo: read.size, mask: await maskOf(given, read.size, slice) };
}

/**
 * The photo read for a crop, its mask, and the crop box (none when the mask has no white). A
 * JPEG's mask is read as soon as its frame header gives the size, so that only the MCU rows down
 * to the box's bottom are decoded.
 */
async function readForCrop(
	photoFile: Uint8Array,
	given: StitchMask,
	limits: SizeLimits,
	slice: TimeSlice,
) {
	let planned: { mask: Uint8Array; crop: CropPlan | undefined } | undefined;
	const plan = async (frame: PixelArea & Partial<JpegSampling>) => {
		const photo = { width: frame.width, height: frame.height };
		const mask = await maskOf(given, photo, slice);
		const bounds = maskBounds(mask, photo);
		// A JPEG's box on its MCU grid where it can be: then it can be sent as the photo's own blocks.
		const { maxH, maxV } = frame;
		const grid = maxH && maxV ? { x: 8 * maxH, y: 8 * maxV } : undefined;
		planned = { mask, crop: bounds && cropBoxFor(bounds, photo, limits, grid) };
		const box = planned.crop?.box;
		return box ? box.top + box.height - 1 : -1;
	};
	const read = await readPhoto(photoFile, slice, plan);
	if (!planned) await plan(read.size); // a PNG: decoded whole first
	return { read, photo: read.size, ...planned! };
}

/**
 * Plans the crop and makes the files to send. Undefined when the mask has no white at all (the
 * caller then sends the photo as it is, as before). Throws ImageDecodeError for a photo or mask
 * the codecs cannot read or one over MAX_FULL_RESOLUTION_PIXELS.
 */
export async function cropForEndpoint(
	photoFile: Uint8Array,
	maskGiven: StitchMask,
	limits: SizeLimits,
): Promise<{ plan: StitchPlan; files: CroppedFiles } | undefined> {
	return await stitches.run(async () => {
		const slice = new TimeSlice();
		const { read, photo, mask, crop } = await readForCrop(photoFile, maskGiven, limits, slice);
		if (!crop) return undefined;
		const maskCrop = cropGray(mask, photo, crop.box);
		const sentMask = crop.scaled
			? await resizeSamples(maskCrop, crop.box, crop.sendSize, 1, slice)
			: maskCrop;
		const format = read.format;
		const files: CroppedFiles = {
			photo: {
				file: Buffer.from(await sentPhotoFile(read, crop, slice)),
				mimeType: mimeTypeOf(format),
			},
			mask: {
				file: await encodeGrayPngSliced(crop.sendSize.width, crop.sendSize.height, sentMask, slice),
				mimeType: 'image/png',
			},
		};
		const [exif, scanRows] = read.format === 'jpeg' ? [read.exif, read.scanRows] : [];
		return { plan: { photoFile, format, exif, photo, crop, maskCrop, scanRows }, files };
	});
}

/**
 * Keep Original Pixels Outside the Mask, for a photo the endpoint takes whole: the request is sent
 * as it is, and the plan pastes the whole result back by the mask (the box is the photo). Undefined
 * when the mask has no white. Throws ImageDecodeError for a photo or mask the codecs cannot read.
 */
export async function planWholePhoto(
	photoFile: Uint8Array,
	maskGiven: StitchMask,
	sendSize: PixelArea | undefined,
): Promise<StitchPlan | undefined> {
	return await stitches.run(async () => {
		const { read, photo, mask } = await readPhotoAndMask(photoFile, maskGiven, new TimeSlice());
		if (!maskBounds(mask, photo)) return undefined;
		const box = { left: 0, top: 0, ...photo };
		const crop: CropPlan = { box, sendSize: sendSize ?? photo, scaled: false };
		const [exif, scanRows] = read.format === 'jpeg' ? [read.exif, read.scanRows] : [];
		return { photoFile, format: read.format, exif, photo, crop, maskCrop: mask, scanRows };
	});
}

/**
 * The photo's file sent: for an upright JPEG whose box is sent unscaled and starts on its MCU grid,
 * the photo's own blocks (jpegCrop.ts: no IDCT or encoding, nothing lost); otherwise the box's
 * pixels, resized to the size sent, encoded again (a JPEG at JPEG_QUALITY, 4:4:4).
 */
async function sentPhotoFile(read: ReadPhoto, crop: CropPlan, slice: TimeSlice) {
	if (read.format === 'jpeg' && read.jpeg.orientation === 1 && !crop.scaled) {
		if (onMcuGrid(read.jpeg, crop.box)) return await writeJpegCrop(read.jpeg, crop.box, slice);
	}
	const boxPixels =
		read.format === 'jpeg'
			? await regionRaster(read.jpeg, crop.box, slice)
			: cropRaster(read.raster, crop.box);
	const sentPhoto = await resizeRaster(boxPixels, crop.sendSize, slice);
	return await encodeImage(sentPhoto, read.format, encodeOptions(read.format), slice);
}

/** The crop encoded again: a JPEG at JPEG_QUALITY, 4:4:4. */
const encodeOptions = (format: StitchFormat): EncodeOptions<StitchFormat> =>
	format === 'png' ? {} : { quality: JPEG_QUALITY, subsampling: '4:4:4' as const };

/** The part of `a` inside `b`: a box, as both are, where they overlap (they do here). */
function overlap(a: Box, b: Box): Box {
	const left = Math.max(a.left, b.left);
	const top = Math.max(a.top, b.top);
	const right = Math.min(a.left + a.width, b.left + b.width);
	const bottom = Math.min(a.top + a.height, b.top + b.height);
	return { left, top, width: right - left, height: bottom - top };
}

const moved = (box: Box, to: Box): Box => ({
	...box,
	left: box.left - to.left,
	top: box.top - to.top,
});

/**
 * The result pasted into a JPEG photo without decoding it whole: the MCUs covering every pixel the
 * blend takes anything from (its nonzero weights) read as pixels, the result pasted into them, and
 * they alone encoded again into the photo's coefficients; the file spliced (jpegSplice.ts).
 * A blend of zeros changes nothing: the original file comes back as it was.
 */
async function pasteIntoJpeg(
	photoFile: Uint8Array,
	fitted: Raster,
	box: Box,
	blend: Uint8Array,
	slice: TimeSlice,
	scanRows?: ScanRows,
): Promise<Uint8Array> {
	const reach = maskBounds(blend, box);
	if (!reach) return photoFile;
	const area = { ...reach, left: box.left + reach.left, top: box.top + reach.top };
	const paste = async (jpeg: JpegCoefficients, region: Box, top: number) => {
		const pixels = await regionRaster(jpeg, region, slice);
		// The part of the box in the region: the result and the blend cropped to it, unless it is all.
		const inPhoto = { ...region, top: region.top + top };
		const part = overlap(box, inPhoto);
		const whole = part.width === box.width && part.height === box.height;
		const inBox = moved(part, box);
		await pasteWithSeam(
			pixels,
			whole ? fitted : cropRaster(fitted, inBox),
			moved(part, inPhoto),
			whole ? blend : cropGray(blend, box, inBox),
			slice,
		);
		await replaceRegion(jpeg, region, pixels, slice);
	};
	return await patchJpeg(photoFile, area, MAX_FULL_RESOLUTION_PIXELS, paste, slice, scanRows);
}

/**
 * One result picture pasted back into the original photo: scaled to the box, blended in by the
 * mask grown and softened by SEAM_FEATHER_PIXELS; a PNG decoded, pasted into and encoded again, a
 * JPEG patched block by block (pasteIntoJpeg).
 */
export async function stitchResult(
	plan: StitchPlan,
	resultFile: Uint8Array,
): Promise<{ file: Buffer; mimeType: string; resultSize: PixelArea }> {
	return await stitches.run(async () => {
		const slice = new TimeSlice();
		const result = (await decodeImage(resultFile, LIMIT, slice)).raster;
		const { box } = plan.crop;
		const fitted = await resizeRaster(result, box, slice);
		const blend = await seamBlend(
			plan.maskCrop,
			box,
			SEAM_FEATHER_PIXELS,
			slice,
			innerSides(box, plan.photo),
		);
		let file: Uint8Array;
		if (plan.format === 'jpeg') {
			file = await pasteIntoJpeg(plan.photoFile, fitted, box, blend, slice, plan.scanRows);
		} else {
			const original: Raster = (await decodeImage(plan.photoFile, LIMIT, slice)).raster;
			await pasteWithSeam(original, fitted, box, blend, slice);
			file = await encodeImage(original, 'png', {}, slice);
		}
		return {
			// A view, not a copy: the file's bytes are not used again.
			file: Buffer.from(file.buffer, file.byteOffset, file.byteLength),
			mimeType: mimeTypeOf(plan.format),
			resultSize: { width: result.width, height: result.height },
		};
	});
}

export type { Box };
