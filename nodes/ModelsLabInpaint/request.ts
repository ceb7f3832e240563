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
	| { kind: 'shapes' };

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
	if (kind === 'shapes') return { kind };
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
}

/** The request after step 2: what is still to go to ModelsLab before the job itself. */
interface PreparedRequest {
	body: IDataObject;
	size: SizeChoice;
	/** Binary images and the drawn mask, still to become links or data URIs. */
	images: Array<{ role: ImageRole; image: BinaryImage }>;
	drawnMask?: Buffer;
}

const contextOf = (endpoint: InpaintEndpoint) => `${endpoint.displayName} inpainting`;

/**
 * Step 1, no I/O: the item's parameters → a body checked against the endpoint's schema, with
 * the image sources and Output Size. Binary images and drawn masks are not links yet, so their
 * fields are left out of the check.
 */
export function checkInpaintRequest(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	itemIndex: number,
): CheckedRequest {
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
	) as Record<ImageRole, ImageSource>;
	const notLinksYet = ROLES.filter((role) => sources[role].kind !== 'url');
	for (const role of ROLES) {
		const source = sources[role];
		if (source.kind === 'url') raw[imageRoles[role].wireKey] = source.url;
	}
	const schema = endpoint.schema.partial(
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
	return { body, sources, outputSize, inline };
}

/**
 * Step 2, reads only: the credential has the endpoint's key, binary images are read and checked,
 * the photo's and mask's sizes are read (a link's first bytes, without the key), the Shapes mask is
 * drawn, and the size is set. Nothing goes to ModelsLab; a problem still refuses the item here.
 */
export async function prepareInpaintRequest(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	{ body, sources, outputSize }: CheckedRequest,
	itemIndex: number,
	{ links, timeoutMs }: { links: LinkSizes; timeoutMs: number },
): Promise<PreparedRequest> {
	await assertKeyFor(ctx, endpoint.id, itemIndex);
	// A ModelsLab Trigger's URL is signed only now, after validation, so the signature goes to
	// ModelsLab and nowhere else.
	const signingKey = await callbackSigningKey(ctx);
	if (typeof body.webhook === 'string' && signingKey)
		body.webhook = signedCallbackUrl(body.webhook, signingKey);

	const images: PreparedRequest['images'] = [];
	for (const role of ROLES) {
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
		ROLES.map(async (role) => await readImageSize(linkOrBytes(role), links, timeoutMs)),
	);
	let drawnMask: Buffer | undefined;
	if (sources.mask.kind === 'shapes') {
		if (!init) failUnknownSize(ctx, endpoint, itemIndex);
		drawnMask = drawShapeMask(ctx, itemIndex, init);
		images.push({ role: 'mask', image: { buffer: drawnMask, mimeType: 'image/png' } });
	}
	const mask = drawnMask ? init : givenMask;
	const size = applyOutputSize(ctx, endpoint, body, { init, mask }, outputSize, itemIndex);
	return { body, size, images, drawnMask };
}

/** Step 3, the first request: binary images and drawn masks become links (uploads) or data URIs. */
async function attachImages(
	ctx: IExecuteFunctions,
	{ body, images }: PreparedRequest,
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

/**
 * Parameters → the request body, in three steps: check (no I/O), prepare (reads only), and only
 * then send what must go first (uploads). So nothing goes to ModelsLab before every value is checked.
 */
export async function buildInpaintBody(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	itemIndex: number,
	settings: Pick<CompletionSettings, 'maxWaitMs' | 'requestTimeoutMs'>,
	/** The run's link sizes, read ahead for every item (see readAheadLinkSizes). */
	links = new LinkSizes(ctx),
): Promise<{ body: IDataObject; size: SizeChoice; drawnMask?: Buffer }> {
	const checked = checkInpaintRequest(ctx, endpoint, itemIndex);
	const prepared = await prepareInpaintRequest(ctx, endpoint, checked, itemIndex, {
		links,
		timeoutMs: settings.requestTimeoutMs,
	});
	await attachImages(ctx, prepared, checked.inline, itemIndex, {
		maxWaitMs: settings.maxWaitMs,
		timeoutMs: settings.requestTimeoutMs,
	});
	return { body: prepared.body, size: prepared.size, drawnMask: prepared.drawnMask };
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
		contextOf(endpoint),
		`${problem}: use a PNG, JPEG, WebP, GIF or BMP picture, as a binary file or a public link n8n can read`,
	);
}
