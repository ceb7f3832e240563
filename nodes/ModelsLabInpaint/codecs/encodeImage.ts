import type { TimeSlice } from '../../shared/pacing/timeSlice';
import { encodeJpeg, type JpegEncodeOptions } from './jpeg/jpegEncode';
import { encodePng, type PngEncodeOptions } from './png/pngEncode';
import type { Raster } from './raster';

/**
 * The one way into the encoders, the counterpart of decodeImage: a raster back to the format a
 * picture came in, in slices of the event loop. Memory: that of the encoder chosen (pngEncode.ts,
 * jpegEncode.ts).
 */

export type EncodeOptions<Format extends 'png' | 'jpeg'> = Format extends 'png'
	? PngEncodeOptions
	: JpegEncodeOptions;

export async function encodeImage<Format extends 'png' | 'jpeg'>(
	raster: Raster,
	format: Format,
	options: EncodeOptions<Format>,
	slice: TimeSlice,
): Promise<Uint8Array> {
	if (format === 'png') return await encodePng(raster, options as PngEncodeOptions, slice);
	return await encodeJpeg(raster, options as JpegEncodeOptions, slice);
}
