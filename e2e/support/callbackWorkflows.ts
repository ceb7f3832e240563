import { CREDENTIAL_ID, CREDENTIAL_NAME } from './n8n';
import { FETCH, INPAINT, type Workflow, type WorkflowNode } from './workflows';

const credentials = { modelsLabApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };

/**
 * Webhook (POST `{ jobs: [{ prompt }, ...] }`) → Split Out → Inpaint (Resume on Callback) → Fetch ›
 * Wait for Callbacks → Fetch › Get Result, and optionally an n8n Wait node (resume on a webhook
 * call) after it all: active workflows the e2e suite starts over HTTP, one job per entry of `jobs`.
 */
export function callbackWorkflow(
	id: string,
	path: string,
	{
		maxWaitSeconds = 120,
		laterWait = false,
	}: { maxWaitSeconds?: number; laterWait?: boolean } = {},
): Workflow {
	const node = (
		name: string,
		type: string,
		x: number,
		parameters: Record<string, unknown>,
		extra: Partial<WorkflowNode> = {},
	): WorkflowNode => ({
		id: `${id}-${x}`,
		name,
		type,
		typeVersion: 1,
		position: [x, 0],
		parameters,
		...extra,
	});
	const nodes: WorkflowNode[] = [
		node(
			'Webhook',
			'n8n-nodes-base.webhook',
			0,
			{ httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			{ typeVersion: 2, webhookId: `${id}-webhook` },
		),
		node('Split Out', 'n8n-nodes-base.splitOut', 200, {
			fieldToSplitOut: 'body.jobs',
			options: {},
		}),
		node(
			'ModelsLab Inpaint',
			INPAINT,
			400,
			{
				endpoint: 'imageEditing',
				prompt: '={{ $json.prompt }}',
				initImageUrl: 'https://example.com/photo.png',
				maskImageUrl: 'https://example.com/mask.png',
				completion: 'callback',
			},
			{ credentials },
		),
		node(
			'Wait for Callbacks',
			FETCH,
			600,
			{ operation: 'waitForCallbacks', processingOptions: { maxWaitSeconds } },
			{ credentials, webhookId: `${id}-callbacks` },
		),
		node('Get Result', FETCH, 800, {}, { credentials }),
	];
	if (laterWait) {
		nodes.push(
			node(
				'Wait',
				'n8n-nodes-base.wait',
				1000,
				{ resume: 'webhook', httpMethod: 'POST', options: {} },
				{ typeVersion: 1.1, webhookId: `${id}-wait` },
			),
		);
	}
	const chain = nodes.map((entry) => entry.name);
	return {
		id,
		name: `e2e: Resume on Callback (${path})`,
		nodes,
		connections: Object.fromEntries(
			chain
				.slice(0, -1)
				.map((from, i) => [from, { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] }]),
		),
		settings: { executionOrder: 'v1' },
	};
}

export const callbackWorkflows = {
	jobs: callbackWorkflow('e2eCallbackJobs', 'e2e-callback-jobs'),
	race: callbackWorkflow('e2eCallbackRace', 'e2e-callback-race'),
	lost: callbackWorkflow('e2eCallbackLost', 'e2e-callback-lost', { maxWaitSeconds: 5 }),
	laterWait: callbackWorkflow('e2eCallbackWait', 'e2e-callback-wait', { laterWait: true }),
};
