/**
 * The figures of docs/performance.md, generated from bench/results/latest.json (the run that
 * bench/results/latest.md reports), so that no figure in it is typed by hand.
 *   npm run docs:bench   rewrites the block between the markers in docs/performance.md (`npm run
 *                        bench` does it too, after writing latest.json)
 *   test/readme.test.ts  fails when docs/performance.md differs from what latest.json generates
 */
import { readFileSync, writeFileSync } from 'fs';
import { join } from 'path';

import type { FullResults, SummaryRow } from './report';
import {
	runLine,
	meanFetches,
	medianOverhead,
	memoryFigures,
	n8nGrowth,
	n8nMedian,
	n8nWorst,
	peakOf,
	photoHostAddedMs,
	photoHostRun,
	refusedPerAccepted,
	storedMode,
	summaryTable,
	TARGETS,
	worstShareOfJob,
} from './report';
import { JOB_SECONDS } from './scenarios/detection';
import {
	JOB_MS,
	SHARED_IDEAL_MS,
	SHARED_ITEMS,
	SHARED_LIMIT,
	SHARED_RUNS,
	SOLO_ITEMS,
} from './scenarios/concurrency';
import { N8N_MEMORY_COUNTS } from './scenarios/n8nMemory';
import { PHOTO_HOST_DELAY_MS, PHOTO_HOST_ITEMS, PHOTO_HOST_JOB_MS } from './scenarios/photoHost';
import { MASK_ITEMS, MASK_JOB_MS, maskWallRatio } from './scenarios/masks';
import { STITCH_ITEMS, STITCH_JOB_MS, stitchWallRatio, stitchWork } from './scenarios/stitch';
import { IDEAL_MS, QUEUE_LIMIT, THROUGHPUT_ITEMS, THROUGHPUT_JOB_MS } from './scenarios/throughput';
import { mib, percent, seconds } from './support/stats';

export const PERFORMANCE_DOC = join(__dirname, '..', 'docs', 'performance.md');
export const LATEST_JSON = join(__dirname, 'results', 'latest.json');
export const LATEST_MD = join(__dirname, 'results', 'latest.md');
const START =
	'<!-- bench:start (generated from bench/results/latest.json by npm run docs:bench; edit bench/readme.ts, not this) -->';
const END = '<!-- bench:end -->';

export type LatestResults = FullResults & { summary: SummaryRow[] };

export const readLatest = (): LatestResults =>
	JSON.parse(readFileSync(LATEST_JSON, 'utf8')) as LatestResults;

export { runLine } from './report';

const pct = (fraction: number) => percent(fraction, 0);

