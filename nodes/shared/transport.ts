import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { createHash } from 'crypto';

import type { ApiHost } from './endpoints';
import { signatureIn, signingKeyOf } from './callbackSignature';
import { apiMessage, redactSecrets } from './errors';
import type { Failure } from './failures';
import { markFailure } from './failures';

export const CREDENTIAL_TYPE = 'modelsLabApi';

export type ModelsLabContext = IExecuteFunctions | IWebhookFunctions;

export interface ModelsLabRequest {
	host: ApiHost;
	path: string;
	body: IDataObject;
	/**
	 * How long to wait for an answer ("Request Timeout" in Processing Options). Generations can
	 * take a while before the API answers (it may wait for a fast job), hence the long default.
	 */
	timeoutMs?: number;
}

export interface ModelsLabAnswer {
	httpCode: number;
	body: IDataObject;
}

interface ModelsLabCredentials {
	apiKey?: string;
	enterpriseApiKey?: string;
	baseUrl?: string;
	legacyBaseUrl?: string;
}

export const DEFAULT_REQUEST_TIMEOUT_SECONDS = 120;

async function loadCredentials(ctx: ModelsLabContext) {
	return (await ctx.getCredentials(CREDENTIAL_TYPE)) as ModelsLabCredentials;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

function baseUrlFor(credentials: ModelsLabCredentials, host: ApiHost) {
	return host === 'legacy'
		? trimSlash(credentials.legacyBaseUrl || 'https://stablediffusionapi.com')
		: trimSlash(credentials.baseUrl || 'https://modelslab.com');
}

/** The API's two roots as configured in the credential, without trailing slashes. */
export async function baseUrls(ctx: ModelsLabContext): Promise<Record<ApiHost, string>> {
	const credentials = await loadCredentials(ctx);
	return {
		modelslab: baseUrlFor(credentials, 'modelslab'),
		legacy: baseUrlFor(credentials, 'legacy'),
	};
}

/**
 * Which ModelsLab account the credential's jobs go to, as a hash that never reveals the key: runs
 * of this process with the same credential share the account's job queue (accountQueue.ts).
 */
export async function accountOf(ctx: ModelsLabContext): Promise<string> {
	const credentials = await loadCredentials(ctx);
	const identity = [baseUrlFor(credentials, 'modelslab'), ...secretsOf(credentials)].join('\n');
	return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

function secretsOf(credentials: ModelsLabCredentials) {
	return [credentials.apiKey, credentials.enterpriseApiKey].filter(
		(key): key is string => typeof key === 'string' && key.length >= 4,
	);
}

/** The key that signs and checks ModelsLab Trigger URLs (see callbackSignature.ts). */
export async function callbackSigningKey(ctx: ModelsLabContext): Promise<string | undefined> {
	return signingKeyOf(await loadCredentials(ctx));
}

/** Fails before anything is sent when the credential lacks the key this endpoint needs. */
export async function assertKeyFor(ctx: ModelsLabContext, path: string, itemIndex?: number) {
	const credentials = await loadCredentials(ctx);
	// The same rule as the credential's `authenticate`, which picks the key it sends.
	const enterprise = path.includes('/api/v1/enterprise/');
	const key = enterprise ? credentials.enterpriseApiKey : credentials.apiKey;
	if (!key) {
		throw new NodeOperationError(
			ctx.getNode(),
			enterprise
				? 'The v1 Enterprise endpoint needs an Enterprise API Key, and the ModelsLab credential has none'
				: 'The ModelsLab credential has no API Key',
			{
				itemIndex,
				description: 'Open the ModelsLab API credential and fill in the missing key.',
			},
		);
	}
}

/**
 * The one way this package talks to ModelsLab. The credential puts the key into the JSON body.
 * ModelsLab reports most failures inside HTTP 200 bodies and sometimes sends a usable body with an
 * HTTP error code, so the body is always read and judged by its `status`.
 */
export async function modelsLabRequest(
	ctx: ModelsLabContext,
	request: ModelsLabRequest,
	itemIndex?: number,
): Promise<ModelsLabAnswer> {
	const credentials = await loadCredentials(ctx);
	// ModelsLab echoes the webhook URL; its signature opens the trigger, so it is masked like a key.
	const secrets = [...secretsOf(credentials), ...signatureIn(request.body.webhook)];
	const url = `${baseUrlFor(credentials, request.host)}${request.path}`;
	const timeout = request.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000;
	// To the HTTP client 0 means "no timeout", and NaN too: a lost answer would then hang the item for good.
	if (!(timeout >= 1 && timeout <= 3_600_000))
		throw new Error(`A request needs a timeout of 1 ms to 1 hour (got ${timeout})`);
	const options: IHttpRequestOptions = {
		method: 'POST',
		url,
		body: request.body,
		json: true,
		headers: { Accept: 'application/json' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout,
	};

	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CREDENTIAL_TYPE,
			options,
		)) as IN8nHttpFullResponse;
	} catch (error) {
		const timeoutMs = options.timeout as number;
		const failed = networkFailureOf(error, timeoutMs);
		const reason = redactSecrets(failed.reason, secrets);
		const host = new URL(url).host;
		const failure = new NodeApiError(ctx.getNode(), { message: reason } as JsonObject, {
			message: `Could not reach ModelsLab at ${host}: ${reason}`,
			description:
				failed.kind === 'not-sent'
					? `The request to ${request.path} was not sent: no connection to ${host} could be made. Check the Base URL in the ModelsLab API credential, or try again later if ModelsLab is down.`
					: `The request to ${request.path} was sent, but no answer arrived.`,
			itemIndex,
		});
		throw markFailure(failure, { kind: failed.kind });
	}

	const httpCode = response.statusCode;
	const body = response.body;
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		const text = redactSecrets(
			typeof body === 'string' ? body : JSON.stringify(body ?? ''),
			secrets,
		);
		// A cut-off answer may still name the job it created; say so, so it can be fetched.
		const id = /"id"\s*:\s*"?(\d+)/.exec(text)?.[1];
		const failure = new NodeApiError(ctx.getNode(), { body: text.slice(0, 300) } as JsonObject, {
			message: `ModelsLab answered ${request.path} with HTTP ${httpCode} and a body that is not JSON`,
			description: `${text.slice(0, 300) || '(empty body)'}${id ? ` (The answer names request id ${id}.)` : ''}`,
			httpCode: String(httpCode),
			itemIndex,
		});
		// Only a 429 says for sure that nothing was created; anything else may be a job's lost answer.
		const kind: Failure =
			httpCode === 429
				? { kind: 'rate-limited', retryAfterSeconds: retryAfterHeader(response.headers) }
				: { kind: 'answer-lost' };
		throw markFailure(failure, kind, id ? { requestId: id } : {});
	}

	const answer = redactSecrets(body as IDataObject, secrets);
	const status = String(answer.status ?? '').toLowerCase();
	const usable = status === 'success' || status === 'processing';
	if (status === 'error' || status === 'failed' || (httpCode >= 400 && !usable)) {
		const message = apiMessage(answer) || `HTTP ${httpCode}`;
		const failure = new NodeApiError(ctx.getNode(), answer as JsonObject, {
			message: `ModelsLab: ${message}`,
			description: describeFailure(answer, request.path, httpCode),
			httpCode: String(httpCode),
			itemIndex,
		});
		throw markFailure(failure, answeredFailure(answer, message, httpCode, response.headers));
	}
	return { httpCode, body: answer };
}

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
function answeredFailure(
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

/** Maps a URL the API handed out (`fetch_result`) onto a configured host, so the key only goes there. */
export function onConfiguredHost(
	url: string,
	roots: Record<ApiHost, string>,
): { host: ApiHost; path: string } | undefined {
	let target: URL;
	try {
		target = new URL(url);
	} catch {
		return undefined;
	}
	for (const host of Object.keys(roots) as ApiHost[]) {
		const root = new URL(roots[host]);
		const prefix = root.pathname.replace(/\/+$/, '');
		if (target.origin === root.origin && target.pathname.startsWith(`${prefix}/`)) {
			return { host, path: `${target.pathname.slice(prefix.length)}${target.search}` };
		}
	}
	return undefined;
}

function describeFailure(answer: IDataObject, path: string, httpCode: number) {
	const tip = [answer.tip, answer.tips].find((value) => typeof value === 'string' && value);
	const id = answer.id !== undefined && answer.id !== '' ? `, request id ${answer.id}` : '';
	return `${path} answered HTTP ${httpCode} with status "${answer.status ?? 'none'}"${id}.${tip ? ` ${tip}` : ''}`;
}
