import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { Failure } from './failures';
import { asNodeError, failureOf, isPassing, markFailure } from './failures';
import type { JobSlot } from './jobSlots';
import { deadlineAfter, MIN_INTERVAL_MS, pause } from './polling';

/** Times a request is tried again after a failure worth retrying (refusals may have their own rule). */
const RETRIES = 3;
/** A full queue frees as soon as any of the account's jobs finishes: look again soon, then less often. */
const QUEUE_FULL_FIRST_PAUSE_MS = 1_000;
const QUEUE_FULL_LONGEST_PAUSE_MS = 4_000;

export interface RetryBudget {
	itemIndex: number;
	/** Pauses that would end later than this many ms from now are not made: the error is thrown. */
	maxWaitMs: number;
}

export interface RetryPolicy extends RetryBudget {
	/** Which failures are worth another try; by default the passing ones (lost answers, 5xx, rate limits). */
	retryable?: (failure: Failure | undefined) => boolean;
	/** The pause before the first retry when the API names none, doubled each time; default 0.5 s. */
	firstBackoffMs?: number;
	/**
	 * Refusals for a rate or queue limit cost nothing (no job was created), so they are tried again
	 * until the deadline instead of a fixed number of times.
	 */
	refusalsUntilDeadline?: boolean;
	/** The place the item holds among the run's jobs: a refused item gives it back while it waits. */
	slot?: JobSlot;
}

/** 75–125 % of a pause, so that refused items of several executions do not come back together. */
const jittered = (ms: number) => ms * (0.75 + Math.random() * 0.5);

/**
 * How long to wait before trying again. A rate limit's own wait is kept (never shortened); a full
 * queue is looked at again after 1, 2, 4, 4 ... s, since ModelsLab's `retry_after` there is a flat
 * hint while a place frees whenever any job finishes; anything else backs off from `firstBackoffMs`.
 */
function retryDelayMs(
	failure: Failure | undefined,
	retry: number,
	refusals: number,
	firstBackoffMs: number,
): number {
	if (failure?.kind !== 'rate-limited') return firstBackoffMs * 2 ** retry;
	const asked =
		failure.retryAfterSeconds === undefined ? undefined : failure.retryAfterSeconds * 1000;
	if (failure.queueFull) {
		const backoff = Math.min(
			QUEUE_FULL_LONGEST_PAUSE_MS,
			QUEUE_FULL_FIRST_PAUSE_MS * 2 ** refusals,
		);
		return jittered(Math.min(asked ?? backoff, backoff));
	}
	return (asked ?? firstBackoffMs * 2 ** retry) * (1 + Math.random() * 0.25);
}

/**
 * Runs a request and tries it again when it failed in a way the policy says is passing: by
 * default a lost answer, a 5xx or a rate limit, which is right for free requests that change
 * nothing (a fetch, an upload, a download). A paid submit narrows this to failures that created
 * nothing: a refusal for a rate or queue limit, or a request that never left this machine.
 */
export async function withRetries<T>(
	ctx: IExecuteFunctions | IWebhookFunctions,
	what: string,
	attempt: () => Promise<T>,
	policy: RetryPolicy,
): Promise<T> {
	const { retryable = isPassing, firstBackoffMs = 500, refusalsUntilDeadline = false } = policy;
	const deadline = deadlineAfter(policy.maxWaitMs);
	let counted = 0;
	let refusals = 0;
	for (let tries = 1; ; tries++) {
		try {
			return await attempt();
		} catch (error) {
			const failure = failureOf(error);
			const refusal = failure?.kind === 'rate-limited';
			const free = refusal && refusalsUntilDeadline;
			// "Retry after 0 s" or a failure that comes back at once still gets the minimum interval.
			const delayMs = Math.max(
				MIN_INTERVAL_MS,
				retryDelayMs(failure, counted, refusals, firstBackoffMs),
			);
			const inTime = Date.now() + delayMs <= deadline;
			if ((!free && counted >= RETRIES) || !retryable(failure) || !inTime) {
				if (error instanceof NodeApiError) {
					if (tries > 1)
						error.description = `${error.description ?? ''} (Tried ${tries} times.)`.trim();
					const askedTooLong =
						refusal && !failure.queueFull && failure.retryAfterSeconds !== undefined;
					if (retryable(failure) && !inTime && askedTooLong)
						markFailure(error, undefined, { waitTooLongSeconds: failure.retryAfterSeconds });
				}
				throw asNodeError(ctx, error, policy.itemIndex);
			}
			if (refusal) refusals++;
			if (!free) counted++;
			const wait = async (ms: number) => await pause(ctx, ms, what, policy.itemIndex);
			if (refusal && policy.slot) await policy.slot.refused(delayMs, wait);
			else await wait(delayMs);
		}
	}
}
