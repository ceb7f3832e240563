/** Turns the scenario results into the summary, a markdown report and a JSON record. */
import type { CpuMeasure } from './workers/cpu-worker';
import type { MemoryScenario } from './scenarios/memory';
import { MEMORY_ITEMS, MEMORY_SAMPLES, MEMORY_SIZE } from './scenarios/memory';
import type { DetectionSample, EtaCase, Implementation } from './scenarios/detection';
import { ETA_CASES, IMPLEMENTATIONS, JOB_SECONDS, REPEATS } from './scenarios/detection';
import type { ThroughputResult } from './scenarios/throughput';
import { IDEAL_MS, QUEUE_LIMIT, THROUGHPUT_ITEMS, THROUGHPUT_JOB_MS } from './scenarios/throughput';
import { CPU_ITEMS } from './scenarios/cpu';
import type { ConcurrencyResult } from './scenarios/concurrency';
import {
	JOB_MS,
	SHARED_IDEAL_MS,
	SHARED_ITEMS,
	SHARED_LIMIT,
	SHARED_RUNS,
	SOLO_ITEMS,
} from './scenarios/concurrency';
import { compared, max, mean, median, mib, percent, seconds } from './support/stats';

export interface BenchResults {
	startedAt: string;
	durationMs: number;
	environment: { node: string; cpus: number; platform: string };
	eventLoopDelayMs: { p99: number; max: number };
	detection: DetectionSample[];
	throughput: ThroughputResult[];
	concurrency: ConcurrencyResult[];
	memory: MemoryScenario;
	cpu: CpuMeasure[];
}

export interface SummaryRow {
	measure: string;
	ours: string;
	baseline: string;
	ratio: string;
	target: string;
	met: string;
}

const implLabel = (impl: Implementation) =>
	IMPLEMENTATIONS.find((entry) => entry.id === impl)!.label;
const shortLabel: Record<Implementation, string> = {
	ours: 'ours',
	diy5: 'DIY loop, Wait 5 s',
	sdk2: 'fixed 2 s polling',
	callbacks: 'Wait for callbacks',
};

function samplesOf(results: BenchResults, impl: Implementation, eta: EtaCase, jobSeconds?: number) {
	return results.detection.filter(
		(sample) =>
			sample.impl === impl &&
			sample.eta === eta &&
			(jobSeconds === undefined || sample.jobSeconds === jobSeconds),
	);
}

/** Per T, the median overhead as a fraction of T; the worst T counts. */
function worstShareOfJob(results: BenchResults, impl: Implementation, eta: EtaCase) {
	return max(
		JOB_SECONDS.map(
			(T) =>
				median(samplesOf(results, impl, eta, T).map((sample) => sample.overheadMs)) / (T * 1000),
		),
	);
}

const medianOverhead = (results: BenchResults, impl: Implementation, eta: EtaCase) =>
	median(samplesOf(results, impl, eta).map((sample) => sample.overheadMs));
const meanFetches = (
	results: BenchResults,
	impl: Implementation,
	eta: EtaCase,
	jobSeconds?: number,
) => mean(samplesOf(results, impl, eta, jobSeconds).map((sample) => sample.fetches));

const yes = (ok: boolean) => (ok ? 'yes' : '**no**');

