/**
 * Where each ModelsLab inpaint family lives. The four families differ in host, key and in how a
 * queued result is fetched: by id in the path (`.../fetch/{id}`, body `{key}`) or by `request_id`
 * in the body (`.../fetch`, body `{key, request_id}`).
 */
export type VariantId = 'imageEditing' | 'community' | 'legacy' | 'enterprise';

export type ApiHost = 'modelslab' | 'legacy';

export interface Endpoint {
	host: ApiHost;
	inpaintPath: string;
	fetch: { style: 'path'; pathPrefix: string } | { style: 'body'; path: string };
}

export const ENDPOINTS: Record<VariantId, Endpoint> = {
	imageEditing: {
		host: 'modelslab',
		inpaintPath: '/api/v6/image_editing/inpaint',
		fetch: { style: 'path', pathPrefix: '/api/v6/image_editing/fetch/' },
	},
	community: {
		host: 'modelslab',
		inpaintPath: '/api/v6/images/inpaint',
		fetch: { style: 'path', pathPrefix: '/api/v6/images/fetch/' },
	},
	legacy: {
		host: 'legacy',
		inpaintPath: '/api/v3/inpaint',
		fetch: { style: 'path', pathPrefix: '/api/v3/fetch/' },
	},
	enterprise: {
		host: 'modelslab',
		inpaintPath: '/api/v1/enterprise/pony/inpaint',
		fetch: { style: 'body', path: '/api/v1/enterprise/pony/fetch' },
	},
};

/** Turns a binary image into a temporary (24 h) URL; max 5 MB. */
export const UPLOAD_PATH = '/api/v6/base64_to_url';

export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

/** Enterprise endpoints authenticate with the enterprise key. */
export const isEnterprisePath = (path: string) => path.includes('/api/v1/enterprise/');

/** The request that fetches a queued job of this family: a path and the extra body fields. */
export function fetchRequestFor(variant: VariantId, requestId: string) {
	const { fetch, host } = ENDPOINTS[variant];
	return fetch.style === 'path'
		? { host, path: `${fetch.pathPrefix}${encodeURIComponent(requestId)}`, body: {} }
		: { host, path: fetch.path, body: { request_id: requestId } };
}

/** The family a fetch URL path belongs to, e.g. `/api/v3/fetch/123` → legacy. */
export function variantOfFetchPath(path: string): VariantId | undefined {
	return (Object.keys(ENDPOINTS) as VariantId[]).find((variant) => {
		const { fetch } = ENDPOINTS[variant];
		return fetch.style === 'path' ? path.startsWith(fetch.pathPrefix) : path.replace(/\/+$/, '') === fetch.path;
	});
}
