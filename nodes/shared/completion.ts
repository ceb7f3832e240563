import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { z } from 'zod/v3';

import { downloadImages } from './download';
import type { JobReference } from './jobs';
import { fetchJob } from './jobs';
import { waitForCompletion } from './polling';
import type { InpaintResult } from './result';
import type { ExtraRules } from './parameters';
import { readCollection, readOption } from './parameters';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from './transport';

/**
 * What happens after a job is submitted (Inpaint) or looked up (Fetch): wait for it, download its
 * images. Both nodes show the same fields and run the same code for it.
 */
export interface CompletionSettings {
	wait: boolean;
	download: boolean;
	maxWaitMs: number;
	/** How long one request (submit, upload, fetch, or one image download) may take. */
	requestTimeoutMs: number;
	binaryFieldName: string;
}

export const DEFAULT_MAX_WAIT_SECONDS = 300;
/** The smallest ModelsLab plan queues 5 jobs at a time; more would be refused. */
export const DEFAULT_MAX_CONCURRENT_JOBS = 5;

export const downloadImagesProperty = (
	displayOptions?: INodeProperties['displayOptions'],
): INodeProperties => ({
	displayName: 'Download Images',
	name: 'downloadImages',
	type: 'boolean',
	default: true,
	description:
		"Whether to put the result images into the item's binary data (fields data, data_1, data_2...), ready for Google Drive, S3, Slack or email. Off: only the image links are output.",
	displayOptions,
});

export const processingOptionsProperty = (
	displayOptions?: INodeProperties['displayOptions'],
): INodeProperties => ({
	displayName: 'Processing Options',
	name: 'processingOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions,
	options: [
		{
			displayName: 'Binary Field Name',
			name: 'binaryFieldName',
			type: 'string',
			default: 'data',
			description:
				'Name of the binary field for the first image. Further images get _1, _2, ... appended (data, data_1, data_2).',
		},
		{
			displayName: 'Max Concurrent Jobs',
			name: 'maxConcurrentJobs',
			type: 'number',
			default: DEFAULT_MAX_CONCURRENT_JOBS,
			typeOptions: { minValue: 1, maxValue: 15, numberPrecision: 0 },
			description:
				'How many items are processed at the same time. ModelsLab queues at most 5 jobs per account on the smallest plan (10 and 15 on larger ones); a job over the limit is refused.',
		},
		{
			displayName: 'Max Wait (Seconds)',
			name: 'maxWaitSeconds',
			type: 'number',
			default: DEFAULT_MAX_WAIT_SECONDS,
			typeOptions: { minValue: 1, maxValue: 3600, numberPrecision: 0 },
			description:
				'How long to wait for a queued job before stopping with an error that gives its request ID, so the ModelsLab Fetch node can pick it up later',
		},
		{
			displayName: 'Request Timeout (Seconds)',
			name: 'requestTimeoutSeconds',
			type: 'number',
			default: DEFAULT_REQUEST_TIMEOUT_SECONDS,
			typeOptions: { minValue: 1, maxValue: 600, numberPrecision: 0 },
			description:
				'How long one request to ModelsLab, or the download of one image, may take before it counts as lost. A lost job submission is never sent again (ModelsLab may have created it); lost checks, uploads and downloads are tried again.',
		},
	],
});

const FIELD_NAME_RULE =
	'must be a field name of letters, digits, "_", "-" or "." (at most 64), such as data';

/** Output binary field names: n8n and the nodes after this one read them as plain keys. */
const PROCESSING_RULES: ExtraRules = {
	binaryFieldName: z
		.string({ invalid_type_error: FIELD_NAME_RULE })
		.trim()
		.regex(/^[\w.-]{1,64}$/, FIELD_NAME_RULE),
};

/** The Processing Options of one item, each checked: a bad value fails the item before any request. */
export function readCompletionSettings(
	ctx: IExecuteFunctions,
	itemIndex: number,
	{ wait, download }: { wait: boolean; download: boolean },
): CompletionSettings {
	const options = readCollection(ctx, processingOptionsProperty(), itemIndex, PROCESSING_RULES);
	return {
		wait,
		download,
		maxWaitMs: (options.maxWaitSeconds as number) * 1000,
		requestTimeoutMs: (options.requestTimeoutSeconds as number) * 1000,
		binaryFieldName: options.binaryFieldName as string,
	};
}

/** How many items run at once: one number for the whole run, so it is read from the first item. */
export const readMaxConcurrentJobs = (ctx: IExecuteFunctions) =>
	readOption<number>(ctx, processingOptionsProperty(), 'maxConcurrentJobs', 0);

/** A submitted or fetched job → the finished item: waited for and downloaded as the settings say. */
export async function completeJob(
	ctx: IExecuteFunctions,
	result: InpaintResult,
	job: JobReference,
	settings: CompletionSettings,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const finished =
		settings.wait && result.status === 'processing'
			? await waitForCompletion(
					ctx,
					result,
					async (timeoutMs) => await fetchJob(ctx, job, itemIndex, timeoutMs),
					{
						maxWaitMs: settings.maxWaitMs,
						requestTimeoutMs: settings.requestTimeoutMs,
						itemIndex,
					},
				)
			: result;
	const item: INodeExecutionData = { json: finished, pairedItem: { item: itemIndex } };
	if (settings.download && finished.status === 'success' && finished.output.length > 0) {
		item.binary = await downloadImages(ctx, finished.output, settings.binaryFieldName, itemIndex, {
			timeoutMs: settings.requestTimeoutMs,
			maxWaitMs: settings.maxWaitMs,
			requestId: finished.requestId,
		});
	}
	return item;
}
