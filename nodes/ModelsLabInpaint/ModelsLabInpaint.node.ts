import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { runPerItem } from '../shared/items';
import { actionNodeBase } from '../shared/nodeDescription';
import { properties } from './description';
import { inpaintItem, readInpaintSettings } from './inpaint';
import { VARIANTS } from './variants';

const variantNames = Object.fromEntries(
	Object.values(VARIANTS).map((variant) => [variant.id, variant.displayName]),
);

export class ModelsLabInpaint implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Inpaint',
		name: 'modelsLabInpaint',
		icon: { light: 'file:inpaint.svg', dark: 'file:inpaint.dark.svg' },
		...actionNodeBase,
		subtitle: `={{ ${JSON.stringify(variantNames)}[$parameter["variant"]] }}`,
		description: 'Repaint the masked part of an image with ModelsLab AI inpainting',
		defaults: { name: 'ModelsLab Inpaint' },
		usableAsTool: true,
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await runPerItem(this, readInpaintSettings, inpaintItem);
	}
}
