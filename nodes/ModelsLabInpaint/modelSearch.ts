import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import type { z } from 'zod/v3';

import type { EndpointId } from '../shared/transport/endpoints';
import type { ListedModel } from '../shared/transport/modelList';
import { MODEL_LIST_ENDPOINTS, listModels, modelListMethod } from '../shared/transport/modelList';
import { INPAINT_ENDPOINTS } from './endpoints';

/**
 * Model ID › From List: the endpoint's models that can inpaint, filtered by what the user types
 * and handed to the editor a page at a time.
 */

/**
 * ModelsLab's lists name no capability, so the model's category decides. Checkpoints inpaint:
 * the Community Models inpaint doc points to public checkpoint models of SD 1.5, SDXL, Pony and
 * Flux. LoRA, embeddings and ControlNet models are add-ons, not models to inpaint with, and a
 * category ModelsLab adds later is left out until it is known. The docs' own example entries
 * carry no category: such a model is offered.
 */
export const INPAINT_CATEGORIES = ['stable_diffusion', 'stable_diffusion_xl', 'flux_checkpoint'];

/** The real public list has thousands of models; the editor asks for more as the user scrolls. */
export const MODEL_PAGE_SIZE = 100;

const canInpaint = (model: ListedModel) =>
	model.category === undefined || INPAINT_CATEGORIES.includes(model.category);

/** The ID rule of the endpoint's Model ID field: a model it refuses is not offered. */
function acceptedId(endpoint: EndpointId) {
	const schema = INPAINT_ENDPOINTS[endpoint].schema.shape.model_id as z.ZodTypeAny | undefined;
	return (id: string) => schema?.safeParse(id).success ?? true;
}

/** The offset a page starts at; anything unreadable starts from the top. */
function offsetOf(paginationToken: string | undefined) {
	const offset = Number(paginationToken);
	return Number.isSafeInteger(offset) && offset > 0 ? offset : 0;
}

/**
 * One page of the endpoint's inpainting models whose ID or name contains `filter` (any case).
 * The list is loaded with the credential's key for the endpoint; a failed load throws ModelsLab's
 * own words (NodeApiError, the key masked), which the editor shows.
 */
export async function searchModels(
	ctx: ILoadOptionsFunctions,
	endpoint: EndpointId,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const wanted = (filter ?? '').trim().toLowerCase();
	const accepted = acceptedId(endpoint);
	const matching = (await listModels(ctx, endpoint)).filter(
		(model) =>
			canInpaint(model) &&
			accepted(model.id) &&
			(model.id.toLowerCase().includes(wanted) || model.name.toLowerCase().includes(wanted)),
	);
	const start = offsetOf(paginationToken);
	const end = start + MODEL_PAGE_SIZE;
	return {
		results: matching.slice(start, end).map((model) => ({
			name: model.name,
			value: model.id,
			...(model.url ? { url: model.url } : {}),
		})),
		...(end < matching.length ? { paginationToken: String(end) } : {}),
	};
}

type ListSearch = (
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
) => Promise<INodeListSearchResult>;

/** The node's `methods.listSearch`: one function per endpoint with a model list. */
export const modelListSearch: Record<string, ListSearch> = Object.fromEntries(
	MODEL_LIST_ENDPOINTS.map((endpoint): [string, ListSearch] => [
		modelListMethod(endpoint),
		async function (this: ILoadOptionsFunctions, filter?: string, paginationToken?: string) {
			return await searchModels(this, endpoint, filter, paginationToken);
		},
	]),
);
