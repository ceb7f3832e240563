/**
 * Where a plan's result goes and how it fades in: the box in the photo's pixels as stored, and the
 * seam blend over it (paste.ts `seamBlend`). The blend needs only the plan, not the result: it is
 * made once per plan, by whichever asks first, so that stitchPlan.ts `prepareStitch` can make it
 * while the job runs and every result image of the job (`data`, `data_1`...) uses the same one.
 */
import { TimeSlice } from '../../shared/pacing/timeSlice';
import { storedBox, turnedSize } from '../codecs/orient';
import { innerSides } from './cropBox';
import { seamBlend } from './paste';
import type { CropPlan, PixelArea } from './cropBox';

/** The seam's width around the repainted area: the result fades into the original over it. */
export const SEAM_FEATHER_PIXELS = 12;
/** How far past the mask the seam can change a pixel: the mask grown by the feather, then softened (paste.ts). */
export const SEAM_REACH_PIXELS = Math.ceil(SEAM_FEATHER_PIXELS * 1.5);

/** What of a stitch plan (stitchPlan.ts StitchPlan) places and blends its result. */
export interface SeamPlace {
	/** The photo's size as shown (its Exif orientation applied), as the mask and the box are. */
	photo: PixelArea;
	/** A JPEG's Exif orientation (codecs/orient.ts), when not 1: the crop was sent turned upright. */
	orientation?: number;
	crop: CropPlan;
	/** The mask over the box, as stored (box-sized gray, turned back): where the result is taken. */
	maskCrop: Uint8Array;
}

/** The box as stored (the result is turned back to it), with the photo's stored size and orientation. */
export function storedPlace(plan: SeamPlace) {
	const orientation = plan.orientation ?? 1;
	const stored = turnedSize(plan.photo, orientation);
	return { orientation, stored, box: storedBox(plan.crop.box, orientation, stored) };
}

const blends = new WeakMap<SeamPlace, Promise<Uint8Array>>();

/**
 * The blend weights over the box as stored (0..255: how much of the result to take), made the
 * first time they are asked for. Memory: the box's pixels in bytes, kept as long as the plan is.
 */
export async function blendOf(plan: SeamPlace): Promise<Uint8Array> {
	let blend = blends.get(plan);
	if (!blend) {
		const { stored, box } = storedPlace(plan);
		const sides = innerSides(box, stored);
		blend = seamBlend(plan.maskCrop, box, SEAM_FEATHER_PIXELS, new TimeSlice(), sides);
		blends.set(plan, blend);
	}
	return await blend;
}
