/**
 * Picture files for the image-editing endpoints: reading a photo (PNG or JPEG) and writing a
 * result as PNG (grey, RGB or RGBA), JPEG or a WebP container. Test tooling: uses the
 * devDependencies pngjs and jpeg-js next to the simulator's own PNG codec.
 */
import * as jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { decodePng, isPng, type Raster } from './png-codec';

/** A result file and its content type. */
export interface OutputPicture {
	bytes: Buffer;
	mime: string;
}

/** Which channels a result carries: a mask is grey, a cutout on black has no alpha. */
export type Channels = 'grey' | 'rgb' | 'rgba';

export type PictureFormat = 'png' | 'jpeg' | 'webp';

/** File extension of each format, as used in the output links. */
export const EXTENSION: Readonly<Record<PictureFormat, string>> = {
	png: 'png',
	jpeg: 'jpg',
	webp: 'webp',
};

const MIME: Readonly<Record<PictureFormat, string>> = {
	png: 'image/png',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
};

/** Largest photo decoded, in megapixels: enough for any camera picture, bounded for a test server. */
const MAX_MEGAPIXELS = 64;

export function isJpeg(bytes: Uint8Array): boolean {
	return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/** Decodes a PNG or JPEG file into RGBA pixels; undefined for anything else or a broken file. */
export function decodePicture(bytes: Uint8Array): Raster | undefined {
	try {
		if (isPng(bytes)) return decodePngAnyKind(bytes);
		if (isJpeg(bytes)) {
			const image = jpeg.decode(bytes, {
				useTArray: true,
				formatAsRGBA: true,
				maxResolutionInMP: MAX_MEGAPIXELS,
				maxMemoryUsageInMB: 1024,
			});
			return { width: image.width, height: image.height, rgba: image.data };
		}
	} catch {
		return undefined;
	}
	return undefined;
}

/** The simulator's codec first; pngjs for what it does not cover (interlaced, 16-bit). */
function decodePngAnyKind(bytes: Uint8Array): Raster {
	try {
		return decodePng(bytes);
	} catch {
		const png = PNG.sync.read(Buffer.from(bytes));
		return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
	}
}

/** Encodes `raster` in `format`. JPEG and WebP carry no alpha; PNG keeps only `channels`. */
export function encodePicture(
	raster: Raster,
	format: PictureFormat,
	channels: Channels,
): OutputPicture {
	const { width, height, rgba } = raster;
	if (format === 'jpeg') {
		// Quality 90, as typical image services save JPEGs; alpha is dropped (transparent → its RGB).
		const bytes = jpeg.encode({ width, height, data: rgba }, 90).data;
		return { bytes: Buffer.from(bytes), mime: MIME.jpeg };
	}
	if (format === 'webp') return { bytes: webpContainer(width, height), mime: MIME.webp };
	const png = new PNG({ width, height });
	png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
	const colorType = channels === 'grey' ? 0 : channels === 'rgb' ? 2 : 6;
	return { bytes: PNG.sync.write(png, { colorType }), mime: MIME.png };
}

/**
 * A file that is a WebP by its header: `RIFF <size> WEBP`, then a lossy `VP8 ` chunk whose frame
 * header (key-frame tag, start code 9d 01 2a, 14-bit width and height) is well formed and whose
 * size fields add up. The compressed picture itself is filler: the node only has to recognise a
 * WebP and refuse it (the simulator's `maskFormat: 'webp'`), not decode one.
 */
export function webpContainer(width: number, height: number): Buffer {
	const filler = 64;
	const frame = Buffer.alloc(10 + filler);
	// Frame tag: key frame (bit 0 = 0), version 0, show_frame (bit 4), first partition size.
	frame.writeUIntLE((1 << 4) | (filler << 5), 0, 3);
	frame.set([0x9d, 0x01, 0x2a], 3);
	frame.writeUInt16LE(width & 0x3fff, 6);
	frame.writeUInt16LE(height & 0x3fff, 8);
	for (let i = 10; i < frame.length; i++) frame[i] = (i * 37) & 0xff;
	const chunkHeader = Buffer.alloc(8);
	chunkHeader.write('VP8 ', 0, 'latin1');
	chunkHeader.writeUInt32LE(frame.length, 4);
	const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), chunkHeader, frame]);
	const riff = Buffer.alloc(8);
	riff.write('RIFF', 0, 'latin1');
	riff.writeUInt32LE(body.length, 4);
	return Buffer.concat([riff, body]);
}
