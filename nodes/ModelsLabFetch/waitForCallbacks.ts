import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import type { CompletionSettings } from '../shared/run/completion';
import {
	downloadImagesProperty,
	readCompletionSettings,
	readMaxConcurrentJobs,
	resultImages,
} from '../shared/run/completion';
import type { EndpointId } from '../shared/transport/endpoints';
import { endpointIds } from '../shared/transport/endpoints';
import { asNodeError, failureOf, isPassing } from '../shared/transport/failures';
import { errorJson, failEveryItem } from '../shared/run/items';
import type { JobReference } from '../shared/transport/jobs';
import { fetchJob } from '../shared/transport/jobs';
import { checkParameter } from '../shared/run/parameters';
import { inOrderWithConcurrency } from '../shared/pacing/pool';
import type { InpaintResult } from '../shared/transport/result';
import { isNonce, NONCE_PARAMETER, nonceMatches, runsAsTool } from '../shared/callbacks/resumeUrl';
import { refuseValue } from '../shared/schema/validate';
import { claimResume, releaseResume } from './resumeGuard';

/**
 * ModelsLab Fetch › Wait for Callbacks. Its input items are the job references of a ModelsLab
 * Inpaint node set to Resume on Callback. `execute()` checks the jobs once and, unless all are
 * done, puts the execution to wait until Max Wait; every ModelsLab callback then reaches
 * `callbackArrived()`, which asks ModelsLab (never the callback's body) whether every job is done,
 * and resumes the execution with the results when they are. When Max Wait passes first, n8n
 * resumes the execution itself, bypassing this node: the job references flow on unchanged, to a
 * ModelsLab Fetch › Get Result that finishes them.
 */

/** One input item as a job the wait is for. */
export interface WaitingJob {
	index: number;
	job: JobReference;
	nonce: string;
	/** When the job should be done, by the eta ModelsLab gave at submit (ms since 1970). */
	dueAt: number;
	/** The item already carries its finished result (ModelsLab answered the submit with it). */
	finished?: InpaintResult;
}

const REQUEST_ID = /^[\w-]{1,64}$/;
const WHAT = 'a job reference from a ModelsLab Inpaint node with Completion › Resume on Callback';

/** An input item → the job it refers to, or what is wrong with it. */
export function waitingJobOf(json: IDataObject, index: number): WaitingJob | { problem: string } {
	const requestId = typeof json.requestId === 'number' ? String(json.requestId) : json.requestId;
	if (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))
		return { problem: `Input item ${index} is not ${WHAT}: it has no valid "requestId"` };
	const endpoint = json.endpoint as EndpointId;
	if (!endpointIds.includes(endpoint))
		return { problem: `Input item ${index} is not ${WHAT}: it has no valid "endpoint"` };
	if (!isNonce(json.callbackNonce))
		return { problem: `Input item ${index} is not ${WHAT}: it has no "callbackNonce"` };
	const fetchUrl = typeof json.fetchUrl === 'string' ? json.fetchUrl : null;
	const submittedAt = Date.parse(String(json.submittedAt ?? ''));
	const eta = typeof json.eta === 'number' && Number.isFinite(json.eta) ? json.eta : 0;
	const dueAt = (Number.isNaN(submittedAt) ? 0 : submittedAt) + Math.max(0, eta) * 1000;
	const finished =
		json.status === 'success' && Array.isArray(json.output) ? (json as InpaintResult) : undefined;
	return {
		index,
		job: { requestId, endpoint, fetchUrl },
		nonce: json.callbackNonce,
		dueAt,
		finished,
	};
}

const isProblem = (entry: WaitingJob | { problem: string }): entry is { problem: string } =>
	'problem' in entry;

/** The job expected to finish last comes first: while it runs, asking about the others is wasted. */
export const lastDueFirst = (jobs: WaitingJob[]) =>
	[...jobs].sort((a, b) => b.dueAt - a.dueAt || b.index - a.index);

/** What became of one job: its finished result, or the error ModelsLab answered for it. */
export type Outcome = { result: InpaintResult } | { error: Error };

export interface Check {
	allDone: boolean;
	/** Finished jobs by item index (all of them when allDone). */
	outcomes: Map<number, Outcome>;
	/** Requests made to ModelsLab. */
	fetches: number;
	/** A request that got no usable answer (network, 5xx, rate limit) ended the check. */
	unanswered?: unknown;
}

/**
 * Asks ModelsLab about the jobs, the one expected to finish last first, and stops at the first one
 * still running. A job ModelsLab reports failed (or does not know) is finished too. A request that
 * got no usable answer (network, 5xx, rate limit) ends the check undecided.
 */
