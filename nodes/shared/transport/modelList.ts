import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { EndpointId } from './endpoints';
import { ENDPOINTS } from './endpoints';
import type { ModelsLabContext } from './transport';
import { assertKeyFor, modelsLabRequest } from './transport';

/**
 * ModelsLab's lists of models, for picking a Model ID in the editor.
 *
 * - Community Models: `POST /api/v4/dreambooth/model_list` with `{key}` ("Get Public Models List",
 *   docs-v2 image-generation/model-operation). The answer is a bare JSON array of public models:
 *   `model_id`, `model_name`, `status` ("model_ready"), `created_at`, `instance_prompt`,
 *   `description`, `screenshots`. Clients of the API also read `model_category`, `is_nsfw`,
 *   `featured` and `api_calls` from it; the docs' example omits them.
 * - Enterprise: `POST /api/v1/enterprise/pony/get_all_models` with the enterprise key ("Get All
 *   Models": "models' IDs and the date/time they have been loaded on your server"). Its answer is
 *   not documented. Clients of the general enterprise server's `get_all_models` read a `models`
 *   array of `{model_id, ...}` beside `lora_models` and `embeddings_models`; a bare array, a `data`
 *   array and plain ID strings are read too.
 *
 * Neither list says which models can inpaint, nor pages: the whole list comes at once.
 */

export interface ListedModel {
	id: string;
	name: string;
	/** `model_category` as ModelsLab sends it, lower case ("stable_diffusion_xl", "lora"...). */
	category?: string;
	/** The model's page on modelslab.com (public models only). */
	url?: string;
}

interface ModelList {
	path: string;
	/** Public models have a page on modelslab.com; models on an enterprise server do not. */
	pageUrl?: (id: string) => string;
}

const MODEL_LISTS: Partial<Record<EndpointId, ModelList>> = {
	community: {
		path: '/api/v4/dreambooth/model_list',
		pageUrl: (id) => `https://modelslab.com/models/${encodeURIComponent(id)}`,
	},
	enterprise: { path: '/api/v1/enterprise/pony/get_all_models' },
};

/** The endpoints whose Model ID can be picked from a list. */
export const MODEL_LIST_ENDPOINTS = Object.keys(MODEL_LISTS) as EndpointId[];

/** The name of the node's `methods.listSearch` function for an endpoint's models. */
export const modelListMethod = (endpoint: EndpointId) =>
	`search${endpoint.charAt(0).toUpperCase()}${endpoint.slice(1)}Models`;

/** A list is a moment's work: the editor should not wait for minutes. */
const LIST_TIMEOUT_MS = 30_000;

const text = (value: unknown) =>
	typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';

function entriesOf(answer: { body: IDataObject; list?: unknown[] }): unknown[] | undefined {
	if (answer.list) return answer.list;
	// LoRA and embeddings models (lora_models, embeddings_models) are not models to inpaint with.
	for (const key of ['models', 'data']) {
		if (Array.isArray(answer.body[key])) return answer.body[key] as unknown[];
	}
	return undefined;
}

function modelOf(entry: unknown, list: ModelList): ListedModel | undefined {
	const fields = (
		typeof entry === 'object' && entry !== null ? entry : { model_id: entry }
	) as IDataObject;
	const id = text(fields.model_id ?? fields.id);
	if (!id) return undefined;
	const category = text(fields.model_category).toLowerCase();
	return {
		id,
		name: text(fields.model_name) || id,
		...(category ? { category } : {}),
		...(list.pageUrl ? { url: list.pageUrl(id) } : {}),
	};
}

/**
 * Every model of the endpoint's list, in ModelsLab's order, each ID once. Sent with the
 * credential's key for the endpoint; a failure is a NodeApiError in ModelsLab's words, the key
 * masked.
 */
export async function listModels(
	ctx: ModelsLabContext,
	endpoint: EndpointId,
): Promise<ListedModel[]> {
	const list = MODEL_LISTS[endpoint];
	if (!list) throw new Error(`${endpoint} has no model list`);
	await assertKeyFor(ctx, endpoint);
	const answer = await modelsLabRequest(ctx, {
		host: ENDPOINTS[endpoint].host,
		path: list.path,
		body: {},
		timeoutMs: LIST_TIMEOUT_MS,
		list: true,
	});
	const entries = entriesOf(answer);
	if (!entries) {
		throw new NodeApiError(ctx.getNode(), answer.body as JsonObject, {
			message: 'ModelsLab answered without a list of models',
			description: `The answer to ${list.path} holds no list of models. Enter the model By ID instead.`,
			httpCode: String(answer.httpCode),
		});
	}
	const seen = new Set<string>();
	const models: ListedModel[] = [];
	for (const entry of entries) {
		const model = modelOf(entry, list);
		if (!model || seen.has(model.id)) continue;
		seen.add(model.id);
		models.push(model);
	}
	return models;
}
