import type { IExecuteFunctions } from 'n8n-workflow';

import { ImageDecodeError } from '../codecs/raster';
import { downloadImageBytes } from '../../shared/images/download';
import { refuseBeforeSending } from '../../shared/schema/validate';
import { asNodeError } from '../../shared/transport/failures';
import { encodeGrayPngSliced } from '../codecs/png/grayPng';
import { TimeSlice } from '../../shared/pacing/timeSlice';
import { applyOrientationGray, isQuarterTurn, turnedSize } from '../codecs/orient';
import { adjustMask, maskCoverage, resizeMask } from './maskAdjust';
import { maskFromFile } from './maskPicture';
import { MAX_MASK_FILE_BYTES, maskStepFailed, maskStepName } from './maskJob';
import type { MaskAdjustments } from './maskAdjust';
import type { MaskPlan } from './maskSource';
import { inTurnWithOtherMasks, MAX_MASK_PIXELS, MAX_MASK_SIZE_TEXT } from './maskLimits';

/**
 * A mask picture (a mask job's output, a mask link or file) → the mask sent with the job: decoded,
 * read as a mask whatever form ModelsLab chose (black-and-white, or a cut-out), fitted to the
 * photo's exact size, adjusted, and encoded as a grayscale PNG. All of it in time slices, so the
 * n8n process goes on answering while a mask is made.
 *
 * Memory: a mask of N photo pixels (at most MAX_MASK_PIXELS, 40 megapixels) holds the decoded
 * picture (4 bytes a pixel, let go once it is read as a mask) and about 4 N bytes while adjusting
 * (plus what the collector has not freed yet). Measured at 40 megapixels with Grow 20 and Soft
 * Edge 10: +232 MiB from a 512 × 512 picture, +344 MiB from a picture of the photo's size. At most
 * MASKS_AT_ONCE masks, those drawn from Shapes included, are made at a time per n8n process,
 * whatever Max Concurrent Jobs says, so that bound holds for the process and not per item.
 */
/** A photo's size as shown, and a JPEG's Exif orientation when it turns the picture (imageSize.ts). */
type PhotoSize = { width: number; height: number; orientation?: number };

/** Coverage at or below this repaints nothing; at or above the other, everything. */
const NOTHING = 0;
const EVERYTHING = 1;

export interface FinishedMask {
	/** The mask as it is sent: a grayscale PNG the node made, or the picture itself (`asIs`). */
	file: Buffer;
	mimeType: string;
	/**
	 * The picture already was the mask (black and white, the photo's size, nothing to adjust), so
	 * it goes to ModelsLab unchanged: nothing re-encoded, nothing uploaded again.
	 */
	asIs: boolean;
	/** The share of the photo repainted (pixels at least half white), 0..1. */
	coverage: number;
	/** How ModelsLab's picture was read: a mask, a cut-out on transparency, or on a plain colour. */
	form: 'mask' | 'cutout' | 'cutoutOnSolid';
	/** The picture had another size than the photo, and was stretched to it. */
	resizedFrom?: PhotoSize;
	/** The mask's levels at the photo's size, for a stitch to use without decoding the file again. */
	gray: Uint8Array;
}

export async function finishMask(
	picture: Uint8Array,
	photo: PhotoSize,
	adjustments: MaskAdjustments | undefined,
): Promise<FinishedMask> {
	if (photo.width * photo.height > MAX_MASK_PIXELS) {
		throw new Error(
			`A mask is made for images of up to ${MAX_MASK_SIZE_TEXT}, not ${photo.width}×${photo.height}`,
		);
	}
	return await inTurnWithOtherMasks(async () => {
		const slice = new TimeSlice();
		const read = await readMaskPicture(picture, slice);
		const { form, format } = read;
		let { gray, size } = read;
		// A mask of the photo as stored (a mask job that read the file without its Exif turn, or a
		// tool that did): turned the way the photo is shown. Told apart by its shape, so only for
		// a quarter turn; a mask of the photo as shown is taken as it is.
		const turn = photo.orientation;
		const asStored = turn !== undefined && isQuarterTurn(turn) && closerToStored(size, photo);
		if (asStored)
			[gray, size] = [await applyOrientationGray(gray, size, turn, slice), turnedSize(size, turn)];
		const sameSize = size.width === photo.width && size.height === photo.height;
		const fitted = sameSize ? gray : await resizeMask(gray, size, photo, slice);
		const adjusted = adjustments ? await adjustMask(fitted, photo, adjustments, slice) : fitted;
		const asIs = form === 'mask' && sameSize && !adjustments && !asStored;
		return {
			file: asIs
				? Buffer.from(picture)
				: await encodeGrayPngSliced(photo.width, photo.height, adjusted, slice),
			mimeType: asIs ? `image/${format}` : 'image/png',
			asIs,
			coverage: await maskCoverage(adjusted, slice),
			form,
			resizedFrom: sameSize ? undefined : size,
			gray: adjusted,
		};
	});
}