export function performanceBlock(results: LatestResults): string {
	const throughput = (id: string) => results.throughput.find((result) => result.id === id)!;
	const concurrency = (id: string) => results.concurrency.find((result) => result.id === id)!;
	const ours = throughput('ours');
	const batching = throughput('diyBatching');
	const retryMax = throughput('diyRetryMax');
	const oneAtATime = throughput('oneAtATime');
	const auto = concurrency('autoNoLimit');
	const fixed5 = concurrency('fixed5NoLimit');
	const diyNoLimit = concurrency('diyNoLimit');
	const shared = concurrency('autoShared');
	const callbacks = results.n8nCallbacks;
	const memory = results.n8nMemory;
	const [few, many] = N8N_MEMORY_COUNTS.map((count) => memoryFigures(memory, count, 'node'));
	const [fewHttp, manyHttp] = N8N_MEMORY_COUNTS.map((count) =>
		memoryFigures(memory, count, 'httpRequest'),
	);
	const [fewControl, manyControl] = N8N_MEMORY_COUNTS.map((count) =>
		memoryFigures(memory, count, 'nodeNoDownload'),
	);
	const firstGrowth = (figures: typeof few) =>
		figures.runs.length ? n8nGrowth(figures.runs[0]) : NaN;
	const fast = photoHostRun(results.photoHost, false);
	const inMemory = results.memory.runs.find((run) => run.mode === 'default');
	const build = results.cpu.find((measure) => measure.mode === 'build');
	const submit = results.cpu.find((measure) => measure.mode === 'submit');
	const share = (impl: 'ours' | 'diy5' | 'sdk2') =>
		`${pct(worstShareOfJob(results, impl, 'short'))} / ${pct(worstShareOfJob(results, impl, 'long'))}`;
	const fetches = (impl: 'ours' | 'diy5' | 'sdk2') =>
		(['accurate', 'short', 'long'] as const)
			.map((eta) => Number(meanFetches(results, impl, eta).toFixed(2)))
			.join(' / ');
	const memoryCell = (figures: typeof few) =>
		`+${mib(figures.growth)} for ${mib(figures.bytes)} (${pct(figures.share)})`;
	const detectionDuringDownloads = [few, many]
		.map((figures) => `${seconds(figures.detectionMs)} with ${figures.count} items`)
		.join(', ');
	const minutes = Math.max(1, Math.round(results.durationMs / 60_000));

	return `\`npm run bench\` (about ${minutes} minutes on ${results.environment.cpus} CPUs, nothing leaves the machine) runs this node side by side with what
you would otherwise build: an **HTTP Request → Wait 5 s → HTTP Request → IF** loop, and the
fixed-interval, one-item-at-a-time polling of other image-API nodes (every 2 s), against the built-in
ModelsLab simulator with real job times of ${JOB_SECONDS[0]} to ${JOB_SECONDS[JOB_SECONDS.length - 1]} seconds. The node runs in n8n's engine (n8n-core), except
for Wait for callbacks and memory, which are measured in a real n8n ${memory.n8nVersion} process with the
packed package installed, as users run it. It prints the summary and writes the full report, with how
each figure is measured, to \`bench/results/latest.md\` (raw figures in \`latest.json\`); this section
is generated from the same file, and quotes the run that file records (${runLine(results)}).

| | This node | Wait 5 s loop | Fixed 2 s polling |
| --- | --- | --- | --- |
| Result in hand after ModelsLab finished the job (median; ETA right) | **${seconds(medianOverhead(results, 'ours', 'accurate'))}** | ${seconds(medianOverhead(results, 'diy5', 'accurate'))} | ${seconds(medianOverhead(results, 'sdk2', 'accurate'))} |
| The same when the ETA is 2× too short / 2× too long (worst case, share of the job time) | **${share('ours')}** | ${share('diy5')} | ${share('sdk2')} |
| Fetch requests per job (ETA right / 2× too short / 2× too long) | ${fetches('ours')} | ${fetches('diy5')} | ${fetches('sdk2')} |
| ${THROUGHPUT_ITEMS} items × ${THROUGHPUT_JOB_MS / 1000} s jobs with a ${QUEUE_LIMIT}-job queue limit (ideal ${seconds(IDEAL_MS, 0)}) | **${seconds(ours.wallMs, 1)}**, ${ours.failedItems} failed, ${ours.duplicateJobs} duplicate jobs | default: ${throughput('diyDefault').failedItems} of ${THROUGHPUT_ITEMS} fail, ${throughput('diyDefault').unfetchedJobs} billed jobs never fetched; with Retry On Fail (5 × 5 s): ${retryMax.billedJobs} billed jobs, ${retryMax.failedItems} fail; with Batching: ${seconds(batching.wallMs, 1)} | ${seconds(oneAtATime.wallMs, 1)} (one at a time) |
| ${SOLO_ITEMS} items × ${JOB_MS / 1000} s jobs, no queue limit (Max Concurrent Jobs › Auto) | **${seconds(auto.wallMs, 1)}** (fixed 5 at a time: ${seconds(fixed5.wallMs, 1)}) | ${seconds(diyNoLimit.wallMs, 1)} (Wait 1 s, every item at once) | |
| ${SHARED_RUNS} executions × ${SHARED_ITEMS} items at once sharing a ${SHARED_LIMIT}-job queue limit (Auto) | **${seconds(shared.wallMs, 1)}** (ideal ${seconds(SHARED_IDEAL_MS, 0)}), ${shared.failedItems} failed, ${shared.duplicateJobs} duplicate jobs, ${refusedPerAccepted(shared).toFixed(2)} refused submits per accepted job | | |
| ${PHOTO_HOST_ITEMS} items × ${PHOTO_HOST_JOB_MS / 1000} s jobs, Output Size › Same as Image, photo links on a host answering ${PHOTO_HOST_DELAY_MS / 1000} s late | **+${seconds(photoHostAddedMs(results.photoHost), 1)}** (${seconds(fast?.wallMs ?? NaN, 1)} with a fast host) | | |
| Memory of the whole n8n ${memory.n8nVersion} process, ${few.count} / ${many.count} items × one ${mib(memory.imageBytes)} result (defaults; peak RSS growth for the bytes downloaded, median) | ${memoryCell(few)} / ${memoryCell(many)} | n8n's HTTP Request node downloading the same: ${memoryCell(fewHttp)} / ${memoryCell(manyHttp)} | |
${masksLine(results)}${stitchLine(results)}| CPU per item: checking the fields, building the request / with the request sent | ${build ? (build.cpuPerItemUs / 1000).toFixed(1) : 'n/a'} ms / ${submit ? (submit.cpuPerItemUs / 1000).toFixed(1) : 'n/a'} ms | | |

**Wait for callbacks** ([Resume on Callback → Wait for Callbacks](reference.md#waiting-for-callbacks-no-polling)) in
n8n ${callbacks.n8nVersion}, one job per execution, jobs of ${JOB_SECONDS[0]} to ${JOB_SECONDS[JOB_SECONDS.length - 1]} s: the result is in hand **${seconds(n8nMedian(callbacks, 'callbacks', 'detectionMs'))}**
(median; worst ${seconds(n8nWorst(callbacks, 'callbacks', 'detectionMs'))}) after ModelsLab finished the job, which is n8n's own handling of the
callback, whatever the ETA (Wait for Result in the same n8n: ${seconds(n8nMedian(callbacks, 'waitForResult', 'detectionMs'))}); ${n8nMedian(callbacks, 'callbacks', 'fetches').toFixed(0)} fetches per job (the
check before waiting and the check of the callback); and the execution runs **${seconds(n8nMedian(callbacks, 'callbacks', 'heldMs'))} per job** (median;
worst ${seconds(n8nWorst(callbacks, 'callbacks', 'heldMs'))}: submitting and storing the waiting execution, then loading, resuming and saving it)
where Wait for Result holds it ${seconds(n8nMedian(callbacks, 'waitForResult', 'heldMs'), 1)}.

What this means for you:

- **Results arrive soon after they exist.** The node asks when ModelsLab's ETA says the job is done,
  so it notices a finished job ${seconds(medianOverhead(results, 'ours', 'accurate'))} later (median); a Wait loop notices it on its next
  turn (${seconds(medianOverhead(results, 'diy5', 'accurate'))} later, median, with 5 s waits). When the ETA is 2× too short or too long the delay is
  ${share('ours')} of the job time at worst. The price: a job that runs longer than its ETA
  gets more (free) fetches: ${Number(meanFetches(results, 'ours', 'short').toFixed(2))} per job when the ETA is half the real time.
- **Many items, no failures, nothing billed twice.** With ModelsLab's queue limit (${QUEUE_LIMIT} jobs on the
  smallest plan), ${THROUGHPUT_ITEMS} items took ${seconds(ours.wallMs, 1)} for an ideal of ${seconds(IDEAL_MS, 0)}; without one, Auto sends them all
  and they took ${seconds(auto.wallMs, 1)} for ${seconds(JOB_MS, 0)} jobs; ${SHARED_RUNS} executions sharing the limit all finished in ${(shared.wallMs / SHARED_IDEAL_MS).toFixed(2)} × the ideal.
  A plain HTTP Request loop sends every item at once: the jobs over the limit are refused, the node
  fails, and the accepted jobs are billed but never fetched; Retry On Fail resends every item and
  bills duplicates.
- **Memory.** Images are streamed into n8n's binary data (stored as ${storedMode(memory)}).
  The whole n8n ${memory.n8nVersion} process grew by ${memoryCell(few)} with ${few.count} items and ${memoryCell(many)} with ${many.count}
  (median of ${few.runs.length} runs; target: at most ${pct(TARGETS.memoryShare)} of the bytes, flat in the number of items; n8n's
  own HTTP Request node downloading the same pictures: ${memoryCell(fewHttp)} and ${memoryCell(manyHttp)}).
  The first execution of that size after n8n starts costs more, with or without downloads, as V8 sizes
  its heap: +${mib(firstGrowth(few))} and +${mib(firstGrowth(many))} with downloads, +${mib(firstGrowth(fewControl))} and +${mib(firstGrowth(manyControl))} without.
  Finished jobs were noticed ${detectionDuringDownloads} (median) while those downloads ran. In n8n's in-memory mode
  (n8n 1.x's default) n8n itself keeps every image in the items, about ${inMemory ? `${((peakOf(inMemory) - inMemory.baselineRss) / inMemory.bytesDownloaded).toFixed(1)}×` : 'n/a'} their size (measured with the node alone),
  whichever node downloaded them; \`N8N_DEFAULT_BINARY_DATA_MODE=filesystem\` avoids that on 1.x.
- The node's own work per item (checking every field, building the request) is about
  ${build ? (build.cpuPerItemUs / 1000).toFixed(1) : 'n/a'} ms of CPU.

Every measure of that run against its target:

${summaryTable(results.summary)}`;
}

