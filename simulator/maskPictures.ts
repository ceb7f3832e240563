/**
 * What the mask endpoints draw (modelslab-editing.md): the mask of "the object" (mask_creator), the
 * subject's mask or the photo without its background (removebg_mask), and the photo with the
 * masked area filled (object_removal). There is no recognition: "the object" is always an ellipse
 * filling `settings.objectBox`, with hard edges, so tests can compute the exact expected mask with
 * expectedObjectMask().
 *
 * NOT DOCUMENTED, and therefore switchable by settings (settings.ts): a mask's form
 * (`maskForm`), polarity (`maskPolarity`), size (`maskSize`), file type (`maskFormat`, applied in
 * editing.ts) and whether the object is found at all (`emptyMasks`).
 */
import { scaleNearest, whiteBits } from './imaging';
import type { Raster } from './png-codec';
import { DEFAULT_OBJECT_BOX, type SimulatorSettings } from './settings';
import type { Channels } from './pictureFiles';

/** The settings that decide what a mask looks like (captured when the job is submitted). */
export type MaskLook = Pick<
	SimulatorSettings,
	'maskForm' | 'maskPolarity' | 'maskSize' | 'emptyMasks' | 'objectBox'
>;

export type ObjectBox = SimulatorSettings['objectBox'];

/** The object box in pixels, rounded as drawing.ts defaultMaskBox() rounds its box. */
export function objectBoxPixels(
	width: number,
	height: number,
	box: ObjectBox = DEFAULT_OBJECT_BOX,
): { x: number; y: number; width: number; height: number } {
	return {
		x: Math.round(width * box.left),
		y: Math.round(height * box.top),
		width: Math.max(1, Math.round(width * box.width)),
		height: Math.max(1, Math.round(height * box.height)),
	};
}

/**
 * 1 where "the object" is (pixel centres inside the ellipse that fills the box), else 0. With the
 * default box this is exactly the white area of makeMask(width, height).
 */
export function objectCoverage(
	width: number,
	height: number,
	box: ObjectBox = DEFAULT_OBJECT_BOX,
): Uint8Array {
	const px = objectBoxPixels(width, height, box);
	const cx = px.x + px.width / 2;
	const cy = px.y + px.height / 2;
	const bits = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) {
		const dy = (y + 0.5 - cy) / (px.height / 2);
		for (let x = 0; x < width; x++) {
			const dx = (x + 0.5 - cx) / (px.width / 2);
			bits[y * width + x] = dx * dx + dy * dy <= 1 ? 1 : 0;
		}
	}
	return bits;
}

/**
 * 1 where the output shows the selected part: the object (not found at all with `emptyMasks`),
 * or everything else when `inverse` (removebg_mask `inverse_mask`).
 */
function selection(
	width: number,
	height: number,
	look: Partial<MaskLook>,
	inverse: boolean,
): Uint8Array {
	const bits = look.emptyMasks
		? new Uint8Array(width * height)
		: objectCoverage(width, height, look.objectBox);
	if (inverse) for (let i = 0; i < bits.length; i++) bits[i] ^= 1;
	return bits;
}

/**
 * The exact grey values (0 or 255, one byte a pixel, row by row) of a `maskForm: 'mask'` output of
 * width × height under these settings (`objectBox`, `maskPolarity`, `emptyMasks`; defaults when
 * left out), flipped when `inverse` (removebg_mask `inverse_mask: true`).
 */
export function expectedObjectMask(
	width: number,
	height: number,
	settings: Partial<Pick<SimulatorSettings, 'objectBox' | 'maskPolarity' | 'emptyMasks'>> = {},
	inverse = false,
): Uint8Array {
	const bits = selection(width, height, settings, inverse);
	const objectValue = settings.maskPolarity === 'black-object' ? 0 : 255;
	const grey = new Uint8Array(bits.length);
	for (let i = 0; i < bits.length; i++) grey[i] = bits[i] ? objectValue : 255 - objectValue;
	return grey;
}

/** The size of a mask output for a photo of this size (`maskSize`). */
export function maskOutputSize(
	photo: { width: number; height: number },
	look: Pick<MaskLook, 'maskSize'>,
): { width: number; height: number } {
	return look.maskSize === 'photo'
		? { width: photo.width, height: photo.height }
		: { width: look.maskSize.width, height: look.maskSize.height };
}

/** A picture with the channels its file should keep. */
export interface Drawn {
	raster: Raster;
	channels: Channels;
}

/**
 * mask_creator, and removebg_mask with `only_mask`: the object's mask in the configured form, at
 * `maskSize`. The photo is scaled (nearest neighbour) when the mask has another size.
 */
