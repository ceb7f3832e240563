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
 * The photo is kept between the two steps as its file (a few MB). While the job runs,
 * `prepareStitch` makes the seam blend (the box's pixels in bytes) and, for a JPEG, reads the band
 * of MCU rows the paste patches and decodes the patched MCUs (pasteJpeg.ts readBandAhead), held
 * until the stitch. A JPEG is never decoded whole: the crop takes its coefficients (2 bytes a
 * sample: 3 bytes a pixel at 4:2:0), entropy-decoded only down to the box's bottom (the mask is
 * read first, a PNG row by row as it unpacks), and the box's pixels, or none when the box is sent
 * as the photo's own blocks (unscaled, upright, on the MCU grid: jpegCrop.ts); the stitch takes the
 * coefficients of the MCU rows it rewrites, their pixels, and writes the file. Memory of a stitch,
 * for a photo of N pixels and a box of B: a PNG photo decoded (4 N bytes) and encoded again (see
 * pngEncode.ts); a JPEG's coefficients of those rows (of the whole photo, at most 6 N bytes at
 * 4:4:4, for a file the splice cannot take) and its new file; both: the result at the box's size
 * and the blend (5 B), the pixels patched (4 B at most, plus the MCU margin). At most
 * STITCHES_AT_ONCE stitches run at a time per n8n process. A JPEG its Exif turns is worked on as
 * shown (the mask, the box), its stored pixels turned upright to be sent and back to be pasted.
 */
import { ConcurrencyLimit } from '../../shared/pacing/pool';
import { TimeSlice } from '../../shared/pacing/timeSlice';
import { decodeImage } from '../codecs/decodeImage';
import { encodeImage } from '../codecs/encodeImage';
import {
	applyOrientation,
	applyOrientationGray,
	storedBox,
	turnedSize,
	undoOrientation,
} from '../codecs/orient';
import { ScanRowsRecorder, type ScanRows } from '../codecs/jpeg/jpegScan';
import { cropMarks } from '../codecs/jpeg/jpegCrop';
import { encodeGrayPngSliced } from '../codecs/png/grayPng';
import type { Raster } from '../codecs/raster';
import { ImageDecodeError } from '../codecs/raster';
import { maskFromFile } from '../mask/maskPicture';
import { imageSizeOf, type SizeLimits } from '../size/imageSize';
import type { Box, CropPlan, PixelArea } from './cropBox';
import { cropBoxFor, maskBounds } from './cropBox';
import { pasteWithSeam } from './paste';
import { pasteIntoJpeg, readBandAhead, type BandAhead, type JpegPhoto } from './pasteJpeg';
import { cropGray, resizeRaster } from './resample';
import { resizeSamples } from './resampleAxes';
import { blendOf, storedPlace, type SeamPlace } from './seamPlan';
import { readPhoto, resized, sentPhotoFile, type JpegFrame, type StitchFormat } from './sentPhoto';

/** The largest photo stitched: 40 megapixels (e.g. 7744 × 5163), 160 MB decoded. */
export const MAX_FULL_RESOLUTION_PIXELS = 40_000_000;
/** Stitches running at once in this n8n process (each is CPU work on the main thread anyway). */
export const STITCHES_AT_ONCE = 1;
const stitches = new ConcurrencyLimit(STITCHES_AT_ONCE);

/** What a stitch needs once the result is in; everything but the photo's file is small. */
export interface StitchPlan extends SeamPlace {
	photoFile: Uint8Array;
	format: StitchFormat;
	/** The JPEG's Exif segment, written back (orientation included: the stored pixels stay stored). */
	exif?: Uint8Array;
	/** A JPEG's MCU rows as the crop read them (jpegScan.ts ScanRows): the stitch starts at its band. */
	scanRows?: ScanRows;
}

/** The two files sent instead of the photo and the mask: the box, at the size sent. */
export interface CroppedFiles {
	photo: { file: Buffer; mimeType: string };
	mask: { file: Buffer; mimeType: string };
}

const mimeTypeOf = (format: StitchFormat) => `image/${format}`;

