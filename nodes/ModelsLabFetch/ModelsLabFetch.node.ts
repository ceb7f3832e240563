import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { runPerItem } from '../shared/items';
import { actionNodeBase } from '../shared/nodeDescription';
import { properties } from './description';
import { fetchItem, readFetchSettings } from './fetch';

export class ModelsLabFetch implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Fetch',
		name: 'modelsLabFetch',
		icon: { light: 'file:fetch.svg', dark: 'file:fetch.dark.svg' },
		...actionNodeBase,
		subtitle: '={{ $parameter["lookup"] === "fetchUrl" ? "by fetch URL" : "by request ID" }}',
		description:
			'Get the result of a queued ModelsLab job, waiting for it and downloading its images',
		defaults: { name: 'ModelsLab Fetch' },
		usableAsTool: {
			replacements: {
				description:
					'Gets the result of a ModelsLab inpainting job from its request ID: waits until the job is done and returns the links to its images in "output".',
			},
		},
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runPerItem(this, readFetchSettings, fetchItem);
	}
}
