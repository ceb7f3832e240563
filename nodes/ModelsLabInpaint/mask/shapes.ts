/**
 * Masks drawn from shapes: rectangles and ellipses, in pixels or in percent of the init image,
 * repainting inside or outside them, with an optional soft edge. The mask is a grayscale PNG
 * exactly the size of the init image, white (255) where the image is repainted.
 *
 * Everything here is plain TypeScript: n8n Cloud does not let community nodes import zlib, so the
 * PNG is compressed by the small deflate encoder of codecs/png/grayPng.ts.
 */

import { encodeGrayPng, MAX_GRAY_PNG_PIXELS } from '../codecs/png/grayPng';
import type { ImageSize as SizedImage } from '../size/imageSize';

export interface MaskShape {
	kind: 'rectangle' | 'ellipse';
	left: number;
	top: number;
	width: number;
	height: number;
	unit: 'pixels' | 'percent';
}

export interface MaskSpec {
	shapes: MaskShape[];
	/** 'inside': the shapes are repainted; 'outside': the shapes are kept and the rest is repainted. */
	repaint: 'inside' | 'outside';
	/** Width of the soft edge in pixels, centred on the shapes' outlines; 0 draws a hard edge. */
	featherPixels: number;
}

/** The image a mask is drawn for: only its width and height matter here. */
type ImageSize = Pick<SizedImage, 'width' | 'height'>;

export const MAX_SHAPES = 20;
export const MAX_FEATHER_PIXELS = 256;
/** A shape may reach past the image, but not absurdly far (it would only cost time). */
export const MAX_SHAPE_PIXELS = 1_000_000;
/** The largest image a mask is drawn for: 4096 × 4096 (the mask is built in memory, 1 byte a pixel). */
export const MAX_MASK_PIXELS = MAX_GRAY_PNG_PIXELS;

const FIELDS = [
	['left', 'Left'],
	['top', 'Top'],
	['width', 'Width'],
	['height', 'Height'],
] as const;

const shown = (value: unknown) =>
	typeof value === 'string' ? JSON.stringify(value) : String(value as number);

const isWholeSize = (value: unknown) =>
	typeof value === 'number' && Number.isInteger(value) && value >= 1;

/** A shape's box in pixels of `image` (percent values are of the image's width or height). */
export function shapeInPixels(shape: MaskShape, image: ImageSize) {
	const percent = shape.unit === 'percent';
	const x = (value: number) => (percent ? (value * image.width) / 100 : value);
	const y = (value: number) => (percent ? (value * image.height) / 100 : value);
	return { left: x(shape.left), top: y(shape.top), width: x(shape.width), height: y(shape.height) };
}

function checkShape(shape: MaskShape, name: string, image: ImageSize): string | undefined {
	if (typeof shape !== 'object' || shape === null) {
		return `${name} is not a shape (got ${shown(shape)})`;
	}
	if (shape.kind !== 'rectangle' && shape.kind !== 'ellipse') {
		return `${name}: "Kind" must be rectangle or ellipse (got ${shown(shape.kind)})`;
	}
	if (shape.unit !== 'pixels' && shape.unit !== 'percent') {
		return `${name}: "Unit" must be pixels or percent (got ${shown(shape.unit)})`;
	}
	const unit = shape.unit === 'percent' ? ' %' : ' pixels';
	for (const [key, label] of FIELDS) {
		const value: unknown = shape[key];
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			return `${name}: "${label}" must be a number (got ${shown(value)})`;
		}
		if (value < 0) return `${name}: "${label}" must not be negative (got ${value}${unit})`;
		if (shape.unit === 'percent' && value > 100) {
			return `${name}: "${label}" must be at most 100 % (got ${value} %)`;
		}
		if (shape.unit === 'pixels' && value > MAX_SHAPE_PIXELS) {
			return `${name}: "${label}" must be at most ${MAX_SHAPE_PIXELS} pixels (got ${value} pixels)`;
		}
	}
	for (const [key, label] of [FIELDS[2], FIELDS[3]]) {
		if (shape[key] === 0) return `${name}: "${label}" is 0${unit}, so the shape has no area`;
	}
	const box = shapeInPixels(shape, image);
	const size = `${image.width}×${image.height}`;
	if (box.left >= image.width) {
		return `${name}: "Left" (${shape.left}${unit}) is at or past the right edge of the ${size} image, so the shape lies entirely outside it`;
	}
	if (box.top >= image.height) {
		return `${name}: "Top" (${shape.top}${unit}) is at or past the bottom edge of the ${size} image, so the shape lies entirely outside it`;
	}
	return undefined;
}

/**
 * What is wrong with a mask for an image of `image`'s size, said for a user and naming the shape
 * (1-based) and the field, or undefined when the mask can be drawn. The caller adds the item.
 * A shape partly outside the image is fine: it is clipped.
 */
