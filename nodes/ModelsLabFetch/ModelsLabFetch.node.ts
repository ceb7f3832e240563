import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { readCompletionSettings } from '../shared/completion';
import { runPerItem } from '../shared/items';
import { actionNodeBase } from '../shared/nodeDescription';
import { properties } from './description';
import { fetchItem } from './fetch';

export class ModelsLabFetch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Fetch',
		name: 'modelsLabFetch',
		icon: { light: 'file:modelslab.svg', dark: 'file:modelslab.dark.svg' },
		...actionNodeBase,
		subtitle: '={{ $parameter["lookup"] === "fetchUrl" ? "by fetch URL" : "by request ID" }}',
		description: 'Get the result of a queued ModelsLab job, waiting for it and downloading its images',
		defaults: { name: 'ModelsLab Fetch' },
		usableAsTool: true,
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