export async function checkJobs(
	jobs: WaitingJob[],
	fetchOnce: (job: WaitingJob) => Promise<InpaintResult>,
): Promise<Check> {
	const outcomes = new Map<number, Outcome>();
	let fetches = 0;
	for (const waiting of lastDueFirst(jobs)) {
		if (waiting.finished) {
			outcomes.set(waiting.index, { result: waiting.finished });
			continue;
		}
		fetches++;
		let current: InpaintResult;
		try {
			current = await fetchOnce(waiting);
		} catch (error) {
			// Nothing can be decided now; the next callback, or Max Wait, will tell.
			if (isPassing(failureOf(error)) || !failureOf(error))
				return { allDone: false, outcomes, fetches, unanswered: error };
			outcomes.set(waiting.index, { error: error as Error });
			continue;
		}
		if (current.status !== 'success') return { allDone: false, outcomes, fetches };
		outcomes.set(waiting.index, { result: current });
	}
	return { allDone: true, outcomes, fetches };
}

interface WaitSettings extends CompletionSettings {
	concurrency: number;
}

type ParameterReader = Pick<IExecuteFunctions, 'getNode' | 'getNodeParameter'>;

/** Download Images and the Processing Options, read once for the whole wait (from item 0). */
function readWaitSettings(reader: ParameterReader): WaitSettings {
	const ctx = reader as IExecuteFunctions;
	const download = checkParameter<boolean>(
		ctx,
		downloadImagesProperty(),
		ctx.getNodeParameter('downloadImages', 0, true),
		0,
	);
	return {
		...readCompletionSettings(ctx, 0, { wait: false, download }),
		concurrency: readMaxConcurrentJobs(ctx),
	};
}

/** In webhook(), parameters are resolved against the first input item: the same reads as execute(). */
const webhookReader = (ctx: IWebhookFunctions): ParameterReader =>
	({
		getNode: () => ctx.getNode(),
		getNodeParameter: (name: string, _itemIndex: number, fallback?: unknown) =>
			ctx.getNodeParameter(name, fallback),
	}) as unknown as ParameterReader;

/** What the Inpaint node added for the wait is not part of the result. */
function carriedOver(json: IDataObject): IDataObject {
	const kept: IDataObject = {};
	for (const key of ['outputSize', 'notice']) if (key in json) kept[key] = json[key];
	return kept;
}

/** A finished job → the item Wait for Result outputs: its result, its images downloaded. */
async function finishedItem(
	ctx: IExecuteFunctions | IWebhookFunctions,
	input: INodeExecutionData,
	result: InpaintResult,
	settings: WaitSettings,
	index: number,
): Promise<INodeExecutionData> {
	const trackId = result.trackId ?? (input.json.trackId as string | null | undefined) ?? null;
	const item: INodeExecutionData = {
		json: { ...result, trackId, ...carriedOver(input.json) },
		pairedItem: { item: index },
	};
	const images = await resultImages(ctx, result.output, result.requestId, settings, index);
	if (input.binary || images) item.binary = { ...input.binary, ...images };
	return item;
}

/** The fetch of one waiting job. */
const fetcher =
	(ctx: IExecuteFunctions | IWebhookFunctions, settings: WaitSettings) =>
	async (waiting: WaitingJob) =>
		await fetchJob(ctx, waiting.job, waiting.index, settings.requestTimeoutMs);

/** execute(): check once; all done → the results now; otherwise wait for the callbacks. */
export async function startWaiting(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const node = ctx.getNode();
	const items = ctx.getInputData();
	let settings: WaitSettings;
	try {
		if (runsAsTool(node)) {
			refuseValue(
				node,
				'"Operation" Wait for Callbacks cannot be used when the node runs as an AI Agent tool',
				0,
				node.name,
				'an agent cannot wait for a callback; use Get Result',
			);
		}
		settings = readWaitSettings(ctx);
	} catch (caught) {
		// One wait for the whole run: when it cannot be set up, no item can wait.
		return failEveryItem(ctx, caught);
	}
	const parsed = items.map((item, index) => waitingJobOf(item.json, index));
	const jobs: WaitingJob[] = [];
	for (const [index, entry] of parsed.entries()) {
		if (!isProblem(entry)) jobs.push(entry);
		else if (!ctx.continueOnFail()) refuseValue(node, entry.problem, index, node.name);
	}

	// Jobs that finished before the execution was stored as waiting called back too early (n8n
	// answered 409): this check is what finds them.
	const check = await checkJobs(jobs, fetcher(ctx, settings));
	if (!check.allDone) {
		await ctx.putExecutionToWait(new Date(Date.now() + settings.maxWaitMs));
		// Not output: n8n replaces this with what webhook() returns, or passes the input on at Max Wait.
		return [items.map((item, index) => ({ ...item, pairedItem: { item: index } }))];
	}

	const outcomes = check.outcomes;
	const results = await inOrderWithConcurrency(
		items.length,
		settings.concurrency,
		async (index) => {
			try {
				const entry = parsed[index];
				if (isProblem(entry)) refuseValue(node, entry.problem, index, node.name);
				const outcome = outcomes.get(index)!;
				if ('error' in outcome) throw outcome.error;
				return await finishedItem(ctx, items[index], outcome.result, settings, index);
			} catch (caught) {
				const error = asNodeError(ctx, caught, index);
				if (!ctx.continueOnFail()) throw error;
				return { json: errorJson(error), pairedItem: { item: index } };
			}
		},
	);
	return [results];
}

