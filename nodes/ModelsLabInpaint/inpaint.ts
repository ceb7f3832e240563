import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import type { CompletionSettings } from '../shared/run/completion';
import { completeJob, readCompletionSettings } from '../shared/run/completion';
import type { EndpointId } from '../shared/transport/endpoints';
import { ENDPOINTS } from '../shared/transport/endpoints';
import type { JobSlot } from '../shared/pacing/jobSlots';
import { fetchUrlBuilder } from '../shared/transport/jobs';
import { readParameter } from '../shared/run/parameters';
import { normalizeResult } from '../shared/transport/result';
import { baseUrls } from '../shared/transport/transport';
import type { CallbackTarget } from './resumeOnCallback';
import { refuseOwnWebhook } from './resumeOnCallback';
import {
	completionProperty,
	downloadImagesWhenWaiting,
	endpointProperty,
} from './inpaintDescription';
import { INPAINT_ENDPOINTS } from './endpoints';
import type { MadeMask, PreparedRequest } from './request';
import {
	attachImages,
	attachMadeMask,
	checkInpaintRequest,
	imageSource,
	prepareInpaintRequest,
	ROLES,
} from './request';
import { givenMaskBytes, madeFromPicture } from './mask/maskFile';
import { runMaskJob } from './mask/maskJob';
import {
	cropToMask,
	largerThanEndpoint,
	MAX_PHOTO_FILE_BYTES,
	holdsResultToStitch,
	planKeepOriginal,
	refuseUploadsTooLarge,
	scaledDownNotice,
	stitchItem,
} from './fullResolution';
import { sniffImageType } from '../shared/images/imageType';
import { LinkSizes } from './size/linkSizes';
import { keepOriginalPixelsProperty } from './size/outputSize';
import { prepareStitch } from './stitch/stitchPlan';
import { logAcceptedJob, submit } from './submit';

/**
 * Starts reading the size of every item's photo and mask link at once, first item first, so that
 * each item finds its links' sizes ready (or on the way) when its turn comes. An item whose
 * settings can't be read is skipped here; its own turn reports the problem.
 */
export function readAheadLinkSizes(ctx: IExecuteFunctions): LinkSizes {
	const links = new LinkSizes(ctx);
	const toRead: Array<{ url: string; timeoutMs: number }> = [];
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			const { requestTimeoutMs } = readInpaintSettings(ctx, itemIndex);
			for (const role of ROLES) {
				const source = imageSource(ctx, role, itemIndex);
				if (source.kind === 'url' && /^https?:\/\//i.test(source.url))
					toRead.push({ url: source.url.trim(), timeoutMs: requestTimeoutMs });
			}
		} catch {
			continue;
		}
	}
	links.readAhead(toRead);
	return links;
}

/** Completion, Download Images and the Processing Options of one item, each checked. */
export function readInpaintSettings(ctx: IExecuteFunctions, itemIndex: number): CompletionSettings {
	const wait = readParameter(ctx, completionProperty, itemIndex) === 'wait';
	const download = wait && readParameter<boolean>(ctx, downloadImagesWhenWaiting, itemIndex);
	return readCompletionSettings(ctx, itemIndex, { wait, download });
}

