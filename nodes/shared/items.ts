import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { CompletionSettings } from './completion';
import { inOrderWithConcurrency } from './pool';

/** What an item that failed carries when "On Error: Continue" is set. */
function errorJson(error: NodeApiError | NodeOperationError): IDataObject {
	return {
		error: error.message,
		description: error.description ?? null,
		httpCode: (error as NodeApiError).httpCode ?? null,
		requestId: (error.context?.requestId as string | undefined) ?? null,
	};
}

/**
 * Runs one job per input item, up to "Max Concurrent Jobs" at a time, output in input order.
 * With "On Error: Continue" a failed item becomes an error item; otherwise the first failure
 * stops the node once the jobs already running have finished.
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	settings: CompletionSettings,
	perItem: (ctx: IExecuteFunctions, itemIndex: number, settings: CompletionSettings) => Promise<INodeExecutionData>,
): Promise<INodeExecutionData[][]> {
	const count = ctx.getInputData().length;
	const results = await inOrderWithConcurrency(count, settings.maxConcurrentJobs, async (itemIndex) => {
		try {
			return await perItem(ctx, itemIndex, settings);
		} catch (caught) {
			const error =
				caught instanceof NodeApiError || caught instanceof NodeOperationError
					? caught
					: new NodeOperationError(ctx.getNode(), caught as Error, { itemIndex });
			if (!ctx.continueOnFail()) throw error;
			return { json: errorJson(error), pairedItem: { item: itemIndex } };
		}
	});
	return [results];
}