/** The Performance table's row on masks from words (a run from before they existed has none). */
function masksLine(results: LatestResults): string {
	const masks = results.masks;
	const described = masks?.runs.find((run) => run.maskSource === 'describe');
	const file = masks?.runs.find((run) => run.maskSource === 'url');
	if (!masks || !described || !file) return '';
	const work = masks.work
		.map(
			(measure) =>
				`${measure.side}²: ${seconds(measure.cpuMs, 2)} CPU, +${mib(measure.peakAddedRss)}, longest block ${measure.longestBlockMs.toFixed(0)} ms`,
		)
		.join('; ');
	return `| ${MASK_ITEMS} items × (mask job + inpaint job, ${MASK_JOB_MS / 1000} s each), Mask Source › Describe It, Auto | **${seconds(described.wallMs, 1)}** (${maskWallRatio(masks).toFixed(2)} × the two job times; with a mask file ${seconds(file.wallMs, 1)}). Making the mask sent from ModelsLab's picture: ${work} | | |
`;
}

/** The Performance table's row on full resolution (a run from before it existed has none). */
function stitchLine(results: LatestResults): string {
	const stitch = results.stitch;
	const large = stitch?.runs.find((run) => run.photo === 'large');
	const fitting = stitch?.runs.find((run) => run.photo === 'fitting');
	if (!stitch || !large || !fitting || stitch.work.length === 0) return '';
	const work = stitchWork(stitch.work);
	return `| ${STITCH_ITEMS} items × ${STITCH_JOB_MS / 1000} s jobs, Output Size › Same as Image, a ${large.width}×${large.height} JPEG each (full resolution: crop, job, stitch), Auto | **${seconds(large.wallMs, 1)}** (${stitchWallRatio(stitch).toFixed(2)} × the same scene at ${fitting.width}×${fitting.height} sent as it is, Keep Original Pixels off: ${seconds(fitting.wallMs, 1)}). One crop and stitch hold n8n's main thread ${seconds(work.cropWallMs, 2)} + ${seconds(work.stitchWallMs, 2)} (CPU with the collector's threads ${seconds(work.cpuMs, 2)}${Number.isFinite(work.coldWallMs) ? `; the first after n8n starts: ${seconds(work.coldWallMs, 2)}` : ''}), peak +${mib(work.peakAddedRss)} (${work.memoryRatio.toFixed(1)} × the decoded photo), longest block ${work.longestBlockMs.toFixed(0)} ms | | |
`;
}

export function withPerformanceBlock(readme: string, results: LatestResults): string {
	const start = readme.indexOf(START);
	const end = readme.indexOf(END);
	if (start < 0 || end < start)
		throw new Error(`docs/performance.md has no ${START} … ${END} block`);
	return `${readme.slice(0, start + START.length)}\n${performanceBlock(results)}\n${readme.slice(end)}`;
}

export function rewritePerformanceDoc(): void {
	const readme = readFileSync(PERFORMANCE_DOC, 'utf8');
	const updated = withPerformanceBlock(readme, readLatest());
	if (updated !== readme) writeFileSync(PERFORMANCE_DOC, updated);
}

if (require.main === module) rewritePerformanceDoc();
