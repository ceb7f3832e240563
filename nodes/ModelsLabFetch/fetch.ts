import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { CompletionSettings } from '../shared/completion';
import { completeJob } from '../shared/completion';
import type { VariantId } from '../shared/endpoints';
import { variantOfFetchPath } from '../shared/endpoints';
import type { JobReference } from '../shared/jobs';
import { fetchJob } from '../shared/jobs';
import { withRetries } from '../shared/retry';
import { baseUrls, onConfiguredHost } from '../shared/transport';
import { VARIANTS } from '../ModelsLabInpaint/variants';

function fail(ctx: IExecuteFunctions, message: string, itemIndex: number, description?: string): never {
	throw new NodeOperationError(ctx.getNode(), `${message} [item ${itemIndex}]`, { itemIndex, description });
}

/** The job an item asks for, checked before anything is sent. */
async function jobOf(ctx: IExecuteFunctions, itemIndex: number): Promise<JobReference> {
	if (ctx.getNodeParameter('lookup', itemIndex) === 'fetchUrl') {
		const fetchUrl = String(ctx.getNodeParameter('fetchUrl', itemIndex, '') ?? '').trim();
		if (!fetchUrl) fail(ctx, '"Fetch URL" is required', itemIndex);
		const onHost = onConfiguredHost(fetchUrl, await baseUrls(ctx));
		if (!onHost) {
			fail(ctx, `"Fetch URL" ${fetchUrl} is not on a ModelsLab host of the credential`, itemIndex,
				'Your API key is only sent to the Base URL and Legacy v3 Base URL of the ModelsLab credential.');
		}
		const variant = variantOfFetchPath(onHost.path);
		if (!variant) fail(ctx, `"Fetch URL" ${fetchUrl} is not a ModelsLab fetch address`, itemIndex);
		const idInPath = /\/fetch\/([^/?]+)/.exec(onHost.path)?.[1];
		const requestId = idInPath ?? String(ctx.getInputData()[itemIndex].json.requestId ?? '');
		if (!requestId) fail(ctx, 'This fetch URL needs the job\'s request ID in the input item ("requestId")', itemIndex);
		return { requestId: decodeURIComponent(requestId), variant, fetchUrl };
	}
	const raw = ctx.getNodeParameter('requestId', itemIndex, '') ?? '';
	const requestId = (typeof raw === 'string' || typeof raw === 'number' ? String(raw) : JSON.stringify(raw)).trim();
	if (!requestId) fail(ctx, '"Request ID" is required', itemIndex, 'Connect this node after a ModelsLab Inpaint node, or enter the ID.');
	// Ids are numbers (sometimes other plain tokens); anything else is an expression gone wrong.
	if (!/^[\w-]{1,64}$/.test(requestId)) {
		fail(ctx, `"Request ID" must be a ModelsLab request ID such as 90000001 (got ${JSON.stringify(requestId.slice(0, 80))})`, itemIndex,
			'Nothing was sent to ModelsLab.');
	}
	const chosen = ctx.getNodeParameter('endpoint', itemIndex) as VariantId | 'fromInput';
	const variant = chosen === 'fromInput' ? ctx.getInputData()[itemIndex].json.variant : chosen;
	if (typeof variant !== 'string' || !(variant in VARIANTS)) {
		fail(ctx, `"Endpoint": the input item says "${String(variant ?? '')}", which is not a ModelsLab endpoint`, itemIndex,
			`Choose the endpoint, or pass items from a ModelsLab Inpaint node (their "variant" is one of: ${Object.keys(VARIANTS).join(', ')}).`);
	}
	return { requestId, variant: variant as VariantId };
}

export async function fetchItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	settings: CompletionSettings,
): Promise<INodeExecutionData> {
	const job = await jobOf(ctx, itemIndex);
	// A fetch is free and changes nothing: a lost or refused one is simply made again.
	const current = await withRetries(
		ctx,
		`ModelsLab job ${job.requestId}`,
		async () => await fetchJob(ctx, job, itemIndex, settings.requestTimeoutMs),
		{ itemIndex, maxWaitMs: settings.maxWaitMs },
	);
	return await completeJob(ctx, current, { ...job, fetchUrl: job.fetchUrl ?? current.fetchUrl }, settings, itemIndex);
}
