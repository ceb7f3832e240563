/**
 * Memory in a real n8n 2.x process (bench/support/n8n.ts) while the Inpaint node, as a user leaves
 * it (Auto concurrency, Wait for Result, Download Images on), finishes N8N_MEMORY_COUNTS items,
 * each with one ~3 MiB 1024×1024 PNG result (the simulator's `outputImageBytes`). n8n runs in its
 * default binary data mode. Each count runs in a freshly started n8n: a 2-item warm-up, then the
 * items with Download Images off (n8n's own growth for them), then the items with downloads, whose
 * growth is what downloading adds, then n8n's HTTP Request node downloading as many of the same
 * pictures (what a DIY workflow's downloads cost in the same process). The whole process's RSS (VmRSS in /proc/<pid>/status) is
 * sampled every 10 ms, and Linux's peak counter (VmHWM, reset just before the run) catches what
 * falls between samples. Jobs take 2 s, each 50 ms longer than the one before, so jobs finish
 * while others' images are downloading: the detection delay (job finished → first fetch that saw
 * it, from the simulator's log) is what the node achieves while downloads run.
 */
import { readFileSync, writeFileSync } from 'fs';

import { largeOutputPng } from '../../simulator/largeOutput';
import { postJson } from '../baselines/http';
import type { BenchN8n } from '../support/n8n';
import { executionRecord, finishedExecutions, startWorkflow } from '../support/n8n';
import { benchWorkflows, INPAINT_NODE } from '../support/n8nWorkflows';
import type { BenchSimulator } from '../support/sim';
import { API_KEY, detectionDelayMs } from '../support/sim';
import { max, median, sleep } from '../support/stats';

export const N8N_MEMORY_COUNTS = [20, 40];
export const N8N_IMAGE_BYTES = 3 * 1024 * 1024;
export const N8N_IMAGE_SIZE = 1024;
export const N8N_MEMORY_JOB_MS = 2000;
export const N8N_MEMORY_STEP_MS = 50;
/** Rounds of the three runs per count: peak RSS moves with V8's heap sizing, so medians count. */
export const N8N_MEMORY_ROUNDS = 3;
const SAMPLE_MS = 10;

export interface N8nMemoryRun {
	items: number;
	/**
	 * node: the Inpaint node with its defaults; nodeNoDownload: the same with Download Images off;
	 * httpRequest: n8n's HTTP Request node downloading the same pictures (no ModelsLab jobs).
	 */
	kind: MemoryRunKind;
	status: string;
	/** VmRSS before the run (median over the last second), bytes. */
	baselineRss: number;
	/** The highest VmRSS sampled during the run. */
	peakRss: number;
	/** VmHWM at the end of the run (reset before it), when Linux allowed the reset. */
	highWaterRss?: number;
	rssSamples: number;
	images: number;
	bytesDownloaded: number;
	wallMs: number;
	detectionMedianMs: number;
	detectionMaxMs: number;
	/** How n8n stored the images: the prefix of their binary data ids (`filesystem-v2`, ...). */
	storedAs: string;
}

export type MemoryRunKind = 'node' | 'nodeNoDownload' | 'httpRequest';

const RUNS: Record<
	MemoryRunKind,
	{ workflow: 'memory' | 'memoryNoDownload' | 'memoryHttpRequest'; path: string; node: string }
> = {
	node: { workflow: 'memory', path: 'bench-memory', node: INPAINT_NODE },
	nodeNoDownload: {
		workflow: 'memoryNoDownload',
		path: 'bench-memory-no-download',
		node: INPAINT_NODE,
	},
	httpRequest: {
		workflow: 'memoryHttpRequest',
		path: 'bench-memory-http-request',
		node: 'HTTP Request',
	},
};

export interface N8nMemoryResult {
	n8nVersion: string;
	nodeVersion: string;
	/** N8N_DEFAULT_BINARY_DATA_MODE as the bench started n8n (unset: n8n's own default). */
	binaryDataModeEnv: string | null;
	imageBytes: number;
	runs: N8nMemoryRun[];
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
	const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(
		readFileSync(`/proc/${pid}/status`, 'utf8'),
	);
	if (!match) throw new Error(`no ${field} for process ${pid}`);
	return Number(match[1]) * 1024;
}

/** Writing 5 to clear_refs resets a process's VmHWM to its current RSS (Linux ≥ 4.0). */
function resetHighWater(pid: number): boolean {
	try {
		writeFileSync(`/proc/${pid}/clear_refs`, '5');
		return true;
	} catch {
		return false;
	}
}

function settings(target: BenchSimulator) {
	target.sim.reset();
	Object.assign(target.sim.settings, {
		jobDurationMs: N8N_MEMORY_JOB_MS,
		jobDurationStepMs: N8N_MEMORY_STEP_MS,
		outputImageBytes: N8N_IMAGE_BYTES,
	});
}

const items = (count: number, run: string) =>
	Array.from({ length: count }, (_, index) => ({ prompt: `${run}, item ${index}` }));

async function settledRss(pid: number): Promise<number> {
	await sleep(2000);
	const before: number[] = [];
	for (let i = 0; i < 10; i++) {
		before.push(status(pid, 'VmRSS'));
		await sleep(50);
	}
	return median(before);
}

