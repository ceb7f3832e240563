/**
 * Our node, the ModelsLab Inpaint node, run the way the tests run it: inside n8n-core's real
 * WorkflowExecute (Start → ModelsLab Inpaint), credentials applied as n8n applies them, over HTTP
 * to the simulator.
 */
import type { IDataObject } from 'n8n-workflow';

import { runNode } from '../../harness/engine';
import type { BaselineItem, BaselineRun } from '../baselines/types';
import type { BenchSimulator } from './sim';
import { IMAGE_URL, MASK_URL } from './sim';

export interface OursOptions {
	items: number;
	downloadImages?: boolean;
	communityOptions?: IDataObject;
	processingOptions?: IDataObject;
	imageUrl?: string;
	maskUrl?: string;
}

/** Community endpoint, one job per item; each item's prompt names it ("item 7") to trace its jobs. */
export function ourParameters(options: OursOptions): IDataObject {
	return {
		endpoint: 'community',
		prompt: "={{ 'item ' + $itemIndex }}",
		initImageUrl: options.imageUrl ?? IMAGE_URL,
		maskImageUrl: options.maskUrl ?? MASK_URL,
		completion: 'wait',
		downloadImages: options.downloadImages ?? false,
		// The benchmarks' image links are never fetched: a fixed size keeps every run comparable.
		outputSize: 'custom',
		communityOptions: options.communityOptions ?? {},
		processingOptions: options.processingOptions ?? {},
	};
}

/** Runs the node over `options.items` items; "returned" is the moment the node's run ended. */
export async function runOurs(target: BenchSimulator, options: OursOptions): Promise<BaselineRun> {
	const startedAt = Date.now();
	const { output, error } = await runNode({
		credentials: target.credentials,
		parameters: ourParameters(options),
		items: Array.from({ length: options.items }, (_, index) => ({ json: { index } })),
	});
	const endedAt = Date.now();
	const items: BaselineItem[] = Array.from({ length: options.items }, (_, index) => {
		const json = output[index]?.json;
		return json
			? { index, jobId: Number(json.requestId), status: String(json.status), returnedAt: endedAt }
			: { index, status: 'error' };
	});
	return { items, error: error?.message, startedAt, endedAt };
}
