/**
 * The catalogue of ModelsLab's inpainting endpoints (and Object Removal, which repaints a mask
 * without a prompt): what each is called in the editor and where it lives. They differ in host, key and in how a queued result is fetched: by id in the path
 * (`.../fetch/{id}`, body `{key}`) or by `request_id` in the body (`.../fetch`, body `{key,
 * request_id}`). Every node names endpoints from here; the Inpaint node's fields per endpoint are in
 * `ModelsLabInpaint/endpoints/`.
 */
export type EndpointId = 'imageEditing' | 'community' | 'legacy' | 'enterprise' | 'objectRemoval';

export type ApiHost = 'modelslab' | 'legacy';

export interface Endpoint {
	id: EndpointId;
	displayName: string;
	description: string;
	host: ApiHost;
	/**
	 * Which of the credential's keys its requests carry. The credential decides by the request's
	 * path on its own (it stands alone); a test holds its rule to this catalogue.
	 */
	key: 'standard' | 'enterprise';
	inpaintPath: string;
	fetch: { style: 'path'; pathPrefix: string } | { style: 'body'; path: string };
}

export const ENDPOINTS: Record<EndpointId, Endpoint> = {
	imageEditing: {
		id: 'imageEditing',
		displayName: 'v6 Image Editing',
		description: 'General-purpose inpainting, no model to choose (api/v6/image_editing/inpaint)',
		host: 'modelslab',
		key: 'standard',
		inpaintPath: '/api/v6/image_editing/inpaint',
		fetch: { style: 'path', pathPrefix: '/api/v6/image_editing/fetch/' },
	},
	community: {
		id: 'community',
		displayName: 'v6 Community Models (Pony and Others)',
		description:
			'Inpainting with a public or trained model of your choice, such as Pony Realism (api/v6/images/inpaint)',
		host: 'modelslab',
		key: 'standard',
		inpaintPath: '/api/v6/images/inpaint',
		fetch: { style: 'path', pathPrefix: '/api/v6/images/fetch/' },
	},
	legacy: {
		id: 'legacy',
		displayName: 'v3 Legacy Stable Diffusion',
		description: 'The older Stable Diffusion API (api/v3/inpaint), for existing v3 integrations',
		host: 'legacy',
		key: 'standard',
		inpaintPath: '/api/v3/inpaint',
		fetch: { style: 'path', pathPrefix: '/api/v3/fetch/' },
	},
	enterprise: {
		id: 'enterprise',
		displayName: 'v1 Enterprise (Pony)',
		description:
			'Inpainting on your dedicated enterprise server with Pony models (api/v1/enterprise/pony/inpaint)',
		host: 'modelslab',
		key: 'enterprise',
		inpaintPath: '/api/v1/enterprise/pony/inpaint',
		fetch: { style: 'body', path: '/api/v1/enterprise/pony/fetch' },
	},
	objectRemoval: {
		id: 'objectRemoval',
		displayName: 'v6 Object Removal',
		description:
			'Erase what the mask covers and fill it in from its surroundings, no prompt needed (api/v6/image_editing/object_removal)',
		host: 'modelslab',
		key: 'standard',
		inpaintPath: '/api/v6/image_editing/object_removal',
		// Its jobs are v6 Image Editing jobs: fetched at the same address (modelslab-editing.md).
		fetch: { style: 'path', pathPrefix: '/api/v6/image_editing/fetch/' },
	},
};

export const endpointIds = Object.keys(ENDPOINTS) as EndpointId[];

/** The endpoints as the choices of an editor field. */
export const endpointOptions = () =>
	endpointIds.map((id) => ({
		name: ENDPOINTS[id].displayName,
		value: id,
		description: ENDPOINTS[id].description,
	}));

/** Turns a binary image into a temporary (24 h) URL; max 5 MB. */
export const UPLOAD_PATH = '/api/v6/base64_to_url';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** The request that fetches a queued job of this endpoint: a path and the extra body fields. */
export function fetchRequestFor(endpoint: EndpointId, requestId: string) {
	const { fetch, host } = ENDPOINTS[endpoint];
	return fetch.style === 'path'
		? { host, path: `${fetch.pathPrefix}${encodeURIComponent(requestId)}`, body: {} }
		: { host, path: fetch.path, body: { request_id: requestId } };
}

/**
 * The one reading of a fetch address: which endpoint a fetch path belongs to and, for path-style
 * addresses, the job id it carries (`/api/v3/fetch/123` → legacy, 123). Undefined when the path is
 * not a ModelsLab fetch address.
 */
export function parseFetchPath(
	path: string,
): { endpoint: EndpointId; requestId?: string } | undefined {
	const bare = path.split('?')[0].replace(/\/+$/, '');
	for (const id of endpointIds) {
		const { fetch } = ENDPOINTS[id];
		if (fetch.style === 'body' && bare === fetch.path) return { endpoint: id };
		if (fetch.style === 'path' && bare.startsWith(fetch.pathPrefix)) {
			const rest = bare.slice(fetch.pathPrefix.length);
			if (rest && !rest.includes('/')) return { endpoint: id, requestId: decodeURIComponent(rest) };
		}
	}
	return undefined;
}
