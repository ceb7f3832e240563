/**
 * 1 and 2. Detection overhead and API calls per job. One item, a job of T seconds (3, 5, 7, 11 s,
 * real time) whose eta is accurate, 2× too short or 2× too long; our node against the DIY loop
 * (Wait 5 s) and SDK-style fixed 2 s polling. Overhead = the moment the workflow has the result −
 * the moment the simulator finished the job (its own `readyAt` record). Every case runs
 * `REPEATS` times; all runs go concurrently, each case on its own simulator, starts staggered.
 */
import { runDiyLoop } from '../baselines/diyLoop';
import { runFixedPolling } from '../baselines/fixedPolling';
import type { BaselineRun } from '../baselines/types';
import { WaitingServer } from '../../harness/waiting';
import type { CallbacksRun } from '../support/callbacks';
import { runCallbacks } from '../support/callbacks';
import { runOurs } from '../support/ours';
import type { BenchSimulator } from '../support/sim';
import {
	API_KEY,
	fetchesOf,
	finishedAt,
	IMAGE_URL,
	jobById,
	MASK_URL,
	startSimulator,
	SUBMIT_PATH,
} from '../support/sim';
import { sleep } from '../support/stats';

export const JOB_SECONDS = [3, 5, 7, 11];
export const ETA_CASES = [
	{ id: 'accurate', label: 'accurate eta', factor: 1 },
	{ id: 'short', label: 'eta 2× too short', factor: 0.5 },
	{ id: 'long', label: 'eta 2× too long', factor: 2 },
] as const;
export type EtaCase = (typeof ETA_CASES)[number]['id'];

export const IMPLEMENTATIONS = [
	{ id: 'ours', label: 'ModelsLab Inpaint node' },
	{ id: 'diy5', label: 'DIY loop (Wait 5 s → HTTP Request → IF)' },
	{ id: 'sdk2', label: 'fixed 2 s polling (SDK / community-node style)' },
	{
		id: 'callbacks',
		label: 'Wait for callbacks (Inpaint › Resume on Callback → Fetch › Wait for Callbacks)',
	},
] as const;
export type Implementation = (typeof IMPLEMENTATIONS)[number]['id'];

export const REPEATS = 3;

export interface DetectionSample {
	impl: Implementation;
	jobSeconds: number;
	eta: EtaCase;
	overheadMs: number;
	fetches: number;
	status: string;
	/**
	 * How long the execution ran (held by n8n) from the job's submit to its result; Wait for
	 * callbacks counts submit → waiting plus the resuming call, and is stored in between.
	 */
	heldMs: number;
}

const body = () => ({
	key: API_KEY,
	model_id: 'pony-realism',
	prompt: 'detection',
	init_image: IMAGE_URL,
	mask_image: MASK_URL,
});

async function runImplementation(
	impl: Implementation,
	target: BenchSimulator,
	waiting: WaitingServer,
): Promise<BaselineRun | CallbacksRun> {
	if (impl === 'ours') return runOurs(target, { items: 1 });
	if (impl === 'callbacks') return runCallbacks(target, waiting, { items: 1 });
	if (impl === 'diy5') return runDiyLoop(target.baseUrl, SUBMIT_PATH, [body()], { waitMs: 5000 });
	return runFixedPolling(target.baseUrl, SUBMIT_PATH, [body()], 2000);
}

export async function runDetection(): Promise<DetectionSample[]> {
	const cases = JOB_SECONDS.flatMap((jobSeconds) => ETA_CASES.map((eta) => ({ jobSeconds, eta })));
	const targets = await Promise.all(
		cases.map(({ jobSeconds, eta }) =>
			startSimulator({ jobDurationMs: jobSeconds * 1000, etaFactor: eta.factor }),
		),
	);
	const samples: DetectionSample[] = [];
	const waiting = new WaitingServer();
	await waiting.start();
	const runs: Array<Promise<void>> = [];
	let slot = 0;
	try {
		for (const [caseIndex, { jobSeconds, eta }] of cases.entries()) {
			for (let repeat = 0; repeat < REPEATS; repeat++) {
				for (const { id: impl } of IMPLEMENTATIONS) {
					// Spread the submits over ~2 s so the runs do not all hit the event loop at once.
					const startDelay = (slot++ * 53) % 2000;
					const target = targets[caseIndex];
					runs.push(
						sleep(startDelay).then(async () => {
							const run = await runImplementation(impl, target, waiting);
							const item = run.items[0];
							const job = jobById(target.sim, item.jobId);
							if (!job || item.returnedAt === undefined)
								throw new Error(`${impl} T=${jobSeconds} ${eta.id}: ${run.error}`);
							samples.push({
								impl,
								jobSeconds,
								eta: eta.id,
								overheadMs: item.returnedAt - finishedAt(job),
								fetches: fetchesOf(target.sim, job).length,
								status: item.status,
								heldMs:
									'waitedAt' in run
										? run.waitedAt - job.createdAt + run.webhookMs
										: item.returnedAt - job.createdAt,
							});
						}),
					);
				}
			}
		}
		await Promise.all(runs);
	} finally {
		await Promise.all(targets.map((target) => target.sim.stop()));
		await waiting.stop();
	}
	return samples;
}
