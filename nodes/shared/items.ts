import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { CompletionSettings } from './completion';
import { readMaxConcurrentJobs } from './completion';
import { asNodeError, detailsOf } from './failures';
import type { JobSlot } from './jobSlots';
import { JobSlots } from './jobSlots';
import { inOrderWithConcurrency } from './pool';

/** What an item that failed carries when "On Error: Continue" is set. */
export function errorJson(error: NodeApiError | NodeOperationError): IDataObject {
	return {
		error: error.message,
		description: error.description ?? null,
		httpCode: (error as NodeApiError).httpCode ?? null,
		requestId: detailsOf(error).requestId ?? null,
	};
}

/**
 * A setting that holds for the whole run is wrong, so no item can run: with On Error: Continue
 * every item becomes an error item, otherwise the node fails. Nothing has been sent.
 */
export function failEveryItem(ctx: IExecuteFunctions, caught: unknown): INodeExecutionData[][] {
	const error = asNodeError(ctx, caught, 0);
	if (!ctx.continueOnFail()) throw error;
	return [ctx.getInputData().map((_, item) => ({ json: errorJson(error), pairedItem: { item } }))];
}

/** A job ModelsLab accepted in this run, and what became of it by the time the run stopped. */
interface AcceptedJob {
	requestId: string;
	status: string;
}

/**
 * When the run stops on an error, the jobs it had already sent are billed and their results would
 * be lost with it: the error names them, so they can be fetched.
 */
function withAcceptedJobs(error: NodeApiError | NodeOperationError, jobs: AcceptedJob[]) {
	if (jobs.length === 0) return error;
	const listed = jobs.map((job) => `${job.requestId} (${job.status})`).join(', ');
	const said = typeof error.description === 'string' ? error.description : '';
	error.description =
		`${said} Jobs ModelsLab accepted (and billed) in this run: ${listed}. Get their results with the ModelsLab Fetch node by request ID.`.trim();
	return error;
}

/**
 * Runs one job per input item, as many at a time as ModelsLab takes (up to "Max Concurrent Jobs",
 * see jobSlots.ts), output in input order. Each item's settings are read and checked for that
 * item, before anything is sent for it. With "On Error: Continue" a failed item becomes an error
 * item; otherwise the first failure stops the node once the jobs already running have finished.
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	readSettings: (ctx: IExecuteFunctions, itemIndex: number) => CompletionSettings,
	perItem: (
		ctx: IExecuteFunctions,
		itemIndex: number,
		settings: CompletionSettings,
		slot: JobSlot,
	) => Promise<INodeExecutionData>,
	/**
	 * `feelForQueue` off where no job is created (fetching): nothing to feel for, the items go Max
	 * Concurrent Jobs at a time. `account`: the ModelsLab account the jobs go to (see jobSlots.ts).
	 */
	{ feelForQueue = true, account }: { feelForQueue?: boolean; account?: string } = {},
): Promise<INodeExecutionData[][]> {
	const count = ctx.getInputData().length;
	let most: number;
	try {
		most = readMaxConcurrentJobs(ctx);
	} catch (caught) {
		return failEveryItem(ctx, caught);
	}
	const slots = new JobSlots(most, { feelForQueue, account });
	const accepted = new Map<number, AcceptedJob>();
	let stoppedBy: number | undefined;
	try {
		const results = await inOrderWithConcurrency(count, most, async (itemIndex) => {
			const slot = await slots.take();
			try {
				const item = await perItem(ctx, itemIndex, readSettings(ctx, itemIndex), slot);
				const { requestId, status } = item.json;
				if (slot.wasAccepted && typeof requestId === 'string')
					accepted.set(itemIndex, { requestId, status: String(status) });
				return item;
			} catch (caught) {
				const error = asNodeError(ctx, caught, itemIndex);
				if (!ctx.continueOnFail()) {
					// The error that stops the run names its own job; the others' are listed with it.
					const { requestId } = detailsOf(error);
					if (stoppedBy === undefined) stoppedBy = itemIndex;
					else if (slot.wasAccepted && requestId)
						accepted.set(itemIndex, { requestId, status: 'result not output' });
					throw error;
				}
				return { json: errorJson(error), pairedItem: { item: itemIndex } };
			} finally {
				// Not released yet: the item stopped while waiting, so its job may still be queued.
				slot.release(true);
			}
		});
		return [results];
	} catch (error) {
		const jobs = [...accepted.entries()].sort(([a], [b]) => a - b).map(([, job]) => job);
		throw withAcceptedJobs(asNodeError(ctx, error), jobs);
	}
}
