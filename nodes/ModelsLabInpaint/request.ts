import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { signedCallbackUrl } from '../shared/callbacks/callbackSignature';
import type { BinaryImage } from '../shared/images/binaryInput';
import { readBinaryImage, toDataUri, uploadImage } from '../shared/images/binaryInput';
import type { CompletionSettings } from '../shared/run/completion';
import { propertyNamed, readParameter } from '../shared/run/parameters';
import { collectWireValues } from '../shared/schema/fields';
import { parseOrThrow, refuseValue } from '../shared/schema/validate';
import { assertKeyFor, callbackSigningKey } from '../shared/transport/transport';
import type { ImageRole } from './inpaintDescription';
import {
	advancedOptionsParameter,
	imageParameter,
	imageRoles,
	optionsParameter,
	properties,
} from './inpaintDescription';
import type { InpaintEndpoint } from './endpoints';
import { drawShapeMask } from './mask/shapeMask';
import type { MaskJobKind, MaskPlan } from './mask/maskSource';
import { isMaskJob, readMaskPlan } from './mask/maskSource';
import { givenMaskBytes, madeFromPicture } from './mask/maskFile';
import { MAX_MASK_PIXELS, MAX_MASK_SIZE_TEXT } from './mask/maskLimits';
import type { ImageSize } from './size/imageSize';
import { LinkSizes } from './size/linkSizes';
import type { ImageOrigin, OutputSize, SizeChoice } from './size/outputSize';
import { applyOutputSize, outputSizeProperty, readImageSize } from './size/outputSize';

/**
 * The Inpaint request, built from an item's parameters in three steps: check (no I/O), prepare
 * (reads only: binary images, link sizes, the drawn mask) and attach (uploads, the first bytes to
 * ModelsLab). inpaint.ts then sends the job itself.
 */

export const ROLES: ImageRole[] = ['init', 'mask'];

const parameter = (name: string) => propertyNamed(properties, name);

export type ImageSource =
	| { kind: 'binary'; property: string }
	| { kind: 'url'; url: string }
	| { kind: 'shapes' }
	/** A mask ModelsLab makes from the photo (a mask job, see mask/maskJob.ts). */
	| { kind: MaskJobKind };

/** Where an image of the item comes from, as its settings say (each checked). */
export function imageSource(
	ctx: IExecuteFunctions,
	role: ImageRole,
	itemIndex: number,
): ImageSource {
	const names = imageParameter(role);
	const kind = readParameter<ImageSource['kind']>(ctx, parameter(names.source), itemIndex);
	if (kind === 'binary')
		return {
			kind,
			property: readParameter<string>(ctx, parameter(names.binaryProperty), itemIndex),
		};
	if (kind === 'shapes' || isMaskJob(kind)) return { kind };
	// The link is checked with the endpoint's fields, where it may also be an inline image.
	return { kind: 'url', url: ctx.getNodeParameter(names.url, itemIndex, '') as string };
}

/** The request after step 1: every value checked, nothing read or sent yet. */
interface CheckedRequest {
	body: IDataObject;
	sources: Record<ImageRole, ImageSource>;
	outputSize: OutputSize;
	/** Binary images and drawn masks go inline as data URIs (else they are uploaded first). */
	inline: boolean;
	/** The mask job to run first, if any, and the adjustments of a decoded mask. */
	maskPlan: MaskPlan;
}

/** The request after step 2: what is still to go to ModelsLab before the job itself. */
export interface PreparedRequest {
	body: IDataObject;
	size: SizeChoice;
	/** Binary images and the made mask, still to become links or data URIs. */
	images: ImagesToAttach;
	/** The photo's size, when it could be read (a mask job's mask is made at exactly this size). */
	photo?: ImageSize;
	/** A mask the node made (drawn, or a given one adjusted), sent in place of the given one. */
	madeMask?: MadeMask;
}

type ImagesToAttach = Array<{ role: ImageRole; image: BinaryImage }>;

/** A mask the node made, as it is sent and output. */
export interface MadeMask {
	/** The mask's file (a PNG, or a mask job's picture sent as it came). */
	file: Buffer;
	mimeType: string;
	/** Where ModelsLab already has it (a mask job's picture sent as it came): nothing to upload. */
	url?: string;
	/** The share of the photo repainted, 0..1 (not measured for Shapes). */
	coverage?: number;
	/** The mask job it came from. */
	requestId?: string;
	/** Its levels at the photo's size, until a stitch has taken them (not kept while waiting). */
	gray?: Uint8Array;
}

const contextOf = (endpoint: InpaintEndpoint) => `${endpoint.displayName} inpainting`;

/**
 * Step 1, no I/O: the item's parameters → a body checked against the endpoint's schema, with
 * the image sources, the mask plan and Output Size. Binary images and drawn masks are not links
 * yet, so their fields are left out of the check; with Mask Only no job is sent, so no field of
 * the endpoint is required.
 */
