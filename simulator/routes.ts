/**
 * The ModelsLab routes. One server plays both hosts: modelslab.com (/api/v6, /api/v4 model list,
 * /api/v1/enterprise, /api/wallet_balance) and the legacy stablediffusionapi.com (/api/v3). Every API call is a POST
 * with a JSON body carrying `key` (modelslab-api.md §1); generated and uploaded files are GETs.
 */
import {
	errorReply,
	fetchProcessingAnswer,
	invalidKeyReply,
	invalidRequestReply,
	jobFailedAnswer,
	requestNotFoundAnswer,
	successAnswer,
	validationErrorReply,
} from './answers';
import type { IncomingCall, SimulatorContext } from './context';
import { handleEditingSubmit } from './editing';
import { EDITING_ENDPOINTS, specFor } from './editingSpecs';
import { handleSubmit } from './submit';
import type { Reply } from './types';
import {
	contentTypeForName,
	decodeBase64Payload,
	MAX_UPLOAD_BYTES,
	sniffContentType,
} from './uploads';
import { asInteger, isAbsent } from './validation';
import { ENDPOINTS, type KeyKind, type EndpointSpec } from './endpoints';
import { samplePng } from './samples';
import { enterpriseModelsReply, publicModelListReply } from './models';

type Body = Record<string, unknown>;

interface ApiRoute {
	pattern: RegExp;
	keyKind: KeyKind;
	handle(ctx: SimulatorContext, body: Body, params: string[]): Reply | Promise<Reply>;
}

const API_ROUTES: readonly ApiRoute[] = [
	...Object.values(ENDPOINTS).map(
		(spec): ApiRoute => ({
			pattern: exact(spec.submitPath),
			keyKind: spec.keyKind,
			handle: (ctx, body) => handleSubmit(ctx, spec, body),
		}),
	),
	// mask_creator, removebg_mask, object_removal (modelslab-editing.md); async: they read the photo.
	...Object.values(EDITING_ENDPOINTS).map(
		(spec): ApiRoute => ({
			pattern: exact(spec.submitPath),
			keyKind: spec.keyKind,
			handle: (ctx, body) => handleEditingSubmit(ctx, spec, body),
		}),
	),
	fetchRoute(/^\/api\/v6\/image_editing\/fetch\/([^/]+)$/, ENDPOINTS.imageEditing),
	fetchRoute(/^\/api\/v6\/images\/fetch\/([^/]+)$/, ENDPOINTS.community),
	fetchRoute(/^\/api\/v6\/images\/fetch$/, ENDPOINTS.community),
	fetchRoute(/^\/api\/v3\/fetch\/([^/]+)$/, ENDPOINTS.legacy),
	fetchRoute(/^\/api\/v1\/enterprise\/pony\/fetch$/, ENDPOINTS.enterprise),
	{
		pattern: exact('/api/v6/base64_to_url'),
		keyKind: 'standard',
		handle: (ctx, body) => handleUpload(ctx, body, 'base64_string'),
	},
	{
		pattern: exact('/api/v6/image_editing/base64_to_url'),
		keyKind: 'standard',
		handle: (ctx, body) => handleUpload(ctx, body, 'init_image'),
	},
	// The model lists behind the Inpaint node's Model ID › From List (models.ts).
	{
		pattern: exact('/api/v4/dreambooth/model_list'),
		keyKind: 'standard',
		handle: (ctx) => publicModelListReply(ctx),
	},
	{
		pattern: exact('/api/v1/enterprise/pony/get_all_models'),
		keyKind: 'enterprise',
		handle: () => enterpriseModelsReply(),
	},
	{
		pattern: exact('/api/wallet_balance'),
		keyKind: 'standard',
		handle: (ctx) => ({
			status: 200,
			json: { status: 'success', data: { balance: ctx.settings.balance, currency: 'USD' } },
		}),
	},
];

