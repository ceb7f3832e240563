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
import { buildInpaintBody, imageSource, ROLES } from './request';
import { LinkSizes } from './size/linkSizes';
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
	const { body, size, drawnMask } = await buildInpaintBody(
		ctx,
		endpoint,
		itemIndex,
		settings,
		links,
	);
	if (callback) body.webhook = callback.url;
	const submittedAt = new Date().toISOString();
	const { host, inpaintPath } = ENDPOINTS[endpoint.id];
	const target = { host, path: inpaintPath, what: 'the job' };
	const answer = await submit(ctx, target, body, itemIndex, settings, slot);
	const roots = await baseUrls(ctx);
	const result = normalizeResult(answer.body, endpoint.id, fetchUrlBuilder(roots, endpoint.id));
	logAcceptedJob(ctx, result.requestId, itemIndex);
	const job = { requestId: result.requestId, endpoint: endpoint.id, fetchUrl: result.fetchUrl };
	const item = await completeJob(ctx, result, job, settings, itemIndex, slot);
	// The size asked of ModelsLab, and why the photo's own size could not be followed, if so.
	item.json = { ...item.json, outputSize: size.outputSize, notice: size.notice };
	// What ModelsLab Fetch › Wait for Callbacks needs: the nonce it checks, and when the eta started.
	if (callback) item.json = { ...item.json, callbackNonce: callback.nonce, submittedAt };
	// The drawn mask goes out with the result, so that the user can see what was repainted.
	if (drawnMask)
		item.binary = {
			...item.binary,
			mask: await ctx.helpers.prepareBinaryData(drawnMask, 'mask.png', 'image/png'),
		};
	return item;
}
