import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { createHash } from 'crypto';

import type { ApiHost, EndpointId } from './endpoints';
import { ENDPOINTS } from './endpoints';
import { signatureIn, signingKeyOf } from '../callbacks/callbackSignature';
import { apiMessage } from './apiMessage';
import {
	answeredFailure,
	describeFailure,
	markFailure,
	networkFailureOf,
	unreadableAnswerFailure,
} from './failures';

export const CREDENTIAL_TYPE = 'modelsLabApi';

/** A node running, a webhook answering, or the editor loading a list (listSearch). */
export type ModelsLabContext = IExecuteFunctions | IWebhookFunctions | ILoadOptionsFunctions;

export interface ModelsLabRequest {
	host: ApiHost;
	path: string;
	body: IDataObject;
	/**
	 * How long to wait for an answer ("Request Timeout" in Processing Options). Generations can
	 * take a while before the API answers (it may wait for a fast job), hence the long default.
	 */
	timeoutMs?: number;
	/** The answer may be a JSON array (the public model list is one) rather than an object. */
	list?: boolean;
}

export interface ModelsLabAnswer {
	httpCode: number;
	body: IDataObject;
	/** A JSON array answer (only where the request allows one); `body` is then empty. */
	list?: unknown[];
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

/** Replaces every occurrence of the credential's keys, anywhere in a value, with a mask. */
export function redactSecrets<T>(value: T, secrets: string[]): T {
	if (secrets.length === 0) return value;
	if (typeof value === 'string') {
		return secrets.reduce((text, secret) => text.split(secret).join('***'), value as string) as T;
	}
	if (Array.isArray(value)) return value.map((entry) => redactSecrets(entry, secrets)) as T;
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => [key, redactSecrets(entry, secrets)]),
		) as T;
	}
	return value;
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
export async function assertKeyFor(
	ctx: ModelsLabContext,
	endpoint: EndpointId,
	itemIndex?: number,
) {
	const credentials = await loadCredentials(ctx);
	const enterprise = ENDPOINTS[endpoint].key === 'enterprise';
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
	if (request.list && Array.isArray(body) && httpCode < 400)
		return { httpCode, body: {}, list: redactSecrets(body as unknown[], secrets) };
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
		throw markFailure(
			failure,
			unreadableAnswerFailure(httpCode, response.headers),
			id ? { requestId: id } : {},
		);
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
