/**
 * 3. Throughput under the plan's queue limit: 20 items × 5 s jobs, queue limit 5 (a 6th unfinished
 * job gets HTTP 429 "Rate limit exceeded", as on ModelsLab's smallest plan). Each contender gets its
 * own simulator; all run concurrently (they only wait on timers and loopback HTTP).
 */
import { runDiyLoop } from '../baselines/diyLoop';
import { runFixedPolling } from '../baselines/fixedPolling';
import type { BaselineRun } from '../baselines/types';
import { runOurs } from '../support/ours';
import type { BenchSimulator } from '../support/sim';
import {
	API_KEY,
	detectionDelayMs,
	IMAGE_URL,
	MASK_URL,
	startSimulator,
	SUBMIT_PATH,
} from '../support/sim';
import { mean } from '../support/stats';

export const THROUGHPUT_ITEMS = 20;
export const THROUGHPUT_JOB_MS = 5000;
export const QUEUE_LIMIT = 5;
/** Four rounds of 5 jobs, each round as long as one job. */
export const IDEAL_MS = Math.ceil(THROUGHPUT_ITEMS / QUEUE_LIMIT) * THROUGHPUT_JOB_MS;

export const CONTENDERS = [
	{ id: 'ours', label: 'ModelsLab Inpaint node (defaults: Auto concurrency)' },
	{ id: 'diyDefault', label: 'DIY loop, default settings' },
	{ id: 'diyRetry', label: 'DIY loop + Retry On Fail (n8n defaults: 3 tries, 1 s apart)' },
	{ id: 'diyRetryMax', label: 'DIY loop + Retry On Fail (maximum: 5 tries, 5 s apart)' },
	{ id: 'diyBatching', label: 'DIY loop + Batching (5 items per 6 s)' },
	{ id: 'oneAtATime', label: 'one at a time, fixed 2 s polling (community-node style)' },
] as const;
export type Contender = (typeof CONTENDERS)[number]['id'];

export interface ThroughputResult {
	id: Contender;
	label: string;
	wallMs: number;
	firstResultMs: number | null;
	succeeded: number;
	failedItems: number;
	billedJobs: number;
	duplicateJobs: number;
	unfetchedJobs: number;
	rejectedSubmits: number;
	fetches: number;
	meanDetectionDelayMs: number;
	error?: string;
}

const bodies = () =>
	Array.from({ length: THROUGHPUT_ITEMS }, (_, index) => ({
		key: API_KEY,
		model_id: 'pony-realism',
		prompt: `item ${index}`,
		init_image: IMAGE_URL,
		mask_image: MASK_URL,
	}));

function contend(id: Contender, target: BenchSimulator): Promise<BaselineRun> {
	const { baseUrl } = target;
	switch (id) {
		case 'ours':
			return runOurs(target, { items: THROUGHPUT_ITEMS });
		case 'diyDefault':
			return runDiyLoop(baseUrl, SUBMIT_PATH, bodies(), { waitMs: 5000 });
		case 'diyRetry':
			return runDiyLoop(baseUrl, SUBMIT_PATH, bodies(), { waitMs: 5000, retryOnFail: {} });
		case 'diyRetryMax':
			return runDiyLoop(baseUrl, SUBMIT_PATH, bodies(), {
				waitMs: 5000,
				retryOnFail: { maxTries: 5, waitBetweenTriesMs: 5000 },
			});
		case 'diyBatching':
			return runDiyLoop(baseUrl, SUBMIT_PATH, bodies(), {
				waitMs: 5000,
				batching: { batchSize: 5, batchIntervalMs: 6000 },
			});
		case 'oneAtATime':
			return runFixedPolling(baseUrl, SUBMIT_PATH, bodies(), 2000);
	}
}

async function measure(id: Contender, label: string): Promise<ThroughputResult> {
	const target = await startSimulator({
		jobDurationMs: THROUGHPUT_JOB_MS,
		queueLimit: QUEUE_LIMIT,
	});
	try {
		const run = await contend(id, target);
		const { sim } = target;
		const succeeded = run.items.filter((item) => item.status === 'success').length;
		// Every job's prompt names its item ("item 7"): jobs beyond one per item are duplicates.
		const itemsWithJobs = new Set(sim.jobs.map((job) => String(job.body.prompt)));
		const delays = sim.jobs.map((job) => detectionDelayMs(sim, job));
		const returned = run.items.flatMap((item) =>
			item.returnedAt === undefined ? [] : [item.returnedAt],
		);
		return {
			id,
			label,
			wallMs: run.endedAt - run.startedAt,
			firstResultMs: returned.length ? Math.min(...returned) - run.startedAt : null,
			succeeded,
			failedItems: THROUGHPUT_ITEMS - succeeded,
			billedJobs: sim.jobs.length,
			duplicateJobs: sim.jobs.length - itemsWithJobs.size,
			unfetchedJobs: delays.filter((delay) => delay === undefined).length,
			rejectedSubmits: sim.requestsTo(SUBMIT_PATH).length - sim.jobs.length,
			fetches: sim.requests.filter((request) => /\/fetch(\/|$)/.test(request.path)).length,
			meanDetectionDelayMs: mean(delays.filter((delay): delay is number => delay !== undefined)),
			error: run.error,
		};
	} finally {
		await target.sim.stop();
	}
}

export async function runThroughput(): Promise<ThroughputResult[]> {
	return await Promise.all(CONTENDERS.map(({ id, label }) => measure(id, label)));
}
