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
import type {
	N8nCallbackSample,
	N8nCallbacksResult,
	N8nCompletion,
} from './scenarios/n8nCallbacks';
import { N8N_JOB_SECONDS, N8N_REPEATS } from './scenarios/n8nCallbacks';
import type { MemoryRunKind, N8nMemoryResult, N8nMemoryRun } from './scenarios/n8nMemory';
import {
	N8N_IMAGE_SIZE,
	N8N_MEMORY_COUNTS,
	N8N_MEMORY_JOB_MS,
	N8N_MEMORY_ROUNDS,
	N8N_MEMORY_STEP_MS,
} from './scenarios/n8nMemory';
import type { PhotoHostResult } from './scenarios/photoHost';
import { PHOTO_HOST_DELAY_MS, PHOTO_HOST_ITEMS, PHOTO_HOST_JOB_MS } from './scenarios/photoHost';
import { compared, max, mean, median, mib, percent, seconds, yes } from './support/stats';
import type { MaskResult } from './scenarios/masks';
import { maskRows, maskSection } from './scenarios/masks';
import type { StitchResult } from './scenarios/stitch';
import { stitchRows, stitchSection } from './scenarios/stitch';

/** Every scenario's figures; a partial run (`--only`) has only those it ran. */
export interface BenchResults {
	startedAt: string;
	durationMs: number;
	environment: { node: string; cpus: number; platform: string };
	eventLoopDelayMs?: { p99: number; max: number };
	detection?: DetectionSample[];
	throughput?: ThroughputResult[];
	concurrency?: ConcurrencyResult[];
	photoHost?: PhotoHostResult;
	masks?: MaskResult;
	stitch?: StitchResult;
	memory?: MemoryScenario;
	cpu?: CpuMeasure[];
	n8nCallbacks?: N8nCallbacksResult;
	n8nMemory?: N8nMemoryResult;
}

/** The line of latest.md that names its run; the README quotes the same run. */
export const runLine = (results: BenchResults) =>
	`Run ${results.startedAt}, ${Math.round(results.durationMs / 1000)} s, Node.js ${results.environment.node}, ${results.environment.cpus} CPUs`;

/** A full run: every scenario there. */
export type FullResults = Required<BenchResults>;

/** Targets of issue 17 and before, in one place (the report and the README quote them). */
export const TARGETS = {
	memoryShare: 0.25,
	/** "Flat in the count": the peak growth with 40 items at most this many times that with 20. */
	memoryFlat: 1.5,
	detectionDuringDownloadsMs: 500,
	photoHostAddedMs: 2500,
	shortEtaFetches: 4,
	refusedPerAccepted: 1.5,
	sharedWallRatio: 1.15,
} as const;

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
	return (results.detection ?? []).filter(
		(sample) =>
			sample.impl === impl &&
			sample.eta === eta &&
			(jobSeconds === undefined || sample.jobSeconds === jobSeconds),
	);
}

/** Per T, the median overhead as a fraction of T; the worst T counts. */
export function worstShareOfJob(results: BenchResults, impl: Implementation, eta: EtaCase) {
	return max(
		JOB_SECONDS.map(
			(T) =>
				median(samplesOf(results, impl, eta, T).map((sample) => sample.overheadMs)) / (T * 1000),
		),
	);
}

export const medianOverhead = (results: BenchResults, impl: Implementation, eta: EtaCase) =>
	median(samplesOf(results, impl, eta).map((sample) => sample.overheadMs));
export const meanFetches = (
	results: BenchResults,
	impl: Implementation,
	eta: EtaCase,
	jobSeconds?: number,
) => mean(samplesOf(results, impl, eta, jobSeconds).map((sample) => sample.fetches));

