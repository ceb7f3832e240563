import type {
	IBinaryKeyData,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	IWebhookFunctions,
} from 'n8n-workflow';

import { z } from 'zod/v3';

import { downloadImages } from '../images/download';
import type { JobReference } from '../transport/jobs';
import { fetchJob } from '../transport/jobs';
import { waitForCompletion } from '../pacing/polling';
import type { InpaintResult } from '../transport/result';
import type { ExtraRules } from './parameters';
import { readCollection, readOption } from './parameters';
import type { JobSlot } from '../pacing/jobSlots';
import { AUTO_MOST_JOBS } from '../pacing/jobSlots';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../transport/transport';

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
/** Fixed ceilings offered in the editor; an expression may give any whole number up to Auto's. */
const MOST_JOBS_CHOICES = [1, 2, 3, 4, 5, 10, 15, 20, 30, 50];

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

/** Display options narrowed to the node used as an AI Agent's tool (`@tool`: n8n 1.x and 2.x) or not. */
const asTool = (
	displayOptions: INodeProperties['displayOptions'],
	tool: boolean,
): INodeProperties['displayOptions'] => ({
	...displayOptions,
	show: { ...displayOptions?.show, '@tool': [tool] },
});

/**
 * Download Images in the editor: on by default in a workflow, off by default when the node is an
 * AI Agent's tool, whose agent reads the links and never the files (the user may still turn it
 * on). The same parameter twice, shown one at a time, as n8n's own nodes do for tool defaults.
 */
export const downloadImagesProperties = (
	displayOptions?: INodeProperties['displayOptions'],
): INodeProperties[] => [
	downloadImagesProperty(asTool(displayOptions, false)),
	{
		...downloadImagesProperty(asTool(displayOptions, true)),
		default: false,
		description:
			"Whether to put the result images into the item's binary data as well. Off by default for a tool: the agent reads the image links in the output, not the files.",
	},
];

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
			type: 'options',
			options: [
				{
					name: 'Auto',
					value: 'auto',
					description: `As many as ModelsLab accepts, up to ${AUTO_MOST_JOBS}`,
				},
				...MOST_JOBS_CHOICES.map((most) => ({ name: String(most), value: most })),
			],
			default: 'auto',
			description:
				"How many jobs of this node run at the same time, per execution. Auto sends more while ModelsLab accepts them and fewer when your plan's queue is full (5, 10 or 15 jobs; a refused job is not billed and is sent again when a place frees), shared with the other executions of this n8n process. A number is the most at once: in queue mode, your plan's limit divided by the executions that run at the same time.",
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
const MOST_JOBS_RULE = `must be Auto or a whole number from 1 to ${AUTO_MOST_JOBS}`;

const PROCESSING_RULES: ExtraRules = {
	maxConcurrentJobs: z.unknown().transform((value, issues) => {
		if (value === 'auto') return AUTO_MOST_JOBS;
		const most = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
		if (Number.isInteger(most) && (most as number) >= 1 && (most as number) <= AUTO_MOST_JOBS)
			return most as number;
		issues.addIssue({ code: 'custom', message: MOST_JOBS_RULE });
		return z.NEVER;
	}),
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

/**
 * The most jobs out at once (Auto is its ceiling): one number for the whole run, so it is read
 * from the first item.
 */
export const readMaxConcurrentJobs = (ctx: IExecuteFunctions) =>
	readOption<number>(ctx, processingOptionsProperty(), 'maxConcurrentJobs', 0, PROCESSING_RULES);

/** A submitted or fetched job → the finished item: waited for and downloaded as the settings say. */
export async function completeJob(
	ctx: IExecuteFunctions,
	result: InpaintResult,
	job: JobReference,
	settings: CompletionSettings,
	itemIndex: number,
	/** Given back once the job has left ModelsLab's queue (or the run moves on), before downloads. */
	slot?: JobSlot,
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
	slot?.release(finished.status === 'processing');
	const item: INodeExecutionData = { json: finished, pairedItem: { item: itemIndex } };
	if (finished.status === 'success') {
		const images = await resultImages(
			ctx,
			finished.output,
			finished.requestId,
			settings,
			itemIndex,
		);
		if (images) item.binary = images;
	}
	return item;
}

/**
 * A finished job's images as binary data (data, data_1, ...), when Download Images is on and
 * there are any; undefined otherwise.
 */
export async function resultImages(
	ctx: IExecuteFunctions | IWebhookFunctions,
	urls: string[],
	requestId: string,
	settings: CompletionSettings,
	itemIndex: number,
): Promise<IBinaryKeyData | undefined> {
	if (!settings.download || urls.length === 0) return undefined;
	return await downloadImages(ctx, urls, settings.binaryFieldName, itemIndex, {
		timeoutMs: settings.requestTimeoutMs,
		maxWaitMs: settings.maxWaitMs,
		requestId,
	});
}
