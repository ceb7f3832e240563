/**
 * 4. Max Concurrent Jobs on Auto (the default), where a fixed number is wrong either way:
 * - no queue limit (a large plan, or ModelsLab not busy): 20 items × 5 s jobs should take about one
 *   job time, as a plain HTTP Request loop does, not 4 rounds as the old fixed 5 at a time did;
 * - a queue limit of 5 shared by 6 executions × 10 items at once (queue mode: several executions
 *   of busy workflows): every item succeeds, no job twice, close to the ideal of 12 rounds.
 * The 20-item run with a queue limit of 5 is scenario 3 (throughput), run with the same defaults.
 */
import { mostUnfinishedAtOnce } from '../../simulator';
import { runDiyLoop } from '../baselines/diyLoop';
import type { BaselineRun } from '../baselines/types';
import { runOurs } from '../support/ours';
import type { BenchSimulator } from '../support/sim';
import { API_KEY, IMAGE_URL, MASK_URL, startSimulator, SUBMIT_PATH } from '../support/sim';

export const SOLO_ITEMS = 20;
export const JOB_MS = 5000;
export const SHARED_RUNS = 6;
export const SHARED_ITEMS = 10;
export const SHARED_LIMIT = 5;
export const SHARED_IDEAL_MS = ((SHARED_RUNS * SHARED_ITEMS) / SHARED_LIMIT) * JOB_MS;

export const CONCURRENCY_CONTENDERS = [
	{ id: 'autoNoLimit', label: 'ModelsLab Inpaint node, Auto (default), no queue limit' },
	{ id: 'fixed5NoLimit', label: 'ModelsLab Inpaint node, fixed 5 at a time, no queue limit' },
	{ id: 'diyNoLimit', label: 'DIY loop (Wait 1 s), no queue limit' },
	{
		id: 'autoShared',
		label: `ModelsLab Inpaint node, Auto, ${SHARED_RUNS} executions × ${SHARED_ITEMS} items, queue limit ${SHARED_LIMIT}`,
	},
] as const;
export type ConcurrencyContender = (typeof CONCURRENCY_CONTENDERS)[number]['id'];

export interface ConcurrencyResult {
	id: ConcurrencyContender;
	label: string;
	items: number;
	wallMs: number;
	failedItems: number;
	billedJobs: number;
	duplicateJobs: number;
	refusedSubmits: number;
	/** The most jobs ModelsLab had unfinished at one moment. */
	peakUnfinished: number;
	error?: string;
}

async function contend(id: ConcurrencyContender, target: BenchSimulator): Promise<BaselineRun[]> {
	switch (id) {
		case 'autoNoLimit':
			return [await runOurs(target, { items: SOLO_ITEMS })];
		case 'fixed5NoLimit':
			return [
				await runOurs(target, { items: SOLO_ITEMS, processingOptions: { maxConcurrentJobs: 5 } }),
			];
		case 'diyNoLimit': {
			const bodies = Array.from({ length: SOLO_ITEMS }, (_, index) => ({
				key: API_KEY,
				model_id: 'pony-realism',
				prompt: `item ${index}`,
				init_image: IMAGE_URL,
				mask_image: MASK_URL,
			}));
			return [await runDiyLoop(target.baseUrl, SUBMIT_PATH, bodies, { waitMs: 1000 })];
		}
		case 'autoShared':
			return await Promise.all(
				Array.from(
					{ length: SHARED_RUNS },
					async (_, run) =>
						await runOurs(target, {
							items: SHARED_ITEMS,
							run: String(run),
							processingOptions: { maxWaitSeconds: 600 },
						}),
				),
			);
	}
}

async function measure(id: ConcurrencyContender, label: string): Promise<ConcurrencyResult> {
	const shared = id === 'autoShared';
	const target = await startSimulator({
		jobDurationMs: JOB_MS,
		queueLimit: shared ? SHARED_LIMIT : null,
	});
	try {
		const runs = await contend(id, target);
		const { sim } = target;
		const items = runs.flatMap((run) => run.items);
		const prompts = new Set(sim.jobs.map((job) => String(job.body.prompt)));
		return {
			id,
			label,
			items: items.length,
			wallMs:
				Math.max(...runs.map((run) => run.endedAt)) - Math.min(...runs.map((run) => run.startedAt)),
			failedItems: items.filter((item) => item.status !== 'success').length,
			billedJobs: sim.jobs.length,
			duplicateJobs: sim.jobs.length - prompts.size,
			refusedSubmits: sim.requestsTo(SUBMIT_PATH).length - sim.jobs.length,
			peakUnfinished: mostUnfinishedAtOnce(target.sim.jobs),
			error: runs.find((run) => run.error)?.error,
		};
	} finally {
		await target.sim.stop();
	}
}

/** One contender after the other: each wall time is its own, not shared with the others' work. */
export async function runConcurrency(): Promise<ConcurrencyResult[]> {
	const results: ConcurrencyResult[] = [];
	for (const { id, label } of CONCURRENCY_CONTENDERS) results.push(await measure(id, label));
	return results;
}