export function summarize(results: BenchResults): SummaryRow[] {
	const rows: SummaryRow[] = [];
	if (results.detection) rows.push(...detectionRows(results));
	if (results.n8nCallbacks) rows.push(...n8nCallbackRows(results.n8nCallbacks, results));
	if (results.throughput) rows.push(...throughputRows(results.throughput));
	if (results.concurrency) rows.push(...concurrencyRows(results.concurrency));
	if (results.photoHost) rows.push(...photoHostRows(results.photoHost));
	if (results.masks) rows.push(...maskRows(results.masks));
	if (results.stitch) rows.push(...stitchRows(results.stitch));
	if (results.n8nMemory) rows.push(...n8nMemoryRows(results.n8nMemory));
	if (results.memory) rows.push(...workerMemoryRows(results.memory));
	if (results.cpu) rows.push(...cpuRows(results.cpu));
	return rows;
}

function detectionRows(results: BenchResults): SummaryRow[] {
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
				target: index ? '' : fetchTarget[eta].label,
				met: index || !fetchTarget[eta].limit ? '' : yes(worst <= fetchTarget[eta].limit),
			});
		});
	}
	return rows;
}

const fetchTarget: Record<EtaCase, { label: string; limit: number }> = {
	accurate: { label: '≤ 2 (max)', limit: 2 },
	short: { label: `≤ ${TARGETS.shortEtaFetches} (max)`, limit: TARGETS.shortEtaFetches },
	long: { label: '', limit: 0 },
};

function throughputRows(throughput: ThroughputResult[]): SummaryRow[] {
	const rows: SummaryRow[] = [];
	const find = (id: ThroughputResult['id']) => throughput.find((result) => result.id === id)!;
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

	return rows;
}

function workerMemoryRows(memory: MemoryScenario): SummaryRow[] {
	const rows: SummaryRow[] = [];
	const fs = memory.runs.find((run) => run.mode === 'filesystem');
	const inMemory = memory.runs.find((run) => run.mode === 'default');
	if (fs) {
		const growth = peakOf(fs) - fs.baselineRss;
		rows.push({
			measure: `Peak RSS growth of the node alone (a worker with n8n-core, not n8n), ${MEMORY_ITEMS} items × ${MEMORY_SAMPLES} ${MEMORY_SIZE}×${MEMORY_SIZE} PNGs, filesystem binary mode`,
			ours: mib(growth),
			baseline: `bytes downloaded: ${mib(fs.bytesDownloaded)}`,
			ratio: `${percent(growth / fs.bytesDownloaded)} of downloaded`,
			target: '(report; the target is on the real n8n rows)',
			met: '',
		});
	}
	if (inMemory) {
		const growth = peakOf(inMemory) - inMemory.baselineRss;
		rows.push({
			measure: '〃 in-memory binary mode (images end up as base64 in the items)',
			ours: mib(growth),
			baseline: `bytes downloaded: ${mib(inMemory.bytesDownloaded)}`,
			ratio: `${percent(growth / inMemory.bytesDownloaded)} of downloaded`,
			target: '(held by n8n by design)',
			met: '',
		});
	}
	return rows;
}

