/**
 * Our node, the ModelsLab Inpaint node, run the way the tests run it: inside n8n-core's real
 * WorkflowExecute (Start → ModelsLab Inpaint), credentials applied as n8n applies them, over HTTP
 * to the simulator.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

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
	/** Names the execution in every prompt ("run b, item 7") when several share one simulator. */
	run?: string;
	/** Output Size; 'custom' (512×512, no link read) unless a scenario measures reading the links. */
	outputSize?: 'custom' | 'image';
	/** Further node parameters (e.g. a Mask Source), over the defaults. */
	parameters?: IDataObject;
}

/**
 * Community endpoint, one job per item; each item's prompt names it ("item 7") to trace its jobs.
 * The photo and mask are the simulator's own samples: the node reads a link's first bytes for the
 * picture's size, and a made-up host would time that on this machine's DNS instead of the node.
 */
export function ourParameters(options: OursOptions, simulatorUrl?: string): IDataObject {
	const sample = (name: string, fallback: string) =>
		simulatorUrl ? `${simulatorUrl}/samples/${name}-512x512.png` : fallback;
	return {
		endpoint: 'community',
		prompt:
			options.run === undefined
				? "={{ 'item ' + $itemIndex }}"
				: `={{ 'run ${options.run}, item ' + $itemIndex }}`,
		initImageUrl: options.imageUrl ?? sample('photo', IMAGE_URL),
		maskImageUrl: options.maskUrl ?? sample('mask', MASK_URL),
		completion: 'wait',
		downloadImages: options.downloadImages ?? false,
		// The benchmarks' image links are not read unless asked: a fixed size keeps runs comparable.
		outputSize: options.outputSize ?? 'custom',
		communityOptions: options.communityOptions ?? {},
		processingOptions: options.processingOptions ?? {},
		...options.parameters,
	};
}

/**
 * Runs the node over `options.items` items; "returned" is the moment the node's run ended. The
 * node's output items come back too, for scenarios that check what the items hold.
 */
export async function runOurs(
	target: BenchSimulator,
	options: OursOptions,
): Promise<BaselineRun & { output: INodeExecutionData[] }> {
	const startedAt = Date.now();
	const { output, error } = await runNode({
		credentials: target.credentials,
		parameters: ourParameters(options, target.baseUrl),
		items: Array.from({ length: options.items }, (_, index) => ({ json: { index } })),
	});
	const endedAt = Date.now();
	const items: BaselineItem[] = Array.from({ length: options.items }, (_, index) => {
		const json = output[index]?.json;
		return json
			? { index, jobId: Number(json.requestId), status: String(json.status), returnedAt: endedAt }
			: { index, status: 'error' };
	});
	return { items, error: error?.message, startedAt, endedAt, output };
}
