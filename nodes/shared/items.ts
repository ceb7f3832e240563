import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { CompletionSettings } from './completion';
import { readMaxConcurrentJobs } from './completion';
import { asNodeError, detailsOf } from './failures';
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
 * Runs one job per input item, up to "Max Concurrent Jobs" at a time, output in input order. Each
 * item's settings are read and checked for that item, before anything is sent for it. With
 * "On Error: Continue" a failed item becomes an error item; otherwise the first failure stops the
 * node once the jobs already running have finished.
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	readSettings: (ctx: IExecuteFunctions, itemIndex: number) => CompletionSettings,
	perItem: (
		ctx: IExecuteFunctions,
		itemIndex: number,
		settings: CompletionSettings,
	) => Promise<INodeExecutionData>,
): Promise<INodeExecutionData[][]> {
	const count = ctx.getInputData().length;
	let limit: number;
	try {
		limit = readMaxConcurrentJobs(ctx);
	} catch (caught) {
		// One setting for the whole run: when it is wrong, no item can run.
		const error = asNodeError(ctx, caught, 0);
		if (!ctx.continueOnFail()) throw error;
		return [
			Array.from({ length: count }, (_, itemIndex) => ({
				json: errorJson(error),
				pairedItem: { item: itemIndex },
			})),
		];
	}
	const results = await inOrderWithConcurrency(count, limit, async (itemIndex) => {
		try {
			return await perItem(ctx, itemIndex, readSettings(ctx, itemIndex));
		} catch (caught) {
			const error = asNodeError(ctx, caught, itemIndex);
			if (!ctx.continueOnFail()) throw error;
			return { json: errorJson(error), pairedItem: { item: itemIndex } };
		}
	});
	return [results];
}
