/**
 * Memory in a real n8n 2.x process (bench/support/n8n.ts) while the Inpaint node, as a user leaves
 * it (Auto concurrency, Wait for Result, Download Images on), finishes ITEM_COUNTS items, each with
 * one ~3 MiB 1024×1024 PNG result (the simulator's `outputImageBytes`). n8n runs in its default
 * binary data mode. Each count runs in a freshly started n8n after a 2-item warm-up, so one run's
 * heap does not serve the next. The whole process's RSS (VmRSS in /proc/<pid>/status) is sampled
 * every 10 ms, and Linux's peak counter (VmHWM, reset just before the run) catches what falls
 * between samples. Jobs take 5 s, each 50 ms longer than the one before, so jobs finish while
 * others' images are downloading: the detection delay (job finished → first fetch that saw it,
 * from the simulator's log) is what the node achieves while downloads run.
 */
import { readFileSync, writeFileSync } from 'fs';

import { largeOutputPng } from '../../simulator/largeOutput';
import type { BenchN8n } from '../support/n8n';
import { executionRecord, finishedExecutions, startWorkflow } from '../support/n8n';
import { benchWorkflows, INPAINT_NODE } from '../support/n8nWorkflows';
import type { BenchSimulator } from '../support/sim';
import { detectionDelayMs } from '../support/sim';
import { max, median, sleep } from '../support/stats';

export const N8N_MEMORY_COUNTS = [20, 40];
export const N8N_IMAGE_BYTES = 3 * 1024 * 1024;
export const N8N_IMAGE_SIZE = 1024;
export const N8N_MEMORY_JOB_MS = 5000;
export const N8N_MEMORY_STEP_MS = 50;
const SAMPLE_MS = 10;

export interface N8nMemoryRun {
	items: number;
	/** False for the control run: the same workflow with Download Images off. */
	download: boolean;
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

export interface N8nMemoryResult {
	n8nVersion: string;
	nodeVersion: string;
	/** N8N_DEFAULT_BINARY_DATA_MODE as the bench started n8n (unset: n8n's own default). */
	binaryDataModeEnv: string | null;
	imageBytes: number;
	runs: N8nMemoryRun[];
	/** The largest count again with Download Images off: n8n's own growth for the items. */
	control?: N8nMemoryRun;
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

async function measure(
	rig: BenchN8n,
	target: BenchSimulator,
	count: number,
	download: boolean,
): Promise<N8nMemoryRun> {
	const workflows = benchWorkflows(target.baseUrl);
	const workflow = download ? workflows.memory : workflows.memoryNoDownload;
	const path = download ? 'bench-memory' : 'bench-memory-no-download';
	const executionsSoFar = (await rig.server.executionsOf(workflow.id)).length;
	const pid = rig.server.pid;
	if (pid === undefined) throw new Error('n8n is not running');

	// Warm-up: the node, the download and binary data paths loaded and compiled once.
	settings(target);
	target.sim.settings.jobDurationMs = 500;
	await startWorkflow(rig, path, items(2, 'warm-up'));
	await finishedExecutions(rig, workflow.id, executionsSoFar + 1, 120_000);
	await sleep(2000);
	const before: number[] = [];
	for (let i = 0; i < 20; i++) {
		before.push(status(pid, 'VmRSS'));
		await sleep(50);
	}
	const baselineRss = median(before);

	settings(target);
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
		await startWorkflow(rig, path, items(count, `${count} items`));
		ended = await finishedExecutions(rig, workflow.id, executionsSoFar + 2, 300_000);
	} finally {
		clearInterval(sampler);
	}
	const wallMs = Date.now() - started;
	peakRss = Math.max(peakRss, status(pid, 'VmRSS'));
	const highWaterRss = highWaterReset ? status(pid, 'VmHWM') : undefined;

	const newest = ended.reduce((a, b) => (Number(a.id) > Number(b.id) ? a : b));
	const record = await executionRecord(rig.server, newest.id);
	const output = record.runData[INPAINT_NODE]?.[0]?.data?.main?.[0] ?? [];
	const binaryIds = output.flatMap((item) =>
		Object.values(item.binary ?? {}).map((binary) => binary.id ?? ''),
	);
	const { sim } = target;
	const png = largeOutputPng(N8N_IMAGE_SIZE, N8N_IMAGE_SIZE, N8N_IMAGE_BYTES);
	const downloads = sim.requests.filter(
		(request) => request.path.startsWith('/generations/') && request.answer?.status === 200,
	);
	const delays = sim.jobs
		.map((job) => detectionDelayMs(sim, job))
		.filter((delay): delay is number => delay !== undefined);
	return {
		items: count,
		download,
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

export async function runN8nMemory(
	rig: BenchN8n,
	target: BenchSimulator,
	log: (line: string) => void,
): Promise<N8nMemoryResult> {
	// Drawn once here, so the simulator never draws while n8n is measured.
	largeOutputPng(N8N_IMAGE_SIZE, N8N_IMAGE_SIZE, N8N_IMAGE_BYTES);
	const runs: N8nMemoryRun[] = [];
	for (const count of N8N_MEMORY_COUNTS) {
		log(`  n8n memory: restarting n8n, then ${count} items × ~3 MiB...`);
		await rig.server.restart();
		runs.push(await measure(rig, target, count, true));
	}
	const most = Math.max(...N8N_MEMORY_COUNTS);
	log(`  n8n memory: restarting n8n, then ${most} items with Download Images off...`);
	await rig.server.restart();
	const control = await measure(rig, target, most, false);
	target.sim.reset();
	return {
		n8nVersion: rig.version,
		nodeVersion: rig.nodeVersion,
		binaryDataModeEnv: rig.n8n.env().N8N_DEFAULT_BINARY_DATA_MODE ?? null,
		imageBytes: largeOutputPng(N8N_IMAGE_SIZE, N8N_IMAGE_SIZE, N8N_IMAGE_BYTES).length,
		runs,
		control,
	};
}