function cpuRows(cpu: CpuMeasure[]): SummaryRow[] {
	const rows: SummaryRow[] = [];
	const build = cpu.find((measure) => measure.mode === 'build');
	const submit = cpu.find((measure) => measure.mode === 'submit');
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

/** The harness's figure for one contender over every T and eta (its stand-in for n8n). */
function harnessMedian(
	results: BenchResults,
	impl: Implementation,
	figure: 'overheadMs' | 'heldMs',
) {
	return median(
		(results.detection ?? []).filter((sample) => sample.impl === impl).map((s) => s[figure]),
	);
}

export const n8nSamples = (result: N8nCallbacksResult, completion: N8nCompletion) =>
	result.samples.filter((sample) => sample.completion === completion);

export const n8nMedian = (
	result: N8nCallbacksResult,
	completion: N8nCompletion,
	figure: 'detectionMs' | 'heldMs' | 'fetches',
) => median(n8nSamples(result, completion).map((sample: N8nCallbackSample) => sample[figure]));

export const n8nWorst = (
	result: N8nCallbacksResult,
	completion: N8nCompletion,
	figure: 'detectionMs' | 'heldMs',
) => max(n8nSamples(result, completion).map((sample) => sample[figure]));

/** Wait for callbacks as a real n8n delivers it, against Wait for Result in the same n8n. */
function n8nCallbackRows(result: N8nCallbacksResult, results: BenchResults): SummaryRow[] {
	const where = `n8n ${result.n8nVersion}, T = ${N8N_JOB_SECONDS.join('/')} s × ${N8N_REPEATS}`;
	const harness = (figure: 'overheadMs' | 'heldMs') =>
		results.detection
			? ` (engine harness: ${seconds(harnessMedian(results, 'callbacks', figure))})`
			: '';
	const detection = n8nMedian(result, 'callbacks', 'detectionMs');
	const theirDetection = n8nMedian(result, 'waitForResult', 'detectionMs');
	const held = n8nMedian(result, 'callbacks', 'heldMs');
	const theirHeld = n8nMedian(result, 'waitForResult', 'heldMs');
	const failed = (completion: N8nCompletion) =>
		n8nSamples(result, completion).filter((sample) => sample.status !== 'success').length;
	return [
		{
			measure: `Wait for callbacks in real n8n: job finished → the workflow has the result (median; worst), ${where}`,
			ours: `${seconds(detection)} (worst ${seconds(n8nWorst(result, 'callbacks', 'detectionMs'))})${harness('overheadMs')}`,
			baseline: `Wait for Result in the same n8n: ${seconds(theirDetection)} (worst ${seconds(n8nWorst(result, 'waitForResult', 'detectionMs'))})`,
			ratio: compared(theirDetection, detection, 'faster', 'slower'),
			target: "(report: n8n's handling of the callback)",
			met: '',
		},
		{
			measure: 'Wait for callbacks in real n8n: fetches per job (median)',
			ours: n8nMedian(result, 'callbacks', 'fetches').toFixed(1),
			baseline: `Wait for Result: ${n8nMedian(result, 'waitForResult', 'fetches').toFixed(1)}`,
			ratio: compared(
				n8nMedian(result, 'waitForResult', 'fetches'),
				n8nMedian(result, 'callbacks', 'fetches'),
				'fewer',
				'more fetches',
			),
			target: '(report)',
			met: '',
		},
		{
			measure:
				'Wait for callbacks in real n8n: seconds the execution runs per job, not counting the time it is stored waiting (median; worst)',
			ours: `${seconds(held)} (worst ${seconds(n8nWorst(result, 'callbacks', 'heldMs'))})${harness('heldMs')}; ${failed('callbacks')} failed`,
			baseline: `Wait for Result: ${seconds(theirHeld)}; ${failed('waitForResult')} failed`,
			ratio: compared(theirHeld, held, 'less', 'more'),
			target: '(report: n8n saving and reloading the execution)',
			met: '',
		},
	];
}

export const n8nGrowth = (run: N8nMemoryRun) =>
	Math.max(run.peakRss, run.highWaterRss ?? 0) - run.baselineRss;
export const n8nShare = (run: N8nMemoryRun) => n8nGrowth(run) / run.bytesDownloaded;

/** How that n8n stored the images: its default binary data mode unless the bench set one. */
export const storedMode = (result: N8nMemoryResult) =>
	`${result.runs.find((run) => run.kind === 'node')?.storedAs ?? '?'}${result.binaryDataModeEnv ? ` (N8N_DEFAULT_BINARY_DATA_MODE=${result.binaryDataModeEnv})` : ", n8n's default mode"}`;

export const memoryRuns = (result: N8nMemoryResult, count: number, kind: MemoryRunKind) =>
	result.runs.filter((run) => run.items === count && run.kind === kind);

/** The median over the rounds of one count and kind: growth, its share of the bytes, the range. */
export function memoryFigures(result: N8nMemoryResult, count: number, kind: MemoryRunKind) {
	const runs = memoryRuns(result, count, kind);
	const growths = runs.map(n8nGrowth);
	const growth = median(growths);
	const bytes = median(runs.map((run) => run.bytesDownloaded));
	return {
		count,
		runs,
		growth,
		bytes,
		share: growth / bytes,
		/** Every run's growth in order: the first run after n8n starts shows V8 sizing its heap. */
		each: growths.map((growth) => (growth / 1024 / 1024).toFixed(1)).join(', '),
		images: median(runs.map((run) => run.images)),
		failed: runs.filter((run) => run.status !== 'success').length,
		detectionMs: median(runs.map((run) => run.detectionMedianMs)),
		detectionEach: runs.map((run) => (run.detectionMedianMs / 1000).toFixed(2)).join(', '),
		worstDetectionMs: max(runs.map((run) => run.detectionMaxMs)),
	};
}

export function memoryFlat(result: N8nMemoryResult): boolean {
	const [few, many] = N8N_MEMORY_COUNTS.map((count) => memoryFigures(result, count, 'node'));
	return many.growth <= TARGETS.memoryFlat * Math.max(0, few.growth);
}

function n8nMemoryRows(result: N8nMemoryResult): SummaryRow[] {
	const flat = memoryFlat(result);
	const rounds = `median of ${N8N_MEMORY_ROUNDS} runs`;
	const rows: SummaryRow[] = N8N_MEMORY_COUNTS.map((count, index) => {
		const ours = memoryFigures(result, count, 'node');
		const http = memoryFigures(result, count, 'httpRequest');
		return {
			measure:
				index === 0
					? `Peak RSS growth of the whole n8n ${result.n8nVersion} process, Inpaint defaults (Auto, Wait for Result, Download Images), ${count} items × one ${mib(result.imageBytes)} ${N8N_IMAGE_SIZE}×${N8N_IMAGE_SIZE} PNG (${rounds}; every run in order); binary data: ${storedMode(result)}`
					: `〃 ${count} items`,
			ours: `${mib(ours.growth)} (runs: ${ours.each} MiB)${ours.failed ? `, ${ours.failed} runs failed` : ''}`,
			baseline: `bytes downloaded: ${mib(ours.bytes)} (${ours.images} images); n8n's HTTP Request node downloading them: ${mib(http.growth)} (${percent(http.share)})`,
			ratio: `${percent(ours.share)} of downloaded`,
			target:
				index === 0
					? `≤ ${percent(TARGETS.memoryShare, 0)} of downloaded`
					: `≤ ${percent(TARGETS.memoryShare, 0)}, and flat: ≤ ${TARGETS.memoryFlat} × the ${N8N_MEMORY_COUNTS[0]}-item growth`,
			met: yes(ours.share <= TARGETS.memoryShare && ours.failed === 0 && (index === 0 || flat)),
		};
	});
	rows.push({
		measure: `〃 context: the same items with Download Images off (n8n's own growth for the items, jobs and execution; ${rounds})`,
		ours: N8N_MEMORY_COUNTS.map(
			(count) =>
				`${count} items: ${mib(memoryFigures(result, count, 'nodeNoDownload').growth)} (runs: ${memoryFigures(result, count, 'nodeNoDownload').each} MiB)`,
		).join('; '),
		baseline: 'nothing downloaded',
		ratio: '',
		target: '(context)',
		met: '',
	});
	const detection = N8N_MEMORY_COUNTS.map((count) => memoryFigures(result, count, 'node'));
	rows.push({
		measure:
			"Detection while those downloads run: job finished → the fetch that saw it (simulator log; median of the runs' medians, each run's median, worst job)",
		ours: detection
			.map(
				(figures) =>
					`${figures.count} items: ${seconds(figures.detectionMs)} (runs: ${figures.detectionEach} s; worst job ${seconds(figures.worstDetectionMs)})`,
			)
			.join('; '),
		baseline: '',
		ratio: '',
		target: `≤ ${seconds(TARGETS.detectionDuringDownloadsMs, 1)} (median)`,
		met: yes(
			max(detection.map((figures) => figures.detectionMs)) <= TARGETS.detectionDuringDownloadsMs,
		),
	});
	return rows;
}

export const photoHostRun = (result: PhotoHostResult, slow: boolean) =>
	result.runs.find((run) => run.delayMs > 0 === slow);

export function photoHostAddedMs(result: PhotoHostResult): number {
	const fast = photoHostRun(result, false);
	const slow = photoHostRun(result, true);
	return fast && slow ? slow.wallMs - fast.wallMs : NaN;
}

function photoHostRows(result: PhotoHostResult): SummaryRow[] {
	const fast = photoHostRun(result, false);
	const slow = photoHostRun(result, true);
	if (!fast || !slow) return [];
	const added = photoHostAddedMs(result);
	const clean = (run: typeof fast) =>
		run.failedItems === 0 && run.sizedFromPhoto === PHOTO_HOST_ITEMS;
	return [
		{
			measure: `Photo host answering ${PHOTO_HOST_DELAY_MS / 1000} s late: ${PHOTO_HOST_ITEMS} items × ${PHOTO_HOST_JOB_MS / 1000} s jobs, Output Size › Same as Image, Auto, no queue limit`,
			ours: `${seconds(slow.wallMs, 1)}, ${slow.failedItems} failed, ${slow.sizedFromPhoto} sized from the photo`,
			baseline: `host answering at once: ${seconds(fast.wallMs, 1)}, ${fast.failedItems} failed`,
			ratio: `+${seconds(added, 1)}`,
			target: `adds ≤ ${seconds(TARGETS.photoHostAddedMs, 1)}`,
			met: yes(added <= TARGETS.photoHostAddedMs && clean(slow) && clean(fast)),
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

function detectionTables(results: FullResults): string {
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

function throughputTable(results: FullResults): string {
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

export const refusedPerAccepted = (result: ConcurrencyResult) =>
	result.refusedSubmits / Math.max(1, result.billedJobs);

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
			ours: `${outcome(shared)}; ${refusedPerAccepted(shared).toFixed(2)} refused submits per accepted job (${shared.refusedSubmits} refused, ${shared.billedJobs} accepted)`,
			baseline: `ideal (${(SHARED_RUNS * SHARED_ITEMS) / SHARED_LIMIT} rounds): ${seconds(SHARED_IDEAL_MS, 1)}`,
			ratio: `${(shared.wallMs / SHARED_IDEAL_MS).toFixed(2)} × ideal`,
			target: `≤ ${TARGETS.sharedWallRatio} × ideal, ≤ ${TARGETS.refusedPerAccepted} refused per accepted, 0 failed, 0 duplicates`,
			met: yes(
				shared.wallMs <= TARGETS.sharedWallRatio * SHARED_IDEAL_MS &&
					refusedPerAccepted(shared) <= TARGETS.refusedPerAccepted &&
					clean(shared),
			),
		},
	];
}

function concurrencyTable(results: FullResults): string {
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

function memoryTable(results: FullResults): string {
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

function cpuTable(results: FullResults): string {
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

function photoHostTable(result: PhotoHostResult): string {
	return table(
		[
			'Photo host',
			'Wall time',
			'Failed items',
			'Link reads',
			'With a Range header',
			'Sized from the photo',
			'Stopped with',
		],
		result.runs.map((run) => [
			run.delayMs ? `answers ${seconds(run.delayMs, 0)} late` : 'answers at once',
			seconds(run.wallMs, 1),
			String(run.failedItems),
			String(run.linkReads),
			String(run.rangeReads),
			`${run.sizedFromPhoto} of ${PHOTO_HOST_ITEMS}`,
			run.error ?? '',
		]),
	);
}

function n8nCallbacksTable(result: N8nCallbacksResult): string {
	const rows = N8N_JOB_SECONDS.map((T) => {
		const of = (completion: N8nCompletion) =>
			n8nSamples(result, completion).filter((sample) => sample.jobSeconds === T);
		const cell = (completion: N8nCompletion, figure: 'detectionMs' | 'heldMs' | 'fetches') =>
			median(of(completion).map((sample) => sample[figure]));
		return [
			`${T} s`,
			seconds(cell('callbacks', 'detectionMs')),
			seconds(cell('waitForResult', 'detectionMs')),
			seconds(median(of('callbacks').map((sample) => sample.beforeWaitMs ?? NaN))),
			seconds(median(of('callbacks').map((sample) => sample.resumeMs ?? NaN))),
			seconds(cell('callbacks', 'heldMs')),
			seconds(cell('waitForResult', 'heldMs')),
			cell('callbacks', 'fetches').toFixed(1),
			cell('waitForResult', 'fetches').toFixed(1),
		];
	});
	return table(
		[
			'Job time T',
			'Detection: callbacks',
			'Wait for Result',
			'Held: start → stored waiting',
			'callback sent → stopped',
			'Held per job: callbacks',
			'Wait for Result',
			'Fetches: callbacks',
			'Wait for Result',
		],
		rows,
	);
}

const memoryKindLabel: Record<MemoryRunKind, string> = {
	nodeNoDownload: 'Inpaint, Download Images off',
	node: 'Inpaint, defaults (downloads)',
	httpRequest: "n8n's HTTP Request node, same pictures",
};

function n8nMemoryTable(result: N8nMemoryResult): string {
	return table(
		[
			'Run (in order, per count)',
			'Execution',
			'Wall time',
			'RSS before',
			'Peak RSS (sampled / VmHWM)',
			'Peak growth',
			'Downloaded',
			'Growth ÷ downloaded',
			'Detection: median (worst)',
			'Stored as',
		],
		result.runs.map((run) => [
			`${run.items} items: ${memoryKindLabel[run.kind]}`,
			run.status,
			seconds(run.wallMs, 1),
			mib(run.baselineRss),
			`${mib(run.peakRss)} / ${run.highWaterRss === undefined ? 'n/a' : mib(run.highWaterRss)}`,
			mib(n8nGrowth(run)),
			`${mib(run.bytesDownloaded)} (${run.images} images)`,
			run.bytesDownloaded ? percent(n8nShare(run)) : '',
			run.kind === 'httpRequest'
				? ''
				: `${seconds(run.detectionMedianMs)} (${seconds(run.detectionMaxMs)})`,
			run.storedAs,
		]),
	);
}

function n8nSections(results: FullResults): string {
	const callbacks = results.n8nCallbacks;
	const memory = results.n8nMemory;
	return `## 7. Wait for callbacks in real n8n ${callbacks.n8nVersion}

\`n8n start\` (n8n ${callbacks.n8nVersion}, Node.js ${callbacks.nodeVersion}) with the package packed and installed as n8n's
Community Nodes installer does (e2e/support), its credential pointing at the simulator. Two active
workflows, each Webhook → Split Out → ... → a No Op named Result, one item per execution:
Inpaint (Resume on Callback) → Fetch › Wait for Callbacks, and Inpaint (Wait for Result). For each
job time T, ${N8N_REPEATS} executions of each, started 0.4 s apart; the simulator calls n8n's \`/webhook-waiting\`
route back when a job finishes. Images are not downloaded (as in section 1).
Detection: the simulator's job-finished time (\`readyAt\`) → the start of the Result node in n8n's
execution record (n8n has the result in hand). Held: the time the execution runs. For Wait for
callbacks, execution start → the end of Wait for Callbacks' first run as stored while the
execution waits (read from the waiting execution's record), plus the simulator sending the callback
→ the execution's stop (n8n loading the execution, running the node's webhook and the rest of the
workflow, saving). For Wait for Result, execution start → stop. Medians of ${N8N_REPEATS} per cell.

${n8nCallbacksTable(callbacks)}

## 8. Memory of a real n8n ${memory.n8nVersion} process while the node downloads

The same n8n, one workflow Webhook → Split Out → ModelsLab Inpaint left at its defaults (Auto
concurrency, Wait for Result, Download Images on, Output Size › Same as Image of a
${N8N_IMAGE_SIZE}×${N8N_IMAGE_SIZE} photo link) → Result. Each item's job has one result, a ${mib(memory.imageBytes)} photo-like PNG of
${N8N_IMAGE_SIZE}×${N8N_IMAGE_SIZE} (the simulator's \`outputImageBytes\`). Jobs take ${N8N_MEMORY_JOB_MS / 1000} s, each ${N8N_MEMORY_STEP_MS} ms longer than the
one before, so jobs finish while other jobs' images download. Before each count n8n is restarted and
runs a 2-item warm-up with downloads, then ${N8N_MEMORY_ROUNDS} rounds of three runs: the items with Download Images
off (a second workflow, otherwise identical: n8n's own growth for the items, their jobs and the
execution), the items with downloads (what users meet), and n8n's own HTTP Request node (Response
Format: File) downloading as many copies of the same picture from the simulator, for comparison.
Peak RSS moves with V8's heap sizing from run to run: the first runs after n8n starts grow the
process by tens of MiB with or without downloads, later runs by little; the summary quotes the
median over the rounds and lists every run. Measured: the whole n8n process's RSS (VmRSS in
/proc/<pid>/status) every 10 ms, and Linux's peak counter VmHWM (reset just before the run);
growth = the peak − the median RSS over the half second before the run (2 s after the previous run).
Detection: job finished → the first fetch that saw it finished (simulator log). Binary data: ${storedMode(memory)}; n8n 2.x's default is 'filesystem' in regular
mode ('database' in queue mode), n8n 1.x's is in memory ('default').

${n8nMemoryTable(memory)}
`;
}

export function markdownReport(results: FullResults, rows: SummaryRow[]): string {
	return `# Benchmarks: ModelsLab Inpaint node against the DIY workflow and fixed-interval polling

${runLine(results)}; real n8n ${results.n8nMemory.n8nVersion} on Node.js ${results.n8nMemory.nodeVersion}.
Generated by \`npm run bench\` (bench/run.ts). Everything runs against the project's ModelsLab simulator
on loopback; job times are real seconds. The Wait for callbacks rows and the memory rows run in a real
n8n process (sections 7 and 8); the other node rows run the node in n8n-core's WorkflowExecute (the
tests' engine harness). Event-loop delay of the benchmark process during detection and throughput: p99 ${results.eventLoopDelayMs.p99.toFixed(1)} ms, max ${results.eventLoopDelayMs.max.toFixed(1)} ms.

## Summary

${summaryTable(rows)}

"Baseline ÷ ours" compares the two figures in words: "9× faster" means the baseline's figure is 9 times ours;
"1.1× more fetches (ours)" means ours is the higher one.

## 1 and 2. Detection overhead and fetches per job

One item; the simulator finishes the job T seconds after the submit; overhead = when the workflow has the
result − when the simulator finished the job (its own \`readyAt\` record, after which every fetch gets
the result). Medians over ${REPEATS} runs per cell; fetches are the fetch requests the simulator saw for the
job (means). Images are not downloaded in these runs. The physical limit is 0 (a callback). The
"callbacks" columns are the engine harness's stand-in for n8n (see the end); section 7 has them in real n8n.
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

### A slow photo host

${PHOTO_HOST_ITEMS} items × ${PHOTO_HOST_JOB_MS / 1000} s jobs, Auto, no queue limit, Output Size › Same as Image: the node reads the first
bytes of every item's photo and mask links (each item its own links) for their size. Once with the
host answering at once, once with it answering ${PHOTO_HOST_DELAY_MS / 1000} s late (the simulator's \`photoHostDelayMs\`;
it honours Range requests). The difference of the wall times is what the slow host costs.

${photoHostTable(results.photoHost)}

${maskSection(results.masks)}

${stitchSection(results.stitch)}

## 5. Memory of the node alone (not n8n: see section 8)

Our node downloads ${MEMORY_ITEMS} items × ${MEMORY_SAMPLES} samples of ${MEMORY_SIZE}×${MEMORY_SIZE} PNGs (photo-like, ~2 MB each) into binary data, in a
worker process whose RSS is sampled every 5 ms (and read from Linux's peak counter, VmHWM). n8n 1.x
defaults to the in-memory mode ('default'); n8n 2.x defaults to 'filesystem' (n8n-core BinaryDataConfig).

${memoryTable(results)}

## 6. Per-item cost of the node itself

${CPU_ITEMS} items through n8n-core's WorkflowExecute, every community option set, CPU time of the worker process
(the simulator runs in another process); medians of 3 runs after a warm-up.

${cpuTable(results)}

${n8nSections(results)}

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
  result. These stand-in figures stay in the detection tables for comparison; the summary's Wait for
  callbacks rows come from real n8n (section 7).
`;
}
