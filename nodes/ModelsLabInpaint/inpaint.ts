import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { CompletionSettings } from '../shared/completion';
import { completeJob, readCompletionSettings } from '../shared/completion';
import type { EndpointId } from '../shared/endpoints';
import { ENDPOINTS } from '../shared/endpoints';
import { asNodeError, createdNothing, detailsOf, failureOf } from '../shared/failures';
import type { BinaryImage } from '../shared/images';
import { readBinaryImage, toDataUri, uploadImage } from '../shared/images';
import type { JobSlot } from '../shared/jobSlots';
import { fetchUrlBuilder } from '../shared/jobs';
import { propertyNamed, readParameter } from '../shared/parameters';
import { normalizeResult } from '../shared/result';
import { deadlineAfter, pause } from '../shared/polling';
import { withRetries } from '../shared/retry';
import { collectWireValues } from '../shared/schema/fields';
import { parseOrThrow, refuseValue } from '../shared/schema/validate';
import { signedCallbackUrl } from '../shared/callbackSignature';
import { assertKeyFor, baseUrls, callbackSigningKey, modelsLabRequest } from '../shared/transport';
import type { CallbackTarget } from './callback';
import { refuseOwnWebhook } from './callback';
import type { ImageRole } from './description';
import {
	advancedOptionsParameter,
	completionProperty,
	downloadImagesWhenWaiting,
	imageParameter,
	imageRoles,
	optionsParameter,
	properties,
	endpointProperty,
} from './description';
import type { InpaintEndpoint } from './endpoints';
import type { ImageOrigin, OutputSize, SizeChoice } from './outputSize';
import { applyOutputSize, outputSizeProperty, readImageSize } from './outputSize';
import { LinkSizes } from './linkSizes';
import { drawShapeMask } from './shapeMask';
import { INPAINT_ENDPOINTS } from './endpoints';

const ROLES: ImageRole[] = ['init', 'mask'];

const parameter = (name: string) => propertyNamed(properties, name);

type ImageSource =
	| { kind: 'binary'; property: string }
	| { kind: 'url'; url: string }
	| { kind: 'shapes' };

function imageSource(ctx: IExecuteFunctions, role: ImageRole, itemIndex: number): ImageSource {
	const names = imageParameter(role);
	const kind = readParameter<ImageSource['kind']>(ctx, parameter(names.source), itemIndex);
	if (kind === 'binary')
		return {
			kind,
			property: readParameter<string>(ctx, parameter(names.binaryProperty), itemIndex),
		};
	if (kind === 'shapes') return { kind };
	// The link is checked with the endpoint's fields, where it may also be an inline image.
	return { kind: 'url', url: ctx.getNodeParameter(names.url, itemIndex, '') as string };
}

/**
 * Starts reading the size of every item's photo and mask link at once, first item first, so that
 * each item finds its links' sizes ready (or on the way) when its turn comes. An item whose
 * settings can't be read is skipped here; its own turn reports the problem.
 */