/** decodeURIComponent that leaves malformed escapes alone instead of throwing. */
function safeDecode(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

function exact(path: string): RegExp {
	return new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** Path-style fetch takes the id from the URL; body-style reads `request_id` from the JSON body. */
function fetchRoute(pattern: RegExp, spec: EndpointSpec): ApiRoute {
	return {
		pattern,
		keyKind: spec.keyKind,
		handle: (ctx, body, params) => handleFetch(ctx, spec, body, params[0]),
	};
}

export function routeModelsLab(ctx: SimulatorContext, call: IncomingCall): Reply | Promise<Reply> {
	const path = call.path.length > 1 ? call.path.replace(/\/+$/, '') : call.path;
	for (const route of API_ROUTES) {
		const match = route.pattern.exec(path);
		if (!match) continue;
		if (call.method !== 'POST') {
			return errorReply(
				`The ${call.method} method is not supported for this route. Supported methods: POST.`,
				405,
			);
		}
		const body = jsonObjectBody(call);
		if (!body) return invalidRequestReply();
		if (ctx.keyKind(body.key) !== route.keyKind) return invalidKeyReply(ctx.settings);
		return route.handle(ctx, body, match.slice(1).map(safeDecode));
	}
	if (call.method === 'GET' || call.method === 'HEAD') {
		const range = call.headers.range;
		const photoHost = (reply: Reply) =>
			ctx.settings.photoHostDelayMs > 0
				? { ...reply, delayMs: ctx.settings.photoHostDelayMs }
				: reply;
		if (path.startsWith('/uploads/'))
			return photoHost(ranged(serveUpload(ctx, path.slice('/uploads/'.length)), range));
		if (path.startsWith('/generations/'))
			return ranged(serveGeneration(ctx, path.slice('/generations/'.length)), range);
		if (path.startsWith('/samples/'))
			return photoHost(ranged(serveSample(path.slice('/samples/'.length)), range));
	}
	return errorReply('Not Found', 404);
}

/**
 * The body must be a JSON object sent as JSON: the real API's tip for "Invalid API Request" is
 * precisely about the Content-Type header and valid JSON.
 */
function jsonObjectBody(call: IncomingCall): Body | undefined {
	const contentType = String(call.headers['content-type'] ?? '');
	if (!/json/i.test(contentType)) return undefined;
	const json = call.json;
	return typeof json === 'object' && json !== null && !Array.isArray(json)
		? (json as Body)
		: undefined;
}

function handleFetch(
	ctx: SimulatorContext,
	spec: EndpointSpec,
	body: Body,
	pathId: string | undefined,
): Reply {
	if (pathId === undefined && isAbsent(body.request_id)) {
		return validationErrorReply(spec.errorStyle, [
			{ field: 'request_id', message: 'The request_id field is required.' },
		]);
	}
	const id = asInteger(pathId ?? body.request_id);
	const now = Date.now();
	ctx.jobs.finishDueJobs(now);
	const job = id === undefined ? undefined : ctx.jobs.find(id);
	// Ids are per fetch route and per account: another endpoint's fetch URL does not find the job.
	// The image-editing fetch serves inpaint and the mask endpoints alike (modelslab-editing.md intro).
	const sameRoute = job && specFor(job.endpoint).fetchPath(job.id) === spec.fetchPath(job.id);
	if (!job || !sameRoute || job.apiKey !== body.key) {
		return { status: 200, json: requestNotFoundAnswer() };
	}
	if (job.status === 'processing')
		return { status: 200, json: fetchProcessingAnswer(job, spec, ctx.settings, now) };
	if (job.status === 'failed') return { status: 200, json: jobFailedAnswer() };
	return { status: 200, json: successAnswer(job, ctx.settings) };
}

/** base64_to_url (general and image-editing): store the bytes, hand back a link (D2 base64-to-url.mdx). */
function handleUpload(ctx: SimulatorContext, body: Body, field: string): Reply {
	const payload = body[field];
	if (isAbsent(payload)) return errorReply(`The ${field} field is required.`);
	if (typeof payload !== 'string') return errorReply(`The ${field} must be a string.`);
	const decoded = decodeBase64Payload(payload);
	if (!decoded.ok) {
		return errorReply(
			`The ${field} is not valid base64. Send data:image/png;base64,... or raw base64.`,
		);
	}
	if (decoded.bytes.length > MAX_UPLOAD_BYTES)
		return errorReply('Maximum file size allowed is 5MB');
	const name = ctx.files.put(decoded.bytes, decoded.mime ?? sniffContentType(decoded.bytes));
	return {
		status: 200,
		json: {
			status: 'success',
			id: ctx.nextUploadId(),
			output: [`${ctx.baseUrl()}/uploads/${name}`],
		},
	};
}

function notFoundFile(): Reply {
	return {
		status: 404,
		raw: 'Not Found',
		headers: { 'content-type': 'text/plain; charset=utf-8' },
	};
}

function serveUpload(ctx: SimulatorContext, name: string): Reply {
	const file = ctx.files.get(safeDecode(name));
	if (!file) return notFoundFile();
	return { status: 200, raw: file.bytes, headers: { 'content-type': file.contentType } };
}

/** Output files exist only once the job succeeded: future_links are not valid before (§4). */
function serveSample(name: string): Reply {
	const png = samplePng(name);
	return png ? { status: 200, raw: png, headers: { 'content-type': 'image/png' } } : notFoundFile();
}

function serveGeneration(ctx: SimulatorContext, name: string): Reply {
	const file = ctx.jobs.lookupFile(safeDecode(name));
	if (!file) return notFoundFile();
	ctx.jobs.finishDueJobs(Date.now());
	if (file.job.status !== 'success') return notFoundFile();
	const picture = ctx.jobs.renderFile(file.job, file.index, ctx.settings.outputImageBytes);
	// Pictures are served with their real type (a mask may be PNG, JPEG or WebP: settings.maskFormat).
	if (file.format !== 'base64')
		return { status: 200, raw: picture.bytes, headers: { 'content-type': picture.mime } };
	const prefix = ctx.settings.base64Prefix ? `data:${picture.mime};base64,` : '';
	return {
		status: 200,
		raw: prefix + picture.bytes.toString('base64'),
		headers: { 'content-type': contentTypeForName(name) },
	};
}

/**
 * A file answered as a web server answers `Range: bytes=a-b` (one range; RFC 9110 §14): 206 with the
 * bytes asked for and a Content-Range, 416 when the range starts past the end, the whole file
 * (200) for anything else (several ranges, another unit), as servers may.
 */
export function ranged(reply: Reply, range: string | string[] | undefined): Reply {
	if (reply.status !== 200 || typeof range !== 'string' || reply.raw === undefined) return reply;
	const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
	if (!match || (match[1] === '' && match[2] === '')) return reply;
	const bytes = Buffer.from(reply.raw);
	const size = bytes.length;
	let start: number;
	let end: number;
	if (match[1] === '') {
		// "bytes=-500": the last 500 bytes.
		start = Math.max(0, size - Number(match[2]));
		end = size - 1;
	} else {
		start = Number(match[1]);
		end = match[2] === '' ? size - 1 : Math.min(size - 1, Number(match[2]));
	}
	if (start >= size || end < start) {
		return {
			status: 416,
			raw: '',
			headers: { ...reply.headers, 'content-range': `bytes */${size}` },
		};
	}
	return {
		status: 206,
		raw: bytes.subarray(start, end + 1),
		headers: {
			...reply.headers,
			'accept-ranges': 'bytes',
			'content-range': `bytes ${start}-${end}/${size}`,
		},
	};
}
