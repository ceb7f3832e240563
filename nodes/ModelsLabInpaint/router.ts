import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { readCompletionSettings } from '../shared/completion';
import { inOrderWithConcurrency } from '../shared/pool';
import { inpaintItem } from './inpaint';

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
 * Items run concurrently, up to "Max Concurrent Jobs", and come out in input order. With "On
 * Error: Continue" a failed item becomes an error item; otherwise the first failure stops the
 * node once the jobs already running have finished.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const settings = readCompletionSettings(this, this.getNodeParameter('completion', 0) === 'wait');
	const results = await inOrderWithConcurrency(this.getInputData().length, settings.maxConcurrentJobs, async (itemIndex) => {
		try {
			return await inpaintItem(this, itemIndex, settings);
		} catch (caught) {
			const error =
				caught instanceof NodeApiError || caught instanceof NodeOperationError
					? caught
					: new NodeOperationError(this.getNode(), caught as Error, { itemIndex });
			if (!this.continueOnFail()) throw error;
			return { json: errorJson(error), pairedItem: { item: itemIndex } };
		}
	});
	return [results];
}