export function summarize(results: BenchResults): SummaryRow[] {
	const rows: SummaryRow[] = [];
	const baselines: Implementation[] = ['diy5', 'sdk2'];

	const accurate = medianOverhead(results, 'ours', 'accurate');
	baselines.forEach((impl, index) => {
		const theirs = medianOverhead(results, impl, 'accurate');
		rows.push({
			measure: index ? '〃' : 'Detection overhead, accurate eta (median, T = 3/5/7/11 s)',
			ours: seconds(accurate),
			baseline: `${shortLabel[impl]}: ${seconds(theirs)}`,
			ratio: compared(theirs, accurate, 'faster', 'slower'),
			target: index ? '' : '< 0.5 s (limit: 0, a callback)',
			met: index ? '' : yes(accurate < 500),
		});
	});
	for (const eta of ['short', 'long'] as const) {
		const ours = worstShareOfJob(results, 'ours', eta);
		baselines.forEach((impl, index) => {
			const theirs = worstShareOfJob(results, impl, eta);
			rows.push({
				measure: index
					? '〃'
					: `Detection overhead, ${ETA_CASES.find((c) => c.id === eta)!.label} (worst T, % of job time)`,
				ours: `${percent(ours)} (median ${seconds(medianOverhead(results, 'ours', eta))})`,
				baseline: `${shortLabel[impl]}: ${percent(theirs)} (median ${seconds(medianOverhead(results, impl, eta))})`,
				ratio: compared(theirs, ours, 'smaller', 'larger'),
				target: index ? '' : '< 10% of job time',
				met: index ? '' : yes(ours < 0.1),
			});
		});
	}
	for (const eta of ['accurate', 'short', 'long'] as const) {
		const ours = meanFetches(results, 'ours', eta);
		const worst = max(samplesOf(results, 'ours', eta).map((sample) => sample.fetches));
		baselines.forEach((impl, index) => {
			const theirs = meanFetches(results, impl, eta);
			rows.push({
				measure: index
					? '〃'
					: `Fetches per job, ${ETA_CASES.find((c) => c.id === eta)!.label} (mean over T)`,
				ours: `${ours.toFixed(2)} (max ${worst})`,
				baseline: `${shortLabel[impl]}: ${theirs.toFixed(2)}`,
				ratio: compared(theirs, ours, 'fewer', 'more fetches (ours)'),
				target: index || eta !== 'accurate' ? '' : '≤ 2',
				met: index || eta !== 'accurate' ? '' : yes(worst <= 2),
			});
		});
	}

	rows.push(...callbackRows(results));

	const find = (id: ThroughputResult['id']) =>
		results.throughput.find((result) => result.id === id)!;
	const ours = find('ours');
	const throughputOk =
		ours.wallMs <= IDEAL_MS * 1.1 && ours.failedItems === 0 && ours.duplicateJobs === 0;
	rows.push({
		measure: `Wall time, ${THROUGHPUT_ITEMS} items × ${THROUGHPUT_JOB_MS / 1000} s jobs, queue limit ${QUEUE_LIMIT}`,
		ours: `${seconds(ours.wallMs, 1)}, ${ours.failedItems} failed, ${ours.duplicateJobs} duplicate jobs`,
		baseline: `ideal (${IDEAL_MS / THROUGHPUT_JOB_MS} rounds): ${seconds(IDEAL_MS, 1)}`,
		ratio: `${(ours.wallMs / IDEAL_MS).toFixed(2)} × ideal`,
		target: '≤ 1.10 × ideal, 0 failed, 0 duplicates',
		met: yes(throughputOk),
	});
	for (const id of ['oneAtATime', 'diyBatching', 'diyDefault', 'diyRetryMax'] as const) {
		const other = find(id);
		rows.push({
			measure: '〃',
			ours: '',
			baseline: `${other.label}: ${seconds(other.wallMs, 1)}, ${other.failedItems} failed, ${other.billedJobs} billed jobs (${other.duplicateJobs} duplicates, ${other.unfetchedJobs} never fetched)`,
			ratio:
				other.failedItems === THROUGHPUT_ITEMS
					? 'baseline fails'
					: compared(other.wallMs, ours.wallMs, 'faster', 'slower'),
			target: '',
			met: '',
		});
	}

	rows.push(...concurrencyRows(results.concurrency));

	const fs = results.memory.runs.find((run) => run.mode === 'filesystem');
	const memory = results.memory.runs.find((run) => run.mode === 'default');
	if (fs) {
		const growth = peakOf(fs) - fs.baselineRss;
		rows.push({
			measure: `Peak RSS growth, ${MEMORY_ITEMS} items × ${MEMORY_SAMPLES} ${MEMORY_SIZE}×${MEMORY_SIZE} PNGs, filesystem binary mode`,
			ours: mib(growth),
			baseline: `bytes downloaded: ${mib(fs.bytesDownloaded)}`,
			ratio: `${percent(growth / fs.bytesDownloaded)} of downloaded`,
			target: 'well below downloaded (< 25%)',
			met: yes(growth < 0.25 * fs.bytesDownloaded),
		});
	}
	if (memory) {
		const growth = peakOf(memory) - memory.baselineRss;
		rows.push({
			measure: '〃 in-memory binary mode (images end up as base64 in the items)',
			ours: mib(growth),
			baseline: `bytes downloaded: ${mib(memory.bytesDownloaded)}`,
			ratio: `${percent(growth / memory.bytesDownloaded)} of downloaded`,
			target: '(held by n8n by design)',
			met: '',
		});
	}
	const build = results.cpu.find((measure) => measure.mode === 'build');
	const submit = results.cpu.find((measure) => measure.mode === 'submit');
	if (build && submit) {
		rows.push({
			measure: `CPU per item: validation + request building (${CPU_ITEMS} items)`,
			ours: `${(build.cpuPerItemUs / 1000).toFixed(3)} ms`,
			baseline: `with the submit request: ${(submit.cpuPerItemUs / 1000).toFixed(3)} ms`,
			ratio: `${percent(submit.cpuPerItemUs / 1000 / THROUGHPUT_JOB_MS, 3)} of a 5 s job`,
			target: '(report)',
			met: '',
		});
	}
	return rows;
}

