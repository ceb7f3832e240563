import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { ApiHost, EndpointId } from './endpoints';
import { fetchRequestFor, parseFetchPath } from './endpoints';
import { asNodeError, markFailure } from './failures';
import type { InpaintResult } from './result';
import { normalizeResult } from './result';
import { baseUrls, modelsLabRequest, onConfiguredHost } from './transport';

/** What identifies a queued job: its id and endpoint, and the fetch URL ModelsLab gave, if any. */
export interface JobReference {
	requestId: string;
	endpoint: EndpointId;
	fetchUrl?: string | null;
}

/** Builds the fetch URL of a job from its id, for answers that did not include one. */
export const fetchUrlBuilder =
	(roots: Record<ApiHost, string>, endpoint: EndpointId) => (requestId: string) => {
		const fetch = fetchRequestFor(endpoint, requestId);
		return `${roots[fetch.host]}${fetch.path}`;
	};

/**
 * One fetch of a job's current state. `fetch_result` is used when it points at one of the
 * credential's hosts (the key is never sent anywhere else); otherwise the endpoint's fetch address
 * is built from the id. Path-style URLs carry the id; body-style ones get `request_id`.
 */
export async function fetchJob(
	ctx: IExecuteFunctions | IWebhookFunctions,
	job: JobReference,
	itemIndex: number,
	timeoutMs?: number,
): Promise<InpaintResult> {
	const roots = await baseUrls(ctx);
	const given = job.fetchUrl ? onConfiguredHost(job.fetchUrl, roots) : undefined;
	// An address that does not carry the id gets it in the body (harmless where it is not needed).
	const carriesId = given && parseFetchPath(given.path)?.requestId !== undefined;
	const request = {
		...(given
			? { ...given, body: carriesId ? {} : { request_id: job.requestId } }
			: fetchRequestFor(job.endpoint, job.requestId)),
		timeoutMs,
	};
	try {
		const answer = await modelsLabRequest(ctx, request, itemIndex);
		const result = normalizeResult(answer.body, job.endpoint, fetchUrlBuilder(roots, job.endpoint));
		return { ...result, requestId: result.requestId || job.requestId };
	} catch (error) {
		if (error instanceof NodeApiError) {
			error.description = `${error.description ?? ''} Request id ${job.requestId}.`.trim();
			markFailure(error, undefined, { requestId: job.requestId });
		}
		throw asNodeError(ctx, error, itemIndex);
	}
}
