import type {
	IDataObject,
	IExecuteFunctions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
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

// How a failure is judged: from a request that got no answer, an error answer, or a download.

/**
 * Connection failures that happen before a request leaves this machine: the connection was refused,
 * the host name did not resolve, or there was no route to it. Nothing reached ModelsLab.
 */
const NOT_SENT_CODES: Record<string, string> = {
	ECONNREFUSED: 'the server refused the connection',
	ENOTFOUND: 'the host name could not be found',
	EAI_AGAIN: 'the host name could not be looked up',
	ENETUNREACH: 'there is no network route to it',
	EHOSTUNREACH: 'there is no network route to it',
};

/**
 * The request's own timeout ran out: axios reports it as ECONNABORTED ("timeout of N ms exceeded"),
 * or ETIMEDOUT with clarifyTimeoutError (the system's own connect timeout is ETIMEDOUT too, and far
 * longer than any Request Timeout). It may fire after the request was sent, so the job may exist.
 */
const TIMEOUT_CODES = ['ECONNABORTED', 'ETIMEDOUT'];

/** The connection broke after the request went out; n8n's own words would suggest retrying at once. */
const CUT_OFF_CODES = ['ECONNRESET', 'EPIPE'];

/** What a request that got no HTTP answer means for the job it carried. */
export interface NetworkFailure {
	/** 'not-sent': nothing reached ModelsLab, so sending it again is safe; 'answer-lost': it may have arrived. */
	kind: 'not-sent' | 'answer-lost';
	/** The Request Timeout ran out before an answer came. */
	timedOut: boolean;
	/** What happened, in words a user understands (the raw error text when nothing better is known). */
	reason: string;
}

/**
 * Classifies a failed request that got no HTTP answer, the same way on n8n 1.x and 2.x. Both wrap
 * the axios error in a NodeApiError whose message n8n rewrites ("The connection was aborted,
 * perhaps the server is offline"), so the message cannot be trusted; the error code can:
 * - both majors copy it into `httpCode` (NodeApiError finds `code` among its status keys when
 *   there was no HTTP response);
 * - 2.x also keeps the axios error, and the Node error under it, as `cause`; n8n-workflow 1.x
 *   loses it (ExecutionBaseError declares a `cause` field that resets it to undefined).
 * Only when no code is found anywhere is the text searched: `messages` keeps the original axios
 * and Node messages ("connect ECONNREFUSED …", "timeout of 2000ms exceeded") in both majors.
 * A timeout is never "not sent": it may have fired after ModelsLab received the request.
 */
export function networkFailureOf(error: unknown, timeoutMs: number): NetworkFailure {
	const codes = errorCodesOf(error);
	const texts = errorTextsOf(error);
	// The codes decide; the words only when no code was found at all.
	const has = (code: string) =>
		codes.length > 0
			? codes.includes(code)
			: texts.some((text) => new RegExp(`\\b${code}\\b`).test(text));
	const axiosTimeoutWords =
		codes.length === 0 && texts.some((text) => /timeout of \d+ ?ms exceeded/i.test(text));

	if (TIMEOUT_CODES.some(has) || axiosTimeoutWords) {
		const seconds = Math.round(timeoutMs / 1000);
		return {
			kind: 'answer-lost',
			timedOut: true,
			reason: `no answer within the request timeout of ${seconds} s`,
		};
	}
	const notSent = Object.keys(NOT_SENT_CODES).find(has);
	if (notSent) return { kind: 'not-sent', timedOut: false, reason: NOT_SENT_CODES[notSent] };
	if (CUT_OFF_CODES.some(has)) {
		return {
			kind: 'answer-lost',
			timedOut: false,
			reason: 'the connection was cut off before an answer arrived',
		};
	}
	return { kind: 'answer-lost', timedOut: false, reason: texts[0] ?? String(error) };
}

type ErrorLike = {
	code?: unknown;
	httpCode?: unknown;
	cause?: unknown;
	errors?: unknown;
	errorResponse?: unknown;
	message?: unknown;
	messages?: unknown;
};

/** Node/axios error codes ("ECONNREFUSED") on the error, its `httpCode`, and down its causes. */
function errorCodesOf(error: unknown): string[] {
	const codes: string[] = [];
	const seen = new Set<unknown>();
	const visit = (value: unknown, depth: number) => {
		if (!value || typeof value !== 'object' || seen.has(value) || depth > 5) return;
		seen.add(value);
		const level = value as ErrorLike;
		for (const code of [level.code, level.httpCode]) {
			// An HTTP status ("502") is an answer, not a network failure: only symbolic codes count.
			if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) codes.push(code);
		}
		visit(level.cause, depth + 1);
		visit(level.errorResponse, depth + 1);
		// Node's AggregateError (every address of a host refused) lists the errors it aggregates.
		if (Array.isArray(level.errors)) for (const inner of level.errors) visit(inner, depth + 1);
	};
	visit(error, 0);
	return codes;
}

