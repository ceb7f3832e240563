import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { CompletionSettings } from '../shared/completion';
import { completeJob } from '../shared/completion';
import { ENDPOINTS } from '../shared/endpoints';
import { readBinaryImage, toDataUri, uploadImage } from '../shared/images';
import { fetchUrlBuilder } from '../shared/jobs';
import { normalizeResult } from '../shared/result';
import { waitTooLongOf, withRetries } from '../shared/retry';
import { collectWireValues } from '../shared/schema/fields';
import { failValidation, parseOrThrow } from '../shared/schema/validate';
import { assertKeyFor, baseUrls, deliveryOf, modelsLabRequest, rateLimitOf } from '../shared/transport';
import type { ImageRole } from './description';
import { imageParameter, imageRoles, optionsParameter } from './description';
import type { InpaintVariant } from './variants';
import { VARIANTS } from './variants';

const ROLES: ImageRole[] = ['init', 'mask'];

function imageSource(ctx: IExecuteFunctions, role: ImageRole, itemIndex: number) {
	const names = imageParameter(role);
	return ctx.getNodeParameter(names.source, itemIndex) === 'binary'
		? { kind: 'binary' as const, property: String(ctx.getNodeParameter(names.binaryProperty, itemIndex) ?? '').trim() }
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
	settings: Pick<CompletionSettings, 'maxWaitMs' | 'requestTimeoutMs'>,
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
	const limits = { itemIndex, maxWaitMs: settings.maxWaitMs, timeoutMs: settings.requestTimeoutMs };
	for (const { role, image } of images) {
		body[imageRoles[role].wireKey] = inline ? toDataUri(image) : await uploadImage(ctx, image, itemIndex, limits);
	}
	return body;
}

/**
 * Sends the job once. Only when ModelsLab refused it (rate limit, full queue) is it sent again,
 * after the wait ModelsLab asks for: a job whose answer was lost may exist, and is never re-sent.
 * Waiting for a free place counts against Max Wait, so a long "retry after" cannot stall the item.
 */
async function submit(
	ctx: IExecuteFunctions,
	variant: InpaintVariant,
	body: IDataObject,
	itemIndex: number,
	settings: CompletionSettings,
) {
	const endpoint = ENDPOINTS[variant.id];
	const request = { host: endpoint.host, path: endpoint.inpaintPath, body, timeoutMs: settings.requestTimeoutMs };
	try {
		return await withRetries(ctx, 'a free place in the ModelsLab queue', async () => await modelsLabRequest(ctx, request, itemIndex), {
			itemIndex,
			maxWaitMs: settings.maxWaitMs,
			retryable: (error) => rateLimitOf(error) !== undefined,
			firstBackoffMs: 2000,
		});
	} catch (error) {
		if (error instanceof NodeApiError) {
			const waitTooLong = waitTooLongOf(error);
			if (waitTooLong !== undefined) {
				error.description = `${error.description ?? ''} ModelsLab asked to wait ${waitTooLong} s before sending the job again, longer than Max Wait allows; the job was not created.`.trim();
			} else if (deliveryOf(error) === 'unknown') {
				error.description = `${error.description ?? ''} ModelsLab may have created this job (and billed it) even though its answer was lost, so it was not sent again. Check your ModelsLab dashboard before running this item again.`.trim();
			}
		}
		throw new NodeApiError(ctx.getNode(), error as JsonObject);
	}
}

/** One item: validated request → ModelsLab → the package's result shape → waited for and downloaded. */
export async function inpaintItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	settings: CompletionSettings,
): Promise<INodeExecutionData> {
	const variant = VARIANTS[ctx.getNodeParameter('variant', itemIndex) as keyof typeof VARIANTS];
	const body = await buildInpaintBody(ctx, variant, itemIndex, settings);
	const answer = await submit(ctx, variant, body, itemIndex, settings);
	const roots = await baseUrls(ctx);
	const result = normalizeResult(answer.body, variant.id, fetchUrlBuilder(roots, variant.id));
	const job = { requestId: result.requestId, variant: variant.id, fetchUrl: result.fetchUrl };
	return await completeJob(ctx, result, job, settings, itemIndex);
}
