import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { Failure } from '../transport/failures';
import { asNodeError, failureOf, isPassing, markFailure } from '../transport/failures';
import type { JobSlot } from './jobSlots';
import { LEAST_GAP_AFTER_REFUSAL_MS } from './accountQueue';
import { deadlineAfter, MIN_INTERVAL_MS, pause } from './pause';

/** Times a request is tried again after a failure worth retrying (refusals may have their own rule). */
const RETRIES = 3;

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

/**
 * How long to wait before trying again: a rate limit's own wait is kept (never shortened, spread
 * up to 25 % later); anything else backs off from `firstBackoffMs`. A refused job of a run has its
 * own rule (JobSlot.refused, after accountQueue.ts).
 */
function retryDelayMs(failure: Failure | undefined, retry: number, firstBackoffMs: number): number {
	if (failure?.kind !== 'rate-limited') return firstBackoffMs * 2 ** retry;
	const asked =
		failure.retryAfterSeconds === undefined ? undefined : failure.retryAfterSeconds * 1000;
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
			// A refused job gives its place back at once, and learns from the run when to come back.
			const wanted =
				refusal && policy.slot
					? policy.slot.refused(
							{
								queueFull: failure.queueFull === true,
								retryAfterMs:
									failure.retryAfterSeconds === undefined
										? undefined
										: failure.retryAfterSeconds * 1000,
							},
							refusals,
						)
					: retryDelayMs(failure, counted, firstBackoffMs);
			// "Retry after 0 s" or a failure that comes back at once still gets the minimum interval.
			let delayMs = Math.max(MIN_INTERVAL_MS, wanted);
			// A full queue may free sooner than asked (a job another process sent): rather than give
			// up now, the job is asked for once more just before Max Wait ends.
			const lastChanceMs = deadline - Date.now() - MIN_INTERVAL_MS;
			if (free && failure.queueFull && delayMs > lastChanceMs)
				if (lastChanceMs >= LEAST_GAP_AFTER_REFUSAL_MS) delayMs = lastChanceMs;
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
			if (refusal && policy.slot) await policy.slot.comeBack(delayMs, wait);
			else await wait(delayMs);
		}
	}
}
