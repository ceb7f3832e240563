import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { readCompletionSettings } from '../shared/completion';
import { runPerItem } from '../shared/items';
import { actionNodeBase } from '../shared/nodeDescription';
import { properties } from './description';
import { inpaintItem } from './inpaint';
import { VARIANTS } from './variants';

const variantNames = Object.fromEntries(
	Object.values(VARIANTS).map((variant) => [variant.id, variant.displayName]),
);

export class ModelsLabInpaint implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Inpaint',
		name: 'modelsLabInpaint',
		icon: { light: 'file:modelslab.svg', dark: 'file:modelslab.dark.svg' },
		...actionNodeBase,
		subtitle: `={{ ${JSON.stringify(variantNames)}[$parameter["variant"]] }}`,
		description: 'Repaint the masked part of an image with ModelsLab AI inpainting',
		defaults: { name: 'ModelsLab Inpaint' },
		usableAsTool: true,
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const wait = this.getNodeParameter('completion', 0) === 'wait';
		const settings = readCompletionSettings(this, {
			wait,
			download: wait && (this.getNodeParameter('downloadImages', 0, true) as boolean),
		});
		return await runPerItem(this, settings, inpaintItem);
	}
}
