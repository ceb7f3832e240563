import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { CompletionSettings } from '../shared/run/completion';
import { completeJob, readCompletionSettings } from '../shared/run/completion';
import type { EndpointId } from '../shared/transport/endpoints';
import { ENDPOINTS } from '../shared/transport/endpoints';
import { asNodeError, createdNothing, detailsOf, failureOf } from '../shared/transport/failures';
import type { JobSlot } from '../shared/pacing/jobSlots';
import { fetchUrlBuilder } from '../shared/transport/jobs';
import { readParameter } from '../shared/run/parameters';
import { normalizeResult } from '../shared/transport/result';
import { deadlineAfter, pause } from '../shared/pacing/pause';
import { withRetries } from '../shared/pacing/retry';
import { baseUrls, modelsLabRequest } from '../shared/transport/transport';
import type { CallbackTarget } from './resumeOnCallback';
import { refuseOwnWebhook } from './resumeOnCallback';
import {
	completionProperty,
	downloadImagesWhenWaiting,
	endpointProperty,
} from './inpaintDescription';
import type { InpaintEndpoint } from './endpoints';
import { INPAINT_ENDPOINTS } from './endpoints';
import { buildInpaintBody, imageSource, ROLES } from './request';
import { LinkSizes } from './size/linkSizes';

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

/**
 * Sends the job once. It is sent again only when it certainly created nothing: ModelsLab refused it
 * (rate limit, full queue; after the wait it asks for), or it never left this machine (connection
 * refused, host not found: often a server restarting, so after pauses doubling from 2 s). A job
 * whose answer was lost may exist, and is never re-sent. Every pause counts against Max Wait.
 */
async function submit(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	body: IDataObject,
	itemIndex: number,
	settings: CompletionSettings,
	slot: JobSlot,
) {
	const { host, inpaintPath } = ENDPOINTS[endpoint.id];
	const request = { host, path: inpaintPath, body, timeoutMs: settings.requestTimeoutMs };
	// The same Max Wait as the retries' own (which starts at the first attempt, a moment later).
	const deadline = deadlineAfter(settings.maxWaitMs);
	try {
		const answer = await withRetries(
			ctx,
			'ModelsLab to accept the job',
			async () => {
				await slot.readyToSend(
					async (ms) => await pause(ctx, ms, 'ModelsLab to accept the job', itemIndex),
					deadline,
				);
				return await modelsLabRequest(ctx, request, itemIndex);
			},
			{
				itemIndex,
				maxWaitMs: settings.maxWaitMs,
				retryable: createdNothing,
				firstBackoffMs: 2000,
				refusalsUntilDeadline: true,
				slot,
			},
		);
		slot.accepted(etaMsOf(answer.body));
		return answer;
	} catch (error) {
		if (error instanceof NodeApiError) error.description = submitOutcome(error);
		throw asNodeError(ctx, error, itemIndex);
	}
}

/** When a queued job is due, from the submit's answer; undefined when it did not say. */
function etaMsOf(body: IDataObject): number | undefined {
	const eta = typeof body.eta === 'string' ? Number(body.eta) : body.eta;
	return typeof eta === 'number' && Number.isFinite(eta) && eta >= 0 ? eta * 1000 : undefined;
}

/** The failed submit's description, ending with what became of the job and whether to run it again. */
function submitOutcome(error: NodeApiError): NodeApiError['description'] {
	const said = error.description ?? '';
	const failure = failureOf(error);
	if (failure?.kind === 'not-sent') {
		return `${said} No job was created, so running this item again is safe.`.trim();
	}
	const waitTooLong = detailsOf(error).waitTooLongSeconds;
	if (waitTooLong !== undefined) {
		return `${said} ModelsLab asked to wait ${waitTooLong} s before sending the job again, longer than Max Wait allows; the job was not created.`.trim();
	}
	if (failure?.kind === 'rate-limited') {
		const why = failure.queueFull ? "your plan's job queue stayed full" : 'its rate limit';
		return `${said} ModelsLab refused the job until Max Wait ran out (${why}); the job was not created, so running this item again is safe.`.trim();
	}
	if (failure?.kind === 'answer-lost') {
		return `${said} ModelsLab may have created this job (and billed it) even though its answer was lost, so it was not sent again. Check your ModelsLab dashboard before running this item again.`.trim();
	}
	return error.description;
}

/**
 * Written the moment ModelsLab accepts (and bills) a job, before anything else can go wrong: if the
 * n8n process dies while waiting (a queue-mode worker killed or out of memory), the execution keeps
 * nothing, and this line in the process's log is how the user finds the job to fetch it. Every fact
 * is in the message itself, since n8n's text log format prints only the message.
 */
function logAcceptedJob(ctx: IExecuteFunctions, requestId: string, itemIndex: number) {
	const node = ctx.getNode().name;
	ctx.logger.info(
		`ModelsLab accepted job ${requestId} (billed): execution ${ctx.getExecutionId()}, workflow ${ctx.getWorkflow().id}, node "${node}", item ${itemIndex}`,
	);
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
	const answer = await submit(ctx, endpoint, body, itemIndex, settings, slot);
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
