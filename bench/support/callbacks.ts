/**
 * Resume on Callback → Wait for Callbacks, run the way the tests run it: both nodes in n8n-core's
 * WorkflowExecute, the simulator's callbacks into a stand-in for n8n's waiting-webhook route
 * (harness/waiting.ts) that runs the waiting node's webhook() in n8n-core's WebhookContext.
 */
import { PACKAGE, runNode } from '../../harness/engine';
import type { WaitingServer } from '../../harness/waiting';
import type { BaselineItem, BaselineRun } from '../baselines/types';
import type { OursOptions } from './ours';
import { ourParameters } from './ours';
import type { BenchSimulator } from './sim';

export interface CallbacksRun extends BaselineRun {
	/** When the execution was left waiting (stored, in real n8n). */
	waitedAt: number;
	/** How long the resuming webhook() call ran. */
	webhookMs: number;
}

let executions = 0;

export async function runCallbacks(
	target: BenchSimulator,
	waiting: WaitingServer,
	options: OursOptions,
): Promise<CallbacksRun> {
	const executionId = `bench-callbacks-${++executions}`;
	const common = {
		credentials: target.credentials,
		executionId,
		webhookWaitingBaseUrl: waiting.webhookWaitingBaseUrl,
	};
	const startedAt = Date.now();
	const resumed = waiting.resumed(executionId);
	const submitted = await runNode({
		...common,
		parameters: { ...ourParameters(options), completion: 'callback' },
		items: Array.from({ length: options.items }, (_, index) => ({ json: { index } })),
	});
	const waited = await runNode({
		...common,
		nodeType: `${PACKAGE}.modelsLabFetch`,
		parameters: {
			operation: 'waitForCallbacks',
			downloadImages: options.downloadImages ?? false,
			processingOptions: { maxWaitSeconds: 300 },
		},
		items: submitted.output.map(({ json }) => ({ json })),
	});
	const waitedAt = Date.now();
	let output = waited.output;
	let webhookMs = 0;
	let returnedAt = waitedAt;
	if (waited.run?.status === 'waiting') {
		waiting.wait(waited.run, waited.workflow!, executionId, target.credentials);
		const resume = await resumed;
		output = resume.items;
		webhookMs = resume.webhookMs;
		returnedAt = resume.at;
	}
	const items: BaselineItem[] = Array.from({ length: options.items }, (_, index) => {
		const json = output[index]?.json;
		return json
			? { index, jobId: Number(json.requestId), status: String(json.status), returnedAt }
			: { index, status: 'error' };
	});
	return {
		items,
		error: submitted.error?.message ?? waited.error?.message,
		startedAt,
		endedAt: returnedAt,
		waitedAt,
		webhookMs,
	};
}
