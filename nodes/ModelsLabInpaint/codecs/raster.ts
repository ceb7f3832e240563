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
