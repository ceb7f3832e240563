import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { z } from 'zod/v3';

import type { CompletionSettings } from '../shared/run/completion';
import { completeJob, readCompletionSettings, resultImages } from '../shared/run/completion';
import type { EndpointId } from '../shared/transport/endpoints';
import { endpointIds, parseFetchPath } from '../shared/transport/endpoints';
import type { JobReference } from '../shared/transport/jobs';
import { fetchJob } from '../shared/transport/jobs';
import type { ExtraRules } from '../shared/run/parameters';
import { checkParameter, propertyNamed, readParameter } from '../shared/run/parameters';
import { withRetries } from '../shared/pacing/retry';
import { baseUrls, onConfiguredHost } from '../shared/transport/transport';
import { refuseBeforeSending } from '../shared/schema/validate';
import { properties } from './fetchDescription';

const parameter = (name: string) => propertyNamed(properties, name);

function fail(
	ctx: IExecuteFunctions,
	message: string,
	itemIndex: number,
	description?: string,
): never {
	return refuseBeforeSending(ctx.getNode(), message, itemIndex, description);
}

/** Ids are numbers (sometimes other plain tokens); anything else is an expression gone wrong. */
const REQUEST_ID_RULES: ExtraRules = {
	requestId: z.preprocess(
		(value) => (typeof value === 'number' ? String(value) : value),
		z
			.string({ invalid_type_error: 'must be a ModelsLab request ID such as 90000001' })
			.trim()
			.regex(/^[\w-]{1,64}$/, 'must be a ModelsLab request ID such as 90000001'),
	),
};

/** The job of a fetch URL: on a credential host, at a ModelsLab fetch address, with its id. */
async function jobAtFetchUrl(ctx: IExecuteFunctions, itemIndex: number): Promise<JobReference> {
	const fetchUrl = readParameter<string>(ctx, parameter('fetchUrl'), itemIndex);
	const onHost = onConfiguredHost(fetchUrl, await baseUrls(ctx));
	if (!onHost) {
		fail(
			ctx,
			`"Fetch URL" ${fetchUrl} is not on a ModelsLab host of the credential`,
			itemIndex,
			'Your API key is only sent to the Base URL and Legacy v3 Base URL of the ModelsLab credential.',
		);
	}
	const address = parseFetchPath(onHost.path);
	if (!address) fail(ctx, `"Fetch URL" ${fetchUrl} is not a ModelsLab fetch address`, itemIndex);
	const fromItem = ctx.getInputData()[itemIndex].json.requestId;
	if (
		address.requestId === undefined &&
		(fromItem === undefined || fromItem === null || fromItem === '')
	) {
		fail(
			ctx,
			'This fetch URL needs the job\'s request ID in the input item ("requestId")',
			itemIndex,
		);
	}
	const requestId = checkParameter<string>(
		ctx,
		parameter('requestId'),
		address.requestId ?? fromItem,
		itemIndex,
		{
			label: address.requestId === undefined ? 'requestId (of the input item)' : 'Fetch URL',
			extra: REQUEST_ID_RULES,
		},
	);
	return { requestId, endpoint: address.endpoint, fetchUrl };
}

/** The job an item asks for, checked before anything is sent. */
async function jobOf(ctx: IExecuteFunctions, itemIndex: number): Promise<JobReference> {
	if (readParameter(ctx, parameter('lookup'), itemIndex) === 'fetchUrl')
		return await jobAtFetchUrl(ctx, itemIndex);
	const requestId = readParameter<string>(ctx, parameter('requestId'), itemIndex, REQUEST_ID_RULES);
	const chosen = readParameter<EndpointId | 'fromInput'>(ctx, parameter('endpoint'), itemIndex);
	const endpoint = chosen === 'fromInput' ? ctx.getInputData()[itemIndex].json.endpoint : chosen;
	if (typeof endpoint !== 'string' || !(endpointIds as string[]).includes(endpoint)) {
		fail(
			ctx,
			`"Endpoint": the input item says "${String(endpoint ?? '')}", which is not a ModelsLab endpoint`,
			itemIndex,
			`Choose the endpoint, or pass items from a ModelsLab Inpaint node (their "endpoint" is one of: ${endpointIds.join(', ')}).`,
		);
	}
	return { requestId, endpoint: endpoint as EndpointId };
}

/** Wait for Result, Download Images and the Processing Options of one item, each checked. */
export function readFetchSettings(ctx: IExecuteFunctions, itemIndex: number): CompletionSettings {
	return readCompletionSettings(ctx, itemIndex, {
		wait: readParameter<boolean>(ctx, parameter('waitForResult'), itemIndex),
		download: readParameter<boolean>(ctx, parameter('downloadImages'), itemIndex),
	});
}

/**
 * An input item that already is the finished result of the job asked for (Wait for Callbacks
 * output it): passed on as it is, with its images, and nothing is sent. This is what lets Get
 * Result sit behind Wait for Callbacks as the fallback for jobs still running at Max Wait.
 */
async function alreadyFinished(
	ctx: IExecuteFunctions,
	itemIndex: number,
	job: JobReference,
	settings: CompletionSettings,
): Promise<INodeExecutionData | undefined> {
	if (readParameter(ctx, parameter('lookup'), itemIndex) !== 'requestId') return undefined;
	const input = ctx.getInputData()[itemIndex];
	const { json } = input;
	if (json.status !== 'success' || !Array.isArray(json.output)) return undefined;
	if (String(json.requestId) !== job.requestId || json.endpoint !== job.endpoint) return undefined;
	const item: INodeExecutionData = { json, pairedItem: { item: itemIndex } };
	if (input.binary) item.binary = input.binary;
	const urls = (json.output as unknown[]).filter((url): url is string => typeof url === 'string');
	if (!input.binary?.[settings.binaryFieldName]) {
		const images = await resultImages(ctx, urls, job.requestId, settings, itemIndex);
		if (images) item.binary = { ...item.binary, ...images };
	}
	return item;
}

export async function fetchItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	settings: CompletionSettings,
): Promise<INodeExecutionData> {
	const job = await jobOf(ctx, itemIndex);
	const finished = await alreadyFinished(ctx, itemIndex, job, settings);
	if (finished) return finished;
	// A fetch is free and changes nothing: a lost or refused one is simply made again.
	const current = await withRetries(
		ctx,
		`ModelsLab job ${job.requestId}`,
		async () => await fetchJob(ctx, job, itemIndex, settings.requestTimeoutMs),
		{ itemIndex, maxWaitMs: settings.maxWaitMs },
	);
	return await completeJob(
		ctx,
		current,
		{ ...job, fetchUrl: job.fetchUrl ?? current.fetchUrl },
		settings,
		itemIndex,
	);
}
