/**
 * The JPEG side of a stitch: the result pasted into the photo's file in the coefficient domain,
 * only the MCUs the seam blend reaches read as pixels and encoded again (see stitchPlan.ts for the
 * whole story and its memory). All boxes here are in the photo's pixels as stored.
 */
import type { TimeSlice } from '../../shared/pacing/timeSlice';
import type { ScanRows } from '../codecs/jpeg/jpegScan';
import { replaceRegion } from '../codecs/jpeg/jpegPatch';
import { readJpegBand } from '../codecs/jpeg/jpegBand';
import { mcuAlignedBox, regionRaster, type JpegCoefficients } from '../codecs/jpeg/jpegRegion';
import { patchJpeg } from '../codecs/jpeg/jpegSplice';
import type { Box, Raster } from '../codecs/raster';
import { maskBounds } from './cropBox';
import { pasteWithSeam } from './paste';
import { cropGray, cropRaster } from './resample';

/** The photo's file, the pixel limit it is read under, and the crop's notes of its MCU rows. */
export interface JpegPhoto {
	file: Uint8Array;
	maxPixels: number;
	scanRows?: ScanRows;
}

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

/** The photo's pixels the blend takes anything from (its nonzero weights); none when it takes nothing. */
function reachOf(box: Box, blend: Uint8Array): Box | undefined {
	const reach = maskBounds(blend, box);
	return reach && { ...reach, left: box.left + reach.left, top: box.top + reach.top };
}

/** The band of the photo a paste patches, read and its MCUs' pixels decoded ahead of the result. */
export interface BandAhead {
	read: Awaited<ReturnType<typeof readJpegBand>>;
	jpeg: JpegCoefficients;
	pixels: Raster;
}

/**
 * What pasteIntoJpeg reads of the photo before it needs the result, read while the job runs
 * (stitchPlan.ts `prepareStitch`); undefined for a file it reads whole (not spliceable), which is
 * not held that long. Memory, until the stitch takes them: the band's coefficients (2 bytes a
 * sample of the MCU rows the blend reaches, the photo's whole width) and the patched MCUs' pixels
 * (4 bytes a pixel).
 */
export async function readBandAhead(
	photo: JpegPhoto,
	box: Box,
	blend: Uint8Array,
	slice: TimeSlice,
): Promise<BandAhead | undefined> {
	const area = reachOf(box, blend);
	if (!area) return undefined;
	const read = await readJpegBand(photo.file, area, photo.maxPixels, slice, photo.scanRows);
	if (!read || !('band' in read)) return undefined;
	const { jpeg, top } = read.band;
	const region = mcuAlignedBox(jpeg, { ...area, top: area.top - top });
	return { read, jpeg, pixels: await regionRaster(jpeg, region, slice) };
}

/**
 * The result pasted into a JPEG photo without decoding it whole: the MCUs covering every pixel the
 * blend takes anything from (its nonzero weights) read as pixels, the result pasted into them, and
 * they alone encoded again into the photo's coefficients; the file spliced (jpegSplice.ts).
 * A blend of zeros changes nothing: the original file comes back as it was. `ahead`, the band
 * read before the result came (readBandAhead, for this photo, box and blend), is used, once.
 */
export async function pasteIntoJpeg(
	photo: JpegPhoto,
	fitted: Raster,
	box: Box,
	blend: Uint8Array,
	slice: TimeSlice,
	ahead?: BandAhead,
): Promise<Uint8Array> {
	const area = reachOf(box, blend);
	if (!area) return photo.file;
	const paste = async (jpeg: JpegCoefficients, region: Box, top: number) => {
		const read = ahead?.jpeg === jpeg ? ahead.pixels : undefined;
		const pixels = read ?? (await regionRaster(jpeg, region, slice));
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
	const { file, maxPixels, scanRows } = photo;
	return await patchJpeg(file, area, maxPixels, paste, slice, scanRows, ahead?.read);
}
