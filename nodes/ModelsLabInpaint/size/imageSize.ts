/**
 * An image's size from its file header alone, and the size an endpoint should be asked for.
 *
 * Nothing here decodes pixels or does I/O: `imageSizeOf` reads the few header bytes that carry the
 * size, from a buffer that may be only the start of the file (the first bytes of a download, read
 * with a bounded Range request), and `fitToEndpoint` is plain arithmetic. So a picture never has to
 * be fetched or held whole just to learn its size, and nothing here needs an import.
 */

/** The formats whose headers `imageSizeOf` reads: the ones ModelsLab takes as init images. */
export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'bmp';

export interface ImageSize {
	width: number;
	height: number;
	format: ImageFormat;
	/** A JPEG's Exif orientation when it turns or mirrors it (2 to 8): shown otherwise than stored. */
	orientation?: number;
}

/**
 * The largest side taken as real. Every format allows far more (PNG up to 2^31 - 1), but a header
 * that claims more is broken or hostile, and sizing a request from it would do no good.
 */
export const MAX_IMAGE_SIDE = 100_000;

/**
 * Most marker segments a JPEG header walk visits. Each step moves forward, so the walk ends with
 * the buffer anyway; this only bounds the work on a hostile file of tiny segments.
 */
const MAX_JPEG_SEGMENTS = 4096;

// Readers for a Uint8Array (a Buffer is one). Callers check the bounds first with `has`, so a
// read never goes past the end; a Buffer's own readUInt*() would throw there instead.
const has = (b: Uint8Array, end: number) => end <= b.length;
const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b: Uint8Array, i: number) =>
	((b[i] << 24) | (b[i + 1] << 16) | u16be(b, i + 2)) >>> 0;
