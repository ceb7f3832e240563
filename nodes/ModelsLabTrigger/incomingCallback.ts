import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { jsonParse } from 'n8n-workflow';

import { failureOf } from '../shared/transport/failures';
import type { EndpointId } from '../shared/transport/endpoints';
import { endpointIds } from '../shared/transport/endpoints';
import { fetchJob } from '../shared/transport/jobs';
import type { InpaintResult } from '../shared/transport/result';
import { normalizeResult } from '../shared/transport/result';
import { checkParameter, propertyNamed } from '../shared/run/parameters';
import { properties } from './triggerDescription';
import { claimDelivery, recordDelivery, releaseDelivery } from './deliveries';
import { untrustedLinkProblem } from '../shared/transport/linkSafety';
import {
	ENDPOINT_PARAMETER,
	isValidSignature,
	SIGNATURE_PARAMETER,
} from '../shared/callbacks/callbackSignature';
import { callbackSigningKey } from '../shared/transport/transport';

/**
 * A callback is a few kilobytes, but ModelsLab echoes the request in `meta`, and that may hold the
 * two input images inline (5 MB each as base64). Anything larger is not a ModelsLab callback.
 */
export const MAX_CALLBACK_BYTES = 14 * 1024 * 1024;

const FAILED_STATUSES = new Set(['failed', 'error']);

/** ModelsLab gives up on a callback not answered within 30 s. */
const VERIFY_TIMEOUT_MS = 8_000;

function answer(ctx: IWebhookFunctions, code: number, body: IDataObject): IWebhookResponseData {
	const response = ctx.getResponseObject();
	response.writeHead(code, { 'Content-Type': 'application/json; charset=utf-8' });
	response.end(JSON.stringify(body));
	return { noWebhookResponse: true };
}

const ignored = (ctx: IWebhookFunctions, reason: string) =>
	answer(ctx, 200, { received: true, started: false, reason });

function bodySize(ctx: IWebhookFunctions): number {
	const request = ctx.getRequestObject() as { rawBody?: Buffer; headers: IDataObject };
	const declared = Number(request.headers['content-length']);
	return Math.max(Number.isFinite(declared) ? declared : 0, request.rawBody?.length ?? 0);
}

/** The callback body as an object with a status and a request id, or why it is not one. */
function readPayload(
	ctx: IWebhookFunctions,
): { payload: IDataObject; requestId: string } | { problem: string } {
	if (bodySize(ctx) > MAX_CALLBACK_BYTES) {
		return { problem: `The body is larger than ${MAX_CALLBACK_BYTES / 1024 / 1024} MB` };
	}
	let body: unknown = ctx.getBodyData();
	if (typeof body === 'string') body = jsonParse(body, { fallbackValue: null });
	if (
		typeof body !== 'object' ||
		body === null ||
		Array.isArray(body) ||
		Object.keys(body).length === 0
	) {
		return { problem: 'The body is not a JSON object' };
	}
	const payload = body as IDataObject;
	if (typeof payload.status !== 'string' || !payload.status.trim()) {
		return { problem: 'The body has no "status"' };
	}
	const id = payload.id;
	if ((typeof id !== 'string' && typeof id !== 'number') || String(id).trim() === '') {
		return { problem: 'The body has no request "id"' };
	}
	return { payload, requestId: String(id).trim() };
}

/** The trigger's parameters, each checked like the action nodes' fields. */
interface TriggerSettings {
	statusFilter: 'both' | 'success' | 'failed';
	trackId: string;
	verifyWithApi: boolean;
	endpoint: EndpointId;
}

function readTriggerSettings(ctx: IWebhookFunctions): TriggerSettings {
	const read = <T>(name: keyof TriggerSettings) => {
		const property = propertyNamed(properties, name);
		return checkParameter<T>(
			ctx,
			property,
			ctx.getNodeParameter(name, property.default as never),
			undefined,
		);
	};
	return {
		statusFilter: read('statusFilter'),
		trackId: read('trackId'),
		verifyWithApi: read('verifyWithApi'),
		endpoint: read('endpoint'),
	};
}

function filteredOut(
	settings: TriggerSettings,
	status: string,
	payload: IDataObject,
): string | undefined {
	const failed = FAILED_STATUSES.has(status);
	if (status !== 'success' && !failed) return `Status "${status}" is not a finished job`;
	if (settings.statusFilter === 'success' && failed)
		return 'Only finished jobs start this workflow';
	if (settings.statusFilter === 'failed' && !failed) return 'Only failed jobs start this workflow';
	const { trackId } = settings;
	if (trackId && String(payload.track_id ?? '').trim() !== trackId)
		return `Track ID is not ${trackId}`;
	return undefined;
}

