import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { CompletionSettings } from './completion';
import { readMaxConcurrentJobs } from './completion';
import { asNodeError, detailsOf } from '../transport/failures';
import type { JobSlot } from '../pacing/jobSlots';
import { JobSlots } from '../pacing/jobSlots';
import { inOrderWithConcurrency } from '../pacing/pool';

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
		noticesAsHints(ctx, results);
		return [results];
	} catch (error) {
		const jobs = [...accepted.entries()].sort(([a], [b]) => a - b).map(([, job]) => job);
		throw withAcceptedJobs(asNodeError(ctx, error), jobs);
	}
}

/** Distinct notices shown as hints; more would push the output down (the items keep them all). */
export const MOST_NOTICE_HINTS = 3;

const itemsLabel = (indexes: number[], count: number) =>
	indexes.length === count && count > 1
		? `All ${count} items`
		: indexes.length === 1
			? `Item ${indexes[0]}`
			: `Items ${indexes.join(', ')}`;

/**
 * Each distinct `notice` of the output items (the photo's size could not be read, a result scaled
 * down, an option that did not apply...) also as a warning above the output panel, naming the
 * items, so that it is seen without opening the JSON.
 */
export function noticesAsHints(ctx: IExecuteFunctions, items: INodeExecutionData[]): void {
	const itemsOf = new Map<string, number[]>();
	items.forEach((item, index) => {
		const notice = item.json.notice;
		if (typeof notice !== 'string' || notice === '') return;
		itemsOf.set(notice, [...(itemsOf.get(notice) ?? []), index]);
	});
	const notices = [...itemsOf.entries()];
	const hints = notices.slice(0, MOST_NOTICE_HINTS).map(([notice, indexes]) => ({
		message: `${itemsLabel(indexes, items.length)}: ${notice}`,
		type: 'warning' as const,
		location: 'outputPane' as const,
	}));
	const more = notices.length - hints.length;
	if (more > 0)
		hints.push({
			message: `${more} more notice${more === 1 ? '' : 's'}: see each item's "notice" field.`,
			type: 'warning',
			location: 'outputPane',
		});
	if (hints.length > 0) ctx.addExecutionHints(...hints);
}