/** A job ModelsLab reports failed: its reference with the failure, for a Get Result after to report. */
function failedItem(input: INodeExecutionData, error: Error, index: number): INodeExecutionData {
	const json = { ...input.json };
	delete json.callbackNonce;
	delete json.submittedAt;
	return {
		json: { ...json, status: 'failed', message: error.message, error: error.message },
		pairedItem: { item: index },
	};
}

/** What the waiting node answers a caller; the body never carries anything of the jobs. */
type Answer = (status: number, body: IDataObject) => void;

function answerOnce(ctx: IWebhookFunctions): Answer {
	let answered = false;
	return (status, body) => {
		if (answered) return;
		answered = true;
		const response = ctx.getResponseObject();
		response.status(status).json(body);
	};
}

const STAY: IWebhookResponseData = { noWebhookResponse: true };
/** Items downloaded at the same time while resuming (at most; Max Concurrent Jobs if lower). */
const WEBHOOK_DOWNLOADS_AT_ONCE = 5;
const UNCHECKED = {
	received: false,
	error: 'The jobs could not be checked at ModelsLab; this execution keeps waiting',
};

/**
 * webhook(): one ModelsLab callback (or anyone's call to the URL). It never throws: n8n would end
 * the waiting execution with that error. Anything that fails is answered and the execution keeps
 * waiting for the next callback, or for Max Wait.
 */
export async function callbackArrived(ctx: IWebhookFunctions): Promise<IWebhookResponseData> {
	const answer = answerOnce(ctx);
	let claimed: string | undefined;
	try {
		const items = ctx.evaluateExpression(
			'{{ $input.all() }}',
			0,
		) as unknown as INodeExecutionData[];
		const parsed = (Array.isArray(items) ? items : []).map((item, index) =>
			waitingJobOf(item?.json ?? {}, index),
		);
		const jobs = parsed.filter((entry): entry is WaitingJob => !isProblem(entry));
		const query = ctx.getQueryData() as IDataObject;
		if (!nonceMatches(query[NONCE_PARAMETER], new Set(jobs.map((job) => job.nonce)))) {
			// Not from a job of this run: ModelsLab is not asked anything.
			answer(403, { received: false, error: 'This callback does not belong to this execution' });
			return STAY;
		}
		const settings = readWaitSettings(webhookReader(ctx));
		const check = await checkJobs(jobs, fetcher(ctx, settings));
		if (check.unanswered !== undefined) {
			answer(503, UNCHECKED);
			return STAY;
		}
		if (!check.allDone) {
			answer(200, { received: true });
			return STAY;
		}
		// One execution may wait twice (two Inpaint → Wait for Callbacks pairs): the nonces tell them apart.
		const wait = `${ctx.getExecutionId()} ${[...new Set(jobs.map((job) => job.nonce))].sort().join(',')}`;
		if (!claimResume(wait)) {
			// Another callback is resuming this execution right now.
			answer(200, { received: true });
			return STAY;
		}
		claimed = wait;
		// ModelsLab wants an answer within 30 s; the downloads may take longer.
		answer(200, { received: true });
		// This runs in n8n's main (or webhook) process, not on a worker: a few downloads at a time.
		const output = await inOrderWithConcurrency(
			items.length,
			Math.min(settings.concurrency, WEBHOOK_DOWNLOADS_AT_ONCE),
			async (index) => {
				const entry = parsed[index];
				if (isProblem(entry))
					return { json: { error: entry.problem }, pairedItem: { item: index } };
				const outcome = check.outcomes.get(index)!;
				if ('error' in outcome) return failedItem(items[index], outcome.error, index);
				return await finishedItem(ctx, items[index], outcome.result, settings, index);
			},
		);
		return { noWebhookResponse: true, workflowData: [output] };
	} catch {
		if (claimed) releaseResume(claimed);
		answer(503, UNCHECKED);
		return STAY;
	}
}
