/**
 * The photos of the full-resolution rows (bench/scenarios/stitch.ts): a photo-like picture drawn
 * here (sky, hills, a textured field, film grain, so the JPEG codec has a camera's amount of detail
 * to code) and saved as a camera saves it, a baseline JPEG, 4:2:0, with an Exif segment (camera
 * make and model, orientation 1), by the node's own JPEG encoder; and the mask, a black PNG of the
 * photo's size with one white ellipse. Deterministic: the same size always gives the same files.
 */
import { encodeJpeg } from '../../nodes/ModelsLabInpaint/codecs/jpeg/jpegEncode';
import type { Raster } from '../../nodes/ModelsLabInpaint/codecs/raster';
import { TimeSlice } from '../../nodes/shared/pacing/timeSlice';
import { makeMask } from '../../simulator';

/** A 12-megapixel phone photo (4:3). */
export const LARGE_PHOTO = { width: 4032, height: 3024 } as const;
/** The same scene at a size the endpoint takes (1024 px a side at most): no crop, no stitch. */
export const FITTING_PHOTO = { width: 1024, height: 768 } as const;
/** The repainted area on the 12-megapixel photo: a 600×500 ellipse, right of centre, low. */
export const MASK_ELLIPSE = { width: 600, height: 500, centreX: 0.6, centreY: 0.62 } as const;
/** The quality the photo is saved at (phones save at 85–95). */
export const PHOTO_QUALITY = 90;

/** A small, fast, deterministic generator (xorshift32). */
function noiseFrom(seed: number) {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 0xffffffff;
	};
}

/**
 * The scene, at any size (its features scale with it): a sky gradient with soft cloud bands, two
 * rows of hills, a field with crop rows and patches of colour, and grain over everything.
 */
export function drawPhoto(width: number, height: number): Raster {
	const rgba = new Uint8Array(width * height * 4);
	const noise = noiseFrom(width * 7919 + height);
	const clamp = (value: number) => (value < 0 ? 0 : value > 255 ? 255 : Math.round(value));
	const s = width / 4032;
	for (let y = 0; y < height; y++) {
		const v = y / height;
		for (let x = 0; x < width; x++) {
			const u = x / width;
			const far = 0.45 + 0.04 * Math.sin(u * 9.1 + 0.7) + 0.02 * Math.sin(u * 31 + 2.1);
			const near = 0.58 + 0.05 * Math.sin(u * 5.3 + 2.4) + 0.015 * Math.sin(u * 47 + 0.3);
			let r: number;
			let g: number;
			let b: number;
			if (v < far) {
				const cloud = Math.max(0, Math.sin(x / (310 * s) + Math.sin(y / (90 * s)) * 2) - 0.4);
				[r, g, b] = [
					90 + 100 * v + 120 * cloud,
					140 + 70 * v + 100 * cloud,
					215 + 25 * v + 30 * cloud,
				];
			} else if (v < near) {
				const shade = Math.sin(x / (23 * s) + y / (41 * s)) * Math.sin(y / (17 * s) - x / (57 * s));
				[r, g, b] = [70 + 25 * shade, 95 + 30 * shade, 80 + 20 * shade];
			} else {
				const depth = (v - near) / (1 - near);
				const rows = Math.sin((x - width / 2) / ((6 + 30 * depth) * s) + y / (9 * s));
				const patch = Math.sin(x / (370 * s)) * Math.sin(y / (230 * s) + 1.3);
				[r, g, b] = [
					110 + 40 * patch + 22 * rows * depth,
					140 - 25 * patch + 26 * rows * depth,
					55 + 15 * patch + 10 * rows,
				];
			}
			const grain = (noise() - 0.5) * 18;
			const o = (y * width + x) * 4;
			rgba[o] = clamp(r + grain);
			rgba[o + 1] = clamp(g + grain);
			rgba[o + 2] = clamp(b + grain);
			rgba[o + 3] = 255;
		}
	}
	return { width, height, rgba, hasAlpha: false };
}

/** An APP1 Exif body: "Exif\0\0", a little-endian TIFF header, IFD0 with Make, Model, Orientation 1. */
export function cameraExif(): Uint8Array {
	const ascii = (text: string) => [...Buffer.from(`${text}\0`, 'latin1')];
	const make = ascii('BenchCam');
	const model = ascii('BenchCam 12MP');
	const entries = 3;
	const ifdEnd = 8 + 2 + entries * 12 + 4;
	const tiff: number[] = [0x49, 0x49, 42, 0, 8, 0, 0, 0, entries, 0];
	const u16 = (value: number) => [value & 0xff, value >> 8];
	const u32 = (value: number) => [...u16(value & 0xffff), ...u16(value >>> 16)];
	tiff.push(...u16(0x010f), ...u16(2), ...u32(make.length), ...u32(ifdEnd));
	tiff.push(...u16(0x0110), ...u16(2), ...u32(model.length), ...u32(ifdEnd + make.length));
	tiff.push(...u16(0x0112), ...u16(3), ...u32(1), ...u16(1), 0, 0);
	tiff.push(...u32(0), ...make, ...model);
	return Uint8Array.from([0x45, 0x78, 0x69, 0x66, 0, 0, ...tiff]);
}

/** The scene at `size` as a camera JPEG (the node's encoder, 4:2:0, Exif). */
export async function photoJpeg(size: { width: number; height: number }): Promise<Buffer> {
	const raster = drawPhoto(size.width, size.height);
	const file = await encodeJpeg(
		raster,
		{ quality: PHOTO_QUALITY, subsampling: '4:2:0', exif: cameraExif() },
		new TimeSlice(),
	);
	return Buffer.from(file);
}

/** The mask of a photo of `size`: MASK_ELLIPSE, scaled with the photo, as a black-and-white PNG. */
export function ellipseMaskPng(size: { width: number; height: number }): Buffer {
	const scale = size.width / LARGE_PHOTO.width;
	const width = Math.round(MASK_ELLIPSE.width * scale);
	const height = Math.round(MASK_ELLIPSE.height * scale);
	const x = Math.round(size.width * MASK_ELLIPSE.centreX - width / 2);
	const y = Math.round(size.height * MASK_ELLIPSE.centreY - height / 2);
	return makeMask(size.width, size.height, { box: { x, y, width, height } });
}
