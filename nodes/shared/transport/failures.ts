import type { IExecuteFunctions, IWebhookFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * What became of a request that failed. Every decision about trying again reads this, never an
 * error's wording, because a paid job may be sent again only when it certainly does not exist.
 */
export type Failure =
	/** It never left this machine (connection refused, host not found): no job exists. */
	| { kind: 'not-sent' }
	/** It was sent and no usable answer came (timeout, cut off, a gateway's page): a job may exist. */
	| { kind: 'answer-lost' }
	/**
	 * ModelsLab refused it before creating a job: its rate limit, or the account's queue is full
	 * (`queueFull`: a place frees as soon as any of the account's jobs finishes). Try again after N s.
	 */
	| { kind: 'rate-limited'; retryAfterSeconds?: number; queueFull?: boolean }
	/** ModelsLab does not know the job. */
	| { kind: 'not-found' }
	/** ModelsLab answered with an error of its own (bad key, bad field, failed job, server error). */
	| { kind: 'rejected'; httpCode: number; apiMessage?: string };

/** What an error tells the user about the job, besides what failed. */
export interface FailureDetails {
	/** The job the failure belongs to, so that it can be fetched later. */
	requestId?: string;
	fetchUrl?: string | null;
	/** Retrying stopped early: the wait ModelsLab asked for would have gone past Max Wait. */
	waitTooLongSeconds?: number;
}

interface Marked {
	failure?: Failure;
	details?: FailureDetails;
}

const markOf = (error: unknown) => ((error as NodeApiError)?.context ?? {}) as Marked;

/** Labels an error with what became of its request; details add to those it has. */
export function markFailure<E extends NodeApiError>(
	error: E,
	failure: Failure | undefined,
	details: FailureDetails = {},
): E {
	const mark = error.context as Marked;
	if (failure) mark.failure = failure;
	mark.details = { ...mark.details, ...details };
	return error;
}

export const failureOf = (error: unknown): Failure | undefined => markOf(error).failure;

export const detailsOf = (error: unknown): FailureDetails => markOf(error).details ?? {};

/** A free request (a check, an upload, a download) is simply made again after these. */
export function isPassing(failure: Failure | undefined): boolean {
	switch (failure?.kind) {
		case 'not-sent':
		case 'answer-lost':
		case 'rate-limited':
			return true;
		case 'rejected':
			return failure.httpCode >= 500;
		default:
			return false;
	}
}

/** A paid submit is sent again only after these: the job certainly does not exist. */
export const createdNothing = (failure: Failure | undefined) =>
	failure?.kind === 'not-sent' || failure?.kind === 'rate-limited';

/** The error as n8n should show it: this package's own errors as they are, anything else wrapped once. */
export function asNodeError(
	ctx: IExecuteFunctions | IWebhookFunctions,
	error: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return error instanceof Error
		? new NodeOperationError(ctx.getNode(), error, { itemIndex })
		: new NodeApiError(ctx.getNode(), error as JsonObject, { itemIndex });
}
