import type { IDataObject } from 'n8n-workflow';

import type { EndpointId } from './endpoints';
import { withoutSignature } from '../callbacks/callbackSignature';
import { apiMessage } from './apiMessage';

/**
 * The one shape every node of this package outputs for a job, whatever quirk the API answered
 * with. Every key is always present so that expressions downstream never hit `undefined`.
 */
export interface InpaintResult extends IDataObject {
	status: string;
	requestId: string;
	endpoint: EndpointId;
	/** Image URLs (or `.base64` file URLs in base64 mode); empty until the job succeeds. */
	output: string[];
	proxyLinks: string[];
	/** Where the images will appear once a queued job finishes; not valid before that. */
	futureLinks: string[];
	/** Seconds until a queued job should be done. */
	eta: number | null;
	/** POST here with the key (and `request_id` for enterprise) to get a queued job's result. */
	fetchUrl: string | null;
	generationTime: number | null;
	message: string | null;
	trackId: string | null;
	nsfwContentDetected: boolean | null;
	webhookStatus: string | null;
	meta: IDataObject;
}

/** ModelsLab sends URL lists as arrays, as `{"0": url}` maps, or as `""` while processing. */
export function urlList(value: unknown): string[] {
	if (typeof value === 'string') return value.trim() ? [value.trim()] : [];
	const entries = Array.isArray(value)
		? value
		: value && typeof value === 'object'
			? Object.entries(value as IDataObject)
					.sort(([a], [b]) => Number(a) - Number(b) || a.localeCompare(b))
					.map(([, url]) => url)
			: [];
	return entries.filter((url): url is string => typeof url === 'string' && url.trim() !== '');
}

const numberOrNull = (value: unknown) => {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof number === 'number' && Number.isFinite(number) ? number : null;
};

const textOrNull = (value: unknown) =>
	value === undefined || value === null || value === '' ? null : String(value);

export function normalizeResult(
	body: IDataObject,
	endpoint: EndpointId,
	fetchUrlFor: (requestId: string) => string,
): InpaintResult {
	const status = String(body.status ?? 'unknown').toLowerCase();
	const requestId = body.id === undefined || body.id === null ? '' : String(body.id);
	const queued = status === 'processing';
	const fetchResult = typeof body.fetch_result === 'string' ? body.fetch_result : '';
	const nsfw = body.nsfw_content_detected;
	return {
		status,
		requestId,
		endpoint,
		output: urlList(body.output),
		proxyLinks: urlList(body.proxy_links),
		futureLinks: urlList(body.future_links),
		eta: queued ? numberOrNull(body.eta) : null,
		fetchUrl: queued && (fetchResult || requestId) ? fetchResult || fetchUrlFor(requestId) : null,
		generationTime: numberOrNull(body.generationTime),
		message: apiMessage(body) || null,
		trackId: textOrNull(body.track_id),
		nsfwContentDetected:
			typeof nsfw === 'boolean' ? nsfw : Array.isArray(nsfw) ? nsfw.length > 0 : null,
		webhookStatus: textOrNull(body.webhook_status),
		meta: echoedRequest(body.meta),
	};
}

/** The request as ModelsLab echoes it, without the signature of a ModelsLab Trigger URL. */
function echoedRequest(meta: unknown): IDataObject {
	if (!meta || typeof meta !== 'object' || Array.isArray(meta)) return {};
	const echo = meta as IDataObject;
	return typeof echo.webhook === 'string'
		? { ...echo, webhook: withoutSignature(echo.webhook) }
		: echo;
}
