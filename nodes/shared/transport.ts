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
	/** Generations can take a while before the API answers (it may wait for a fast job). */
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

const DEFAULT_TIMEOUT_MS = 120_000;

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
		timeout: request.timeoutMs ?? DEFAULT_TIMEOUT_MS,
	};

	let response: IN8nHttpFullResponse;
	try {
		response = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			CREDENTIAL_TYPE,
			options,
		)) as IN8nHttpFullResponse;
	} catch (error) {
		const reason = redactSecrets(String((error as Error).message ?? error), secrets);
		throw new NodeApiError(
			ctx.getNode(),
			{ message: reason } as JsonObject,
			{
				message: `Could not reach ModelsLab at ${new URL(url).host}: ${reason}`,
				description: `Request to ${request.path} failed before an answer arrived.`,
				itemIndex,
			},
		);
	}

	const httpCode = response.statusCode;
	const body = response.body;
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		const text = redactSecrets(String(body ?? ''), secrets).slice(0, 300);
		throw new NodeApiError(ctx.getNode(), { body: text } as JsonObject, {
			message: `ModelsLab answered ${request.path} with HTTP ${httpCode} and a body that is not JSON`,
			description: text || '(empty body)',
			httpCode: String(httpCode),
			itemIndex,
		});
	}

	const answer = redactSecrets(body as IDataObject, secrets);
	const status = String(answer.status ?? '').toLowerCase();
	const usable = status === 'success' || status === 'processing';
	if (status === 'error' || status === 'failed' || (httpCode >= 400 && !usable)) {
		const message = apiMessage(answer) || `HTTP ${httpCode}`;
		throw new NodeApiError(ctx.getNode(), answer as JsonObject, {
			message: `ModelsLab: ${message}`,
			description: describeFailure(answer, request.path, httpCode),
			httpCode: String(httpCode),
			itemIndex,
		});
	}
	return { httpCode, body: answer };
}

function describeFailure(answer: IDataObject, path: string, httpCode: number) {
	const tip = [answer.tip, answer.tips].find((value) => typeof value === 'string' && value);
	const id = answer.id !== undefined && answer.id !== '' ? `, request id ${answer.id}` : '';
	return `${path} answered HTTP ${httpCode} with status "${answer.status ?? 'none'}"${id}.${tip ? ` ${tip}` : ''}`;
}