/** One execution of `count` items, the n8n process's RSS sampled from just before it to its end. */
async function sampledRun(
	rig: BenchN8n,
	target: BenchSimulator,
	count: number,
	kind: MemoryRunKind,
): Promise<N8nMemoryRun> {
	const { path, node } = RUNS[kind];
	const workflow = benchWorkflows(target.baseUrl)[RUNS[kind].workflow];
	const executionsSoFar = (await rig.server.executionsOf(workflow.id)).length;
	const pid = rig.server.pid;
	if (pid === undefined) throw new Error('n8n is not running');
	const baselineRss = await settledRss(pid);

	settings(target);
	const png = largeOutputPng(N8N_IMAGE_SIZE, N8N_IMAGE_SIZE, N8N_IMAGE_BYTES);
	let runItems: Array<Record<string, unknown>> = items(count, `${count} items, ${kind}`);
	if (kind === 'httpRequest') {
		const answer = await postJson(`${target.baseUrl}/api/v6/base64_to_url`, {
			key: API_KEY,
			base64_string: `data:image/png;base64,${png.toString('base64')}`,
		});
		const url = (answer.output as string[])[0];
		runItems = runItems.map((item, index) => ({ ...item, url: `${url}?item=${index}` }));
	}
	const highWaterReset = resetHighWater(pid);
	let peakRss = status(pid, 'VmRSS');
	let rssSamples = 0;
	const sampler = setInterval(() => {
		try {
			peakRss = Math.max(peakRss, status(pid, 'VmRSS'));
			rssSamples++;
		} catch {
			// n8n gone: the run's own wait reports it
		}
	}, SAMPLE_MS);
	const started = Date.now();
	let ended;
	try {
		await startWorkflow(rig, path, runItems);
		ended = await finishedExecutions(rig, workflow.id, executionsSoFar + 1, 300_000);
	} finally {
		clearInterval(sampler);
	}
	const wallMs = Date.now() - started;
	peakRss = Math.max(peakRss, status(pid, 'VmRSS'));
	const highWaterRss = highWaterReset ? status(pid, 'VmHWM') : undefined;

	const newest = ended.reduce((a, b) => (Number(a.id) > Number(b.id) ? a : b));
	const record = await executionRecord(rig.server, newest.id);
	const output = record.runData[node]?.[0]?.data?.main?.[0] ?? [];
	const binaryIds = output.flatMap((item) =>
		Object.values(item.binary ?? {}).map((binary) => binary.id ?? ''),
	);
	const { sim } = target;
	const downloads = sim.requests.filter(
		(request) =>
			(request.path.startsWith('/generations/') || request.path.startsWith('/uploads/')) &&
			request.answer?.status === 200,
	);
	const delays = sim.jobs
		.map((job) => detectionDelayMs(sim, job))
		.filter((delay): delay is number => delay !== undefined);
	return {
		items: count,
		kind,
		status: record.status,
		baselineRss,
		peakRss,
		highWaterRss,
		rssSamples,
		images: binaryIds.length,
		bytesDownloaded: downloads.length * png.length,
		wallMs,
		detectionMedianMs: median(delays),
		detectionMaxMs: max(delays),
		storedAs: binaryIds[0]?.includes(':')
			? binaryIds[0].split(':')[0]
			: binaryIds.length
				? 'base64 in the item'
				: 'none',
	};
}

/**
 * For one count, in a freshly started n8n: a 2-item run with downloads (loads and compiles the
 * download and binary data paths), then the count with Download Images off (n8n's own growth for
 * the items, their jobs and the execution, on a fresh process), then the count with downloads:
 * its growth over the RSS just before it is what downloading the images adds.
 */
async function measure(rig: BenchN8n, target: BenchSimulator, count: number) {
	const workflow = benchWorkflows(target.baseUrl).memory;
	const executionsSoFar = (await rig.server.executionsOf(workflow.id)).length;
	settings(target);
	target.sim.settings.jobDurationMs = 500;
	await startWorkflow(rig, 'bench-memory', items(2, 'warm-up'));
	await finishedExecutions(rig, workflow.id, executionsSoFar + 1, 120_000);
	const runs: N8nMemoryRun[] = [];
	for (let round = 0; round < N8N_MEMORY_ROUNDS; round++)
		for (const kind of ['nodeNoDownload', 'node', 'httpRequest'] as const)
			runs.push(await sampledRun(rig, target, count, kind));
	return runs;
}

export async function runN8nMemory(
	rig: BenchN8n,
	target: BenchSimulator,
	log: (line: string) => void,
): Promise<N8nMemoryResult> {
	// Drawn once here, so the simulator never draws while n8n is measured.
	largeOutputPng(N8N_IMAGE_SIZE, N8N_IMAGE_SIZE, N8N_IMAGE_BYTES);
	const runs: N8nMemoryRun[] = [];
	for (const count of N8N_MEMORY_COUNTS) {
		log(`  n8n memory: restarting n8n, then ${count} items without downloads, then with...`);
		await rig.server.restart();
		runs.push(...(await measure(rig, target, count)));
	}
	target.sim.reset();
	return {
		n8nVersion: rig.version,
		nodeVersion: rig.nodeVersion,
		binaryDataModeEnv: rig.n8n.env().N8N_DEFAULT_BINARY_DATA_MODE ?? null,
		imageBytes: largeOutputPng(N8N_IMAGE_SIZE, N8N_IMAGE_SIZE, N8N_IMAGE_BYTES).length,
		runs,
	};
}