export function checkInpaintRequest(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	itemIndex: number,
	{ maskOnly = false }: { maskOnly?: boolean } = {},
): CheckedRequest {
	// (Mask Only hides the endpoint's fields: n8n then has no value for them.)
	const read = (name: string) =>
		maskOnly
			? (ctx.getNodeParameter(name, itemIndex, null) ?? undefined)
			: ctx.getNodeParameter(name, itemIndex);
	const raw = collectWireValues(endpoint.fields, read, {
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
	) as Record<ImageRole, ImageSource>;
	const maskPlan = readMaskPlan(ctx, itemIndex, sources.mask.kind);
	const notLinksYet = ROLES.filter((role) => sources[role].kind !== 'url');
	for (const role of ROLES) {
		const source = sources[role];
		if (source.kind === 'url') raw[imageRoles[role].wireKey] = source.url;
	}
	const schema = maskOnly
		? endpoint.schema.partial()
		: endpoint.schema.partial(
				Object.fromEntries(notLinksYet.map((role) => [imageRoles[role].wireKey, true])),
			);
	const context = contextOf(endpoint);
	const body = parseOrThrow(
		ctx.getNode(),
		{ schema, fields: endpoint.fields },
		raw,
		itemIndex,
		context,
	);
	// A mask job needs the photo as a link, so a binary photo is uploaded rather than sent inline.
	const inline = endpoint.acceptsInlineImages(body) && !maskPlan.job;
	for (const role of ROLES) {
		const value = body[imageRoles[role].wireKey];
		if (typeof value === 'string' && value.startsWith('data:') && (!inline || maskPlan.job)) {
			const label = `${imageRoles[role].label} URL`;
			refuseValue(
				ctx.getNode(),
				`"${label}" must be an http(s) link for this endpoint, not a data URI`,
				itemIndex,
				context,
				maskPlan.job
					? `${label}: ModelsLab makes the mask from a link to the photo; use a link or a Binary File`
					: `${label}: inline base64 images are only accepted with Base64 Output on (Community Models, Enterprise); otherwise use a link or a Binary File`,
			);
		}
	}
	return { body, sources, outputSize, inline, maskPlan };
}

/**
 * Step 2, reads only: the credential has the endpoint's key, binary images are read and checked,
 * the photo's and mask's sizes are read (a link's first bytes, without the key), the Shapes mask is
 * drawn or the given mask adjusted, and the size is set. Nothing goes to ModelsLab; a problem still
 * refuses the item here.
 */
export async function prepareInpaintRequest(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	{ body, sources, outputSize, maskPlan }: CheckedRequest,
	itemIndex: number,
	{
		links,
		timeoutMs,
		maxWaitMs,
		maskOnly = false,
		photoMostBytes,
	}: {
		links: LinkSizes;
		timeoutMs: number;
		maxWaitMs: number;
		maskOnly?: boolean;
		/** How large a binary photo may be read (larger where only its crop may be uploaded). */
		photoMostBytes?: number;
	},
): Promise<PreparedRequest> {
	await assertKeyFor(ctx, endpoint.id, itemIndex);
	// A ModelsLab Trigger's URL is signed only now, after validation, so the signature goes to
	// ModelsLab and nowhere else.
	const signingKey = await callbackSigningKey(ctx);
	if (typeof body.webhook === 'string' && signingKey)
		body.webhook = signedCallbackUrl(body.webhook, signingKey, endpoint.id);
	const images: ImagesToAttach = [];
	for (const role of ROLES) {
		const source = sources[role];
		if (source.kind !== 'binary') continue;
		const label = `${imageRoles[role].label} Binary Field`;
		const mostBytes = role === 'init' ? photoMostBytes : undefined;
		// Only the photo may be the item's sole file, and never the file the mask is read from.
		const maskField = sources.mask.kind === 'binary' ? [sources.mask.property] : [];
		const soleFile = role === 'init' && { except: maskField };
		const image = await readBinaryImage(
			ctx,
			itemIndex,
			source.property,
			label,
			mostBytes,
			soleFile,
		);
		images.push({ role, image });
	}
	const linkOrBytes = (role: ImageRole): ImageOrigin | undefined => {
		const image = images.find((entry) => entry.role === role)?.image;
		const link = body[imageRoles[role].wireKey];
		return image ? { bytes: image.buffer } : typeof link === 'string' ? { url: link } : undefined;
	};
	// Both links are read at once: a first look at each costs a round trip.
	const [init, givenMask] = await Promise.all(
		ROLES.map(async (role) => await readImageSize(linkOrBytes(role), links, timeoutMs)),
	);
	const made = sources.mask.kind === 'shapes' || maskPlan.job || maskPlan.adjustments;
	if (made) checkPhotoForMask(ctx, endpoint, sources.mask.kind, init, itemIndex);
	let madeMask: MadeMask | undefined;
	if (sources.mask.kind === 'shapes') {
		madeMask = { ...(await drawShapeMask(ctx, itemIndex, init!)), mimeType: 'image/png' };
	} else if (maskPlan.adjustments && !maskPlan.job) {
		const given = images.find((entry) => entry.role === 'mask')?.image.buffer;
		const picture =
			given ?? (await givenMaskBytes(ctx, body.mask_image, itemIndex, { timeoutMs, maxWaitMs }));
		madeMask = await madeFromPicture(ctx, picture, init!, maskPlan, itemIndex, { maskOnly });
	}
	if (madeMask) {
		const others = images.filter((entry) => entry.role !== 'mask');
		images.splice(0, images.length, ...others, { role: 'mask', image: maskImage(madeMask) });
	}
	const mask = made ? init : givenMask;
	const size = applyOutputSize(ctx, endpoint, body, { init, mask }, outputSize, itemIndex);
	return { body, size, images, photo: init, madeMask };
}

const maskImage = (mask: MadeMask): BinaryImage => ({ buffer: mask.file, mimeType: mask.mimeType });

/** Step 3, the first requests: binary images and made masks become links (uploads) or data URIs. */
export async function attachImages(
	ctx: IExecuteFunctions,
	body: IDataObject,
	images: ImagesToAttach,
	inline: boolean,
	itemIndex: number,
	limits: { maxWaitMs: number; timeoutMs: number },
): Promise<void> {
	for (const { role, image } of images) {
		body[imageRoles[role].wireKey] = inline
			? toDataUri(image)
			: await uploadImage(ctx, image, itemIndex, { itemIndex, ...limits });
	}
}

/** A mask made by a mask job, attached to the request in place of the given one. */
export async function attachMadeMask(
	ctx: IExecuteFunctions,
	body: IDataObject,
	mask: MadeMask,
	inline: boolean,
	itemIndex: number,
	limits: { maxWaitMs: number; timeoutMs: number },
): Promise<void> {
	if (mask.url) {
		body.mask_image = mask.url;
		return;
	}
	const images = [{ role: 'mask' as const, image: maskImage(mask) }];
	await attachImages(ctx, body, images, inline, itemIndex, limits);
}

/**
 * Parameters → the request body, in three steps: check (no I/O), prepare (reads only), and only
 * then send what must go first (uploads). So nothing goes to ModelsLab before every value is checked.
 * (A mask job, when the mask comes from ModelsLab, runs between the uploads and the job: inpaint.ts.)
 */
export async function buildInpaintBody(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	itemIndex: number,
	settings: Pick<CompletionSettings, 'maxWaitMs' | 'requestTimeoutMs'>,
	/** The run's link sizes, read ahead for every item (see readAheadLinkSizes). */
	links = new LinkSizes(ctx),
): Promise<{ checked: CheckedRequest; prepared: PreparedRequest }> {
	const checked = checkInpaintRequest(ctx, endpoint, itemIndex);
	const limits = { maxWaitMs: settings.maxWaitMs, timeoutMs: settings.requestTimeoutMs };
	const prepared = await prepareInpaintRequest(ctx, endpoint, checked, itemIndex, {
		links,
		...limits,
	});
	await attachImages(ctx, prepared.body, prepared.images, checked.inline, itemIndex, limits);
	return { checked, prepared };
}

/**
 * A mask is made at the photo's full size: it needs the photo's size, and a photo of at most
 * MAX_MASK_PIXELS (as full resolution takes). Otherwise the item stops, naming the Mask Source.
 */
function checkPhotoForMask(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	maskSource: ImageSource['kind'],
	photo: ImageSize | undefined,
	itemIndex: number,
): void {
	const source = `"Mask Source" ${maskSourceName(maskSource)}`;
	const refuse = (problem: string, advice: string) =>
		refuseValue(ctx.getNode(), problem, itemIndex, contextOf(endpoint), `${problem}${advice}`);
	if (!photo) {
		refuse(
			`${source} needs the size of the image, and it could not be read from the image`,
			': use a PNG, JPEG, WebP, GIF or BMP picture, as a binary file or a public link n8n can read',
		);
	} else if (photo.width * photo.height > MAX_MASK_PIXELS) {
		refuse(
			`${source}: the image is ${photo.width}×${photo.height} pixels; masks are made for images up to ${MAX_MASK_SIZE_TEXT}`,
			". Resize the photo first, or give a mask file of the photo's size (Mask Source › URL or Binary File, without Mask Adjustments)",
		);
	}
}

/** A Mask Source as the editor names it, read off its own options. */
const maskSourceName = (kind: ImageSource['kind']) =>
	(parameter(imageParameter('mask').source).options as Array<{ name: string; value: string }>).find(
		(option) => option.value === kind,
	)?.name ?? kind;
