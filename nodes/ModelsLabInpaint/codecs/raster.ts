/**
 * What the codecs decode to and encode from: 8-bit RGBA pixels, row by row. Deeper images (16-bit
 * PNGs) are brought to 8 bits, paletted and grayscale ones are expanded, so every later step
 * (masks, stitching) handles one layout.
 */
export interface Raster {
	width: number;
	height: number;
	/** width × height × 4 bytes: red, green, blue, alpha. */
	rgba: Uint8Array;
	/** Whether the file carried transparency (an alpha channel, tRNS, or a transparent palette entry). */
	hasAlpha: boolean;
}

/** A picture the codecs cannot read: damaged, cut short, too large, or of a kind they do not handle. */
export class ImageDecodeError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'ImageDecodeError';
	}
}

/** A box of pixels: its top-left corner and its size. */
export interface Box {
	left: number;
	top: number;
	width: number;
	height: number;
}

/** Throws unless `box` is a non-empty box of whole pixels inside a picture of `size`. */
export function checkBoxInside(box: Box, size: { width: number; height: number }): void {
	const { left, top, width, height } = box;
	const whole = [left, top, width, height].every(Number.isInteger);
	if (!whole || left < 0 || top < 0 || width < 1 || height < 1) {
		throw new RangeError(`Box ${JSON.stringify(box)} is not a box of whole pixels`);
	}
	if (left + width > size.width || top + height > size.height) {
		throw new RangeError(
			`Box ${JSON.stringify(box)} is not inside a ${size.width}×${size.height} picture`,
		);
	}
}

/**
 * Whether `length` bytes of `a` from `aAt` equal those of `b` from `bAt`: a native compare, so
 * the hot loops can step over rows that repeat the row above and runs of zeros, which is most of
 * a mask, at memory speed rather than a byte at a time.
 */
export function sameBytes(
	a: Uint8Array,
	aAt: number,
	b: Uint8Array,
	bAt: number,
	length: number,
): boolean {
	const view = (bytes: Uint8Array, at: number) =>
		Buffer.from(bytes.buffer, bytes.byteOffset + at, length);
	return view(a, aAt).equals(view(b, bAt));
}