/**
 * Whether a picture's shape is nearer the photo's as stored (width and height swapped by its
 * quarter turn) than as shown: a 4032×3024 or 1024×768 mask for a photo shown 3024×4032.
 */
function closerToStored(size: { width: number; height: number }, shown: PhotoSize): boolean {
	const aspect = Math.log(size.width / size.height);
	const shownAspect = Math.log(shown.width / shown.height);
	return Math.abs(aspect + shownAspect) < Math.abs(aspect - shownAspect);
}

/** The picture read as a mask (a PNG as it unpacks; anything decoded is let go). */
const readMaskPicture = (picture: Uint8Array, slice: TimeSlice) =>
	maskFromFile(picture, MAX_MASK_PIXELS, slice);

/** A given mask link's picture, to adjust it (the link was checked in step 1). */
export async function givenMaskBytes(
	ctx: IExecuteFunctions,
	link: unknown,
	itemIndex: number,
	limits: { timeoutMs: number; maxWaitMs: number },
): Promise<Buffer> {
	if (typeof link !== 'string' || !/^https?:\/\//i.test(link)) {
		// A data URI mask: its bytes are in the link itself.
		const data =
			typeof link === 'string' ? /^data:[^,]*;base64,(.*)$/is.exec(link)?.[1] : undefined;
		if (data) return Buffer.from(data, 'base64');
		return refuseBeforeSending(ctx.getNode(), '"Mask URL" is required', itemIndex);
	}
	return await downloadImageBytes(ctx, link, itemIndex, {
		...limits,
		mostBytes: MAX_MASK_FILE_BYTES,
	});
}

/**
 * A mask picture → the mask sent, or the error that stops the item: a picture that cannot be read,
 * or a mask that repaints nothing or everything (inpainting it would bill for nothing), unless the
 * user asked only for the mask. With a mask job, errors name the step and the billed mask job.
 */
export async function madeFromPicture(
	ctx: IExecuteFunctions,
	picture: Uint8Array,
	photo: PhotoSize,
	plan: MaskPlan,
	itemIndex: number,
	{ maskOnly = false, requestId }: { maskOnly?: boolean; requestId?: string } = {},
): Promise<FinishedMask & { requestId?: string }> {
	const step = plan.job ? maskStepName(plan.job) : 'the mask';
	const fail = (problem: string, advice: string): never => {
		if (requestId) throw maskStepFailed(ctx, step, requestId, problem, itemIndex, advice);
		return refuseBeforeSending(ctx.getNode(), `"Mask": ${problem}`, itemIndex, advice);
	};
	let finished: FinishedMask;
	try {
		finished = await finishMask(picture, photo, plan.adjustments);
	} catch (error) {
		if (!(error instanceof ImageDecodeError)) throw asNodeError(ctx, error, itemIndex);
		return fail(error.message, 'Use a PNG or JPEG mask.');
	}
	if (!maskOnly && finished.coverage <= NOTHING) {
		const what = plan.job ? 'ModelsLab found nothing to mask' : 'the mask has no white area';
		return fail(
			`${what}: it would repaint nothing`,
			plan.job?.kind === 'describe'
				? 'Describe the area in other words (e.g. "the red sofa"), or check it with Completion › Mask Only.'
				: 'Check the mask with Completion › Mask Only, or use Grow or Shrink less.',
		);
	}
	if (!maskOnly && finished.coverage >= EVERYTHING) {
		return fail(
			'the mask covers the whole image: it would repaint everything',
			'Turn Invert off, shrink less, or check the mask with Completion › Mask Only.',
		);
	}
	return { ...finished, requestId };
}
