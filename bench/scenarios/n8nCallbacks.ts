/**
 * Wait for callbacks as n8n delivers it, next to Wait for Result measured the same way, in a real
 * n8n 2.x process (bench/support/n8n.ts), after one warm-up execution of each workflow. One item
 * per execution; per job time T, N8N_REPEATS
 * executions of each workflow started 0.4 s apart, the T rounds one after the other.
 * - Detection: the simulator's job-finished time (`readyAt`) → the start of the Result node after
 *   the ModelsLab nodes (n8n's own record of when the workflow had the result).
 * - Held: the time the execution runs, from n8n's records. Wait for callbacks: execution start →
 *   the moment it was stored waiting (read from the waiting execution's record), plus the
 *   simulator's callback request → the execution's stop (n8n loading the execution, running the
 *   node's webhook, the rest of the workflow, saving). Wait for Result: start → stop.
 */
import type { ExecutionSummary } from '../../e2e/support/server';
import type { BenchN8n, ExecutionRecord } from '../support/n8n';
import { executionRecord, finishedExecutions, startWorkflow } from '../support/n8n';
import { benchWorkflows, INPAINT_NODE, RESULT_NODE, WAIT_NODE } from '../support/n8nWorkflows';
import type { BenchSimulator } from '../support/sim';
import { fetchesOf, jobById } from '../support/sim';
import { sleep } from '../support/stats';

export const N8N_JOB_SECONDS = [3, 5, 7, 11];
export const N8N_REPEATS = 2;

export type N8nCompletion = 'callbacks' | 'waitForResult';

export interface N8nCallbackSample {
	completion: N8nCompletion;
	jobSeconds: number;
	status: string;
	detectionMs: number;
	heldMs: number;
	/** For Wait for callbacks: execution start → stored waiting. */
	beforeWaitMs?: number;
	/** For Wait for callbacks: callback sent → execution stopped. */
	resumeMs?: number;
	fetches: number;
}

export interface N8nCallbacksResult {
	n8nVersion: string;
	nodeVersion: string;
	samples: N8nCallbackSample[];
}

/** When a waiting execution was stored waiting: the end of the waiting node's run, or n8n's stop time. */
function pausedAt(record: ExecutionRecord): number | undefined {
	const task = record.runData[WAIT_NODE]?.[0];
	const nodeEnd = task ? task.startTime + task.executionTime : undefined;
	const candidates = [nodeEnd, record.stoppedAt ?? undefined].filter(
		(value): value is number => value !== undefined && Number.isFinite(value),
	);
	return candidates.length ? Math.max(...candidates) : undefined;
}

const requestIdOf = (record: ExecutionRecord) =>
	record.runData[INPAINT_NODE]?.[0]?.data?.main?.[0]?.[0]?.json.requestId;

export async function runN8nCallbacks(
	rig: BenchN8n,
	target: BenchSimulator,
	log: (line: string) => void,
): Promise<N8nCallbacksResult> {
	const workflows = benchWorkflows(target.baseUrl);
	const { sim } = target;
	const samples: N8nCallbackSample[] = [];
	// Job ids start again after the simulator's reset: each round reads only its own executions.
	const done = new Set<string>();
	// Warm-up: one execution of each workflow (1 s jobs), so no measured one pays for n8n's first
	// run of these nodes.
	sim.settings.jobDurationMs = 1000;
	await startWorkflow(rig, 'bench-callbacks', [{ prompt: 'warm-up' }]);
	await startWorkflow(rig, 'bench-wait-for-result', [{ prompt: 'warm-up' }]);
	await finishedExecutions(rig, workflows.callbacks.id, 1, 60_000);
	await finishedExecutions(rig, workflows.waitForResult.id, 1, 60_000);
	const warmUps = [
		...(await rig.server.executionsOf(workflows.callbacks.id)),
		...(await rig.server.executionsOf(workflows.waitForResult.id)),
	];
	for (const execution of warmUps) done.add(execution.id);
	await sim.flushCallbacks();
	sim.reset();
	const seen = { callbacks: 1, waitForResult: 1 };
	for (const jobSeconds of N8N_JOB_SECONDS) {
		sim.settings.jobDurationMs = jobSeconds * 1000;
		// Records of executions while they wait: their first part ends there.
		const paused = new Map<string, number>();
		let watching = true;
		const watcher = (async () => {
			while (watching) {
				const waiting = (await rig.server.executionsOf(workflows.callbacks.id)).filter(
					(execution: ExecutionSummary) =>
						execution.status === 'waiting' && !paused.has(execution.id),
				);
				for (const execution of waiting) {
					const at = pausedAt(await executionRecord(rig.server, execution.id));
					if (at !== undefined) paused.set(execution.id, at);
				}
				await sleep(150);
			}
		})();
		const starts: Array<Promise<void>> = [];
		for (let repeat = 0; repeat < N8N_REPEATS; repeat++) {
			for (const [path, prefix] of [
				['bench-callbacks', 'callbacks'],
				['bench-wait-for-result', 'wait'],
			] as const) {
				starts.push(startWorkflow(rig, path, [{ prompt: `${prefix} T=${jobSeconds} #${repeat}` }]));
				await sleep(400);
			}
		}
		await Promise.all(starts);
		seen.callbacks += N8N_REPEATS;
		seen.waitForResult += N8N_REPEATS;
		const ended = {
			callbacks: await finishedExecutions(rig, workflows.callbacks.id, seen.callbacks, 120_000),
			waitForResult: await finishedExecutions(
				rig,
				workflows.waitForResult.id,
				seen.waitForResult,
				120_000,
			),
		};
		watching = false;
		await watcher;
		await sim.flushCallbacks();
		for (const completion of ['callbacks', 'waitForResult'] as const) {
			for (const summary of ended[completion]) {
				if (done.has(summary.id)) continue;
				done.add(summary.id);
				const record = await executionRecord(rig.server, summary.id);
				const job = jobById(sim, requestIdOf(record));
				if (!job) throw new Error(`execution ${summary.id} (${record.status}) has no job`);
				const result = record.runData[RESULT_NODE]?.[0];
				const stoppedAt = record.stoppedAt ?? NaN;
				const sample: N8nCallbackSample = {
					completion,
					jobSeconds,
					status: record.status,
					detectionMs: result ? result.startTime - job.readyAt : NaN,
					heldMs: stoppedAt - record.startedAt,
					fetches: fetchesOf(sim, job).length,
				};
				if (completion === 'callbacks') {
					const delivery = sim.callbacks.find(
						(callback) => callback.jobId === job.id && callback.status === 200,
					);
					const pause = paused.get(summary.id);
					sample.beforeWaitMs = pause === undefined ? NaN : pause - record.startedAt;
					sample.resumeMs = delivery ? stoppedAt - delivery.sentAt : NaN;
					sample.heldMs = sample.beforeWaitMs + sample.resumeMs;
				}
				samples.push(sample);
			}
		}
		log(`  n8n callbacks: T = ${jobSeconds} s done`);
		sim.reset();
	}
	return { n8nVersion: rig.version, nodeVersion: rig.nodeVersion, samples };
}