/** One item: validated request → ModelsLab → the package's result shape → waited for and downloaded. */
export async function inpaintItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	settings: CompletionSettings,
	slot: JobSlot,
	/** Completion › Resume on Callback: where the job calls back (see resumeOnCallback.ts). */
	callback: CallbackTarget | undefined,
	links: LinkSizes,
): Promise<INodeExecutionData> {
	const endpoint = INPAINT_ENDPOINTS[readParameter<EndpointId>(ctx, endpointProperty, itemIndex)];
	if (callback) refuseOwnWebhook(ctx, endpoint.id, itemIndex);
	const maskOnly = readParameter(ctx, completionProperty, itemIndex) === 'maskOnly';
	const limits = { maxWaitMs: settings.maxWaitMs, timeoutMs: settings.requestTimeoutMs };
	const checked = checkInpaintRequest(ctx, endpoint, itemIndex, { maskOnly });
	// Full resolution may apply (see fullResolution.ts); whether it does, the photo's size decides.
	const holdsResult = holdsResultToStitch(endpoint, checked.outputSize, settings);
	const mayCrop = holdsResult && !checked.maskPlan.job;
	// Read with the other fields, so that a bad value stops the item before anything is sent.
	const keepOriginal =
		holdsResult && readParameter<boolean>(ctx, keepOriginalPixelsProperty, itemIndex);
	const prepared = await prepareInpaintRequest(ctx, endpoint, checked, itemIndex, {
		links,
		...limits,
		maskOnly,
		photoMostBytes: mayCrop ? MAX_PHOTO_FILE_BYTES : undefined,
	});
	const maskJob = checked.maskPlan.job;
	// Mask Only with a drawn or given mask: nothing at all is sent.
	if (maskOnly && !maskJob) return await maskOnlyItem(ctx, itemIndex, prepared, limits);
	const { body, size } = prepared;
	const large = checked.outputSize === 'image' && largerThanEndpoint(endpoint, prepared.photo);
	// Full resolution: the box around the mask is sent, and the result pasted back (see there).
	const fullResolution = large && holdsResult;
	let stitch =
		fullResolution && !maskJob
			? await cropToMask(ctx, endpoint, prepared, itemIndex, limits)
			: undefined;
	// Keep Original Pixels Outside the Mask: the photo sent whole, the result pasted back by the
	// mask. Planned before anything is attached: a turned photo goes upright, as a crop of itself.
	const keepWhole = keepOriginal && !large;
	let keepNotice: string | undefined;
	const planKeepWhole = async () => {
		const kept = await planKeepOriginal(
			ctx,
			endpoint,
			prepared,
			size.outputSize,
			itemIndex,
			limits,
		);
		[stitch, keepNotice] = [kept.plan, kept.notice];
	};
	if (keepWhole && !maskJob) await planKeepWhole();
	const fieldOf = (role: 'init' | 'mask') => {
		const source = checked.sources[role];
		return source.kind === 'binary' ? source.property : role;
	};
	if (mayCrop) refuseUploadsTooLarge(ctx, prepared.images, fieldOf, itemIndex);
	await attachImages(ctx, body, prepared.images, checked.inline, itemIndex, limits);
	let mask = prepared.madeMask;
	if (maskJob) {
		// The mask job is waited for whatever Completion says: the inpaint job needs its mask.
		const made = await runMaskJob(ctx, maskJob, String(body.init_image), itemIndex, settings, slot);
		const finished = await madeFromPicture(
			ctx,
			made.picture,
			prepared.photo!,
			checked.maskPlan,
			itemIndex,
			{ maskOnly, requestId: made.requestId },
		);
		mask = { ...finished, url: finished.asIs ? made.url : undefined };
		if (maskOnly)
			return await maskOnlyItem(ctx, itemIndex, { ...prepared, madeMask: mask }, limits);
		await slot.nextJob();
		prepared.madeMask = mask;
		if (fullResolution) stitch = await cropToMask(ctx, endpoint, prepared, itemIndex, limits);
		else if (keepWhole) await planKeepWhole();
		// A crop took the place of the photo and the mask: full resolution, or a turned photo.
		const cropped = stitch && (fullResolution || prepared.photo?.orientation);
		if (cropped) await attachImages(ctx, body, prepared.images, checked.inline, itemIndex, limits);
		else await attachMadeMask(ctx, body, mask, checked.inline, itemIndex, limits);
	}
	// The made mask's levels were for the stitch plan: not held while the job runs.
	if (mask) mask = { ...mask, gray: undefined };
	prepared.madeMask = mask;
	if (callback) body.webhook = callback.url;
	const submittedAt = new Date().toISOString();
	const { host, inpaintPath } = ENDPOINTS[endpoint.id];
	const target = { host, path: inpaintPath, what: 'the job' };
	const answer = await submit(ctx, target, body, itemIndex, settings, slot);
	// What the stitch can do without the result (the seam blend, the photo's band) runs with the job.
	if (stitch) void prepareStitch(stitch);
	const roots = await baseUrls(ctx);
	const result = normalizeResult(answer.body, endpoint.id, fetchUrlBuilder(roots, endpoint.id));
	logAcceptedJob(ctx, result.requestId, itemIndex);
	const job = { requestId: result.requestId, endpoint: endpoint.id, fetchUrl: result.fetchUrl };
	const item = await completeJob(ctx, result, job, settings, itemIndex, slot);
	// The size asked of ModelsLab, and why the photo's own size could not be followed, if so.
	const scaledDown = large && !fullResolution ? scaledDownNotice(prepared.photo!) : undefined;
	const soleFile = prepared.images.find((entry) => entry.role === 'init')?.image.soleFileUsed;
	const fileNotice =
		soleFile &&
		`The item has no binary field "${fieldOf('init')}", so its only file, "${soleFile}", was used as the image.`;
	const notice =
		[fileNotice, size.notice ?? scaledDown, keepNotice].filter(Boolean).join(' ') || null;
	item.json = { ...item.json, outputSize: size.outputSize, notice };
	if (stitch && item.json.status === 'success') await stitchItem(ctx, item, stitch, itemIndex);
	// What ModelsLab Fetch › Wait for Callbacks needs: the nonce it checks, and when the eta started.
	if (callback) item.json = { ...item.json, callbackNonce: callback.nonce, submittedAt };
	// The mask the node made goes out with the result, so that the user can see what was repainted.
	if (mask) {
		item.json = { ...item.json, ...maskFacts(mask) };
		item.binary = { ...item.binary, mask: await maskBinary(ctx, mask) };
	}
	return item;
}

const maskBinary = async (ctx: IExecuteFunctions, { file, mimeType }: MadeMask) => {
	const extension = mimeType.startsWith('image/')
		? mimeType.split('/')[1].replace('jpeg', 'jpg')
		: 'bin';
	return await ctx.helpers.prepareBinaryData(file, `mask.${extension}`, mimeType);
};

/** What the output item says about a mask the node made: its mask job, and how much it repaints. */
const maskFacts = (mask: MadeMask) => ({
	maskRequestId: mask.requestId ?? null,
	maskCoverage: mask.coverage === undefined ? null : Math.round(mask.coverage * 10000) / 10000,
});

/**
 * Completion › Mask Only: the mask as binary `mask`, and no inpaint job. A mask given as it is (a
 * link or file, no adjustments) is output as it came.
 */
async function maskOnlyItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	{ madeMask, images, body, photo }: PreparedRequest,
	limits: { maxWaitMs: number; timeoutMs: number },
): Promise<INodeExecutionData> {
	const json = {
		maskOnly: true,
		width: photo?.width ?? null,
		height: photo?.height ?? null,
	};
	if (madeMask)
		return {
			json: { ...json, ...maskFacts(madeMask) },
			binary: { mask: await maskBinary(ctx, madeMask) },
			pairedItem: { item: itemIndex },
		};
	const given =
		images.find((entry) => entry.role === 'mask')?.image.buffer ??
		(await givenMaskBytes(ctx, body.mask_image, itemIndex, limits));
	const mimeType = sniffImageType(given) ?? 'application/octet-stream';
	return {
		json: { ...json, maskRequestId: null, maskCoverage: null },
		binary: { mask: await maskBinary(ctx, { file: given, mimeType }) },
		pairedItem: { item: itemIndex },
	};
}
