import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { properties } from './description';
import { router } from './router';
import { VARIANTS } from './variants';

const variantNames = Object.fromEntries(
	Object.values(VARIANTS).map((variant) => [variant.id, variant.displayName]),
);

export class ModelsLabInpaint implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Inpaint',
		name: 'modelsLabInpaint',
		icon: { light: 'file:modelslab.svg', dark: 'file:modelslab.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: `={{ ${JSON.stringify(variantNames)}[$parameter["variant"]] }}`,
		description: 'Repaint the masked part of an image with ModelsLab AI inpainting',
		defaults: { name: 'ModelsLab Inpaint' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'modelsLabApi', required: true }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
