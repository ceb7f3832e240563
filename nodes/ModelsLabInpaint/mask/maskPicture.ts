import type { TimeSlice } from '../../shared/pacing/timeSlice';
import { decodeImage } from '../codecs/decodeImage';
import { isPng, openPng, pngRaster, unpackRows } from '../codecs/png/pngDecode';
import { expandRow } from '../codecs/png/pngRows';
import { maskFromPicture, maskFromSurvey, type PictureMask } from './maskFromPicture';
import { PictureSurvey } from './maskSurvey';

/**
 * A mask picture's file → its mask (maskFromPicture.ts's rules). A PNG that is not interlaced, as
 * masks are, is read without ever being decoded to RGBA: each row is surveyed as it unpacks, one
 * row of pixels at a time, and rows that repeat the row above (most of a mask) are not visited;
 * only a picture that turns out to be an object on a plain background (rule 3) is then decoded.
 * Other pictures are decoded, then read. The same masks either way, byte for byte.
 *
 * Memory, for N pixels: the mask (N bytes) and, for a PNG with transparency, its alpha (N), plus
 * the PNG's window of rows (a few hundred KB); rule 3 and other pictures: the picture decoded
 * (4 N) too.
 */

export interface FileMask extends PictureMask {
	format: 'png' | 'jpeg';
	size: { width: number; height: number };
}

/**
 * The mask a picture file holds. `check`, given the picture's size once it is decoded (before its
 * kind is decided), may refuse it by throwing. Refuses pictures over `maxPixels` unread.
 */
export async function maskFromFile(
	file: Uint8Array,
	maxPixels: number,
	slice: TimeSlice,
	check: (size: FileMask['size']) => void = () => undefined,
): Promise<FileMask> {
	const png = isPng(file) ? await openPng(file, maxPixels, slice) : undefined;
	if (png && !png.header.interlaced) {
		const { header, parts, hasAlpha } = png;
		const size = { width: header.width, height: header.height };
		const survey = new PictureSurvey(size.width, size.height, hasAlpha);
		const pixels = new Uint8Array(size.width * 4);
		await unpackRows(png, slice, (row, _pass, line, repeat) => {
			if (repeat) return survey.repeat(line);
			expandRow(header, parts, row, 1, size.width, pixels, 0, 4);
			survey.row(pixels, 0, line);
		});
		check(size);
		const mask = await maskFromSurvey(survey, hasAlpha, () => pngRaster(png, slice), slice);
		return { ...mask, format: 'png', size };
	}
	const decoded = png ? { raster: await pngRaster(png, slice), format: 'png' as const } : undefined;
	const { raster, format } = decoded ?? (await decodeImage(file, { maxPixels }, slice));
	const size = { width: raster.width, height: raster.height };
	check(size);
	return { ...(await maskFromPicture(raster, slice)), format, size };
}
