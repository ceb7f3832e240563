import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { EndpointId } from '../shared/transport/endpoints';
import { readParameter } from '../shared/run/parameters';
import {
	callbackUrl,
	newNonce,
	runsAsTool,
	unreachableCallbackProblem,
} from '../shared/callbacks/resumeUrl';
import { refuseValue } from '../shared/schema/validate';
import { baseUrls } from '../shared/transport/transport';
import { advancedOptionsParameter, completionProperty } from './inpaintDescription';

/** Where this run's jobs call back, and the nonce the waiting node checks. */
export interface CallbackTarget {
	url: string;
	nonce: string;
}

const FIELD = '"Completion" Resume on Callback';

/**
 * With Completion › Resume on Callback: the URL that resumes this execution, checked once for the
 * whole run before anything is sent. Undefined with any other Completion.
 */
export async function prepareCallback(ctx: IExecuteFunctions): Promise<CallbackTarget | undefined> {
	// noDataExpression: one value for the whole run.
	if (readParameter(ctx, completionProperty, 0) !== 'callback') return undefined;
	const node = ctx.getNode();
	const context = `${node.name}: Resume on Callback`;
	if (runsAsTool(node)) {
		refuseValue(
			node,
			`${FIELD} cannot be used when the node runs as an AI Agent tool`,
			0,
			context,
			'an agent cannot wait for a callback; choose Wait for Result',
		);
	}
	const resumeUrl = ctx.evaluateExpression('{{ $execution.resumeUrl }}', 0);
	const nonce = newNonce();
	let url: string;
	try {
		url = callbackUrl(String(resumeUrl), nonce);
	} catch {
		return refuseValue(
			node,
			`${FIELD} needs this execution's resume URL, and n8n gave none`,
			0,
			context,
		);
	}
	const problem = unreachableCallbackProblem(url, Object.values(await baseUrls(ctx)));
	if (problem) {
		refuseValue(
			node,
			`${FIELD}: ${problem}`,
			0,
			context,
			`${problem}. Set N8N_WEBHOOK_URL (or WEBHOOK_URL) to the public address of n8n, or choose Wait for Result`,
		);
	}
	return { url, nonce };
}

/** The job's own Webhook URL option would send its callback elsewhere: refused before anything is sent. */
export function refuseOwnWebhook(ctx: IExecuteFunctions, endpoint: EndpointId, itemIndex: number) {
	const advanced = ctx.getNodeParameter(
		advancedOptionsParameter(endpoint),
		itemIndex,
		{},
	) as IDataObject;
	const own = advanced?.webhook;
	if (own === undefined || own === null || own === '') return;
	refuseValue(
		ctx.getNode(),
		'"Advanced Options › Webhook URL" cannot be set with Completion › Resume on Callback',
		itemIndex,
		`${ctx.getNode().name}: Resume on Callback`,
		'the job calls back to this execution; remove the Webhook URL, or choose Return Immediately to send it elsewhere',
	);
}
