import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ApiHost } from './endpoints';
import { isEnterprisePath } from './endpoints';
import { apiMessage, redactSecrets } from './errors';

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
	return { modelslab: baseUrlFor(credentials, 'modelslab'), legacy: baseUrlFor(credentials, 'legacy') };
}

function secretsOf(credentials: ModelsLabCredentials) {
	return [credentials.apiKey, credentials.enterpriseApiKey].filter(
		(key): key is string => typeof key === 'string' && key.length >= 4,
	);
}

/** Fails before anything is sent when the credential lacks the key this endpoint needs. */
export async function assertKeyFor(ctx: ModelsLabContext, path: string, itemIndex?: number) {
	const credentials = await loadCredentials(ctx);
	const enterprise = isEnterprisePath(path);
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
	const secrets = secretsOf(credentials);
	const url = `${baseUrlFor(credentials, request.host)}${request.path}`;
	const options: IHttpRequestOptions = {
		method: 'POST',
		url,
		body: request.body,
		json: true,
		headers: { Accept: 'application/json' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: request.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000,
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
		const raw = redactSecrets(String((error as Error).message ?? error), secrets);
		// n8n words a timeout as "the connection was aborted"; say what happened, and which setting governs it.
		const timedOut = /ECONNABORTED|ETIMEDOUT/.test(errorCodes(error)) || /timeout of \d+ms exceeded/i.test(raw);
		const reason = timedOut ? `no answer within the request timeout of ${Math.round(timeoutMs / 1000)} s` : raw;
		const neverSent = !timedOut && NOT_SENT_CODES.some((code) => `${errorCodes(error)} ${raw}`.includes(code));
		const failure = new NodeApiError(
			ctx.getNode(),
			{ message: reason } as JsonObject,
			{
				message: `Could not reach ModelsLab at ${new URL(url).host}: ${reason}`,
				description: neverSent
					? `The request to ${request.path} could not be sent.`
					: `The request to ${request.path} was sent, but no answer arrived.`,
				itemIndex,
			},
		);
		failure.context.delivery = neverSent ? 'not-sent' : 'unknown';
		throw failure;
	}

	const httpCode = response.statusCode;
	const body = response.body;
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		const text = redactSecrets(typeof body === 'string' ? body : JSON.stringify(body ?? ''), secrets);
		// A cut-off answer may still name the job it created; say so, so it can be fetched.
		const id = /"id"\s*:\s*"?(\d+)/.exec(text)?.[1];
		const failure = new NodeApiError(ctx.getNode(), { body: text.slice(0, 300) } as JsonObject, {
			message: `ModelsLab answered ${request.path} with HTTP ${httpCode} and a body that is not JSON`,
			description: `${text.slice(0, 300) || '(empty body)'}${id ? ` (The answer names request id ${id}.)` : ''}`,
			httpCode: String(httpCode),
			itemIndex,
		});
		failure.context.delivery = httpCode === 429 ? 'answered' : 'unknown';
		if (id) failure.context.requestId = id;
		if (httpCode === 429) {
			failure.context.rateLimited = true;
			failure.context.retryAfterSeconds = retryAfterHeader(response.headers);
		}
		throw failure;
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
		// A 5xx without a ModelsLab status may come from a proxy after the job was created.
		failure.context.delivery = httpCode >= 500 && !status ? 'unknown' : 'answered';
		if (httpCode === 429 || /rate limit exceeded/i.test(message)) {
			failure.context.rateLimited = true;
			failure.context.retryAfterSeconds = retryAfterSeconds(answer) ?? retryAfterHeader(response.headers);
		}
		throw failure;
	}
	return { httpCode, body: answer };
}

/** Connection failures that happen before a request leaves this machine. */
const NOT_SENT_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH'];

function errorCodes(error: unknown) {
	const seen = error as { code?: unknown; cause?: { code?: unknown; cause?: { code?: unknown } } };
	return [seen?.code, seen?.cause?.code, seen?.cause?.cause?.code].filter(Boolean).join(' ');
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
export function retryAfterHeader(headers: IN8nHttpFullResponse['headers'] | undefined): number | undefined {
	const raw = headers?.['retry-after'];
	const value = String(Array.isArray(raw) ? raw[0] : raw ?? '').trim();
	if (!value) return undefined;
	if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

/** Where a ModelsLab request failed: never sent, sent without an answer, or answered. */
export const deliveryOf = (error: unknown) =>
	(error as NodeApiError)?.context?.delivery as 'not-sent' | 'unknown' | 'answered' | undefined;

/** Rate-limit details of a failed request, or undefined when it was not rate limited. */
export function rateLimitOf(error: unknown): { retryAfterSeconds?: number } | undefined {
	const context = (error as NodeApiError)?.context;
	return context?.rateLimited ? { retryAfterSeconds: context.retryAfterSeconds as number | undefined } : undefined;
}

/**
 * Whether a failure is worth trying again for a request that is free and changes nothing (fetch,
 * upload, download): the answer was lost, the server or a proxy failed (5xx), or it asked us to
 * slow down. An answer that says what is wrong (bad key, unknown job) is final.
 */
export function isTransient(error: unknown): boolean {
	const delivery = deliveryOf(error);
	if (!delivery) return false;
	if (rateLimitOf(error) || delivery !== 'answered') return true;
	return Number((error as NodeApiError)?.httpCode) >= 500;
}

/** Maps a URL the API handed out (`fetch_result`) onto a configured host, so the key only goes there. */
export function onConfiguredHost(url: string, roots: Record<ApiHost, string>): { host: ApiHost; path: string } | undefined {
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
