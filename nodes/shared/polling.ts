import type { IExecuteFunctions, IWebhookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

import type { InpaintResult } from './result';
import { isTransient, rateLimitOf } from './transport';

/** Statuses after which the job will not change any more. */
const FINISHED = new Set(['success', 'error', 'failed']);

const MIN_INTERVAL_MS = 250;
const MAX_INTERVAL_MS = 10_000;
/** With no eta, a first look after this long. */
const ETA_UNKNOWN_MS = 3_000;
/** Consecutive fetches that may fail to get through before waiting gives up. */
const FETCH_FAILURES_TOLERATED = 3;

/**
 * When to look again, given how many fetches were made and how long the job has been waited for.
 * The first look goes at half the eta (jobs often finish early), the second just after the eta
 * (an accurate eta costs at most two fetches). After that the eta was too short, and the gap
 * grows with the time already waited, so the delay in noticing stays under ~8% of the job time
 * without hammering the API.
 */
export function nextPollDelayMs(fetchesMade: number, elapsedMs: number, etaMs: number | null): number {
	const eta = etaMs ?? ETA_UNKNOWN_MS;
	const margin = 150 + eta * 0.02;
	if (fetchesMade === 0 && eta >= 2 * MIN_INTERVAL_MS) return eta / 2 + margin;
	if (fetchesMade <= 1 && elapsedMs < eta + margin) return Math.max(MIN_INTERVAL_MS, eta + margin - elapsedMs);
	return Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, elapsedMs * 0.08));
}

export interface WaitSettings {
	maxWaitMs: number;
	itemIndex: number;
}

/** Sleeps, but wakes at once (with an error) when the execution is cancelled. */
export async function pause(ctx: IExecuteFunctions | IWebhookFunctions, ms: number, what: string, itemIndex: number) {
	const signal = 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;
	const cancelled = () =>
		new NodeOperationError(ctx.getNode(), `The execution was cancelled while waiting for ${what}`, { itemIndex });
	if (signal?.aborted) throw cancelled();
	if (!signal) return await sleep(ms);
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(cancelled());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}

/**
 * Fetches a queued job until it finishes, within the maximum wait. Fetching is free and changes
 * nothing, so a rate-limited or lost fetch is simply tried again later.
 */
export async function waitForCompletion(
	ctx: IExecuteFunctions,
	queued: InpaintResult,
	fetchOnce: () => Promise<InpaintResult>,
	settings: WaitSettings,
): Promise<InpaintResult> {
	const started = Date.now();
	const what = `ModelsLab job ${queued.requestId}`;
	const etaMs = queued.eta === null ? null : queued.eta * 1000;
	let current = queued;
	let fetchesMade = 0;
	let failuresInARow = 0;
	while (!FINISHED.has(current.status)) {
		const elapsed = Date.now() - started;
		const remaining = settings.maxWaitMs - elapsed;
		if (remaining <= 0) throw timedOut(ctx, queued, settings);
		await pause(ctx, Math.min(remaining, nextPollDelayMs(fetchesMade, elapsed, etaMs)), what, settings.itemIndex);
		fetchesMade++;
		try {
			current = { ...(await fetchOnce()), trackId: current.trackId };
			failuresInARow = 0;
		} catch (error) {
			// Lost answers and server failures are tolerated a few times in a row; rate limits always.
			const rateLimit = rateLimitOf(error);
			const giveUp = !rateLimit && (!isTransient(error) || ++failuresInARow > FETCH_FAILURES_TOLERATED);
			if (giveUp) throw new NodeApiError(ctx.getNode(), error as JsonObject);
			if (rateLimit?.retryAfterSeconds !== undefined) {
				await pause(ctx, Math.min(rateLimit.retryAfterSeconds * 1000, Math.max(0, remaining)), what, settings.itemIndex);
			}
		}
	}
	return current;
}

function timedOut(ctx: IExecuteFunctions, queued: InpaintResult, settings: WaitSettings) {
	const seconds = Math.round(settings.maxWaitMs / 1000);
	const error = new NodeApiError(
		ctx.getNode(),
		{ message: 'still processing', requestId: queued.requestId },
		{
			message: `ModelsLab job ${queued.requestId} was still processing after ${seconds} s`,
			description: `The job is not lost: get its result later with the ModelsLab Fetch node (request id ${queued.requestId}${queued.fetchUrl ? `, fetch URL ${queued.fetchUrl}` : ''}), or raise "Max Wait" and run again.`,
			itemIndex: settings.itemIndex,
		},
	);
	error.context.requestId = queued.requestId;
	error.context.fetchUrl = queued.fetchUrl;
	return error;
}