/** Wait for callbacks against Wait for Result and the DIY loop, over every job time and eta. */
function callbackRows(results: BenchResults): SummaryRow[] {
	const all = (impl: Implementation) => results.detection.filter((sample) => sample.impl === impl);
	if (all('callbacks').length === 0) return [];
	const overhead = (impl: Implementation) => median(all(impl).map((sample) => sample.overheadMs));
	const fetches = (impl: Implementation) => mean(all(impl).map((sample) => sample.fetches));
	const heldPerJob = (impl: Implementation) => median(all(impl).map((sample) => sample.heldMs));
	const worstOverhead = max(all('callbacks').map((sample) => sample.overheadMs));
	const theirs = (figure: (impl: Implementation) => number, format: (value: number) => string) =>
		`Wait for Result: ${format(figure('ours'))}; DIY loop: ${format(figure('diy5'))}`;
	return [
		{
			measure: 'Wait for callbacks: detection overhead (median over every T and eta; worst)',
			ours: `${seconds(overhead('callbacks'))} (worst ${seconds(worstOverhead)})`,
			baseline: theirs(overhead, (value) => seconds(value)),
			ratio: compared(overhead('ours'), overhead('callbacks'), 'faster', 'slower'),
			target: '< 0.2 s',
			met: yes(overhead('callbacks') < 200),
		},
		{
			measure: 'Wait for callbacks: fetches per job (mean over every T and eta)',
			ours: fetches('callbacks').toFixed(2),
			baseline: theirs(fetches, (value) => value.toFixed(2)),
			ratio: compared(fetches('ours'), fetches('callbacks'), 'fewer', 'more fetches (ours)'),
			target: '(report)',
			met: '',
		},
		{
			measure:
				'Wait for callbacks: seconds an execution is held per job (median; the rest of the time it is stored)',
			ours: seconds(heldPerJob('callbacks')),
			baseline: theirs(heldPerJob, (value) => seconds(value)),
			ratio: compared(heldPerJob('ours'), heldPerJob('callbacks'), 'less', 'more'),
			target: '(report)',
			met: '',
		},
	];
}

export const peakOf = (run: MemoryScenario['runs'][number]) =>
	Math.max(run.peakRss, run.highWaterRss ?? 0);