export function drawMask(photo: Raster, look: MaskLook, inverse: boolean): Drawn {
	const { width, height } = maskOutputSize(photo, look);
	const rgba = new Uint8Array(width * height * 4);
	if (look.maskForm === 'mask') {
		const grey = expectedObjectMask(width, height, look, inverse);
		for (let i = 0; i < grey.length; i++) {
			rgba[i * 4] = rgba[i * 4 + 1] = rgba[i * 4 + 2] = grey[i];
			rgba[i * 4 + 3] = 255;
		}
		return { raster: { width, height, rgba }, channels: 'grey' };
	}
	// Cutouts show the selected photo pixels; the polarity of a black-and-white mask does not apply.
	const onBlack = look.maskForm === 'cutoutOnBlack';
	return {
		raster: cutout(
			scaleNearest(photo, width, height),
			selection(width, height, look, inverse),
			onBlack,
		),
		channels: onBlack ? 'rgb' : 'rgba',
	};
}

/**
 * removebg_mask without `only_mask`: the photo at its own size with everything but the subject
 * made transparent (fully transparent when the subject is not found, `emptyMasks`).
 */
export function drawWithoutBackground(photo: Raster, look: MaskLook, inverse: boolean): Drawn {
	const bits = selection(photo.width, photo.height, look, inverse);
	return { raster: cutout(photo, bits, false), channels: 'rgba' };
}

/** The photo's pixels where `bits` is 1; elsewhere transparent, or opaque black when `onBlack`. */
function cutout(photo: Raster, bits: Uint8Array, onBlack: boolean): Raster {
	const rgba = new Uint8Array(photo.rgba.length);
	for (let i = 0; i < bits.length; i++) {
		const o = i * 4;
		if (bits[i]) {
			rgba[o] = photo.rgba[o];
			rgba[o + 1] = photo.rgba[o + 1];
			rgba[o + 2] = photo.rgba[o + 2];
			rgba[o + 3] = onBlack ? 255 : photo.rgba[o + 3];
		} else if (onBlack) rgba[o + 3] = 255;
	}
	return { width: photo.width, height: photo.height, rgba };
}

/**
 * object_removal: the photo at its own size, its mask's white area (white = remove, the docs)
 * filled with one flat colour, the average of the unmasked pixels around that area (within a
 * margin of its bounding box; the whole photo's unmasked pixels when none are that close). The
 * mask is scaled to the photo. Opaque (RGB).
 */
export function drawObjectRemoved(photo: Raster, mask: Raster): Drawn {
	const { width, height } = photo;
	const bits = whiteBits(mask, width, height);
	const fill = fillColour(photo, bits);
	const rgba = Uint8Array.from(photo.rgba);
	for (let i = 0; i < bits.length; i++) {
		const o = i * 4;
		if (bits[i]) rgba.set(fill, o);
		rgba[o + 3] = 255;
	}
	return { raster: { width, height, rgba }, channels: 'rgb' };
}

/** The colour object_removal fills with (see drawObjectRemoved); RGBA, opaque. */
export function fillColour(photo: Raster, bits: Uint8Array): [number, number, number, number] {
	const { width, height } = photo;
	let [x0, y0, x1, y1] = [width, height, -1, -1];
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			if (!bits[y * width + x]) continue;
			x0 = Math.min(x0, x);
			x1 = Math.max(x1, x);
			y0 = Math.min(y0, y);
			y1 = Math.max(y1, y);
		}
	}
	const margin = Math.max(4, Math.round(Math.min(width, height) * 0.05));
	const around = average(photo, bits, x0 - margin, y0 - margin, x1 + margin, y1 + margin);
	return around ?? average(photo, bits, 0, 0, width - 1, height - 1) ?? [128, 128, 128, 255];
}

function average(
	photo: Raster,
	bits: Uint8Array,
	x0: number,
	y0: number,
	x1: number,
	y1: number,
): [number, number, number, number] | undefined {
	const sum = [0, 0, 0];
	let count = 0;
	for (let y = Math.max(0, y0); y <= Math.min(photo.height - 1, y1); y++) {
		for (let x = Math.max(0, x0); x <= Math.min(photo.width - 1, x1); x++) {
			const i = y * photo.width + x;
			if (bits[i]) continue;
			for (let c = 0; c < 3; c++) sum[c] += photo.rgba[i * 4 + c];
			count++;
		}
	}
	if (count === 0) return undefined;
	return [Math.round(sum[0] / count), Math.round(sum[1] / count), Math.round(sum[2] / count), 255];
}