export function checkMaskSpec(spec: MaskSpec, image: ImageSize): string | undefined {
	if (!isWholeSize(image?.width) || !isWholeSize(image?.height)) {
		return `The image's size must be whole pixels (got ${shown(image?.width)}×${shown(image?.height)})`;
	}
	if (image.width * image.height > MAX_MASK_PIXELS) {
		return `A mask can be drawn for images of up to ${MAX_MASK_PIXELS} pixels (4096×4096); the image is ${image.width}×${image.height}`;
	}
	const shapes: unknown = spec?.shapes;
	if (!Array.isArray(shapes) || shapes.length === 0) return 'The mask needs at least one shape';
	if (shapes.length > MAX_SHAPES) {
		return `The mask has ${shapes.length} shapes; at most ${MAX_SHAPES} are allowed`;
	}
	for (let index = 0; index < shapes.length; index++) {
		const problem = checkShape(shapes[index] as MaskShape, `Shape ${index + 1}`, image);
		if (problem) return problem;
	}
	if (spec.repaint !== 'inside' && spec.repaint !== 'outside') {
		return `"Repaint" must be inside or outside (got ${shown(spec.repaint)})`;
	}
	const feather: unknown = spec.featherPixels;
	if (
		typeof feather !== 'number' ||
		!Number.isFinite(feather) ||
		feather < 0 ||
		feather > MAX_FEATHER_PIXELS
	) {
		return `"Feather" must be 0 to ${MAX_FEATHER_PIXELS} pixels (got ${shown(feather)})`;
	}
	return undefined;
}

/**
 * How much of the shape a pixel centre is in, 0 to 255. Hard edges (feather 0): a rectangle holds
 * the centres with left <= x < left + width (and the same for y), an ellipse (the one inscribed
 * in the box) those with ((x - cx) / rx)² + ((y - cy) / ry)² <= 1.
 *
 * Soft edges: 255 × (0.5 + d / feather), clamped to 0..255, where d is the distance from the centre
 * to the outline, positive inside. The ramp is `feather` pixels wide, half inside the outline and
 * half outside. For rectangles d is exact. For ellipses it is the usual approximation
 * k0 (1 - k0) / k1 with k0 = |(px / rx, py / ry)| and k1 = |(px / rx², py / ry²)|: exact for
 * circles and along the axes, first-order exact near the outline (where the ramp is), and growing
 * steadily along every ray from the centre, so the edge is soft and monotonic.
 */
function shapeCoverage(shape: MaskShape, image: ImageSize, feather: number, out: Uint8Array): void {
	const box = shapeInPixels(shape, image);
	const x0 = box.left;
	const y0 = box.top;
	const x1 = box.left + box.width;
	const y1 = box.top + box.height;
	const half = feather / 2;
	const clampX = (value: number) => Math.min(image.width, Math.max(0, value));
	const clampY = (value: number) => Math.min(image.height, Math.max(0, value));
	const xStart = clampX(Math.floor(x0 - half));
	const xEnd = clampX(Math.ceil(x1 + half));
	const yStart = clampY(Math.floor(y0 - half));
	const yEnd = clampY(Math.ceil(y1 + half));
	// Tiny radii would overflow the ellipse's arithmetic; a thousandth of a pixel shows nothing anyway.
	const rx = Math.max(box.width / 2, 1e-3);
	const ry = Math.max(box.height / 2, 1e-3);
	const centreX = x0 + box.width / 2;
	const centreY = y0 + box.height / 2;
	const ramp = (distance: number) =>
		Math.round(255 * Math.min(1, Math.max(0, 0.5 + distance / feather)));
	for (let y = yStart; y < yEnd; y++) {
		const cy = y + 0.5;
		const row = y * image.width;
		for (let x = xStart; x < xEnd; x++) {
			const cx = x + 0.5;
			let value: number;
			if (shape.kind === 'rectangle') {
				if (feather === 0) {
					value = cx >= x0 && cx < x1 && cy >= y0 && cy < y1 ? 255 : 0;
				} else {
					const dx = Math.max(x0 - cx, cx - x1);
					const dy = Math.max(y0 - cy, cy - y1);
					const ox = Math.max(dx, 0);
					const oy = Math.max(dy, 0);
					const outside = Math.sqrt(ox * ox + oy * oy);
					value = ramp(-(outside + Math.min(Math.max(dx, dy), 0)));
				}
			} else {
				const nx = (cx - centreX) / rx;
				const ny = (cy - centreY) / ry;
				if (feather === 0) {
					value = nx * nx + ny * ny <= 1 ? 255 : 0;
				} else {
					// sqrt rather than Math.hypot, which is several times slower; the terms cannot overflow.
					const k0 = Math.sqrt(nx * nx + ny * ny);
					const k1 = Math.sqrt((nx * nx) / (rx * rx) + (ny * ny) / (ry * ry));
					value = ramp(k1 > 0 ? (k0 * (1 - k0)) / k1 : Math.min(rx, ry));
				}
			}
			if (value > out[row + x]) out[row + x] = value;
		}
	}
}

/**
 * The mask's gray levels, row by row (width × height bytes), 255 where the image is repainted.
 * Several shapes make their union (the largest value at each pixel). Throws when checkMaskSpec
 * finds a problem.
 */
export function maskPixels(spec: MaskSpec, image: ImageSize): Uint8Array {
	const problem = checkMaskSpec(spec, image);
	if (problem) throw new Error(problem);
	const pixels = new Uint8Array(image.width * image.height);
	for (const shape of spec.shapes) shapeCoverage(shape, image, spec.featherPixels, pixels);
	if (spec.repaint === 'outside') {
		for (let i = 0; i < pixels.length; i++) pixels[i] = 255 - pixels[i];
	}
	return pixels;
}

/** The mask as a grayscale 8-bit PNG of exactly the image's size; white (255) = repaint. */
export function drawMask(spec: MaskSpec, image: ImageSize): Buffer {
	return encodeGrayPng(image.width, image.height, maskPixels(spec, image));
}
