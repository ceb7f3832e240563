import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { failEveryItem, runPerItem } from '../shared/items';
import { actionNodeBase } from '../shared/nodeDescription';
import { accountOf } from '../shared/transport';
import { prepareCallback } from './callback';
import { properties } from './description';
import { inpaintItem, readAheadLinkSizes, readInpaintSettings } from './inpaint';
import { INPAINT_ENDPOINTS } from './endpoints';

const endpointNames = Object.fromEntries(
	Object.values(INPAINT_ENDPOINTS).map((endpoint) => [endpoint.id, endpoint.displayName]),
);

export class ModelsLabInpaint implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Inpaint',
		name: 'modelsLabInpaint',
		icon: { light: 'file:inpaint.svg', dark: 'file:inpaint.dark.svg' },
		...actionNodeBase,
		subtitle: `={{ ${JSON.stringify(endpointNames)}[$parameter["endpoint"]] }}`,
		description: 'Repaint the masked part of an image with ModelsLab AI inpainting',
		defaults: { name: 'ModelsLab Inpaint' },
		usableAsTool: {
			// What an AI Agent reads about the tool (its default Tool Description).
			replacements: {
				description:
					'Repaints part of a picture with ModelsLab AI inpainting. Needs a prompt (what to paint), a public link to the picture, and either a link to a black-and-white mask (white = repaint) or a box to repaint. Waits until the job is done and returns the links to the result images in "output".',
			},
		},
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		let callback: Awaited<ReturnType<typeof prepareCallback>>;
		try {
			callback = await prepareCallback(this);
		} catch (caught) {
			return failEveryItem(this, caught);
		}
		const links = readAheadLinkSizes(this);
		// Without a readable credential every item fails on its own, naming the problem.
		const account = await accountOf(this).catch(() => undefined);
		try {
			return await runPerItem(
				this,
				readInpaintSettings,
				async (ctx, itemIndex, settings, slot) =>
					await inpaintItem(ctx, itemIndex, settings, slot, callback, links),
				{ account },
			);
		} finally {
			links.stop();
		}
	}
}
