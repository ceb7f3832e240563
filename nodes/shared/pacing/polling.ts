import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { InpaintResult } from '../transport/result';
import { asNodeError, failureOf, isPassing, markFailure } from '../transport/failures';
import { deadlineAfter, MIN_INTERVAL_MS, pause, pauseBefore } from './pause';

/** Statuses after which the job will not change any more. */
const FINISHED = new Set(['success', 'error', 'failed']);

const MAX_INTERVAL_MS = 10_000;
/** A check near the deadline still gets this long to be answered. */
const SHORTEST_FETCH_TIMEOUT_MS = 1_000;
/** With no eta, a first look after this long. */
const ETA_UNKNOWN_MS = 3_000;
/** Consecutive fetches that may fail to get through before waiting gives up. */
const FETCH_FAILURES_TOLERATED = 3;

/** Once the eta has passed with no reading of how fast it runs down, look again after this share of the time waited. */
const LATE_BACKOFF = 0.25;
/** Never look again sooner than this share of the time waited: finding out sooner gains little. */
const LEAST_SHARE_OF_WAIT = 0.1;
/** Two eta readings closer together than this say too little about its pace (etas may be whole seconds). */
const SHORTEST_PACE_SPAN_MS = 1_000;

/** What one answer said about a queued job: when it came and the eta it gave. */
export interface EtaReading {
	atMs: number;
	etaMs: number;
}

/**
 * How long the job still needs, judged by how fast its eta ran down between the first and the
 * latest answer: an eta that is consistently twice too short drops by half a second per second, so
 * the time left is twice what it says. Undefined when the readings say nothing useful (too close
 * together, an eta that stands still or grows, or a pace beyond any plausible error).
 */
export function remainingByEtaPace(first: EtaReading, latest: EtaReading): number | undefined {
	const spanMs = latest.atMs - first.atMs;
	if (!(spanMs >= SHORTEST_PACE_SPAN_MS)) return undefined;
	const pace = (first.etaMs - latest.etaMs) / spanMs;
	if (!(pace >= 0.1 && pace <= 10)) return undefined;
	return latest.etaMs / pace;
}

/**
 * When to look again, given how many fetches were made, how long the job has been waited for, its
 * first eta, and (once answers gave several) the time left as the eta's pace tells it. The first
 * look goes at half the eta (jobs often finish early), the second just after the eta (an accurate
 * eta costs at most two fetches). After that the eta was too short: the next look goes when the
 * eta's pace says the job ends (at most as far again as already waited, at least a tenth of it), or,
 * with no pace to go by, after a quarter of the time already waited (at most 10 s).
 */
export function nextPollDelayMs(
	fetchesMade: number,
	elapsedMs: number,
	etaMs: number | null,
	remainingMs?: number,
): number {
	const eta = etaMs ?? ETA_UNKNOWN_MS;
	const margin = 100 + eta * 0.015;
	if (fetchesMade === 0 && eta >= 2 * MIN_INTERVAL_MS) return eta / 2 + margin;
	if (fetchesMade <= 1 && elapsedMs < eta + margin)
		return Math.max(MIN_INTERVAL_MS, eta + margin - elapsedMs);
	const soonest = Math.max(MIN_INTERVAL_MS, elapsedMs * LEAST_SHARE_OF_WAIT);
	if (remainingMs !== undefined)
		return Math.min(Math.max(soonest, remainingMs + margin), Math.max(soonest, elapsedMs));
	return Math.min(MAX_INTERVAL_MS, Math.max(soonest, elapsedMs * LATE_BACKOFF));
}

export interface WaitSettings {
	maxWaitMs: number;
	/** How long one check may take; near the deadline a check gets only what is left. */
	requestTimeoutMs: number;
	itemIndex: number;
}

/**
 * Fetches a queued job until it finishes, within the maximum wait. Fetching is free and changes
 * nothing, so a rate-limited or lost fetch is simply tried again later.
 */
export async function waitForCompletion(
	ctx: IExecuteFunctions,
	queued: InpaintResult,
	fetchOnce: (timeoutMs: number) => Promise<InpaintResult>,
	settings: WaitSettings,
): Promise<InpaintResult> {
	const started = Date.now();
	const deadline = deadlineAfter(settings.maxWaitMs, started);
	const what = `ModelsLab job ${queued.requestId}`;
	const etaMs = queued.eta === null ? null : queued.eta * 1000;
	const firstReading = etaMs === null ? undefined : { atMs: started, etaMs };
	let latestReading = firstReading;
	let current = queued;
	let fetchesMade = 0;
	let failuresInARow = 0;
	while (!FINISHED.has(current.status)) {
		const remainingMs =
			firstReading && latestReading && remainingByEtaPace(firstReading, latestReading);
		const wanted = nextPollDelayMs(fetchesMade, Date.now() - started, etaMs, remainingMs);
		const delay = pauseBefore(deadline, wanted);
		if (delay === undefined) throw timedOut(ctx, queued, settings);
		await pause(ctx, delay, what, settings.itemIndex);
		fetchesMade++;
		try {
			const timeoutMs = Math.min(
				settings.requestTimeoutMs,
				Math.max(SHORTEST_FETCH_TIMEOUT_MS, deadline - Date.now()),
			);
			current = { ...(await fetchOnce(timeoutMs)), trackId: current.trackId };
			failuresInARow = 0;
			if (current.eta !== null) latestReading = { atMs: Date.now(), etaMs: current.eta * 1000 };
		} catch (error) {
			// Lost answers and server failures are tolerated a few times in a row; rate limits always.
			const failure = failureOf(error);
			const rateLimited = failure?.kind === 'rate-limited';
			const giveUp =
				!rateLimited && (!isPassing(failure) || ++failuresInARow > FETCH_FAILURES_TOLERATED);
			if (giveUp) throw asNodeError(ctx, error, settings.itemIndex);
			const asked = rateLimited ? failure.retryAfterSeconds : undefined;
			if (asked !== undefined && asked * 1000 > MIN_INTERVAL_MS) {
				// The loop's own pause follows; this one is the part of the asked wait beyond it.
				const extra = Math.min(asked * 1000 - MIN_INTERVAL_MS, Math.max(0, deadline - Date.now()));
				await pause(ctx, extra, what, settings.itemIndex);
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
	return markFailure(error, undefined, { requestId: queued.requestId, fetchUrl: queued.fetchUrl });
}
