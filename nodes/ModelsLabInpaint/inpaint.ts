import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { ENDPOINTS, fetchRequestFor } from '../shared/endpoints';
import { readBinaryImage, toDataUri, uploadImage } from '../shared/images';
import type { InpaintResult } from '../shared/result';
import { normalizeResult } from '../shared/result';
import { collectWireValues } from '../shared/schema/fields';
import { failValidation, parseOrThrow } from '../shared/schema/validate';
import { assertKeyFor, baseUrls, modelsLabRequest } from '../shared/transport';
import type { ImageRole } from './description';
import { imageParameter, imageRoles, optionsParameter } from './description';
import type { InpaintVariant } from './variants';
import { VARIANTS } from './variants';

const ROLES: ImageRole[] = ['init', 'mask'];

function imageSource(ctx: IExecuteFunctions, role: ImageRole, itemIndex: number) {
	const names = imageParameter(role);
	return ctx.getNodeParameter(names.source, itemIndex) === 'binary'
		? { kind: 'binary' as const, property: String(ctx.getNodeParameter(names.binaryProperty, itemIndex)) }
		: { kind: 'url' as const, url: ctx.getNodeParameter(names.url, itemIndex, '') as string };
}

/**
 * Parameters → validated request body. Every field is checked, and binary images are read and
 * checked, before the first byte goes to ModelsLab; only then are binary images uploaded.
 */
export async function buildInpaintBody(
	ctx: IExecuteFunctions,
	variant: InpaintVariant,
	itemIndex: number,
): Promise<IDataObject> {
	const raw = collectWireValues(
		variant.fields,
		(name) => ctx.getNodeParameter(name, itemIndex),
		ctx.getNodeParameter(optionsParameter(variant.id), itemIndex, {}) as IDataObject,
	);
	const sources = Object.fromEntries(ROLES.map((role) => [role, imageSource(ctx, role, itemIndex)]));
	const fromBinary = ROLES.filter((role) => sources[role].kind === 'binary');
	for (const role of ROLES) {
		const source = sources[role];
		if (source.kind === 'url') raw[imageRoles[role].wireKey] = source.url;
	}

	// Binary images are not links yet; everything else is validated now.
	const schema = variant.schema.partial(
		Object.fromEntries(fromBinary.map((role) => [imageRoles[role].wireKey, true])),
	);
	const context = `${variant.displayName} inpainting`;
	const body = parseOrThrow(ctx.getNode(), { schema, fields: variant.fields }, raw, itemIndex, context);

	const inline = variant.acceptsInlineImages(body);
	for (const role of ROLES) {
		const value = body[imageRoles[role].wireKey];
		if (typeof value === 'string' && value.startsWith('data:') && !inline) {
			const label = `${imageRoles[role].label} URL`;
			failValidation(
				ctx.getNode(),
				`"${label}" must be an http(s) link for this endpoint, not a data URI [item ${itemIndex}]`,
				[`${label}: inline base64 images are only accepted with Base64 Output on (Community Models, Enterprise); otherwise use a link or a Binary File`],
				itemIndex,
				context,
			);
		}
	}

	await assertKeyFor(ctx, ENDPOINTS[variant.id].inpaintPath, itemIndex);

	const images = [];
	for (const role of fromBinary) {
		const source = sources[role] as { kind: 'binary'; property: string };
		const label = `${imageRoles[role].label} Binary Field`;
		images.push({ role, image: await readBinaryImage(ctx, itemIndex, source.property, label) });
	}
	for (const { role, image } of images) {
		body[imageRoles[role].wireKey] = inline ? toDataUri(image) : await uploadImage(ctx, image, itemIndex);
	}
	return body;
}

/** One item: validated request → ModelsLab → the package's result shape. */
export async function inpaintItem(ctx: IExecuteFunctions, itemIndex: number): Promise<InpaintResult> {
	const variant = VARIANTS[ctx.getNodeParameter('variant', itemIndex) as keyof typeof VARIANTS];
	const body = await buildInpaintBody(ctx, variant, itemIndex);
	const endpoint = ENDPOINTS[variant.id];
	const answer = await modelsLabRequest(
		ctx,
		{ host: endpoint.host, path: endpoint.inpaintPath, body },
		itemIndex,
	);
	const roots = await baseUrls(ctx);
	return normalizeResult(answer.body, variant.id, (requestId) => {
		const fetch = fetchRequestFor(variant.id, requestId);
		return `${roots[fetch.host]}${fetch.path}`;
	});
}
