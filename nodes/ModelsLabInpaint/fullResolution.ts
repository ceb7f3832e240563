import type { IBinaryData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { megabytes } from '../shared/images/binaryInput';
import { downloadImageBytes } from '../shared/images/download';
import { MAX_UPLOAD_BYTES } from '../shared/transport/endpoints';
import { refuseBeforeSending } from '../shared/schema/validate';
import { asNodeError } from '../shared/transport/failures';
import { ImageDecodeError } from './codecs/raster';
import type { InpaintEndpoint } from './endpoints';
import type { PreparedRequest } from './request';
import type { ImageSize } from './size/imageSize';
import { endpointSizeLimits, setRequestSize } from './size/outputSize';
import type { StitchMask, StitchPlan } from './stitch/stitchPlan';
import {
	cropForEndpoint,
	MAX_FULL_RESOLUTION_PIXELS,
	planWholePhoto,
	stitchResult,
} from './stitch/stitchPlan';

/**
 * Output Size › Same as Image for a photo larger than the endpoint takes (ModelsLab's inpaint
 * endpoints: 1024 px a side at most): rather than the whole photo scaled down, the node sends a
 * box around the mask with context (cropped, and scaled only when the box itself is too large),
 * then pastes ModelsLab's result back into the original, which keeps its size and format. The
 * pixel work is in stitch/; here: when it applies, the files read, the request changed, and the
 * item's images replaced.
 *
 * It applies with Completion › Wait for Result and Download Images on, the only mode in which this
 * node holds the result. Otherwise the result is the photo scaled down, as before, and the item's
 * notice says why.
 */

/** The largest photo file read for a stitch: far above any 40-megapixel JPEG or PNG met in practice. */
export const MAX_PHOTO_FILE_BYTES = 100 * 1024 * 1024;

/**
 * Whether this item's result can be stitched, if its photo turns out larger than the endpoint
 * takes: Same as Image, an endpoint with a size, and a run that waits for and downloads the result.
 * Where a photo may be cropped, a binary photo may be larger than an upload (5 MB): only the crop
 * is uploaded.
 */
export const holdsResultToStitch = (
	endpoint: InpaintEndpoint,
	outputSize: string,
	{ wait, download }: { wait: boolean; download: boolean },
) => outputSize === 'image' && wait && download && endpointSizeLimits(endpoint) !== undefined;

/**
 * A binary picture over the upload limit that was read for a crop, but is not cropped after all
 * (the photo fits the endpoint, or its mask is empty): refused before anything is sent.
 */
export function refuseUploadsTooLarge(
	ctx: IExecuteFunctions,
	images: PreparedRequest['images'],
	/** The binary field each image came from, to name it. */
	fieldOf: (role: 'init' | 'mask') => string,
	itemIndex: number,
): void {
	const tooLarge = images.find((entry) => entry.image.buffer.length > MAX_UPLOAD_BYTES);
	if (!tooLarge) return;
	const label = tooLarge.role === 'init' ? 'Image' : 'Mask';
	refuseBeforeSending(
		ctx.getNode(),
		`"${label} Binary Field": the file "${fieldOf(tooLarge.role)}" is ${megabytes(tooLarge.image.buffer.length)}; ModelsLab accepts images up to 5 MB`,
		itemIndex,
		'A larger photo is read only when it is larger than the endpoint takes (1024 px a side), with Output Size › Same as Image and Completion › Wait for Result: then only the part around the mask is sent.',
	);
}

const megapixels = (pixels: number) => `${(pixels / 1e6).toFixed(0)} megapixels`;

/** Whether the photo is larger than the endpoint takes (Same as Image would scale it down). */
export function largerThanEndpoint(endpoint: InpaintEndpoint, photo: ImageSize | undefined) {
	const limits = endpointSizeLimits(endpoint);
	return Boolean(limits && photo && (photo.width > limits.max || photo.height > limits.max));
}

/** Why a large photo's result is scaled down: full resolution needs the node to hold the result. */
export const scaledDownNotice = (photo: ImageSize) =>
	`The photo is ${photo.width}×${photo.height}, larger than the endpoint takes, and the result is scaled down: for a result at the photo's own size, choose Completion › Wait for Result with Download Images on.`;

/**
 * Crops the photo and the mask around the mask and puts them in the request in place of the
 * whole photo and mask, at the size the endpoint takes. Undefined (the request as it was) when the
 * mask has no white. Refuses, before anything is sent, a photo over the pixel limit or in a format
 * the codecs cannot read.
 */
export async function cropToMask(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	prepared: PreparedRequest,
	itemIndex: number,
	limits: { timeoutMs: number; maxWaitMs: number },
): Promise<StitchPlan | undefined> {
	const { photo } = prepared;
	const refuse = (problem: string): never =>
		refuseBeforeSending(
			ctx.getNode(),
			`"Output Size" Same as Image: ${problem}`,
			itemIndex,
			'Choose Output Size › Custom for a result at the size the endpoint takes, or give a smaller PNG or JPEG photo.',
		);
	if (photo && photo.width * photo.height > MAX_FULL_RESOLUTION_PIXELS)
		refuse(
			`the photo is ${photo.width}×${photo.height} pixels; full resolution is for photos up to ${megapixels(MAX_FULL_RESOLUTION_PIXELS)}`,
		);
	try {
		return await cropInRequest(ctx, endpoint, prepared, itemIndex, limits);
	} catch (error) {
		if (error instanceof ImageDecodeError) return refuse(error.message);
		throw asNodeError(ctx, error, itemIndex);
	}
}

/**
 * The crop made and put in the request (cropToMask), or with `whole` the whole photo sent at that
 * size. Throws ImageDecodeError for files that cannot be read.
 */
async function cropInRequest(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	prepared: PreparedRequest,
	itemIndex: number,
	limits: { timeoutMs: number; maxWaitMs: number },
	whole?: { width: number; height: number },
): Promise<StitchPlan | undefined> {
	const { body, images } = prepared;
	const files = await photoAndMaskFiles(ctx, prepared, itemIndex, limits);
	if (!files) throw new ImageDecodeError('the photo or the mask could not be read');
	const limitsOfEndpoint = endpointSizeLimits(endpoint)!;
	const cropped = await cropForEndpoint(files.photo, files.mask, limitsOfEndpoint, whole);
	if (!cropped) return undefined;
	const { plan, files: sent } = cropped;
	const others = images.filter((entry) => entry.role !== 'init' && entry.role !== 'mask');
	images.splice(
		0,
		images.length,
		...others,
		{ role: 'init', image: { buffer: sent.photo.file, mimeType: sent.photo.mimeType } },
		{ role: 'mask', image: { buffer: sent.mask.file, mimeType: sent.mask.mimeType } },
	);
	// The mask now goes as the crop: the whole mask made earlier is not sent.
	prepared.madeMask = prepared.madeMask && { ...prepared.madeMask, url: undefined };
	setRequestSize(endpoint, body, plan.crop.sendSize);
	return plan;
}

/**
 * The photo's file and the mask: the levels of a mask the node made, or a file read already
 * (binary fields) or downloaded from its link. Undefined when one is neither.
 */
async function photoAndMaskFiles(
	ctx: IExecuteFunctions,
	{ images, body, madeMask }: PreparedRequest,
	itemIndex: number,
	limits: { timeoutMs: number; maxWaitMs: number },
): Promise<{ photo: Buffer; mask: StitchMask } | undefined> {
	const fileOf = async (role: 'init' | 'mask', link: unknown) =>
		images.find((entry) => entry.role === role)?.image.buffer ??
		(typeof link === 'string'
			? await downloadImageBytes(ctx, link, itemIndex, {
					...limits,
					mostBytes: MAX_PHOTO_FILE_BYTES,
				})
			: undefined);
	const photo = await fileOf('init', body.init_image);
	const made = madeMask && (madeMask.gray ? { gray: madeMask.gray } : madeMask.file);
	const mask = made ?? (await fileOf('mask', body.mask_image));
	return photo && mask ? { photo, mask } : undefined;
}

/**
 * Keep Original Pixels Outside the Mask, for a photo the endpoint takes whole: a plan to paste the
 * result back by the mask, the request unchanged. A photo or mask the codecs cannot read (WebP,
 * GIF) is sent all the same: the result is then ModelsLab's whole picture, and `notice` says so.
 */
export async function planKeepOriginal(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	prepared: PreparedRequest,
	sendSize: { width: number; height: number } | null,
	itemIndex: number,
	limits: { timeoutMs: number; maxWaitMs: number },
): Promise<{ plan?: StitchPlan; notice?: string }> {
	const notKept = (why: string) => ({
		notice: `Keep Original Pixels Outside the Mask did not apply: ${why}, so the result is the whole picture as ModelsLab drew it.`,
	});
	// A photo whose first bytes could not be read (a host n8n cannot reach) is not downloaded again.
	if (!prepared.photo) return notKept("the photo's size could not be read");
	try {
		// A JPEG shown turned by its Exif orientation goes upright, as a crop of itself: the mask
		// is drawn on it as shown, and how ModelsLab would turn the file is not known.
		if (prepared.photo.orientation) {
			const { width, height } = sendSize ?? prepared.photo;
			const whole = { width, height };
			return { plan: await cropInRequest(ctx, endpoint, prepared, itemIndex, limits, whole) };
		}
		const files = await photoAndMaskFiles(ctx, prepared, itemIndex, limits);
		if (!files) return notKept('the photo or the mask could not be read');
		return { plan: await planWholePhoto(files.photo, files.mask, sendSize ?? undefined) };
	} catch (error) {
		// An option that is on by default never costs the user the job: it steps aside and says why.
		if (error instanceof ImageDecodeError || error instanceof NodeApiError)
			return notKept(error.message);
		throw asNodeError(ctx, error, itemIndex);
	}
}

/**
 * The item's result images (binary `data`, `data_1`...) replaced by the original photo with each
 * result pasted in; `outputSize` becomes the photo's size, and `fullResolution` says what was sent.
 */
export async function stitchItem(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	plan: StitchPlan,
	itemIndex: number,
): Promise<void> {
	const { box, sendSize, scaled } = plan.crop;
	for (const [field, binary] of Object.entries(item.binary ?? {})) {
		try {
			const stitched = await stitchResult(plan, await storedBytes(ctx, binary));
			const extension = plan.format === 'jpeg' ? 'jpg' : 'png';
			const name = (binary.fileName ?? field).replace(/\.[a-z0-9]+$/i, '') + `.${extension}`;
			item.binary![field] = await ctx.helpers.prepareBinaryData(
				stitched.file,
				name,
				stitched.mimeType,
			);
		} catch (error) {
			if (!(error instanceof ImageDecodeError)) throw asNodeError(ctx, error, itemIndex);
			throw new NodeOperationError(
				ctx.getNode(),
				`The result of job ${String(item.json.requestId)} could not be put back into the photo: ${error.message} [item ${itemIndex}]`,
				{
					itemIndex,
					description:
						'The job itself succeeded: get its images with the ModelsLab Fetch node by its request ID, or choose Output Size › Custom.',
				},
			);
		}
	}
	item.json = {
		...item.json,
		outputSize: plan.photo,
		fullResolution: { box, sentSize: sendSize, scaled },
		notice: scaled
			? `The area around the mask (${box.width}×${box.height}) is larger than the endpoint takes, so it was repainted at ${sendSize.width}×${sendSize.height} and scaled up to fit; the rest of the photo is untouched.`
			: (item.json.notice ?? null),
	};
}

/** A stored binary's bytes (in memory or in n8n's binary storage). */
async function storedBytes(ctx: IExecuteFunctions, binary: IBinaryData): Promise<Buffer> {
	return binary.id
		? await ctx.helpers.binaryToBuffer(await ctx.helpers.getBinaryStream(binary.id))
		: Buffer.from(binary.data, 'base64');
}
