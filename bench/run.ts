/**
 * `npm run bench`: the ModelsLab Inpaint node side by side with the workflow a user would otherwise
 * build (Wait → HTTP Request → IF) and with fixed-interval, one-at-a-time polling, against the
 * project's simulator. Writes bench/results/latest.md and latest.json and prints the summary.
 * About 5 minutes: detection and throughput run concurrently (~2 min, bounded by the one-at-a-time
 * baseline), then the concurrency contenders one by one (~1.5 min), then memory and CPU alone,
 * each in a worker process.
 */
import '../harness/user-folder';

import { mkdirSync, renameSync, writeFileSync } from 'fs';
import { cpus } from 'os';
import { join } from 'path';
import { monitorEventLoopDelay } from 'perf_hooks';

import type { BenchResults } from './report';
import { markdownReport, summarize, summaryTable } from './report';
import { runCpu } from './scenarios/cpu';
import { runDetection } from './scenarios/detection';
import { runMemory } from './scenarios/memory';
import { runThroughput } from './scenarios/throughput';
import { runConcurrency } from './scenarios/concurrency';
import { runOurs } from './support/ours';
import { startSimulator } from './support/sim';

const RESULTS_DIR = join(__dirname, 'results');

function writeAtomically(path: string, text: string) {
	writeFileSync(`${path}.tmp`, text);
	renameSync(`${path}.tmp`, path);
}

async function main() {
	const started = Date.now();
	const log = (line: string) =>
		console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`);

	// Warm-up: load and compile the engine and the node once, so no timed run pays for it.
	const warmUp = await startSimulator({ jobDurationMs: 0 });
	await runOurs(warmUp, { items: 1 });
	await warmUp.sim.stop();

	log(
		'detection (4 job times × 3 etas × 4 contenders × 3 runs) and throughput (6 contenders) run concurrently, ~2 min...',
	);
	const loopDelay = monitorEventLoopDelay({ resolution: 10 });
	loopDelay.enable();
	const [detection, throughput] = await Promise.all([
		runDetection().then((samples) => {
			log('  detection done');
			return samples;
		}),
		runThroughput().then((results) => {
			log('  throughput done');
			return results;
		}),
	]);
	loopDelay.disable();

	loopDelay.disable();
	log(
		'concurrency (4 contenders, one after the other: each measures a wall time of its own), ~1.5 min...',
	);
	const concurrency = await runConcurrency();
	log('memory (one worker process per binary data mode)...');
	const memory = await runMemory(log);
	log('CPU per item (worker process)...');
	const cpu = await runCpu();

	const results: BenchResults = {
		startedAt: new Date(started).toISOString(),
		durationMs: Date.now() - started,
		environment: {
			node: process.version,
			cpus: cpus().length,
			platform: `${process.platform} ${process.arch}`,
		},
		eventLoopDelayMs: { p99: loopDelay.percentile(99) / 1e6, max: loopDelay.max / 1e6 },
		detection,
		throughput,
		concurrency,
		memory,
		cpu,
	};
	const rows = summarize(results);
	mkdirSync(RESULTS_DIR, { recursive: true });
	writeAtomically(join(RESULTS_DIR, 'latest.md'), markdownReport(results, rows));
	writeAtomically(
		join(RESULTS_DIR, 'latest.json'),
		`${JSON.stringify({ summary: rows, ...results }, null, '\t')}\n`,
	);

	console.log('');
	console.log(summaryTable(rows));
	console.log('');
	log(`done; full report in bench/results/latest.md (raw figures: latest.json)`);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
