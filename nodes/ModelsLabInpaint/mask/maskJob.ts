import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { downloadImageBytes } from '../../shared/images/download';
import type { CompletionSettings } from '../../shared/run/completion';
import type { JobSlot } from '../../shared/pacing/jobSlots';
import { waitForCompletion } from '../../shared/pacing/polling';
import { asNodeError, markFailure } from '../../shared/transport/failures';
import { fetchJob, fetchUrlBuilder } from '../../shared/transport/jobs';
import { normalizeResult } from '../../shared/transport/result';
import { baseUrls } from '../../shared/transport/transport';
import { logAcceptedJob, submit } from '../submit';
import type { MaskJobKind } from './maskSource';

/**
 * Mask Source › Describe It, Subject and Background: a ModelsLab mask job made from the photo,
 * before the inpaint job. It is a real, billed job and goes through the same engine: sent once,
 * refusals retried until Max Wait, counted on the account's queue, waited for by its eta, and
 * always waited for (even with Return Immediately or Resume on Callback: the inpaint job needs
 * its mask). Its picture is downloaded like any result image.
 */

/** Both mask endpoints are v6 Image Editing jobs, fetched at its fetch address (modelslab-editing.md). */
const FETCHED_AS = 'imageEditing' as const;

const MASK_REQUESTS: Record<
	MaskJobKind,
	{ path: string; body: (photoUrl: string, description?: string) => IDataObject }
> = {
	// mask_creator: `init_image` and `specific_object` (its OpenAPI omits init_image; its page sends it).
	describe: {
		path: '/api/v6/image_editing/mask_creator',
		body: (photoUrl, description) => ({ init_image: photoUrl, specific_object: description }),
	},
	// removebg_mask with only_mask: the subject's mask. Background is that mask inverted by the node.
	subject: {
		path: '/api/v6/image_editing/removebg_mask',
		body: (photoUrl) => ({ image: photoUrl, only_mask: true }),
	},
	background: {
		path: '/api/v6/image_editing/removebg_mask',
		body: (photoUrl) => ({ image: photoUrl, only_mask: true }),
	},
};

/** The largest mask picture downloaded: a black-and-white mask of a 40-megapixel photo is far below it. */
export const MAX_MASK_FILE_BYTES = 64 * 1024 * 1024;

/** How errors and the log name the step: `the mask of "the sofa"`. */
export const maskStepName = (job: { kind: MaskJobKind; description?: string }) =>
	job.kind === 'describe'
		? `the mask of "${job.description}"`
		: job.kind === 'subject'
			? "the mask of the photo's subject"
			: "the mask of the photo's background";

/** The finished mask job: its id and its picture's bytes, as ModelsLab made it. */
export interface MaskJobOutput {
	requestId: string;
	picture: Buffer;
	/** Where ModelsLab serves the picture. */
	url: string;
}

/**
 * Runs the mask job for a photo link and returns its picture. A job that fails, ends without a
 * picture, or is still processing at Max Wait stops the item here, naming the step and the mask
 * job, before the inpaint job is sent.
 */
export async function runMaskJob(
	ctx: IExecuteFunctions,
	job: { kind: MaskJobKind; description?: string },
	photoUrl: string,
	itemIndex: number,
	settings: Pick<CompletionSettings, 'maxWaitMs' | 'requestTimeoutMs'>,
	slot: JobSlot,
): Promise<MaskJobOutput> {
	const step = maskStepName(job);
	const { path, body } = MASK_REQUESTS[job.kind];
	const target = { host: 'modelslab' as const, path, what: `the mask job for ${step}` };
	const answer = await withStep(
		ctx,
		step,
		itemIndex,
		async () =>
			await submit(ctx, target, body(photoUrl, job.description), itemIndex, settings, slot),
	);
	const roots = await baseUrls(ctx);
	const submitted = normalizeResult(answer.body, FETCHED_AS, fetchUrlBuilder(roots, FETCHED_AS));
	logAcceptedJob(ctx, submitted.requestId, itemIndex);
	const reference = {
		requestId: submitted.requestId,
		endpoint: FETCHED_AS,
		fetchUrl: submitted.fetchUrl,
	};
	const finished = await withStep(ctx, step, itemIndex, async () =>
		submitted.status === 'processing'
			? await waitForCompletion(
					ctx,
					submitted,
					async (timeoutMs) => await fetchJob(ctx, reference, itemIndex, timeoutMs),
					{ ...settings, itemIndex },
				)
			: submitted,
	);
	slot.release();
	const requestId = finished.requestId || submitted.requestId;
	if (finished.status !== 'success' || finished.output.length === 0) {
		const why =
			finished.status === 'success'
				? 'ModelsLab finished the mask job without a picture'
				: `ModelsLab's mask job ended "${finished.status}"${finished.message ? `: ${finished.message}` : ''}`;
		throw maskStepFailed(ctx, step, requestId, why, itemIndex);
	}
	const picture = await withStep(
		ctx,
		step,
		itemIndex,
		async () =>
			await downloadImageBytes(ctx, finished.output[0], itemIndex, {
				timeoutMs: settings.requestTimeoutMs,
				maxWaitMs: settings.maxWaitMs,
				requestId,
				mostBytes: MAX_MASK_FILE_BYTES,
			}),
	);
	return { requestId, picture, url: finished.output[0] };
}

/** Errors of the mask step name it, so a user reads which of the item's two jobs went wrong. */
async function withStep<T>(
	ctx: IExecuteFunctions,
	step: string,
	itemIndex: number,
	run: () => Promise<T>,
): Promise<T> {
	try {
		return await run();
	} catch (caught) {
		const error = asNodeError(ctx, caught, itemIndex);
		error.message = `${capitalized(step)}: ${error.message}`;
		if (error instanceof NodeApiError)
			error.description = `${error.description ?? ''} The inpaint job was not sent.`.trim();
		throw error;
	}
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The mask step stopped the item after its mask job was accepted (and billed): the error names the
 * step and the mask job, and says that the inpaint job was not sent.
 */
export function maskStepFailed(
	ctx: IExecuteFunctions,
	step: string,
	requestId: string,
	problem: string,
	itemIndex: number,
	advice = 'Check the photo and the description, then run the item again.',
): NodeApiError {
	const error = new NodeApiError(
		ctx.getNode(),
		{ message: problem, requestId },
		{
			message: `${capitalized(step)} could not be used: ${problem} [item ${itemIndex}]`,
			description: `Mask job ${requestId} (billed); the inpaint job was not sent. ${advice}`,
			itemIndex,
		},
	);
	return markFailure(error, undefined, { requestId });
}
