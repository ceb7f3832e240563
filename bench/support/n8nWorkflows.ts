/**
 * The workflows the bench runs in a real n8n: Webhook (POST `{ items: [{ prompt }, ...] }`) →
 * Split Out → the ModelsLab nodes → a No Op whose start time is when the workflow has the result.
 */
import { CREDENTIAL_ID, CREDENTIAL_NAME } from '../../e2e/support/n8n';
import type { Workflow, WorkflowNode } from '../../e2e/support/workflows';
import { FETCH, INPAINT } from '../../e2e/support/workflows';

const credentials = { modelsLabApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };

/** The node a workflow's result reaches: its start time is when n8n has the result in hand. */
export const RESULT_NODE = 'Result';
export const INPAINT_NODE = 'ModelsLab Inpaint';
export const WAIT_NODE = 'Wait for Callbacks';

/** A node before it gets its id and position (Omit would drop the fields behind WorkflowNode's index signature). */
type Step = Pick<
	WorkflowNode,
	'name' | 'type' | 'typeVersion' | 'parameters' | 'credentials' | 'webhookId'
>;

function chain(id: string, path: string, steps: Step[]) {
	const given: Step[] = [
		{
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
			webhookId: `${id}-webhook`,
		},
		{
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			parameters: { fieldToSplitOut: 'body.items', options: {} },
		},
		...steps,
	];
	const nodes: WorkflowNode[] = given.map((node, index) => ({
		...node,
		id: `${id}-${index}`,
		position: [index * 220, 0],
	}));
	const names = nodes.map((node) => node.name);
	return {
		id,
		name: `bench: ${path}`,
		nodes,
		connections: Object.fromEntries(
			names
				.slice(0, -1)
				.map((from, i) => [from, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
		),
		settings: { executionOrder: 'v1' },
	} as Workflow;
}

const resultNode = {
	name: RESULT_NODE,
	type: 'n8n-nodes-base.noOp',
	typeVersion: 1,
	parameters: {},
};

/** Community endpoint, the simulator's own sample pictures (on the credential's host). */
const inpaint = (simulatorUrl: string, size: number, parameters: Record<string, unknown>) => ({
	name: INPAINT_NODE,
	type: INPAINT,
	typeVersion: 1,
	parameters: {
		endpoint: 'community',
		prompt: '={{ $json.prompt }}',
		initImageUrl: `${simulatorUrl}/samples/photo-${size}x${size}.png`,
		maskImageUrl: `${simulatorUrl}/samples/mask-${size}x${size}.png`,
		...parameters,
	},
	credentials,
});

/** As the detection rows run: fixed 512×512 output (no size read), images not downloaded. */
const detectionParameters = {
	outputSize: 'custom',
	downloadImages: false,
};

export function benchWorkflows(simulatorUrl: string) {
	return {
		/** Inpaint › Resume on Callback → Fetch › Wait for Callbacks → Result. */
		callbacks: chain('benchCallbacks', 'bench-callbacks', [
			inpaint(simulatorUrl, 512, { ...detectionParameters, completion: 'callback' }),
			{
				name: WAIT_NODE,
				type: FETCH,
				typeVersion: 1,
				parameters: {
					operation: 'waitForCallbacks',
					downloadImages: false,
					processingOptions: { maxWaitSeconds: 300 },
				},
				credentials,
				webhookId: 'benchCallbacks-wait',
			},
			resultNode,
		]),
		/** Inpaint › Wait for Result → Result, measured the same way. */
		waitForResult: chain('benchWaitForResult', 'bench-wait-for-result', [
			inpaint(simulatorUrl, 512, { ...detectionParameters, completion: 'wait' }),
			resultNode,
		]),
		/**
		 * The Inpaint node as a user leaves it (Auto concurrency, Wait for Result, Download Images,
		 * Output Size › Same as Image) on a 1024×1024 photo: one 1024×1024 result per item.
		 */
		memory: chain('benchMemory', 'bench-memory', [inpaint(simulatorUrl, 1024, {}), resultNode]),
		/** n8n's own HTTP Request node downloading the same pictures (a file each), for comparison. */
		memoryHttpRequest: chain('benchMemoryHttp', 'bench-memory-http-request', [
			{
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				parameters: {
					url: '={{ $json.url }}',
					options: { response: { response: { responseFormat: 'file' } } },
				},
			},
			resultNode,
		]),
		/** The same with Download Images off: what n8n itself adds for the items and their jobs. */
		memoryNoDownload: chain('benchMemoryNoDownload', 'bench-memory-no-download', [
			inpaint(simulatorUrl, 1024, { downloadImages: false }),
			resultNode,
		]),
	};
}
