import type { IExecuteFunctions, IWebhookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { pause } from './polling';
import { isTransient, rateLimitOf } from './transport';

/** Times a free request is tried again after a transient failure, and the first pause (doubled each time). */
const RETRIES = 3;
const FIRST_BACKOFF_MS = 500;

export interface RetryBudget {
	itemIndex: number;
	/** Pauses that would end later than this many ms from now are not made: the error is thrown. */
	maxWaitMs: number;
}

/**
 * Runs a request that is free and changes nothing (a fetch, an upload, a download) and tries it
 * again when it failed on the way (lost answer, 5xx, rate limit): such faults usually pass within
 * seconds, and repeating the request costs nothing. Paid submits never come through here.
 */
export async function withRetries<T>(
	ctx: IExecuteFunctions | IWebhookFunctions,
	what: string,
	attempt: () => Promise<T>,
	budget: RetryBudget,
): Promise<T> {
	const deadline = Date.now() + budget.maxWaitMs;
	for (let retry = 0; ; retry++) {
		try {
			return await attempt();
		} catch (error) {
			const askedSeconds = rateLimitOf(error)?.retryAfterSeconds;
			const delayMs = askedSeconds !== undefined ? askedSeconds * 1000 : FIRST_BACKOFF_MS * 2 ** retry;
			if (retry >= RETRIES || !isTransient(error) || Date.now() + delayMs > deadline) {
				if (retry > 0 && error instanceof NodeApiError) {
					error.description = `${error.description ?? ''} (Tried ${retry + 1} times.)`.trim();
				}
				throw error instanceof NodeOperationError ? error : new NodeApiError(ctx.getNode(), error as JsonObject);
			}
			await pause(ctx, delayMs, what, budget.itemIndex);
		}
	}
}
