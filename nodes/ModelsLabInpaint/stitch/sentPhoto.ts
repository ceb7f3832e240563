/**
 * The photo side of a crop (stitchPlan.ts has the whole story): the photo read, a PNG decoded and
 * a JPEG as its coefficients down to the box's bottom, and the photo file sent for the box.
 */
import type { TimeSlice } from '../../shared/pacing/timeSlice';
import { decodeImage, isJpeg } from '../codecs/decodeImage';
import { encodeImage, type EncodeOptions } from '../codecs/encodeImage';
import { onMcuGrid, spliceJpegCrop, writeJpegCrop } from '../codecs/jpeg/jpegCrop';
import { readJpegCoefficients } from '../codecs/jpeg/jpegDecode';
import { regionRaster, type JpegCoefficients } from '../codecs/jpeg/jpegRegion';
import { ScanRowsRecorder, type ScanMarks, type ScanRows } from '../codecs/jpeg/jpegScan';
import { applyOrientation, storedBox } from '../codecs/orient';
import type { Raster } from '../codecs/raster';
import type { CropPlan, PixelArea } from './cropBox';
import { cropRaster, resizeRaster } from './resample';

/** The formats a stitch takes and gives back. */
export type StitchFormat = 'png' | 'jpeg';

/**
 * A JPEG photo's crop is encoded at this quality (4:4:4, so colour edges stay sharp) when scaled,
 * turned or off the MCU grid; otherwise it is sent as the photo's own blocks (jpegCrop.ts).
 */
export const JPEG_QUALITY = 94;

/** A JPEG's layout as its frame header gives it: its MCU is 8 maxH × 8 maxV pixels. */
export type JpegFrame = PixelArea & { maxH: number; maxV: number; mcusPerLine: number };

/**
 * The photo read: a PNG decoded; a JPEG as its coefficients only, its pixels taken box by box,
 * with what its read noted of its scan (jpegScan.ts ScanRowsRecorder).
 */
export type ReadPhoto =
	| { format: 'png'; size: PixelArea; raster: Raster }
	| {
			format: 'jpeg';
			size: PixelArea;
			file: Uint8Array;
			jpeg: JpegCoefficients;
			exif?: Uint8Array;
			scanRows?: ScanRows;
			marks?: ScanMarks;
	  };

/**
 * The photo read, refused over `maxPixels`. For a JPEG, `lastRow` is told its frame before its
 * scan is read, and gives the last pixel row to decode; `rows` notes the scan as it is read.
 */
export async function readPhoto(
	photoFile: Uint8Array,
	maxPixels: number,
	slice: TimeSlice,
	lastRow?: (frame: JpegFrame, orientation: number) => Promise<number>,
	rows = new ScanRowsRecorder(),
): Promise<ReadPhoto> {
	if (isJpeg(photoFile)) {
		const jpeg = await readJpegCoefficients(photoFile, maxPixels, slice, lastRow, rows.readScan);
		const size = { width: jpeg.width, height: jpeg.height };
		const { exif } = jpeg;
		return {
			format: 'jpeg',
			size,
			file: photoFile,
			jpeg,
			exif,
			scanRows: rows.rows,
			marks: rows.marks,
		};
	}
	const { raster } = await decodeImage(photoFile, { maxPixels }, slice); // a PNG, or refused
	return { format: 'png', size: { width: raster.width, height: raster.height }, raster };
}

/** Whether the box is sent at another size (scaled down, or a whole photo at the endpoint's). */
export const resized = ({ box, sendSize }: CropPlan) =>
	box.width !== sendSize.width || box.height !== sendSize.height;

/**
 * The photo's file sent: for an upright JPEG whose box is sent unscaled and starts on its MCU grid,
 * the photo's own blocks (jpegCrop.ts: no IDCT or encoding, nothing lost; their bits copied where
 * the read noted where they are); otherwise the box's pixels, resized to the size sent, encoded
 * again (a JPEG at JPEG_QUALITY, 4:4:4).
 */
export async function sentPhotoFile(
	read: ReadPhoto,
	crop: CropPlan,
	orientation: number,
	slice: TimeSlice,
): Promise<Uint8Array> {
	if (read.format === 'jpeg' && orientation === 1 && !resized(crop)) {
		if (onMcuGrid(read.jpeg, crop.box)) {
			const { file, jpeg, marks } = read;
			const spliced = marks && (await spliceJpegCrop(file, jpeg, crop.box, marks, slice));
			return spliced || (await writeJpegCrop(jpeg, crop.box, slice));
		}
	}
	// The box's pixels as stored, turned to be sent upright: ModelsLab gets no Exif with them.
	const inStored = storedBox(crop.box, orientation, read.size);
	const boxPixels =
		read.format === 'jpeg'
			? await regionRaster(read.jpeg, inStored, slice)
			: cropRaster(read.raster, inStored);
	const upright = await applyOrientation(boxPixels, orientation, slice);
	const sentPhoto = await resizeRaster(upright, crop.sendSize, slice);
	return await encodeImage(sentPhoto, read.format, encodeOptions(read.format), slice);
}

/** The crop encoded again: a JPEG at JPEG_QUALITY, 4:4:4. */
const encodeOptions = (format: StitchFormat): EncodeOptions<StitchFormat> =>
	format === 'png' ? {} : { quality: JPEG_QUALITY, subsampling: '4:4:4' as const };
