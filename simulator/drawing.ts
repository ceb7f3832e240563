/**
 * Test pictures: a recognisable photo-like scene and a matching inpainting mask, so tests, the demo
 * and a person looking at the simulator's output can tell "original" from "inpainted" at a glance.
 */
import { encodePng } from './png-codec';

export interface MaskOptions {
	/** Shape of the white (inpaint) area; default 'ellipse'. */
	shape?: 'ellipse' | 'rect';
	/** Area to paint white, in pixels. Default: the centre-bottom of the picture, where the ground is. */
	box?: { x: number; y: number; width: number; height: number };
}

/** Default white area of makeMask(): centred horizontally, over the horizon line of makePhoto(). */
export function defaultMaskBox(width: number, height: number): NonNullable<MaskOptions['box']> {
	return {
		x: Math.round(width * 0.3),
		y: Math.round(height * 0.4),
		width: Math.max(1, Math.round(width * 0.4)),
		height: Math.max(1, Math.round(height * 0.4)),
	};
}

/** A sky gradient, green ground below a horizon at 62 %, and a yellow sun disc top right. PNG bytes. */
export function makePhoto(width: number, height: number): Buffer {
	const rgba = new Uint8Array(width * height * 4);
	const horizon = Math.round(height * 0.62);
	const sunX = width * 0.75;
	const sunY = height * 0.22;
	const sunRadius = Math.max(2, Math.min(width, height) * 0.09);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const o = (y * width + x) * 4;
			let r: number;
			let g: number;
			let b: number;
			if (y < horizon) {
				const t = y / Math.max(1, horizon);
				[r, g, b] = [70 + 110 * t, 130 + 80 * t, 200 + 40 * t];
			} else {
				const t = (y - horizon) / Math.max(1, height - horizon);
				[r, g, b] = [60 - 30 * t, 140 - 50 * t, 60 - 30 * t];
			}
			if (Math.hypot(x - sunX, y - sunY) <= sunRadius) [r, g, b] = [255, 220, 80];
			rgba[o] = r;
			rgba[o + 1] = g;
			rgba[o + 2] = b;
			rgba[o + 3] = 255;
		}
	}
	return encodePng(width, height, rgba);
}

/** Black everywhere except a white ellipse/rectangle marking the area to inpaint. PNG bytes. */
export function makeMask(width: number, height: number, options: MaskOptions = {}): Buffer {
	const box = options.box ?? defaultMaskBox(width, height);
	const shape = options.shape ?? 'ellipse';
	const rgba = new Uint8Array(width * height * 4);
	const cx = box.x + box.width / 2;
	const cy = box.y + box.height / 2;
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const inBox = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
			const inEllipse =
				((x + 0.5 - cx) / (box.width / 2)) ** 2 + ((y + 0.5 - cy) / (box.height / 2)) ** 2 <= 1;
			const white = shape === 'rect' ? inBox : inEllipse;
			const o = (y * width + x) * 4;
			rgba[o] = rgba[o + 1] = rgba[o + 2] = white ? 255 : 0;
			rgba[o + 3] = 255;
		}
	}
	return encodePng(width, height, rgba);
}
