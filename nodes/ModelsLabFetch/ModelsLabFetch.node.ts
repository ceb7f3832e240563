import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { readCompletionSettings } from '../shared/completion';
import { runPerItem } from '../shared/items';
import { properties } from './description';
import { fetchItem } from './fetch';

export class ModelsLabFetch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Fetch',
		name: 'modelsLabFetch',
		icon: { light: 'file:modelslab.svg', dark: 'file:modelslab.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["lookup"] === "fetchUrl" ? "by fetch URL" : "by request ID" }}',
		description: 'Get the result of a queued ModelsLab job, waiting for it and downloading its images',
		defaults: { name: 'ModelsLab Fetch' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'modelsLabApi', required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const settings = readCompletionSettings(this, {
			wait: this.getNodeParameter('waitForResult', 0, true) as boolean,
			download: this.getNodeParameter('downloadImages', 0, true) as boolean,
		});
		return await runPerItem(this, settings, fetchItem);
	}
}
