/**
 * Builders for every JSON answer the simulator gives. Shapes follow modelslab-api.md §3b, §4, §6 and
 * the OpenAPI schemas in the seed docs; wording of tips is our own.
 */
import type { FieldError } from './validation';
import type { SimulatorSettings } from './settings';
import type { Reply, SimulatedJob } from './types';
import type { EndpointSpec } from './endpoints';

type Json = Record<string, unknown>;

const REQUEST_TIP =
	'1. Send the header Content-Type: application/json. 2. Send a POST request whose body is valid JSON ' +
	'(no trailing commas). 3. Pass a valid API key as "key" in the body.';

export function invalidKeyReply(settings: SimulatorSettings): Reply {
	return {
		status: settings.invalidKeyStyle === 'http401' ? 401 : 200,
		json: { status: 'error', message: 'Invalid Api Key', tip: REQUEST_TIP },
	};
}

export function invalidRequestReply(): Reply {
	return {
		status: 200,
		json: { status: 'error', message: 'Invalid API Request', tip: REQUEST_TIP },
	};
}

export function errorReply(message: unknown, status = 200): Reply {
	return { status, json: { status: 'error', message } };
}

/** v6 routes answer the first problem as a sentence; v3/enterprise use Laravel's {field: [messages]}. */
export function validationErrorReply(
	style: EndpointSpec['errorStyle'],
	errors: FieldError[],
): Reply {
	if (style === 'sentence') return errorReply(errors[0].message);
	const byField: Record<string, string[]> = {};
	for (const { field, message } of errors) (byField[field] ??= []).push(message);
	return errorReply(byField);
}

/** D2 rate-limits.mdx: HTTP 429 with retry_after once the account's queue is full. */
export function queueFullReply(settings: SimulatorSettings): Reply {
	return {
		status: 429,
		json: {
			status: 'error',
			message: `Rate limit exceeded. Maximum ${settings.queueLimit} queued requests allowed.`,
			retry_after: settings.retryAfterSeconds,
		},
	};
}

/** Captured fetch of an unknown id (FIX): HTTP 200, status "failed", empty id and output. */
export function requestNotFoundAnswer(): Json {
	return {
		status: 'failed',
		id: '',
		message: 'Request not found',
		output: '',
		tip: 'Check the request id. Results can only be fetched with the key that made the request.',
	};
}

/** APIFOX error catalogue: a failed job reads "Failed, Try Again". */
export function jobFailedAnswer(): Json {
	return { status: 'failed', id: '', message: 'Failed, Try Again', output: '' };
}

function proxyLinks(urls: string[], settings: SimulatorSettings): unknown {
	if (!settings.proxyLinksAsObject) return [...urls];
	// D2 flux-text-to-image.mdx shows proxy_links as an object map {"0": url}.
	return Object.fromEntries(urls.map((url, i) => [String(i), url]));
}

/** Submit and fetch success (D2-OA-CM ImageGenerationSuccessResponse); track_id echoed when sent. */
export function successAnswer(job: SimulatedJob, settings: SimulatorSettings): Json {
	const answer: Json = {
		status: 'success',
		generationTime: job.generationTime,
		id: job.id,
		output: [...job.outputs],
		proxy_links: proxyLinks(job.outputs, settings),
		nsfw_content_detected: false,
		webhook_status: '',
		tip: '',
		meta: job.meta,
	};
	if (job.body.track_id !== undefined && job.body.track_id !== null)
		answer.track_id = job.body.track_id;
	return answer;
}

function etaSeconds(
	job: SimulatedJob,
	spec: EndpointSpec,
	settings: SimulatorSettings,
	now: number,
): number {
	const seconds = (Math.max(0, job.readyAt - now) * settings.etaFactor) / 1000;
	// D2-OA-IE types eta as integer; elsewhere it is float seconds such as 35.94.
	return spec.integerEta ? Math.ceil(seconds) : Math.round(seconds * 100) / 100;
}

/** `message`, or the legacy misspelling `messege` on v3 (SD-API captures, modelslab-api.md §3b). */
function messageField(spec: EndpointSpec, text: string): Json {
	return spec.legacyWording ? { messege: text } : { message: text };
}

/** Submit answered while the job is queued (D2-OA-CM ImageGenerationProcessingResponse, FIX). */
export function submitProcessingAnswer(
	job: SimulatedJob,
	spec: EndpointSpec,
	settings: SimulatorSettings,
	baseUrl: string,
	now: number,
): Json {
	return {
		status: 'processing',
		tip: 'Your request is queued and processed in the background. Fetch the result from fetch_result.',
		tip_1: 'POST {"key": "<your key>"} to fetch_result until status is "success".',
		eta: etaSeconds(job, spec, settings, now),
		...messageField(spec, 'Try to fetch request after seconds estimated'),
		webhook_status: '',
		fetch_result: `${baseUrl}${spec.fetchPath(job.id)}`,
		id: job.id,
		output: spec.legacyWording ? '' : [],
		meta: job.meta,
		future_links: [...job.outputs],
	};
}

/** Fetch while still queued (D2-OA-IE FetchProcessingResponse: output is an empty string). */
export function fetchProcessingAnswer(
	job: SimulatedJob,
	spec: EndpointSpec,
	settings: SimulatorSettings,
	now: number,
): Json {
	return {
		status: 'processing',
		id: job.id,
		...messageField(spec, 'Request processing'),
		eta: etaSeconds(job, spec, settings, now),
		tip: 'Your request is still being processed; try again after eta seconds.',
		output: '',
	};
}

/** Webhook body: the fetch answer for the finished job plus track_id as sent (D2 webhooks.mdx). */
export function callbackPayload(
	job: SimulatedJob,
	spec: EndpointSpec,
	settings: SimulatorSettings,
): Json {
	const trackId = job.body.track_id ?? null;
	if (job.status === 'success') return { ...successAnswer(job, settings), track_id: trackId };
	if (job.status === 'failed')
		return { status: 'failed', id: job.id, message: 'Failed, Try Again', track_id: trackId };
	return { ...fetchProcessingAnswer(job, spec, settings, Date.now()), track_id: trackId };
}
