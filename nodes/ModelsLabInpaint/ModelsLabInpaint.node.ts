import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { failEveryItem, runPerItem } from '../shared/run/items';
import { actionNodeBase } from '../shared/run/nodeDescription';
import { accountOf } from '../shared/transport/transport';
import { prepareCallback } from './resumeOnCallback';
import { properties } from './inpaintDescription';
import { inpaintItem, readAheadLinkSizes, readInpaintSettings } from './inpaint';
import { INPAINT_ENDPOINTS } from './endpoints';
import { modelListSearch } from './modelSearch';

const endpointNames = Object.fromEntries(
	Object.values(INPAINT_ENDPOINTS).map((endpoint) => [endpoint.id, endpoint.displayName]),
);

export class ModelsLabInpaint implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'ModelsLab Inpaint',
		name: 'modelsLabInpaint',
		icon: { light: 'file:inpaint.svg', dark: 'file:inpaint.dark.svg' },
		...actionNodeBase,
		// 1.1: Shapes are listed by kind (Rectangle, Ellipse) with one Shape Unit; 1 keeps its own.
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle: `={{ ${JSON.stringify(endpointNames)}[$parameter["endpoint"]] }}`,
		description:
			'Repaint or remove part of an image with ModelsLab AI: a mask file, shapes, or an area named in words',
		defaults: { name: 'ModelsLab Inpaint' },
		usableAsTool: {
			// What an AI Agent reads about the tool (its default Tool Description).
			replacements: {
				description:
					'Repaints or removes part of a picture with ModelsLab AI. Needs a prompt (what to paint), a public link to the picture, and what to change: a few words naming it on the picture (e.g. "the car", "the dog\'s head"), a link to a black-and-white mask (white = repaint) or a box. Waits until the job is done and returns the links to the result images in "output".',
			},
		},
		properties,
	};

	methods = { listSearch: modelListSearch };

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