/**
 * The job as ModelsLab itself reports it, so that a forged body cannot inject image links.
 * A job the API does not confirm in the state the call claims starts nothing.
 */
async function verified(
	ctx: IWebhookFunctions,
	claimed: InpaintResult,
): Promise<{ result: InpaintResult } | { code: number; problem: string }> {
	const claimedFailed = FAILED_STATUSES.has(claimed.status);
	try {
		const fetched = await fetchJob(
			ctx,
			{ requestId: claimed.requestId, endpoint: claimed.endpoint },
			0,
			VERIFY_TIMEOUT_MS,
		);
		if (fetched.status === claimed.status)
			return { result: { ...fetched, trackId: fetched.trackId ?? claimed.trackId } };
		return {
			code: 409,
			problem: `ModelsLab reports request ${claimed.requestId} as "${fetched.status}", not "${claimed.status}"`,
		};
	} catch (error) {
		const failure = failureOf(error);
		if (failure?.kind !== 'rejected' && failure?.kind !== 'not-found') {
			return {
				code: 502,
				problem: `Could not verify request ${claimed.requestId} with ModelsLab: ${(error as Error).message}`,
			};
		}
		// A failed job's fetch answers with status "failed" too, which confirms the failure; an id
		// ModelsLab does not know confirms nothing.
		if (claimedFailed && failure.kind === 'rejected')
			return { result: { ...claimed, message: failure.apiMessage ?? null } };
		return {
			code: 409,
			problem: `ModelsLab does not confirm request ${claimed.requestId}: ${(error as Error).message}`,
		};
	}
}

/** A ModelsLab callback → one workflow start, or a refusal that starts nothing. */
export async function handleCallback(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const query = ctx.getQueryData() as IDataObject;
	const named = query[ENDPOINT_PARAMETER];
	const endpointInUrl = typeof named === 'string' ? named : undefined;
	const key = await callbackSigningKey(ctx);
	if (!isValidSignature(query[SIGNATURE_PARAMETER], key, ctx.getNode().webhookId, endpointInUrl)) {
		return answer(ctx, 401, {
			received: false,
			error:
				"This URL needs its signature: paste the trigger's Production URL into the ModelsLab Inpaint node's Webhook URL option, which signs it",
		});
	}
	let settings: TriggerSettings;
	try {
		settings = readTriggerSettings(ctx);
	} catch (error) {
		// The workflow's own settings are wrong: nothing is started or verified until they are fixed,
		// and ModelsLab is told to try again later.
		return answer(ctx, 500, { received: false, error: (error as Error).message });
	}
	// The job's own endpoint, as the Inpaint node signed it into the URL; else the trigger's field.
	if (endpointInUrl !== undefined && (endpointIds as string[]).includes(endpointInUrl))
		settings.endpoint = endpointInUrl as EndpointId;
	const read = readPayload(ctx);
	if ('problem' in read) return answer(ctx, 400, { received: false, error: read.problem });
	const { payload, requestId } = read;
	const claimed = { ...normalizeResult(payload, settings.endpoint, () => ''), requestId };
	const skip = filteredOut(settings, claimed.status, payload);
	if (skip) return ignored(ctx, skip);
	if (!claimDelivery(ctx, requestId))
		return ignored(ctx, `Request ${requestId} has already started this workflow`);

	try {
		let result = claimed;
		if (settings.verifyWithApi) {
			const check = await verified(ctx, claimed);
			if ('problem' in check) {
				releaseDelivery(ctx, requestId);
				return answer(ctx, check.code, { received: false, error: check.problem });
			}
			result = check.result;
		} else {
			const problem = [...result.output, ...result.proxyLinks]
				.map(untrustedLinkProblem)
				.find(Boolean);
			if (problem) {
				releaseDelivery(ctx, requestId);
				return answer(ctx, 400, { received: false, error: `Refused an image link: ${problem}` });
			}
		}
		// Links only: binary data made in this webhook phase would not belong to the execution in
		// n8n 2.x database mode (never pruned, 404 in the editor); a ModelsLab Fetch node downloads.
		const item: INodeExecutionData = { json: result };
		recordDelivery(ctx, requestId);
		return { workflowData: [[item]] };
	} catch (error) {
		releaseDelivery(ctx, requestId);
		return answer(ctx, 502, { received: false, error: (error as Error).message });
	}
}
