import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { MAX_UPLOAD_BYTES, UPLOAD_PATH } from '../transport/endpoints';
import { urlList } from '../transport/result';
import type { RetryBudget } from '../pacing/retry';
import { withRetries } from '../pacing/retry';
import { modelsLabRequest } from '../transport/transport';
import { refuseBeforeSending } from '../schema/validate';
import { sniffImageType } from './imageType';

export interface BinaryImage {
	buffer: Buffer;
	mimeType: string;
	/** Set when the named field was missing and the item's only file was read instead. */
	soleFileUsed?: string;
}

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * A file of the item, found the way n8n's own nodes find it (`assertBinaryData`): a binary field,
 * or, where the workflow's Binary Mode is "combined" (n8n 2.x), a path in the item's JSON, where
 * n8n keeps files then (a Form Trigger's under the field's label, other nodes' under `_files`).
 * Undefined when there is none, so that the node's own message names what there is.
 */
function fileOf(ctx: IExecuteFunctions, itemIndex: number, property: string) {
	try {
		return ctx.helpers.assertBinaryData(itemIndex, property);
	} catch {
		return undefined;
	}
}

const isFile = (value: unknown): value is IBinaryData =>
	typeof value === 'object' &&
	value !== null &&
	'mimeType' in value &&
	('data' in value || 'id' in value);

/** The names under which `fileOf` finds the item's files. */
function fileFieldsOf(ctx: IExecuteFunctions, itemIndex: number): string[] {
	const item = ctx.getInputData()[itemIndex];
	const names = Object.keys(item?.binary ?? {});
	if (ctx.getWorkflowSettings().binaryMode !== 'combined') return names;
	const json = item?.json ?? {};
	const inJson = Object.keys(json).filter((key) => isFile(json[key]));
	const kept = (json._files ?? {}) as Record<string, unknown>;
	const underFiles = Object.keys(kept)
		.filter((key) => isFile(kept[key]))
		.map((key) => `_files.${key}`);
	return [...names, ...inJson, ...underFiles];
}

/**
 * Reads an image from the item's binary data, refusing what ModelsLab would refuse (missing,
 * empty, not an image, over 5 MB) before anything is sent.
 */
export async function readBinaryImage(
	ctx: IExecuteFunctions,
	itemIndex: number,
	property: string,
	fieldLabel: string,
	/** A larger bound where only part of the picture is uploaded (a large photo's crop). */
	mostBytes = MAX_UPLOAD_BYTES,
	/**
	 * Whether an item with exactly one file may stand in for a missing named field (a Form
	 * Trigger names its file after the field's label, "Your_photo", not "data"), and the names
	 * that never may: the fields another input reads (the mask's).
	 */
	soleFileStandsIn: { except: string[] } | false = false,
): Promise<BinaryImage> {
	const fail = (problem: string, description?: string): never =>
		refuseBeforeSending(ctx.getNode(), `"${fieldLabel}": ${problem}`, itemIndex, description);
	if (!property) {
		refuseBeforeSending(
			ctx.getNode(),
			`"${fieldLabel}" is required`,
			itemIndex,
			'Enter the name of the binary field that holds the picture, for example "data".',
		);
	}
	const metadata = fileOf(ctx, itemIndex, property);
	const names = metadata ? [] : fileFieldsOf(ctx, itemIndex);
	if (
		!metadata &&
		soleFileStandsIn &&
		names.length === 1 &&
		!soleFileStandsIn.except.includes(names[0])
	) {
		const image = await readBinaryImage(ctx, itemIndex, names[0], fieldLabel, mostBytes);
		return { ...image, soleFileUsed: names[0] };
	}
	if (!metadata) {
		return fail(
			`the input item has no binary field named "${property}"`,
			names.length
				? `Binary fields on this item: ${names.join(', ')}.`
				: 'This item has no binary data at all. Use a node that outputs files (for example a Form Trigger, Read Files or HTTP Request with "File" response) before this one.',
		);
	}
	const tooLarge = (bytes: number) =>
		fail(
			mostBytes === MAX_UPLOAD_BYTES
				? `the file "${property}" is ${megabytes(bytes)}; ModelsLab accepts images up to 5 MB`
				: `the file "${property}" is ${megabytes(bytes)}; photos up to ${megabytes(mostBytes)} are read`,
		);
	if (typeof metadata.bytes === 'number' && metadata.bytes > mostBytes)
		return tooLarge(metadata.bytes);
	const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, property);
	if (buffer.length === 0) return fail(`the file "${property}" is empty`);
	if (buffer.length > mostBytes) return tooLarge(buffer.length);
	// The bytes decide, not the declared type: a file labelled image/png that is really an HTML
	// error page or a text file would be uploaded, billed as a job, and fail at ModelsLab.
	const mimeType = sniffImageType(buffer);
	if (!mimeType) {
		const declared = metadata.mimeType || 'unknown type';
		return fail(
			`the file "${property}" is not an image (${declared}${declared.startsWith('image/') ? ', but its content is not a PNG, JPEG, WebP, GIF, BMP or TIFF picture' : ''})`,
			'Use a PNG, JPEG or WebP picture.',
		);
	}
	return { buffer, mimeType };
}

export const toDataUri = (image: BinaryImage) =>
	`data:${image.mimeType};base64,${image.buffer.toString('base64')}`;

/**
 * Uploads through `base64_to_url`, which returns a link that stays valid for 24 hours. An upload
 * is free and creates no job, so one that failed on the way is simply made again.
 */
export async function uploadImage(
	ctx: IExecuteFunctions,
	image: BinaryImage,
	itemIndex: number,
	limits: RetryBudget & { timeoutMs?: number },
) {
	const request = {
		host: 'modelslab' as const,
		path: UPLOAD_PATH,
		body: { base64_string: toDataUri(image) },
		timeoutMs: limits.timeoutMs,
	};
	const answer = await withRetries(
		ctx,
		'the image upload',
		async () => await modelsLabRequest(ctx, request, itemIndex),
		limits,
	);
	const url = urlList(answer.body.output)[0] ?? urlList(answer.body.link)[0];
	if (!url) {
		throw new NodeApiError(ctx.getNode(), answer.body as never, {
			message: 'ModelsLab accepted the image upload but returned no link to it',
			itemIndex,
		});
	}
	return url;
}
