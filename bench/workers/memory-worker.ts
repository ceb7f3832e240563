/**
 * Memory worker: downloads 20 items × 4 samples of 1024×1024 PNGs through our node into binary
 * data, in n8n's in-memory ('default') or filesystem binary data mode, and samples its own RSS.
 */
import '../../harness/user-folder';

import { Container } from '@n8n/di';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { BinaryDataConfig, BinaryDataService } from 'n8n-core';
import { tmpdir } from 'os';
import { join } from 'path';

import { runNode } from '../../harness/engine';
import { ourParameters } from '../support/ours';
import { sleep } from '../support/stats';
import { reportResult, workerArgs } from './spawn';

export interface MemoryArgs {
	mode: 'default' | 'filesystem';
	baseUrl: string;
	imageUrl: string;
	maskUrl: string;
	items: number;
	samples: number;
	size: number;
}

export interface MemoryResult {
	mode: string;
	storedAs: string;
	baselineRss: number;
	peakRss: number;
	/** The kernel's RSS high-water mark over the run (Linux VmHWM, reset before the run), bytes. */
	highWaterRss?: number;
	retainedRss: number;
	/** JS heap + external memory in use after a GC, before and after the run: what stays held. */
	liveBefore: number;
	liveAfter: number;
	peakExternal: number;
	peakHeapUsed: number;
	bytesDownloaded: number;
	images: number;
	durationMs: number;
	error?: string;
}

/**
 * Linux keeps a peak-RSS counter per process (VmHWM) that writing 5 to clear_refs resets, so the
 * peak between two samples is not missed. (getrusage's maxrss cannot be used: a child process
 * inherits it from its parent, whose simulator holds the pictures.)
 */
function resetHighWater(): boolean {
	try {
		writeFileSync('/proc/self/clear_refs', '5');
		return true;
	} catch {
		return false;
	}
}

function readHighWater(): number | undefined {
	try {
		const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

const gc = () => (global as { gc?: () => void }).gc?.();

async function main() {
	const args = workerArgs<MemoryArgs>();
	const storage = mkdtempSync(join(tmpdir(), 'modelslab-bench-binary-'));
	const config = Container.get(BinaryDataConfig);
	config.mode = args.mode;
	config.localStoragePath = storage;
	await Container.get(BinaryDataService).init();

	const credentials = { apiKey: 'sim-api-key', baseUrl: args.baseUrl, legacyBaseUrl: args.baseUrl };
	const run = (items: number, samples: number, size: number) =>
		runNode({
			credentials,
			items: Array.from({ length: items }, (_, index) => ({ json: { index } })),
			parameters: ourParameters({
				items,
				downloadImages: true,
				imageUrl: args.imageUrl,
				maskUrl: args.maskUrl,
				communityOptions: { width: size, height: size, samples },
			}),
		});

	// Warm-up: load every module and JIT the paths once, then settle.
	await run(1, 1, 512);
	for (let i = 0; i < 3; i++) {
		gc();
		await sleep(100);
	}
	const baselineRss = process.memoryUsage().rss;
	const live = () => process.memoryUsage().heapUsed + process.memoryUsage().external;
	const liveBefore = live();
	const highWaterReset = resetHighWater();
	let peakRss = baselineRss;
	let peakExternal = 0;
	let peakHeapUsed = 0;
	const sampler = setInterval(() => {
		const usage = process.memoryUsage();
		peakRss = Math.max(peakRss, usage.rss);
		peakExternal = Math.max(peakExternal, usage.external);
		peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
	}, 5);

	const started = Date.now();
	const { output, error } = await run(args.items, args.samples, args.size);
	const durationMs = Date.now() - started;
	clearInterval(sampler);
	peakRss = Math.max(peakRss, process.memoryUsage().rss);
	const highWaterRss = highWaterReset ? readHighWater() : undefined;

	const binaries = output.flatMap((item) => Object.values(item.binary ?? {}));
	const bytesDownloaded = binaries.reduce((total, binary) => total + Number(binary.bytes ?? 0), 0);
	const storedAs = binaries[0]?.id
		? `files (${binaries[0].id.split(':')[0]})`
		: 'base64 in the item';
	// What stays held while the items are still in use (the workflow's next node would get them).
	for (let i = 0; i < 3; i++) {
		gc();
		await sleep(100);
	}
	const retainedRss = process.memoryUsage().rss;
	const liveAfter = live();
	const result: MemoryResult = {
		mode: args.mode,
		storedAs,
		baselineRss,
		peakRss,
		highWaterRss,
		retainedRss,
		liveBefore,
		liveAfter,
		peakExternal,
		peakHeapUsed,
		bytesDownloaded,
		images: binaries.length,
		durationMs,
		error: error?.message,
	};
	rmSync(storage, { recursive: true, force: true });
	reportResult(result);
	process.exit(0);
}

void main();
