/**
 * A photo-like raster for the encoder tests: the simulator's makePhoto picture (sky gradient,
 * ground, sun) with sensor-like noise and a little texture, as a camera's file has; without them
 * a gradient compresses far better than any real photograph would.
 */
import type { Raster } from '../../nodes/ModelsLabInpaint/codecs/raster';
import { decodePng, makePhoto } from '../../simulator/png';

export function photoLike(width: number, height: number, noise = 6, alpha = false): Raster {
	const rgba = new Uint8Array(decodePng(makePhoto(width, height)).rgba);
	let seed = 12345;
	const random = () => {
		seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
		return seed / 2 ** 32;
	};
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const o = (y * width + x) * 4;
			const texture = 8 * Math.sin(x / 7) * Math.cos(y / 11);
			for (let c = 0; c < 3; c++) {
				const value = rgba[o + c] + texture + (random() - 0.5) * 2 * noise;
				rgba[o + c] = Math.max(0, Math.min(255, Math.round(value)));
			}
			if (alpha) rgba[o + 3] = (x * 255) / Math.max(1, width - 1);
		}
	}
	return { width, height, rgba, hasAlpha: alpha };
}