export function readAheadLinkSizes(ctx: IExecuteFunctions): LinkSizes {
	const links = new LinkSizes(ctx);
	const toRead: Array<{ url: string; timeoutMs: number }> = [];
	for (let itemIndex = 0; itemIndex < ctx.getInputData().length; itemIndex++) {
		try {
			const { requestTimeoutMs } = readInpaintSettings(ctx, itemIndex);
			for (const role of ROLES) {
				const source = imageSource(ctx, role, itemIndex);
				if (source.kind === 'url' && /^https?:\/\//i.test(source.url))
					toRead.push({ url: source.url.trim(), timeoutMs: requestTimeoutMs });
			}
		} catch {
			continue;
		}
	}
	links.readAhead(toRead);
	return links;
}

/** Completion, Download Images and the Processing Options of one item, each checked. */
export function readInpaintSettings(ctx: IExecuteFunctions, itemIndex: number): CompletionSettings {
	const wait = readParameter(ctx, completionProperty, itemIndex) === 'wait';
	const download = wait && readParameter<boolean>(ctx, downloadImagesWhenWaiting, itemIndex);
	return readCompletionSettings(ctx, itemIndex, { wait, download });
}

/**
 * Parameters → validated request body. Every field is checked, and binary images are read and
 * checked, before the first byte goes to ModelsLab; only then are binary images uploaded.
 */
export async function buildInpaintBody(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	itemIndex: number,
	settings: Pick<CompletionSettings, 'maxWaitMs' | 'requestTimeoutMs'>,
	/** The run's link sizes, read ahead for every item (see readAheadLinkSizes). */
	links = new LinkSizes(ctx),
): Promise<{ body: IDataObject; size: SizeChoice; drawnMask?: Buffer }> {
	const raw = collectWireValues(endpoint.fields, (name) => ctx.getNodeParameter(name, itemIndex), {
		option: ctx.getNodeParameter(optionsParameter(endpoint.id), itemIndex, {}) as IDataObject,
		advanced: ctx.getNodeParameter(
			advancedOptionsParameter(endpoint.id),
			itemIndex,
			{},
		) as IDataObject,
	});
	const outputSize = readParameter<OutputSize>(ctx, outputSizeProperty, itemIndex);
	// Width and Height are hidden unless Output Size is Custom; a value left from before is not used.
	if (outputSize === 'image') {
		delete raw.width;
		delete raw.height;
	}
	const sources = Object.fromEntries(
		ROLES.map((role) => [role, imageSource(ctx, role, itemIndex)]),
	);
	// Binary images and drawn masks are not links yet.
	const fromBinary = ROLES.filter((role) => sources[role].kind !== 'url');
	for (const role of ROLES) {
		const source = sources[role];
		if (source.kind === 'url') raw[imageRoles[role].wireKey] = source.url;
	}

	// Binary images are not links yet; everything else is validated now.
	const schema = endpoint.schema.partial(
		Object.fromEntries(fromBinary.map((role) => [imageRoles[role].wireKey, true])),
	);
	const context = `${endpoint.displayName} inpainting`;
	const body = parseOrThrow(
		ctx.getNode(),
		{ schema, fields: endpoint.fields },
		raw,
		itemIndex,
		context,
	);

	const inline = endpoint.acceptsInlineImages(body);
	for (const role of ROLES) {
		const value = body[imageRoles[role].wireKey];
		if (typeof value === 'string' && value.startsWith('data:') && !inline) {
			const label = `${imageRoles[role].label} URL`;
			refuseValue(
				ctx.getNode(),
				`"${label}" must be an http(s) link for this endpoint, not a data URI`,
				itemIndex,
				context,
				`${label}: inline base64 images are only accepted with Base64 Output on (Community Models, Enterprise); otherwise use a link or a Binary File`,
			);
		}
	}

	await assertKeyFor(ctx, ENDPOINTS[endpoint.id].inpaintPath, itemIndex);
	// A ModelsLab Trigger's URL is signed only now, after validation, so the signature goes to
	// ModelsLab and nowhere else.
	const signingKey = await callbackSigningKey(ctx);
	if (typeof body.webhook === 'string' && signingKey)
		body.webhook = signedCallbackUrl(body.webhook, signingKey);

	const images: Array<{ role: ImageRole; image: BinaryImage }> = [];
	for (const role of fromBinary) {
		const source = sources[role];
		if (source.kind !== 'binary') continue;
		const label = `${imageRoles[role].label} Binary Field`;
		images.push({ role, image: await readBinaryImage(ctx, itemIndex, source.property, label) });
	}
	const linkOrBytes = (role: ImageRole): ImageOrigin | undefined => {
		const image = images.find((entry) => entry.role === role)?.image;
		const link = body[imageRoles[role].wireKey];
		return image ? { bytes: image.buffer } : typeof link === 'string' ? { url: link } : undefined;
	};
	// Both links are read at once: a first look at each costs a round trip.
	const [init, givenMask] = await Promise.all(
		(['init', 'mask'] as const).map(
			async (role) => await readImageSize(linkOrBytes(role), links, settings.requestTimeoutMs),
		),
	);
	let drawnMask: Buffer | undefined;
	if (sources.mask.kind === 'shapes') {
		if (!init) failUnknownSize(ctx, endpoint, itemIndex);
		drawnMask = drawShapeMask(ctx, itemIndex, init);
		images.push({ role: 'mask', image: { buffer: drawnMask, mimeType: 'image/png' } });
	}
	const mask = drawnMask ? init : givenMask;
	const size = applyOutputSize(ctx, endpoint, body, { init, mask }, outputSize, itemIndex);

	const limits = { itemIndex, maxWaitMs: settings.maxWaitMs, timeoutMs: settings.requestTimeoutMs };
	for (const { role, image } of images) {
		body[imageRoles[role].wireKey] = inline
			? toDataUri(image)
			: await uploadImage(ctx, image, itemIndex, limits);
	}
	return { body, size, drawnMask };
}

/** A mask cannot be drawn for an image whose size is unknown. */
function failUnknownSize(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	itemIndex: number,
): never {
	const problem =
		'"Mask Source" Shapes needs the size of the image, and it could not be read from the image';
	return refuseValue(
		ctx.getNode(),
		problem,
		itemIndex,
		`${endpoint.displayName} inpainting`,
		`${problem}: use a PNG, JPEG, WebP, GIF or BMP picture, as a binary file or a public link n8n can read`,
	);
}

/**
 * Sends the job once. It is sent again only when it certainly created nothing: ModelsLab refused it
 * (rate limit, full queue; after the wait it asks for), or it never left this machine (connection
 * refused, host not found: often a server restarting, so after pauses doubling from 2 s). A job
 * whose answer was lost may exist, and is never re-sent. Every pause counts against Max Wait.
 */
async function submit(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	body: IDataObject,
	itemIndex: number,
	settings: CompletionSettings,
	slot: JobSlot,
) {
	const { host, inpaintPath } = ENDPOINTS[endpoint.id];
	const request = { host, path: inpaintPath, body, timeoutMs: settings.requestTimeoutMs };
	// The same Max Wait as the retries' own (which starts at the first attempt, a moment later).
	const deadline = deadlineAfter(settings.maxWaitMs);
	try {
		const answer = await withRetries(
			ctx,
			'ModelsLab to accept the job',
			async () => {
				await slot.readyToSend(
					async (ms) => await pause(ctx, ms, 'ModelsLab to accept the job', itemIndex),
					deadline,
				);
				return await modelsLabRequest(ctx, request, itemIndex);
			},
			{
				itemIndex,
				maxWaitMs: settings.maxWaitMs,
				retryable: createdNothing,
				firstBackoffMs: 2000,
				refusalsUntilDeadline: true,
				slot,
			},
		);
		slot.accepted(etaMsOf(answer.body));
		return answer;
	} catch (error) {
		if (error instanceof NodeApiError) error.description = submitOutcome(error);
		throw asNodeError(ctx, error, itemIndex);
	}
}

/** When a queued job is due, from the submit's answer; undefined when it did not say. */
function etaMsOf(body: IDataObject): number | undefined {
	const eta = typeof body.eta === 'string' ? Number(body.eta) : body.eta;
	return typeof eta === 'number' && Number.isFinite(eta) && eta >= 0 ? eta * 1000 : undefined;
}

/** The failed submit's description, ending with what became of the job and whether to run it again. */
function submitOutcome(error: NodeApiError): NodeApiError['description'] {
	const said = error.description ?? '';
	const failure = failureOf(error);
	if (failure?.kind === 'not-sent') {
		return `${said} No job was created, so running this item again is safe.`.trim();
	}
	const waitTooLong = detailsOf(error).waitTooLongSeconds;
	if (waitTooLong !== undefined) {
		return `${said} ModelsLab asked to wait ${waitTooLong} s before sending the job again, longer than Max Wait allows; the job was not created.`.trim();
	}
	if (failure?.kind === 'rate-limited') {
		const why = failure.queueFull ? "your plan's job queue stayed full" : 'its rate limit';
		return `${said} ModelsLab refused the job until Max Wait ran out (${why}); the job was not created, so running this item again is safe.`.trim();
	}
	if (failure?.kind === 'answer-lost') {
		return `${said} ModelsLab may have created this job (and billed it) even though its answer was lost, so it was not sent again. Check your ModelsLab dashboard before running this item again.`.trim();
	}
	return error.description;
}

/**
 * Written the moment ModelsLab accepts (and bills) a job, before anything else can go wrong: if the
 * n8n process dies while waiting (a queue-mode worker killed or out of memory), the execution keeps
 * nothing, and this line in the process's log is how the user finds the job to fetch it. Every fact
 * is in the message itself, since n8n's text log format prints only the message.
 */
function logAcceptedJob(ctx: IExecuteFunctions, requestId: string, itemIndex: number) {
	const node = ctx.getNode().name;
	ctx.logger.info(
		`ModelsLab accepted job ${requestId} (billed): execution ${ctx.getExecutionId()}, workflow ${ctx.getWorkflow().id}, node "${node}", item ${itemIndex}`,
	);
}

/** One item: validated request → ModelsLab → the package's result shape → waited for and downloaded. */
export async function inpaintItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	settings: CompletionSettings,
	slot: JobSlot,
	/** Completion › Resume on Callback: where the job calls back (see callback.ts). */
	callback: CallbackTarget | undefined,
	links: LinkSizes,
): Promise<INodeExecutionData> {
	const endpoint = INPAINT_ENDPOINTS[readParameter<EndpointId>(ctx, endpointProperty, itemIndex)];
	if (callback) refuseOwnWebhook(ctx, endpoint.id, itemIndex);
	const { body, size, drawnMask } = await buildInpaintBody(
		ctx,
		endpoint,
		itemIndex,
		settings,
		links,
	);
	if (callback) body.webhook = callback.url;
	const submittedAt = new Date().toISOString();
	const answer = await submit(ctx, endpoint, body, itemIndex, settings, slot);
	const roots = await baseUrls(ctx);
	const result = normalizeResult(answer.body, endpoint.id, fetchUrlBuilder(roots, endpoint.id));
	logAcceptedJob(ctx, result.requestId, itemIndex);
	const job = { requestId: result.requestId, endpoint: endpoint.id, fetchUrl: result.fetchUrl };
	const item = await completeJob(ctx, result, job, settings, itemIndex, slot);
	// The size asked of ModelsLab, and why the photo's own size could not be followed, if so.
	item.json = { ...item.json, outputSize: size.outputSize, notice: size.notice };
	// What ModelsLab Fetch › Wait for Callbacks needs: the nonce it checks, and when the eta started.
	if (callback) item.json = { ...item.json, callbackNonce: callback.nonce, submittedAt };
	// The drawn mask goes out with the result, so that the user can see what was repainted.
	if (drawnMask)
		item.binary = {
			...item.binary,
			mask: await ctx.helpers.prepareBinaryData(drawnMask, 'mask.png', 'image/png'),
		};
	return item;
}
