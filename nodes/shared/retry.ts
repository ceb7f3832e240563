import type { IExecuteFunctions, IWebhookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { deadlineAfter, MIN_INTERVAL_MS, pause } from './polling';
import { isTransient, rateLimitOf } from './transport';

/** Times a request is tried again after a failure worth retrying. */
const RETRIES = 3;

export interface RetryBudget {
	itemIndex: number;
	/** Pauses that would end later than this many ms from now are not made: the error is thrown. */
	maxWaitMs: number;
}

export interface RetryPolicy extends RetryBudget {
	/** Which failures are worth another try; by default lost answers, 5xx and rate limits. */
	retryable?: (error: unknown) => boolean;
	/** The pause before the first retry when the API names none, doubled each time; default 0.5 s. */
	firstBackoffMs?: number;
}

/** Why retrying stopped early: the wait the API asked for would have gone past Max Wait. */
export const waitTooLongOf = (error: unknown) =>
	(error as NodeApiError)?.context?.waitTooLongSeconds as number | undefined;

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
	const { retryable = isTransient, firstBackoffMs = 500 } = policy;
	const deadline = deadlineAfter(policy.maxWaitMs);
	for (let retry = 0; ; retry++) {
		try {
			return await attempt();
		} catch (error) {
			const askedSeconds = rateLimitOf(error)?.retryAfterSeconds;
			const wantedMs = askedSeconds !== undefined ? askedSeconds * 1000 : firstBackoffMs * 2 ** retry;
			// "Retry after 0 s" or a failure that comes back at once still gets the minimum interval.
			const delayMs = Math.max(MIN_INTERVAL_MS, wantedMs);
			const inTime = Date.now() + delayMs <= deadline;
			if (retry >= RETRIES || !retryable(error) || !inTime) {
				if (error instanceof NodeApiError) {
					if (retry > 0) error.description = `${error.description ?? ''} (Tried ${retry + 1} times.)`.trim();
					if (retry < RETRIES && retryable(error) && !inTime) error.context.waitTooLongSeconds = delayMs / 1000;
				}
				throw error instanceof NodeOperationError ? error : new NodeApiError(ctx.getNode(), error as JsonObject);
			}
			await pause(ctx, delayMs, what, policy.itemIndex);
		}
	}
}
