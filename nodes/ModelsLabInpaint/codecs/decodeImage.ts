import type { TimeSlice } from '../../shared/pacing/timeSlice';
import { decodeJpeg } from './jpeg/jpegDecode';
import { decodePng, isPng } from './png/pngDecode';
import { ImageDecodeError, type Raster } from './raster';

/**
 * The one way into the decoders: the format from the file's first bytes, the size from its header
 * checked against the caller's limit before any pixel memory is taken, then PNG or JPEG decoding
 * in slices of the event loop. Every refusal is an ImageDecodeError in words a user can act on.
 */

/** The formats decodeImage reads, for messages. */
export const DECODE_FORMATS = ['PNG', 'JPEG'] as const;
export const DECODE_FORMATS_TEXT = 'PNG and JPEG';

export interface DecodeLimits {
	/** The most pixels (width × height) a picture may have; larger ones are refused unread. */
	maxPixels: number;
}

export interface DecodedImage {
	raster: Raster;
	format: 'png' | 'jpeg';
	/** Exif orientation, 1 to 8; always 1 for PNG. Not applied to the raster. */
	orientation: number;
	/** A JPEG's Exif segment body, so an edited copy can keep the camera's metadata. */
	exif?: Uint8Array;
}

const startsWith = (bytes: Uint8Array, text: string, at = 0) =>
	bytes.length >= at + text.length &&
	[...text].every((ch, i) => bytes[at + i] === ch.charCodeAt(0));

/** Whether the bytes start as a JPEG (SOI, then a marker). */
export const isJpeg = (bytes: Uint8Array) =>
	bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

/** The name of a picture format the decoders do not read, from its first bytes. */
function otherFormat(bytes: Uint8Array): string | undefined {
	if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return 'WebP';
	if (startsWith(bytes, 'GIF8')) return 'GIF';
	if (startsWith(bytes, 'BM')) return 'BMP';
	if (startsWith(bytes, 'II*\0') || startsWith(bytes, 'MM\0*')) return 'TIFF';
	if (startsWith(bytes, 'ftyp', 4)) return 'HEIC or AVIF';
	if (startsWith(bytes, '<')) return 'a text or HTML page, not a picture';
	return undefined;
}

/**
 * The picture decoded. With `rows`, only its first `rows` rows are needed: a PNG that is not
 * interlaced is unpacked only down to them, the rows below left 0 and its Adler-32 unchecked
 * (pngDecode.ts); a JPEG is decoded whole.
 */
export async function decodeImage(
	bytes: Uint8Array,
	limits: DecodeLimits,
	slice: TimeSlice,
	rows?: number,
): Promise<DecodedImage> {
	if (isPng(bytes)) {
		return {
			raster: await decodePng(bytes, limits.maxPixels, slice, rows),
			format: 'png',
			orientation: 1,
		};
	}
	if (isJpeg(bytes)) {
		const { raster, orientation, exif } = await decodeJpeg(bytes, limits.maxPixels, slice);
		return { raster, format: 'jpeg', orientation, exif };
	}
	const other = otherFormat(bytes);
	throw new ImageDecodeError(
		`The picture cannot be read: this node can read ${DECODE_FORMATS_TEXT} pictures; this one is ${
			other ?? 'of an unknown kind'
		}.`,
	);
}
