/** The four inpaint submit routes: validate like the real API, then create a job and answer. */
import { randomInt, randomUUID } from 'crypto';
import {
	jobFailedAnswer,
	queueFullReply,
	submitProcessingAnswer,
	successAnswer,
	validationErrorReply,
} from './answers';
import type { SimulatorContext } from './context';
import type { Raster } from './png-codec';
import { decodePicture } from './pictureFiles';
import type { Reply, SimulatedJob } from './types';
import { asInteger, isTrueFlag, validateFields } from './validation';
import type { EndpointSpec } from './endpoints';
import { ownPictureBytes } from './photoLoader';

const DEFAULT_SIZE = 512;
const MAX_SIZE = 1024;

export function handleSubmit(
	ctx: SimulatorContext,
	spec: EndpointSpec,
	body: Record<string, unknown>,
): Reply {
	const errors = validateFields(body, spec.fields, {
		allowDataUriImages: spec.acceptsDataUriImages(body),
	});
	if (errors.length > 0) return validationErrorReply(spec.errorStyle, errors);

	const apiKey = String(body.key);
	const { queueLimit } = ctx.settings;
	if (queueLimit !== null && ctx.jobs.unfinishedCount(apiKey) >= queueLimit)
		return queueFullReply(ctx.settings);

	const init = readOwnImage(ctx, body.init_image);
	const mask = readOwnImage(ctx, body.mask_image);
	const job = createJob(ctx, spec, body, apiKey, init);
	ctx.jobs.add(job, {
		init,
		mask,
		prompt: typeof body.prompt === 'string' ? body.prompt : '',
		outsideDrift: ctx.settings.outsideDrift,
	});

	// instant_response (v6 image editing) asks for the queue answer even when the result is ready.
	const instant = spec.supportsInstantResponse && isTrueFlag(body.instant_response);
	return newJobAnswer(ctx, spec, job, instant);
}

/** The submit answer for a job just added: processing (with eta and future_links), failed or success. */
export function newJobAnswer(
	ctx: SimulatorContext,
	spec: EndpointSpec,
	job: SimulatedJob,
	forceProcessing = false,
): Reply {
	if (job.status === 'processing' || forceProcessing) {
		return {
			status: 200,
			json: submitProcessingAnswer(job, spec, ctx.settings, ctx.baseUrl(), Date.now()),
		};
	}
	if (job.status === 'failed') return { status: 200, json: jobFailedAnswer() };
	return { status: 200, json: successAnswer(job, ctx.settings) };
}

function createJob(
	ctx: SimulatorContext,
	spec: EndpointSpec,
	body: Record<string, unknown>,
	apiKey: string,
	init: Raster | undefined,
): SimulatedJob {
	// v6 image editing: "If not provided, the width of init_image is used".
	const fallbackWidth =
		spec.sizeFromInitImage && init ? Math.min(MAX_SIZE, init.width) : DEFAULT_SIZE;
	const fallbackHeight =
		spec.sizeFromInitImage && init ? Math.min(MAX_SIZE, init.height) : DEFAULT_SIZE;
	const width = asInteger(body.width) ?? fallbackWidth;
	const height = asInteger(body.height) ?? fallbackHeight;
	const samples = asInteger(body.samples) ?? 1;
	const seed = asInteger(body.seed) ?? randomInt(0, 2 ** 32);
	const base64Output = spec.wantsBase64Output(body);
	const filePrefix = randomUUID();
	const extension = base64Output ? 'base64' : 'png';
	const outputs = Array.from(
		{ length: samples },
		(_, i) => `${ctx.baseUrl()}/generations/${filePrefix}-${i}.${extension}`,
	);
	const { durationMs, ...timing } = jobTiming(ctx);
	return {
		id: ctx.nextJobId(),
		endpoint: spec.endpoint,
		body,
		...timing,
		status: 'processing',
		outputs,
		apiKey,
		width,
		height,
		samples,
		base64Output,
		willFail: ctx.settings.failJobs,
		meta: buildMeta(spec, body, { width, height, samples, seed, filePrefix }),
		generationTime: Math.round((0.8 + durationMs / 1000 + Math.random() * 0.4) * 1000) / 1000,
	};
}

/**
 * When a job submitted now finishes: jobDurationMs, plus jobDurationStepMs for every job submitted
 * before it since reset() (every endpoint's jobs count).
 */
export function jobTiming(ctx: SimulatorContext): {
	createdAt: number;
	readyAt: number;
	durationMs: number;
} {
	const durationMs = Math.max(
		0,
		ctx.settings.jobDurationMs + ctx.settings.jobDurationStepMs * ctx.jobs.list.length,
	);
	const createdAt = Date.now();
	return { createdAt, readyAt: createdAt + durationMs, durationMs };
}

/** meta = documented defaults, overlaid with everything sent except the key, with resolved sizes. */
function buildMeta(
	spec: EndpointSpec,
	body: Record<string, unknown>,
	resolved: { width: number; height: number; samples: number; seed: number; filePrefix: string },
): Record<string, unknown> {
	const echo = { ...body };
	delete echo.key;
	const meta: Record<string, unknown> = {
		...spec.defaults,
		...echo,
		width: resolved.width,
		height: resolved.height,
		samples: resolved.samples,
		seed: resolved.seed,
	};
	if (spec.legacyMeta) {
		// SD-API v3 inpaint example response: W/H/n_samples/file_prefix/outdir in meta.
		Object.assign(meta, {
			W: resolved.width,
			H: resolved.height,
			n_samples: resolved.samples,
			file_prefix: resolved.filePrefix,
			outdir: 'out',
		});
	}
	return meta;
}

/**
 * Decodes init/mask images (PNG or JPEG) we can read without going anywhere: data URIs and this simulator's own
 * /uploads/, /generations/ and /samples/ links. Anything else (external URLs) stays unread on purpose.
 */
export function readOwnImage(ctx: SimulatorContext, ref: unknown): Raster | undefined {
	const bytes = ownPictureBytes(ctx, ref);
	return bytes ? decodePicture(bytes) : undefined;
}