function table(header: string[], rows: string[][]): string {
	const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
	return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export function summaryTable(rows: SummaryRow[]): string {
	return table(
		['Measure', 'Ours', 'Baseline', 'Baseline ÷ ours', 'Target', 'Met'],
		rows.map((row) => [row.measure, row.ours, row.baseline, row.ratio, row.target, row.met]),
	);
}

function detectionTables(results: BenchResults): string {
	const parts: string[] = [];
	for (const eta of ETA_CASES) {
		const rows = JOB_SECONDS.map((T) => {
			const cell = (impl: Implementation) =>
				median(samplesOf(results, impl, eta.id, T).map((s) => s.overheadMs));
			const ours = cell('ours');
			return [
				`${T} s`,
				`${seconds(ours)} (${percent(ours / (T * 1000))})`,
				seconds(cell('diy5')),
				seconds(cell('sdk2')),
				meanFetches(results, 'ours', eta.id, T).toFixed(1),
				meanFetches(results, 'diy5', eta.id, T).toFixed(1),
				meanFetches(results, 'sdk2', eta.id, T).toFixed(1),
				seconds(cell('callbacks')),
				meanFetches(results, 'callbacks', eta.id, T).toFixed(1),
			];
		});
		rows.push([
			'**median / mean**',
			seconds(medianOverhead(results, 'ours', eta.id)),
			seconds(medianOverhead(results, 'diy5', eta.id)),
			seconds(medianOverhead(results, 'sdk2', eta.id)),
			meanFetches(results, 'ours', eta.id).toFixed(2),
			meanFetches(results, 'diy5', eta.id).toFixed(2),
			meanFetches(results, 'sdk2', eta.id).toFixed(2),
			seconds(medianOverhead(results, 'callbacks', eta.id)),
			meanFetches(results, 'callbacks', eta.id).toFixed(2),
		]);
		parts.push(
			`**${eta.label}** (reported eta = remaining time × ${eta.factor})\n\n` +
				table(
					[
						'Job time T',
						'Overhead: ours',
						'DIY Wait 5 s',
						'fixed 2 s',
						'Fetches: ours',
						'DIY',
						'2 s',
						'Overhead: callbacks',
						'Fetches: callbacks',
					],
					rows,
				),
		);
	}
	return parts.join('\n\n');
}

function throughputTable(results: BenchResults): string {
	return table(
		[
			'Contender',
			'Wall time',
			'÷ ideal',
			'First result',
			'Failed items',
			'Billed jobs',
			'Duplicates',
			'Never fetched',
			'Refused submits (429)',
			'Fetches',
			'Mean detection delay',
			'Stopped with',
		],
		results.throughput.map((r) => [
			r.label,
			seconds(r.wallMs, 1),
			(r.wallMs / IDEAL_MS).toFixed(2),
			r.firstResultMs === null ? '–' : seconds(r.firstResultMs, 1),
			String(r.failedItems),
			String(r.billedJobs),
			String(r.duplicateJobs),
			String(r.unfetchedJobs),
			String(r.rejectedSubmits),
			String(r.fetches),
			Number.isFinite(r.meanDetectionDelayMs) ? seconds(r.meanDetectionDelayMs) : '–',
			r.error ? r.error : '',
		]),
	);
}

function concurrencyRows(results: ConcurrencyResult[]): SummaryRow[] {
	const find = (id: ConcurrencyResult['id']) => results.find((result) => result.id === id)!;
	const clean = (result: ConcurrencyResult) =>
		result.failedItems === 0 && result.duplicateJobs === 0;
	const outcome = (result: ConcurrencyResult) =>
		`${seconds(result.wallMs, 1)}, ${result.failedItems} failed, ${result.duplicateJobs} duplicate jobs`;
	const auto = find('autoNoLimit');
	const shared = find('autoShared');
	return [
		{
			measure: `Auto concurrency (default), ${SOLO_ITEMS} items × ${JOB_MS / 1000} s jobs, no queue limit`,
			ours: outcome(auto),
			baseline: `job time: ${seconds(JOB_MS, 1)}`,
			ratio: `${(auto.wallMs / JOB_MS).toFixed(2)} × job time`,
			target: '≤ 1.3 × job time, 0 failed, 0 duplicates',
			met: yes(auto.wallMs <= 1.3 * JOB_MS && clean(auto)),
		},
		...(['fixed5NoLimit', 'diyNoLimit'] as const).map((id) => ({
			measure: '〃',
			ours: '',
			baseline: `${find(id).label}: ${outcome(find(id))}`,
			ratio: compared(find(id).wallMs, auto.wallMs, 'faster', 'slower'),
			target: '',
			met: '',
		})),
		{
			measure: `Auto concurrency, ${SHARED_RUNS} executions × ${SHARED_ITEMS} items at once sharing a queue limit of ${SHARED_LIMIT}`,
			ours: outcome(shared),
			baseline: `ideal (${(SHARED_RUNS * SHARED_ITEMS) / SHARED_LIMIT} rounds): ${seconds(SHARED_IDEAL_MS, 1)}`,
			ratio: `${(shared.wallMs / SHARED_IDEAL_MS).toFixed(2)} × ideal`,
			target: '≤ 1.3 × ideal, 0 failed, 0 duplicates',
			met: yes(shared.wallMs <= 1.3 * SHARED_IDEAL_MS && clean(shared)),
		},
	];
}

function concurrencyTable(results: BenchResults): string {
	return table(
		[
			'Contender',
			'Items',
			'Wall time',
			'Failed items',
			'Billed jobs',
			'Duplicates',
			'Refused submits (429)',
			'Most unfinished at once',
			'Stopped with',
		],
		results.concurrency.map((r) => [
			r.label,
			String(r.items),
			seconds(r.wallMs, 1),
			String(r.failedItems),
			String(r.billedJobs),
			String(r.duplicateJobs),
			String(r.refusedSubmits),
			String(r.peakUnfinished),
			r.error ?? '',
		]),
	);
}

function memoryTable(results: BenchResults): string {
	return table(
		[
			'Binary data mode',
			'Images stored as',
			'RSS before',
			'Peak RSS growth',
			'Still held after the run (live heap + external, after GC)',
			'Downloaded',
			'Peak growth ÷ downloaded',
			'Time',
		],
		results.memory.runs.map((run) => [
			run.mode === 'default' ? "'default' (in memory)" : "'filesystem'",
			run.storedAs,
			mib(run.baselineRss),
			mib(peakOf(run) - run.baselineRss),
			mib(run.liveAfter - run.liveBefore),
			`${mib(run.bytesDownloaded)} (${run.images} images)`,
			percent((peakOf(run) - run.baselineRss) / run.bytesDownloaded),
			seconds(run.durationMs, 1),
		]),
	);
}

function cpuTable(results: BenchResults): string {
	const names: Record<CpuMeasure['mode'], string> = {
		engine: "n8n's cost of running a node (execute() replaced by a pass-through)",
		build: 'validation + request building (the real buildInpaintBody, nothing sent)',
		submit: 'the real node, Return Immediately: build + POST + answer parsing',
	};
	return table(
		['What runs per item', 'CPU per item', 'Wall per item'],
		results.cpu.map((measure) => [
			names[measure.mode],
			`${(measure.cpuPerItemUs / 1000).toFixed(3)} ms`,
			`${(measure.wallPerItemUs / 1000).toFixed(3)} ms`,
		]),
	);
}

export function markdownReport(results: BenchResults, rows: SummaryRow[]): string {
	return `# Benchmarks: ModelsLab Inpaint node against the DIY workflow and fixed-interval polling

Run ${results.startedAt}, ${Math.round(results.durationMs / 1000)} s, Node.js ${results.environment.node}, ${results.environment.cpus} CPUs.
Generated by \`npm run bench\` (bench/run.ts). Everything runs against the project's ModelsLab simulator
on loopback; job times are real seconds. Event-loop delay of the benchmark process during the timed
scenarios: p99 ${results.eventLoopDelayMs.p99.toFixed(1)} ms, max ${results.eventLoopDelayMs.max.toFixed(1)} ms.

## Summary

${summaryTable(rows)}

"Baseline ÷ ours" compares the two figures in words: "9× faster" means the baseline's figure is 9 times ours;
"1.1× more fetches (ours)" means ours is the higher one.

## 1 and 2. Detection overhead and fetches per job

One item; the simulator finishes the job T seconds after the submit; overhead = when the workflow has the
result − when the simulator finished the job (its own \`readyAt\` record, after which every fetch gets
the result). Medians over ${REPEATS} runs per cell; fetches are the fetch requests the simulator saw for the
job (means). Images are not downloaded in these runs. The physical limit is 0 (a callback).
Contenders: ${IMPLEMENTATIONS.map((entry) => `${entry.id} = ${implLabel(entry.id)}`).join('; ')}.

${detectionTables(results)}

## 3. Throughput under the queue limit

${THROUGHPUT_ITEMS} items, ${THROUGHPUT_JOB_MS / 1000} s jobs, the simulator refuses a job while ${QUEUE_LIMIT} of the account's jobs are
unfinished (HTTP 429, as ModelsLab's smallest plan). Ideal: ${seconds(IDEAL_MS, 0)}. "Never fetched": billed jobs whose
result nobody fetched. "Mean detection delay": job finished → first fetch that saw it (simulator log).

${throughputTable(results)}

## 4. Max Concurrent Jobs: Auto

The node's default, each contender run on its own (not beside the other scenarios). With no queue limit, ${SOLO_ITEMS} items × ${JOB_MS / 1000} s jobs against the old fixed 5 at a time and a
DIY loop that sends every item at once; then ${SHARED_RUNS} executions × ${SHARED_ITEMS} items started together (as in queue mode),
sharing one account's queue limit of ${SHARED_LIMIT}. Scenario 3 is the single execution with a queue limit of 5.

${concurrencyTable(results)}

## 5. Memory while downloading images

Our node downloads ${MEMORY_ITEMS} items × ${MEMORY_SAMPLES} samples of ${MEMORY_SIZE}×${MEMORY_SIZE} PNGs (photo-like, ~2 MB each) into binary data, in a
worker process whose RSS is sampled every 5 ms (and read from Linux's peak counter, VmHWM). n8n 1.x
defaults to the in-memory mode ('default'); n8n 2.x defaults to 'filesystem' (n8n-core BinaryDataConfig).

${memoryTable(results)}

## 6. Per-item cost of the node itself

${CPU_ITEMS} items through n8n-core's WorkflowExecute, every community option set, CPU time of the worker process
(the simulator runs in another process); medians of 3 runs after a warm-up.

${cpuTable(results)}

## How the baselines are modelled

- **DIY loop**: HTTP Request (POST inpaint) → Wait 5 s → HTTP Request (POST fetch/{{ $json.id }}) → IF
  status = "success", false branch back to the Wait (bench/baselines/diyLoop.ts). HTTP Request sends one
  request per item without waiting for the previous one and fails the node when any answer has
  HTTP status ≥ 400 (default settings); Batching sleeps between batches; Retry On Fail re-runs the whole
  node, every item again (n8n-core: 2–5 tries, default 3; 0–5000 ms apart, default 1000 ms). n8n's
  own per-node overhead is not added.
- **Fixed 2 s polling**: items one after another; submit, then fetch every 2 s until done, ignoring the
  eta (bench/baselines/fixedPolling.ts), as existing image-API community nodes do.
- **Ours**: the ModelsLab Inpaint node (community endpoint, URL images) inside n8n-core's WorkflowExecute,
  as the tests run it; "returned" is when the node's run ends.
- **Wait for callbacks**: ModelsLab Inpaint (Completion › Resume on Callback), then ModelsLab Fetch › Wait
  for Callbacks, both in n8n-core's WorkflowExecute; the execution is left waiting and the simulator's
  callback reaches a stand-in for n8n's waiting-webhook route (harness/waiting.ts) that runs the node's
  webhook() in n8n-core's WebhookContext; "returned" is when webhook() hands back the resumed items.
  "Held" counts submit → waiting and the resuming webhook() call: the time n8n spends on the execution
  (real n8n adds loading and saving the execution, and waking it). The others are held from submit to
  result.
`;
}
