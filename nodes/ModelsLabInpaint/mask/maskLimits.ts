/**
 * What making a mask may cost, for every mask the node makes (Shapes, mask jobs, Mask
 * Adjustments): how large a photo it is made for, and how many are made at a time in one n8n
 * process. A mask is made at the photo's full size, 1 byte a pixel plus the work around it (see
 * shapes.ts and maskFile.ts for the memory of each kind).
 */
import { ConcurrencyLimit } from '../../shared/pacing/pool';
import { MAX_FULL_RESOLUTION_PIXELS } from '../stitch/stitchPlan';

/**
 * The largest photo the node makes a mask for: the largest photo full resolution takes, 40
 * megapixels, since the mask is what full resolution crops around.
 */
export const MAX_MASK_PIXELS = MAX_FULL_RESOLUTION_PIXELS;
/** MAX_MASK_PIXELS as errors say it: "40 megapixels". */
export const MAX_MASK_SIZE_TEXT = `${Math.round(MAX_MASK_PIXELS / 1e6)} megapixels`;

/** Masks made at a time in this process, whatever Max Concurrent Jobs says. */
export const MASKS_AT_ONCE = 2;
const masksAtOnce = new ConcurrencyLimit(MASKS_AT_ONCE);

/** Makes a mask once fewer than MASKS_AT_ONCE are being made in this process. */
export const inTurnWithOtherMasks = async <T>(make: () => Promise<T>): Promise<T> =>
	await masksAtOnce.run(make);
