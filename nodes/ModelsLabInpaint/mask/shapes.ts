/**
 * Masks drawn from shapes: rectangles and ellipses, in pixels or in percent of the init image,
 * repainting inside or outside them, with an optional soft edge. The mask is a grayscale PNG
 * exactly the size of the init image, white (255) where the image is repainted.
 *
 * Everything here is plain TypeScript: n8n Cloud does not let community nodes import zlib, so the
 * PNG is compressed by the small deflate encoder of codecs/png/grayPng.ts. A mask of a large photo
 * (up to MAX_MASK_PIXELS) is drawn and encoded in time slices, a row at a time, so n8n's main
 * thread goes on answering. Memory: the mask (1 byte a pixel) and the encoder's (about 3.3 bytes
 * a pixel at worst, see grayPng.ts): measured +121 MiB for 40 megapixels.
 */

import type { TimeSlice } from '../../shared/pacing/timeSlice';
import { encodeGrayPngSliced } from '../codecs/png/grayPng';
import type { ImageSize as SizedImage } from '../size/imageSize';
import { MAX_MASK_PIXELS, MAX_MASK_SIZE_TEXT } from './maskLimits';

export interface MaskShape {
	kind: 'rectangle' | 'ellipse';
	left: number;
	top: number;
	width: number;
	height: number;
	unit: 'pixels' | 'percent';
	/** What errors call the shape, e.g. "Rectangle 2"; "Shape N" (its place in the list) without. */
	name?: string;
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
		return `A mask can be drawn for images of up to ${MAX_MASK_SIZE_TEXT}; the image is ${image.width}×${image.height}`;
	}
	const shapes: unknown = spec?.shapes;
	if (!Array.isArray(shapes) || shapes.length === 0) return 'The mask needs at least one shape';
	if (shapes.length > MAX_SHAPES) {
		return `The mask has ${shapes.length} shapes; at most ${MAX_SHAPES} are allowed`;
	}
	for (let index = 0; index < shapes.length; index++) {
		const shape = shapes[index] as MaskShape;
		const problem = checkShape(shape, shape?.name ?? `Shape ${index + 1}`, image);
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

/** Read once: global lookups are slow in hot loops where node code runs in a vm context (jest). */
const { max, min, round, sqrt } = Math;

/** A shape's outline in pixels of the image, and the rows and columns its coverage can reach. */
interface Outline {
	kind: MaskShape['kind'];
	x0: number;
	y0: number;
	x1: number;
	y1: number;
	xStart: number;
	xEnd: number;
	yStart: number;
	yEnd: number;
	rx: number;
	ry: number;
	centreX: number;
	centreY: number;
}

function outlineOf(shape: MaskShape, image: ImageSize, feather: number): Outline {
	const box = shapeInPixels(shape, image);
	const half = feather / 2;
	const clampX = (value: number) => Math.min(image.width, Math.max(0, value));
	const clampY = (value: number) => Math.min(image.height, Math.max(0, value));
	return {
		kind: shape.kind,
		x0: box.left,
		y0: box.top,
		x1: box.left + box.width,
		y1: box.top + box.height,
		xStart: clampX(Math.floor(box.left - half)),
		xEnd: clampX(Math.ceil(box.left + box.width + half)),
		yStart: clampY(Math.floor(box.top - half)),
		yEnd: clampY(Math.ceil(box.top + box.height + half)),
		// Tiny radii would overflow the ellipse's arithmetic; a thousandth of a pixel shows nothing.
		rx: Math.max(box.width / 2, 1e-3),
		ry: Math.max(box.height / 2, 1e-3),
		centreX: box.left + box.width / 2,
		centreY: box.top + box.height / 2,
	};
}

/**
 * How much of the shape each pixel centre of row `y` is in, 0 to 255, written where it is larger
 * than what `out` holds (row starting at `row`). Hard edges (feather 0): a rectangle holds the
 * centres with left <= x < left + width (and the same for y), an ellipse (the one inscribed in the
 * box) those with ((x - cx) / rx)² + ((y - cy) / ry)² <= 1.
 *
 * Soft edges: 255 × (0.5 + d / feather), clamped to 0..255, where d is the distance from the centre
 * to the outline, positive inside. The ramp is `feather` pixels wide, half inside the outline and
 * half outside. For rectangles d is exact. For ellipses it is the usual approximation
 * k0 (1 - k0) / k1 with k0 = |(px / rx, py / ry)| and k1 = |(px / rx², py / ry²)|: exact for
 * circles and along the axes, first-order exact near the outline (where the ramp is), and growing
 * steadily along every ray from the centre, so the edge is soft and monotonic.
 */
function coverRow(o: Outline, feather: number, y: number, out: Uint8Array, row: number): void {
	const { x0, y0, x1, y1, rx, ry, centreX, centreY } = o;
	const ramp = (distance: number) => round(255 * min(1, max(0, 0.5 + distance / feather)));
	const cy = y + 0.5;
	for (let x = o.xStart; x < o.xEnd; x++) {
		const cx = x + 0.5;
		let value: number;
		if (o.kind === 'rectangle') {
			if (feather === 0) {
				value = cx >= x0 && cx < x1 && cy >= y0 && cy < y1 ? 255 : 0;
			} else {
				const dx = max(x0 - cx, cx - x1);
				const dy = max(y0 - cy, cy - y1);
				const ox = max(dx, 0);
				const oy = max(dy, 0);
				const outside = sqrt(ox * ox + oy * oy);
				value = ramp(-(outside + min(max(dx, dy), 0)));
			}
		} else {
			const nx = (cx - centreX) / rx;
			const ny = (cy - centreY) / ry;
			if (feather === 0) {
				value = nx * nx + ny * ny <= 1 ? 255 : 0;
			} else {
				// sqrt rather than Math.hypot, which is several times slower; the terms cannot overflow.
				const k0 = sqrt(nx * nx + ny * ny);
				const k1 = sqrt((nx * nx) / (rx * rx) + (ny * ny) / (ry * ry));
				value = ramp(k1 > 0 ? (k0 * (1 - k0)) / k1 : min(rx, ry));
			}
		}
		if (value > out[row + x]) out[row + x] = value;
	}
}

/**
 * Whether row `y` lies so deep inside a rectangle (at least half the ramp from its top and bottom,
 * or between them with a hard edge) that its coverage depends on x alone: then every such row is
 * the same, and one drawn row is copied to the others.
 */
function deepInside(o: Outline, feather: number, y: number): boolean {
	const cy = y + 0.5;
	if (o.kind !== 'rectangle') return false;
	return feather === 0
		? cy >= o.y0 && cy < o.y1
		: cy - o.y0 >= feather / 2 && o.y1 - cy >= feather / 2;
}

/** One shape's coverage merged into the mask (the larger value at each pixel), row by row. */
async function coverShape(
	o: Outline,
	feather: number,
	{ width }: ImageSize,
	pixels: Uint8Array,
	slice: TimeSlice,
): Promise<void> {
	let deepRow: Uint8Array | undefined;
	for (let y = o.yStart; y < o.yEnd; y++) {
		const row = y * width;
		if (deepInside(o, feather, y)) {
			if (!deepRow) {
				// Drawn once on its own (the mask may already hold other shapes), then merged.
				deepRow = new Uint8Array(width);
				coverRow(o, feather, y, deepRow, 0);
			}
			for (let x = o.xStart; x < o.xEnd; x++)
				if (deepRow[x] > pixels[row + x]) pixels[row + x] = deepRow[x];
		} else {
			coverRow(o, feather, y, pixels, row);
		}
		if (slice.over) await slice.next();
	}
}

/**
 * The mask's gray levels, row by row (width × height bytes), 255 where the image is repainted.
 * Several shapes make their union (the largest value at each pixel). Throws when checkMaskSpec
 * finds a problem. Drawn a row at a time, pausing whenever the slice is over.
 */
export async function maskPixels(
	spec: MaskSpec,
	image: ImageSize,
	slice: TimeSlice,
): Promise<Uint8Array> {
	const problem = checkMaskSpec(spec, image);
	if (problem) throw new Error(problem);
	const { width, height } = image;
	const pixels = new Uint8Array(width * height);
	for (const shape of spec.shapes) {
		const outline = outlineOf(shape, image, spec.featherPixels);
		await coverShape(outline, spec.featherPixels, image, pixels, slice);
	}
	if (spec.repaint === 'outside') {
		for (let y = 0; y < height; y++) {
			for (let i = y * width, end = i + width; i < end; i++) pixels[i] = 255 - pixels[i];
			if (slice.over) await slice.next();
		}
	}
	return pixels;
}

/** The mask as a grayscale 8-bit PNG of exactly the image's size (white = repaint), and its levels. */
export async function drawMask(
	spec: MaskSpec,
	image: ImageSize,
	slice: TimeSlice,
): Promise<{ file: Buffer; gray: Uint8Array }> {
	const gray = await maskPixels(spec, image, slice);
	return { file: await encodeGrayPngSliced(image.width, image.height, gray, slice), gray };
}