const LIMIT = { maxPixels: MAX_FULL_RESOLUTION_PIXELS };

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
				`the mask is ${width}×${height} pixels and the photo ${photo.width}×${photo.height} (as shown): they must be the same size`,
			);
	};
	return (await maskFromFile(given, LIMIT.maxPixels, slice, sameSize)).gray;
}

/** The photo read, and its mask as gray levels of the same size (255 = repaint). */
async function readPhotoAndMask(photoFile: Uint8Array, given: StitchMask, slice: TimeSlice) {
	const read = await readPhoto(photoFile, LIMIT.maxPixels, slice);
	// The whole photo goes as its file, Exif and all: how ModelsLab turns it is not known.
	if (read.format === 'jpeg' && read.jpeg.orientation !== 1)
		throw new ImageDecodeError('the photo is turned by its Exif orientation');
	return { read, photo: read.size, mask: await maskOf(given, read.size, slice) };
}

/**
 * The photo read for a crop, its mask, and the crop box (none when the mask has no white), with
 * the mask and the box in the photo as shown. A JPEG's mask is read as soon as its frame header
 * gives the size, so that only the MCU rows down to the box's bottom are decoded. With `whole`,
 * the box is the whole photo, sent at that size.
 */
async function readForCrop(
	photoFile: Uint8Array,
	given: StitchMask,
	limits: SizeLimits,
	slice: TimeSlice,
	whole?: PixelArea,
) {
	type Planned = { shown: PixelArea; orientation: number; mask: Uint8Array; crop?: CropPlan };
	let planned: Planned | undefined;
	const rows = new ScanRowsRecorder();
	const plan = async (frame: PixelArea & Partial<JpegFrame>, orientation: number) => {
		const stored = { width: frame.width, height: frame.height };
		const shown = turnedSize(stored, orientation);
		const mask = await maskOf(given, shown, slice);
		const bounds = maskBounds(mask, shown);
		const all = whole && { box: { left: 0, top: 0, ...shown }, sendSize: whole, scaled: false };
		// An upright JPEG's box on its MCU grid where it can be: then it goes as the photo's own blocks.
		const { maxH, maxV, mcusPerLine } = frame;
		const upright = maxH && maxV && mcusPerLine && orientation === 1;
		const sampling = upright ? { maxH, maxV, mcusPerLine } : undefined;
		const grid = sampling && { x: 8 * sampling.maxH, y: 8 * sampling.maxV };
		const crop = bounds && (all || cropBoxFor(bounds, shown, limits, grid));
		planned = { shown, orientation, mask, crop };
		// Where the box's MCUs start, noted as they are read: the crop is then their bits copied.
		if (sampling && crop && !resized(crop)) rows.watch(cropMarks(sampling, crop.box));
		const box = crop && storedBox(crop.box, orientation, stored);
		return box ? box.top + box.height - 1 : -1;
	};
	const read = await readPhoto(photoFile, LIMIT.maxPixels, slice, plan, rows);
	if (!planned) await plan(read.size, 1); // a PNG: decoded whole first
	return { read, ...planned! };
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
	/** The whole photo, sent at this size (a turned photo the endpoint takes whole). */
	whole?: PixelArea,
): Promise<{ plan: StitchPlan; files: CroppedFiles } | undefined> {
	return await stitches.run(async () => {
		const slice = new TimeSlice();
		const planned = await readForCrop(photoFile, maskGiven, limits, slice, whole);
		const { read, shown, orientation, mask, crop } = planned;
		if (!crop) return undefined;
		const maskCrop = cropGray(mask, shown, crop.box);
		const sentMask = resized(crop)
			? await resizeSamples(maskCrop, crop.box, crop.sendSize, 1, slice)
			: maskCrop;
		const format = read.format;
		const files: CroppedFiles = {
			photo: {
				file: Buffer.from(await sentPhotoFile(read, crop, orientation, slice)),
				mimeType: mimeTypeOf(format),
			},
			mask: {
				file: await encodeGrayPngSliced(crop.sendSize.width, crop.sendSize.height, sentMask, slice),
				mimeType: 'image/png',
			},
		};
		const [exif, scanRows] = read.format === 'jpeg' ? [read.exif, read.scanRows] : [];
		const back = undoOrientation(orientation);
		const storedMask = await applyOrientationGray(maskCrop, crop.box, back, slice);
		const plan: StitchPlan = { photoFile, format, exif, photo: shown, crop, maskCrop: storedMask };
		if (scanRows) plan.scanRows = scanRows;
		if (orientation !== 1) plan.orientation = orientation;
		return { plan, files };
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
 * The result's rows the paste takes anything from, when the result is the box's own pixels
 * (upright, unscaled): down to the blend's last nonzero row (the paste reads no pixel under a 0
 * weight), so a PNG result is unpacked only that far. Undefined (all rows) otherwise.
 */
function rowsTaken(resultFile: Uint8Array, box: Box, blend: Uint8Array, orientation: number) {
	const size = imageSizeOf(resultFile);
	if (orientation !== 1 || size?.width !== box.width || size.height !== box.height) return;
	const reach = maskBounds(blend, box);
	return reach ? reach.top + reach.height : 1;
}

/**
 * One result picture pasted back into the original photo: scaled to the box, blended in by the
 * mask grown and softened by SEAM_FEATHER_PIXELS; a PNG decoded, pasted into and encoded again, a
 * JPEG patched block by block (pasteIntoJpeg). A PNG result is unpacked only as far as the seam
 * reaches when it is the box's own pixels (rowsTaken).
 */
export async function stitchResult(
	plan: StitchPlan,
	resultFile: Uint8Array,
): Promise<{ file: Buffer; mimeType: string; resultSize: PixelArea }> {
	return await stitches.run(async () => {
		const slice = new TimeSlice();
		// The result is upright, as the crop went: turned back to the photo's pixels as stored.
		const { orientation, box } = storedPlace(plan);
		const blend = await blendOf(plan);
		const rows = rowsTaken(resultFile, box, blend, orientation);
		const result = (await decodeImage(resultFile, LIMIT, slice, rows)).raster;
		const shownFit = await resizeRaster(result, plan.crop.box, slice);
		const fitted = await applyOrientation(shownFit, undoOrientation(orientation), slice);
		let file: Uint8Array;
		if (plan.format === 'jpeg') {
			file = await pasteIntoJpeg(jpegPhoto(plan), fitted, box, blend, slice, await bandAhead(plan));
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

const jpegPhoto = (plan: StitchPlan): JpegPhoto => ({
	file: plan.photoFile,
	maxPixels: MAX_FULL_RESOLUTION_PIXELS,
	scanRows: plan.scanRows,
});

/** A JPEG plan's band read ahead by prepareStitch, for its first result only (a paste changes it). */
const bandsAhead = new WeakMap<StitchPlan, Promise<BandAhead | undefined>>();

/** The band read ahead for this plan, if any, taken: the next result reads its own. */
async function bandAhead(plan: StitchPlan): Promise<BandAhead | undefined> {
	const ahead = bandsAhead.get(plan);
	bandsAhead.delete(plan);
	return await ahead?.catch(() => undefined);
}

/**
 * Starts what a stitch does before it needs the result, to run while the job does, so that its
 * time adds nothing to the item's: the seam blend (seamPlan.ts) and, for a JPEG, the band of the
 * photo the paste patches, read and decoded (pasteJpeg.ts readBandAhead). Never rejects:
 * stitchResult meets a failure again, or reads the band itself.
 */
export async function prepareStitch(plan: StitchPlan): Promise<void> {
	const prepare = async () => {
		const blend = await blendOf(plan);
		if (plan.format !== 'jpeg') return;
		const { box } = storedPlace(plan);
		const ahead = readBandAhead(jpegPhoto(plan), box, blend, new TimeSlice());
		bandsAhead.set(plan, ahead);
		await ahead;
	};
	await stitches.run(prepare).catch(() => undefined);
}

export type { Box };
