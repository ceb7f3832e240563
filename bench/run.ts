/**
 * `npm run bench`: the ModelsLab Inpaint node side by side with the workflow a user would otherwise
 * build (Wait → HTTP Request → IF) and with fixed-interval, one-at-a-time polling, against the
 * project's simulator, and the rows only n8n itself can show (Wait for callbacks, memory) in a real
 * n8n 2.x process. Writes bench/results/latest.md and latest.json, rewrites docs/performance.md's
 * Performance block from latest.json, and prints the summary. About 12 minutes: detection and
 * throughput run concurrently (~2 min), then the concurrency contenders and the photo host one by
 * one (~2 min), masks and full resolution (crop and stitch, ~2 min), memory and CPU of the node
 * alone in worker processes (~1 min), then real n8n
 * (build, pack, install, start: ~1.5 min; callbacks ~40 s; memory ~2 min with two restarts).
 *
 *   npm run bench -- --only memory,callbacks   runs only those scenarios (names: SCENARIOS below),
 *   prints their rows and writes test-output/bench-partial.json; latest.* and docs/performance.md stay as
 *   they are.
 */
import '../harness/user-folder';
import './support/work-folder';

import { mkdirSync, renameSync, writeFileSync } from 'fs';
import { cpus } from 'os';
import { join } from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';

import { rewritePerformanceDoc } from './readme';
import type { BenchResults, FullResults } from './report';
import { markdownReport, summarize, summaryTable } from './report';
import { runCpu } from './scenarios/cpu';
import { runDetection } from './scenarios/detection';
import { runMemory } from './scenarios/memory';
import { runN8nCallbacks } from './scenarios/n8nCallbacks';
import { runN8nMemory } from './scenarios/n8nMemory';
import { runPhotoHost } from './scenarios/photoHost';
import { runMasks } from './scenarios/masks';
import { runStitch } from './scenarios/stitch';
import { runThroughput } from './scenarios/throughput';
import { runConcurrency } from './scenarios/concurrency';
import type { BenchN8n } from './support/n8n';
import { startBenchN8n } from './support/n8n';
import { benchWorkflows } from './support/n8nWorkflows';
import { runOurs } from './support/ours';
import { startSimulator } from './support/sim';

const RESULTS_DIR = join(__dirname, 'results');
const PARTIAL = join(__dirname, '..', 'test-output', 'bench-partial.json');

export const SCENARIOS = [
	'detection',
	'throughput',
	'concurrency',
	'photohost',
	'masks',
	'stitch',
	'workermemory',
	'cpu',
	'callbacks',
	'memory',
] as const;
type Scenario = (typeof SCENARIOS)[number];

function chosenScenarios(argv: string[]): Set<Scenario> | undefined {
	const index = argv.indexOf('--only');
	if (index < 0) return undefined;
	const names = (argv[index + 1] ?? '').split(',').filter(Boolean);
	const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
	if (names.length === 0 || unknown.length > 0)
		throw new Error(`--only takes a comma-separated list of: ${SCENARIOS.join(', ')}`);
	return new Set(names as Scenario[]);
}

function writeAtomically(path: string, text: string) {
	writeFileSync(`${path}.tmp`, text);
	renameSync(`${path}.tmp`, path);
}

async function main() {
	const only = chosenScenarios(process.argv.slice(2));
	const runs = (scenario: Scenario) => !only || only.has(scenario);
	const started = Date.now();
	const log = (line: string) =>
		console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);
	const results: BenchResults = {
		startedAt: new Date(started).toISOString(),
		durationMs: 0,
		environment: {
			node: process.version,
			cpus: cpus().length,
			platform: `${process.platform} ${process.arch}`,
		},
	};

	// Warm-up: load and compile the engine and the node once, so no timed run pays for it.
	const warmUp = await startSimulator({ jobDurationMs: 0 });
	await runOurs(warmUp, { items: 1 });
	await warmUp.sim.stop();

	if (runs('detection') || runs('throughput')) {
		log(
			'detection (4 job times × 3 etas × 4 contenders × 3 runs) and throughput (6 contenders) run concurrently, ~2 min...',
		);
		const loopDelay = monitorEventLoopDelay({ resolution: 10 });
		loopDelay.enable();
		const [detection, throughput] = await Promise.all([
			runs('detection')
				? runDetection().then((samples) => {
						log('  detection done');
						return samples;
					})
				: undefined,
			runs('throughput')
				? runThroughput().then((outcome) => {
						log('  throughput done');
						return outcome;
					})
				: undefined,
		]);
		loopDelay.disable();
		results.eventLoopDelayMs = { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 };
		results.detection = detection;
		results.throughput = throughput;
	}
	if (runs('concurrency')) {
		log(
			'concurrency (4 contenders, one after the other: each measures a wall time of its own), ~1.5 min...',
		);
		results.concurrency = await runConcurrency();
	}
	if (runs('photohost')) {
		log('photo host (20 items, links answered at once, then 2 s late), ~20 s...');
		results.photoHost = await runPhotoHost();
	}
	if (runs('masks')) {
		log(
			'masks from words (20 items with a mask job, then with a mask file; mask work at 1024² and 4096²), ~40 s...',
		);
		results.masks = await runMasks();
	}
	if (runs('stitch')) {
		log(
			'full resolution (20 items with a 12-megapixel JPEG, then with one that fits; one crop and stitch in 3 workers), ~2 min...',
		);
		results.stitch = await runStitch();
	}
	if (runs('workermemory')) {
		log('memory of the node alone (one worker process per binary data mode)...');
		results.memory = await runMemory(log);
	}
	if (runs('cpu')) {
		log('CPU per item (worker process)...');
		results.cpu = await runCpu();
	}
	if (runs('callbacks') || runs('memory')) {
		log('real n8n: Wait for callbacks and memory...');
		const target = await startSimulator();
		let rig: BenchN8n | undefined;
		try {
			rig = await startBenchN8n(target, Object.values(benchWorkflows(target.baseUrl)), log);
			if (runs('callbacks')) results.n8nCallbacks = await runN8nCallbacks(rig, target, log);
			if (runs('memory')) results.n8nMemory = await runN8nMemory(rig, target, log);
		} finally {
			await rig?.server.stop();
			await target.sim.stop();
		}
	}
	results.durationMs = Date.now() - started;

	const rows = summarize(results);
	console.log('');
	console.log(summaryTable(rows));
	console.log('');
	if (only) {
		mkdirSync(join(PARTIAL, '..'), { recursive: true });
		writeAtomically(PARTIAL, `${JSON.stringify({ summary: rows, ...results }, null, '\t')}\n`);
		log(`done (only ${[...only].join(', ')}); raw figures in ${PARTIAL}`);
		return;
	}
	mkdirSync(RESULTS_DIR, { recursive: true });
	writeAtomically(join(RESULTS_DIR, 'latest.md'), markdownReport(results as FullResults, rows));
	writeAtomically(
		join(RESULTS_DIR, 'latest.json'),
		`${JSON.stringify({ summary: rows, ...results }, null, '\t')}\n`,
	);
	rewritePerformanceDoc();
	log(
		`done; full report in bench/results/latest.md (raw figures: latest.json); docs/performance.md updated`,
	);
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