/** The error's message, then the original messages n8n kept before rewriting it. */
function errorTextsOf(error: unknown): string[] {
	const { message, messages } = (error ?? {}) as ErrorLike;
	const originals = Array.isArray(messages) ? messages : [];
	return [message, ...originals].filter(
		(text): text is string => typeof text === 'string' && text !== '',
	);
}

/** `retry_after`, or the wait a spam-filter tip asks for ("please wait for 30 seconds"). */
function retryAfterSeconds(answer: IDataObject): number | undefined {
	const explicit = Number(answer.retry_after);
	if (Number.isFinite(explicit) && explicit >= 0) return explicit;
	const hint = [answer.tips, answer.tip, answer.message, answer.messege].find(
		(text) => typeof text === 'string' && /wait for (\d+(?:\.\d+)?) seconds?/i.test(text),
	) as string | undefined;
	return hint ? Number(/wait for (\d+(?:\.\d+)?) seconds?/i.exec(hint)![1]) : undefined;
}

/** The HTTP `Retry-After` header, in seconds (it may also be an HTTP date). */
export function retryAfterHeader(
	headers: IN8nHttpFullResponse['headers'] | undefined,
): number | undefined {
	const raw = headers?.['retry-after'];
	const value = String(Array.isArray(raw) ? raw[0] : (raw ?? '')).trim();
	if (!value) return undefined;
	if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/**
 * What an answer with an error means for the job. ModelsLab's own words are read here, once: its
 * rate-limit refusal comes as HTTP 200 "Rate limit exceeded", an unknown job as "Request not found".
 */
export function answeredFailure(
	answer: IDataObject,
	message: string,
	httpCode: number,
	headers: IN8nHttpFullResponse['headers'],
): Failure {
	if (httpCode === 429 || /rate limit exceeded/i.test(message)) {
		return {
			kind: 'rate-limited',
			retryAfterSeconds: retryAfterSeconds(answer) ?? retryAfterHeader(headers),
			// "Rate limit exceeded. Maximum 5 queued requests allowed." (D2 rate-limits.mdx)
			...(/queued requests/i.test(message) ? { queueFull: true } : {}),
		};
	}
	// A 5xx without a ModelsLab status may come from a proxy after the job was created.
	if (httpCode >= 500 && !answer.status) return { kind: 'answer-lost' };
	if (/request not found/i.test(message)) return { kind: 'not-found' };
	return { kind: 'rejected', httpCode, apiMessage: message };
}

/**
 * An answer that is not JSON (a proxy's page, a cut-off body). Only a 429 says for sure that
 * nothing was created; anything else may be a job's lost answer.
 */
export function unreadableAnswerFailure(
	httpCode: number,
	headers: IN8nHttpFullResponse['headers'],
): Failure {
	return httpCode === 429
		? { kind: 'rate-limited', retryAfterSeconds: retryAfterHeader(headers) }
		: { kind: 'answer-lost' };
}

/**
 * A download's HTTP failure, in the same words as API requests so that only passing faults are
 * tried again: a 429 is a rate limit, any other status the host's refusal, none a lost answer.
 */
export function downloadFailure(httpCode?: number, retryAfterSeconds?: number): Failure {
	if (httpCode === 429) return { kind: 'rate-limited', retryAfterSeconds };
	return httpCode ? { kind: 'rejected', httpCode } : { kind: 'answer-lost' };
}

/** The description of an error answer: what answered what, and ModelsLab's tip. */
export function describeFailure(answer: IDataObject, path: string, httpCode: number) {
	const tip = [answer.tip, answer.tips].find((value) => typeof value === 'string' && value);
	const id = answer.id !== undefined && answer.id !== '' ? `, request id ${answer.id}` : '';
	return `${path} answered HTTP ${httpCode} with status "${answer.status ?? 'none'}"${id}.${tip ? ` ${tip}` : ''}`;
}