const u32le = (b: Uint8Array, i: number) =>
	(u16le(b, i) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const i32le = (b: Uint8Array, i: number) => u32le(b, i) | 0;

/** Whether `text` (ASCII) is at `offset`; false when the buffer ends first. */
function ascii(b: Uint8Array, offset: number, text: string): boolean {
	if (!has(b, offset + text.length)) return false;
	for (let k = 0; k < text.length; k++) if (b[offset + k] !== text.charCodeAt(k)) return false;
	return true;
}

/** The size when both sides are plausible, else undefined (0 is not an image, see MAX_IMAGE_SIDE). */
function sized(width: number, height: number, format: ImageFormat): ImageSize | undefined {
	const plausible = (side: number) => Number.isInteger(side) && side >= 1 && side <= MAX_IMAGE_SIDE;
	return plausible(width) && plausible(height) ? { width, height, format } : undefined;
}

/**
 * The width and height of a PNG, JPEG, WEBP, GIF or BMP image, read from its header only.
 *
 * `bytes` may be the whole file or just its start (say the first 64 KB of a download): whatever is
 * missing, unknown or implausible gives `undefined`, never an exception and never a read past the
 * end. For a JPEG the size is the displayed one: EXIF orientations 5 to 8 (a quarter turn) swap
 * width and height, since browsers and image tools show such a picture turned upright.
 */
export function imageSizeOf(bytes: Uint8Array): ImageSize | undefined {
	if (ascii(bytes, 0, '\x89PNG\r\n\x1a\n')) return pngSize(bytes);
	if (bytes[0] === 0xff && bytes[1] === 0xd8) return jpegSize(bytes);
	if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return webpSize(bytes);
	if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return gifSize(bytes);
	if (ascii(bytes, 0, 'BM')) return bmpSize(bytes);
	return undefined;
}

/** PNG: the IHDR chunk must come first, 13 bytes long, width and height big-endian at 16 and 20. */
function pngSize(b: Uint8Array): ImageSize | undefined {
	if (!has(b, 24) || u32be(b, 8) !== 13 || !ascii(b, 12, 'IHDR')) return undefined;
	return sized(u32be(b, 16), u32be(b, 20), 'png');
}

/** GIF: the logical screen size, little-endian at 6 and 8, right after the signature. */
function gifSize(b: Uint8Array): ImageSize | undefined {
	if (!has(b, 10)) return undefined;
	return sized(u16le(b, 6), u16le(b, 8), 'gif');
}

/**
 * BMP: the DIB header that follows the 14-byte file header says by its size what it is. The old
 * BITMAPCOREHEADER (12 bytes, OS/2 1.x) has unsigned 16-bit sides; every later one (OS/2 2.x with
 * 16 or 64 bytes, BITMAPINFOHEADER with 40 and its V2 to V5 extensions) has signed 32-bit sides,
 * where a negative height means the rows are stored top-down: the picture is as tall either way.
 */
function bmpSize(b: Uint8Array): ImageSize | undefined {
	if (!has(b, 18)) return undefined;
	const headerSize = u32le(b, 14);
	if (headerSize === 12) {
		return has(b, 22) ? sized(u16le(b, 18), u16le(b, 20), 'bmp') : undefined;
	}
	if (![16, 40, 52, 56, 64, 108, 124].includes(headerSize) || !has(b, 26)) return undefined;
	// A negative width has no meaning (unlike the height), so `sized` turns it down.
	return sized(i32le(b, 18), Math.abs(i32le(b, 22)), 'bmp');
}

/**
 * WEBP: a RIFF file whose first chunk (at 12, data at 20) is one of three kinds.
 * - 'VP8 ' (lossy): a 3-byte frame tag, whose lowest bit is 0 for the key frame that a still image
 *   is, the start code 9D 01 2A, then 16-bit little-endian width and height whose top 2 bits are
 *   an upscaling hint and not part of the size.
 * - 'VP8L' (lossless): the signature byte 0x2F, then 32 bits holding 14-bit width - 1, 14-bit
 *   height - 1, an alpha bit and a 3-bit version that must be 0.
 * - 'VP8X' (extended: alpha, animation, metadata): flags and reserved bytes, then the canvas
 *   width - 1 and height - 1 as 24-bit little-endian numbers at 24 and 27.
 */
function webpSize(b: Uint8Array): ImageSize | undefined {
	if (ascii(b, 12, 'VP8 ')) {
		if (!has(b, 30) || (b[20] & 1) !== 0) return undefined;
		if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
		return sized(u16le(b, 26) & 0x3fff, u16le(b, 28) & 0x3fff, 'webp');
	}
	if (ascii(b, 12, 'VP8L')) {
		if (!has(b, 25) || b[20] !== 0x2f) return undefined;
		const bits = u32le(b, 21);
		if (bits >>> 29 !== 0) return undefined;
		return sized((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, 'webp');
	}
	if (ascii(b, 12, 'VP8X')) {
		if (!has(b, 30)) return undefined;
		return sized(u24le(b, 24) + 1, u24le(b, 27) + 1, 'webp');
	}
	return undefined;
}

/**
 * Whether a JPEG marker starts a frame (SOF): C0-C3, C5-C7, C9-CB and CD-CF. The gaps are other
 * segments that merely share the range: C4 defines Huffman tables (DHT), C8 is reserved (JPG) and
 * CC sets arithmetic-coding conditions (DAC); none of them holds a size.
 */
const isStartOfFrame = (marker: number) =>
	marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/**
 * JPEG: walks the marker segments from SOI to the first frame header (SOF), whose height and width
 * are big-endian at 3 and 5 after the marker's length. EXIF requires its APP1 segment right after
 * SOI, so an orientation is known by the time the frame header comes. A scan (SOS) or the end (EOI)
 * before any frame header, anything that is not a marker where one must be, and the end of the
 * buffer all give undefined.
 */
function jpegSize(b: Uint8Array): ImageSize | undefined {
	let orientation: number | undefined;
	let i = 2;
	// Every step moves i forward by at least 2, so the walk also ends with the buffer.
	for (let segment = 0; segment < MAX_JPEG_SEGMENTS && i < b.length; segment++) {
		if (b[i] !== 0xff) return undefined;
		// A marker may be preceded by any number of 0xFF fill bytes.
		while (i < b.length && b[i] === 0xff) i++;
		if (i >= b.length) return undefined;
		const marker = b[i];
		i++;
		// TEM and the restart markers RST0-7 stand alone, without a length.
		if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;
		// 00 is no marker, D8 a second SOI; DA starts a scan and D9 ends the image, both too early.
		if (marker === 0x00 || marker === 0xd8 || marker === 0xd9 || marker === 0xda) return undefined;
		if (!has(b, i + 2)) return undefined;
		// The length counts its own 2 bytes but not the marker's.
		const length = u16be(b, i);
		if (length < 2) return undefined;
		if (isStartOfFrame(marker)) {
			// Sample precision (1 byte), height, width (2 each), then components, at least 1.
			if (length < 8 || !has(b, i + 7)) return undefined;
			const height = u16be(b, i + 3);
			const width = u16be(b, i + 5);
			// Orientations 5 to 8 turn the picture a quarter: it shows as tall as it is stored wide.
			const quarter = orientation !== undefined && orientation >= 5 && orientation <= 8;
			const size = quarter ? sized(height, width, 'jpeg') : sized(width, height, 'jpeg');
			return size && orientation !== undefined && orientation > 1 ? { ...size, orientation } : size;
		}
		if (marker === 0xe1 && orientation === undefined) {
			orientation = exifOrientation(b, i + 2, Math.min(i + length, b.length));
		}
		i += length;
	}
	return undefined;
}

/**
 * The EXIF orientation (1 to 8) in an APP1 segment whose data is b[start..end), or undefined when
 * the segment is not EXIF (XMP also lives in APP1), has no orientation or is cut or broken.
 *
 * The data is "Exif\0\0" and a TIFF header: the byte order ("II" little-endian, "MM" big-endian),
 * 42, and the offset of IFD0 from the TIFF header. IFD0 holds a 16-bit entry count and 12-byte
 * entries (tag, type, count, value); orientation is tag 0x0112, a SHORT stored in the value's first
 * two bytes. Every offset in there comes from the file, so each read is checked against `end`.
 */
function exifOrientation(b: Uint8Array, start: number, end: number): number | undefined {
	if (!ascii(b, start, 'Exif\0\0')) return undefined;
	const tiff = start + 6;
	if (tiff + 8 > end) return undefined;
	let little: boolean;
	if (b[tiff] === 0x49 && b[tiff + 1] === 0x49) little = true;
	else if (b[tiff] === 0x4d && b[tiff + 1] === 0x4d) little = false;
	else return undefined;
	const u16 = (at: number) => (little ? u16le(b, at) : u16be(b, at));
	const u32 = (at: number) => (little ? u32le(b, at) : u32be(b, at));
	if (u16(tiff + 2) !== 42) return undefined;
	const ifd = tiff + u32(tiff + 4);
	if (ifd + 2 > end) return undefined;
	const count = u16(ifd);
	// At most 65535 entries, and the loop stops at the end of the segment before that.
	for (let k = 0; k < count; k++) {
		const entry = ifd + 2 + k * 12;
		if (entry + 12 > end) return undefined;
		if (u16(entry) === 0x0112) {
			const value = u16(entry + 8);
			// Type 3 is SHORT; 0 and values over 8 are not orientations, so the picture is upright.
			return u16(entry + 2) === 3 && value >= 1 && value <= 8 ? value : undefined;
		}
	}
	return undefined;
}

/**
 * What an endpoint accepts for width and height: each side at most `max`, at least `min` when the
 * endpoint has a minimum, and a multiple of `multipleOf` when it wants one (the community endpoint:
 * 512 to 1024 and a multiple of 8; the others at most 1024).
 */
export interface SizeLimits {
	min?: number;
	max: number;
	multipleOf?: number;
}

/**
 * The size to ask an endpoint for, given the init image's size: the picture's own shape, as large
 * as the endpoint allows but never larger than the picture unless the endpoint's minimum demands.
 *
 * 1. Scale down, keeping the aspect ratio, until both sides are at most `max`: asking for more than
 *    the endpoint takes fails, and a smaller size with the same ratio is the same picture.
 * 2. Never scale up, since enlarging adds no detail and costs time and credit, unless a side is
 *    below `min`: then scale so the shorter side reaches `min`. If that pushes the longer side past
 *    `max` (a picture more elongated than max/min allows, like 3000×500 on 512–1024), the longer
 *    side is clamped at `max`, so the aspect ratio cannot be kept: the endpoint takes no size that
 *    would keep it, and the nearest it takes is asked for.
 * 3. Round to what the endpoint accepts: the longer side to the nearest multiple of `multipleOf`,
 *    then the shorter side to the nearest multiple of what keeps the ratio with the rounded longer
 *    side. Rounding both sides independently could err in opposite directions and bend the ratio
 *    by up to `multipleOf` over the shorter side (1.6 % at 512 and 8); this way it is at most half
 *    that (under 0.8 % at 512 and 8). Each side ends within [min, max] on an accepted value, and
 *    at least 1 (or `multipleOf`). Rounding to the nearest value may add a few pixels (at most
 *    `multipleOf`), which is rounding, not scaling up.
 *
 * Throws a RangeError when the size is not positive or no side length satisfies the limits.
 */
export function fitToEndpoint(
	size: { width: number; height: number },
	limits: SizeLimits,
): { width: number; height: number } {
	const { width, height } = size;
	const step = limits.multipleOf ?? 1;
	const positive = (value: number) => Number.isFinite(value) && value > 0;
	if (!positive(width) || !positive(height)) {
		throw new RangeError(`Invalid image size ${width}×${height}`);
	}
	if (!Number.isInteger(step) || step < 1 || !positive(limits.max)) {
		throw new RangeError(`Invalid size limits ${JSON.stringify(limits)}`);
	}
	// The accepted side lengths: the multiples of `step` from `lowest` to `highest`.
	const lowest = Math.max(step, Math.ceil((limits.min ?? 0) / step) * step);
	const highest = Math.floor(limits.max / step) * step;
	if (lowest > highest) throw new RangeError(`No side length fits ${JSON.stringify(limits)}`);
	const snap = (side: number) =>
		Math.min(highest, Math.max(lowest, Math.round(side / step) * step));

	const long = Math.max(width, height);
	const short = Math.min(width, height);
	let scale = Math.min(1, limits.max / long);
	if (limits.min !== undefined && short * scale < limits.min) scale = limits.min / short;
	// short * scale is at most max: it is either min, or at most long * scale.
	const idealLong = Math.min(long * scale, limits.max);
	const idealShort = short * scale;
	const roundedLong = snap(idealLong);
	// The rounding of the longer side, applied to the shorter one as well, keeps their ratio.
	const roundedShort = snap(idealShort * (roundedLong / idealLong));
	return width >= height
		? { width: roundedLong, height: roundedShort }
		: { width: roundedShort, height: roundedLong };
}
