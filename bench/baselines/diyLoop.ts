/**
 * Model of the do-it-yourself workflow a user builds without this package:
 *
 *   HTTP Request (POST inpaint) → Wait (N s) → HTTP Request (POST fetch/{{ $json.id }}) → IF status = "success"
 *                                   ↑_________________________ false ___________________________|
 *
 * modelled with n8n's semantics (n8n-nodes-base HTTP Request v4, Wait v1.1, IF v2; n8n-core 2.41):
 * - HTTP Request starts one request per input item without waiting for the previous one and waits
 *   for all of them. An HTTP status ≥ 400 (ModelsLab's 429 "queue full") fails that item, and with
 *   default settings a failed item fails the node, which stops the workflow. The requests of the
 *   other items were sent anyway: their jobs exist and are billed.
 * - Options → Batching: after every `batchSize` items the node sleeps `batchInterval` ms before
 *   starting the next batch (n8n's defaults when the option is added: 50 items, 1000 ms).
 * - Settings → Retry On Fail re-runs the whole node, every item again, up to Max Tries times in
 *   all, with Wait Between Tries in between (n8n-core WorkflowExecute.getRetryParams: tries
 *   clamped to 2–5, default 3; wait clamped to 0–5000 ms, default 1000 ms).
 * - Wait under 65 s sleeps in-process; all items wait together. The fetch node sends all waiting
 *   items at once, IF routes the finished ones out (we count that moment as "returned") and loops
 *   the rest back into the Wait. A job ending `failed` is taken out too (a careful user's Switch).
 * - n8n's own per-node overhead is not added: the model is as fast as the real workflow can be.
 */
import { sleep } from '../support/stats';
import { postJson } from './http';
import type { BaselineItem, BaselineRun } from './types';
import { fetchPathOf } from './types';

export interface DiyLoopOptions {
	/** The Wait node's interval. */
	waitMs: number;
	/** Settings → Retry On Fail on the submitting HTTP Request node. */
	retryOnFail?: { maxTries?: number; waitBetweenTriesMs?: number };
	/** Options → Batching on the submitting HTTP Request node. */
	batching?: { batchSize: number; batchIntervalMs: number };
}

type Answer = Record<string, unknown>;

/** One execution of an HTTP Request node over `count` items. */
async function httpRequestNode(
	count: number,
	send: (index: number) => Promise<Answer>,
	batching?: DiyLoopOptions['batching'],
): Promise<Answer[]> {
	const requests: Array<Promise<Answer>> = [];
	for (let index = 0; index < count; index++) {
		if (index > 0 && batching && batching.batchIntervalMs > 0 && index % batching.batchSize === 0) {
			await sleep(batching.batchIntervalMs);
		}
		requests.push(send(index));
	}
	const settled = await Promise.allSettled(requests);
	const failure = settled.find((outcome) => outcome.status === 'rejected');
	if (failure) throw (failure as PromiseRejectedResult).reason;
	return settled.map((outcome) => (outcome as PromiseFulfilledResult<Answer>).value);
}

/** n8n-core's retry loop around a node (WorkflowExecute.getRetryParams and the loop that uses it). */
async function withRetryOnFail<T>(
	retry: DiyLoopOptions['retryOnFail'],
	run: () => Promise<T>,
): Promise<T> {
	const maxTries = retry ? Math.min(5, Math.max(2, retry.maxTries ?? 3)) : 1;
	const waitMs = retry ? Math.min(5000, Math.max(0, retry.waitBetweenTriesMs ?? 1000)) : 0;
	let lastError: unknown;
	for (let tryIndex = 0; tryIndex < maxTries; tryIndex++) {
		if (tryIndex > 0 && waitMs > 0) await sleep(waitMs);
		try {
			return await run();
		} catch (error) {
			lastError = error;
		}
	}
	throw lastError;
}

export async function runDiyLoop(
	baseUrl: string,
	submitPath: string,
	bodies: Answer[],
	options: DiyLoopOptions,
): Promise<BaselineRun> {
	const startedAt = Date.now();
	const items: BaselineItem[] = bodies.map((_, index) => ({ index, status: 'error' }));
	try {
		const submitted = await withRetryOnFail(options.retryOnFail, () =>
			httpRequestNode(
				bodies.length,
				(index) => postJson(`${baseUrl}${submitPath}`, bodies[index]),
				options.batching,
			),
		);
		let waiting = submitted.map((answer, index) => ({
			index,
			id: answer.id,
			key: bodies[index].key,
		}));
		submitted.forEach((answer, index) => (items[index].jobId = Number(answer.id)));
		while (waiting.length > 0) {
			await sleep(options.waitMs);
			const answers = await httpRequestNode(waiting.length, (i) =>
				postJson(`${baseUrl}${fetchPathOf(waiting[i].id)}`, { key: waiting[i].key }),
			);
			const now = Date.now();
			const stillProcessing: typeof waiting = [];
			answers.forEach((answer, i) => {
				if (answer.status === 'processing') stillProcessing.push(waiting[i]);
				else
					Object.assign(items[waiting[i].index], {
						status: String(answer.status),
						returnedAt: now,
					});
			});
			waiting = stillProcessing;
		}
		return { items, startedAt, endedAt: Date.now() };
	} catch (error) {
		return { items, error: (error as Error).message, startedAt, endedAt: Date.now() };
	}
}
