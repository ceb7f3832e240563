import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { Failure } from './failures';
import { asNodeError, failureOf, isPassing, markFailure } from './failures';
import { deadlineAfter, MIN_INTERVAL_MS, pause } from './polling';

/** Times a request is tried again after a failure worth retrying. */
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
}

/**
 * Runs a request and tries it again when it failed in a way the policy says is passing: by
 * default a lost answer, a 5xx or a rate limit, which is right for free requests that change
 * nothing (a fetch, an upload, a download). A paid submit narrows this to rate limits, where
 * ModelsLab refused the job before creating it.
 */
export async function withRetries<T>(
	ctx: IExecuteFunctions | IWebhookFunctions,
	what: string,
	attempt: () => Promise<T>,
	policy: RetryPolicy,
): Promise<T> {
	const { retryable = isPassing, firstBackoffMs = 500 } = policy;
	const deadline = deadlineAfter(policy.maxWaitMs);
	for (let retry = 0; ; retry++) {
		try {
			return await attempt();
		} catch (error) {
			const failure = failureOf(error);
			const askedSeconds = failure?.kind === 'rate-limited' ? failure.retryAfterSeconds : undefined;
			const wantedMs =
				askedSeconds !== undefined ? askedSeconds * 1000 : firstBackoffMs * 2 ** retry;
			// "Retry after 0 s" or a failure that comes back at once still gets the minimum interval.
			const delayMs = Math.max(MIN_INTERVAL_MS, wantedMs);
			const inTime = Date.now() + delayMs <= deadline;
			if (retry >= RETRIES || !retryable(failure) || !inTime) {
				if (error instanceof NodeApiError) {
					if (retry > 0)
						error.description = `${error.description ?? ''} (Tried ${retry + 1} times.)`.trim();
					if (retry < RETRIES && retryable(failure) && !inTime)
						markFailure(error, undefined, { waitTooLongSeconds: delayMs / 1000 });
				}
				throw asNodeError(ctx, error, policy.itemIndex);
			}
			await pause(ctx, delayMs, what, policy.itemIndex);
		}
	}
}
