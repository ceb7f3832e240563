/**
 * Masks from words: what the extra step costs. 20 items × (a mask job, then the inpaint job),
 * each job MASK_JOB_MS long (5 s, the job time of the bench's other throughput rows), Auto
 * concurrency, no queue limit (Mask Source › Describe It, one photo link per item), against the
 * same 20 items with a mask file (one job each). Then, in a worker
 * process of its own, the CPU time, peak memory and longest event-loop block of turning one mask
 * picture into the mask sent (decode, fit, Grow 20, Soft Edge 10, encode), at 1024² and 4096².
 */
import type { SummaryRow } from '../report';
import { runOurs } from '../support/ours';
import { mib, seconds, yes } from '../support/stats';
import { perItemSampleLinks, startSimulator } from '../support/sim';
import type { MaskWorkArgs, MaskWorkMeasure } from '../workers/mask-worker';
import { runWorker } from '../workers/spawn';

export const MASK_ITEMS = 20;
export const MASK_JOB_MS = 5000;
export const MASK_SIDES = [1024, 4096];

export interface MaskRun {
	maskSource: 'describe' | 'url';
	wallMs: number;
	failedItems: number;
	maskJobs: number;
	inpaintJobs: number;
	error?: string;
}

export interface MaskResult {
	runs: MaskRun[];
	work: MaskWorkMeasure[];
}

async function measure(maskSource: MaskRun['maskSource']): Promise<MaskRun> {
	const target = await startSimulator({ jobDurationMs: MASK_JOB_MS });
	try {
		const links = await perItemSampleLinks(target, { jobDurationMs: MASK_JOB_MS });
		const run = await runOurs(target, {
			items: MASK_ITEMS,
			outputSize: 'image',
			...links,
			parameters:
				maskSource === 'describe'
					? { maskImageSource: 'describe', maskDescription: "={{ 'the ball ' + $itemIndex }}" }
					: {},
		});
		return {
			maskSource,
			wallMs: run.endedAt - run.startedAt,
			failedItems: run.items.filter((item) => item.status !== 'success').length,
			maskJobs: target.sim.jobs.filter((job) => job.endpoint === 'maskCreator').length,
			inpaintJobs: target.sim.jobs.filter((job) => job.endpoint === 'community').length,
			error: run.error,
		};
	} finally {
		await target.sim.stop();
	}
}

export async function runMasks(): Promise<MaskResult> {
	const file = await measure('url');
	const described = await measure('describe');
	const work: MaskWorkMeasure[] = [];
	for (const side of MASK_SIDES)
		work.push(await runWorker<MaskWorkMeasure>('mask-worker.ts', { side } as MaskWorkArgs));
	return { runs: [file, described], work };
}

/** Masks from words: at most this many times the two job times (the issue's target). */
export const MASK_WALL_TARGET = 1.3;
/** No slice of pixel work may hold n8n's event loop longer than this. */
export const MASK_BLOCK_TARGET_MS = 50;

const runOf = (result: MaskResult, source: MaskRun['maskSource']) =>
	result.runs.find((run) => run.maskSource === source);

/** The wall time of the runs with a mask job, as a multiple of the mask job's and inpaint job's times. */
export const maskWallRatio = (result: MaskResult) =>
	(runOf(result, 'describe')?.wallMs ?? NaN) / (2 * MASK_JOB_MS);

const clean = (run: MaskRun) =>
	run.failedItems === 0 && run.inpaintJobs === MASK_ITEMS && !run.error;

export function maskRows(result: MaskResult): SummaryRow[] {
	const described = runOf(result, 'describe');
	const file = runOf(result, 'url');
	if (!described || !file) return [];
	const ratio = maskWallRatio(result);
	const rows: SummaryRow[] = [
		{
			measure: `Masks from words: ${MASK_ITEMS} items × (a mask job, then the inpaint job), ${MASK_JOB_MS / 1000} s each, Auto, no queue limit`,
			ours: `${seconds(described.wallMs, 1)}, ${described.failedItems} failed, ${described.maskJobs} mask jobs`,
			baseline: `with a mask file: ${seconds(file.wallMs, 1)}`,
			ratio: `${ratio.toFixed(2)} × the two job times`,
			target: `≤ ${MASK_WALL_TARGET} × (${seconds(2 * MASK_JOB_MS * MASK_WALL_TARGET, 1)})`,
			met: yes(
				ratio <= MASK_WALL_TARGET &&
					clean(described) &&
					clean(file) &&
					described.maskJobs === MASK_ITEMS,
			),
		},
	];
	for (const work of result.work)
		rows.push({
			measure: `A ${work.side}×${work.side} mask picture → the mask sent (decode, Grow 20, Soft Edge 10, encode)`,
			ours: `${seconds(work.cpuMs, 2)} CPU, peak +${mib(work.peakAddedRss)}, longest block ${work.longestBlockMs.toFixed(0)} ms (first run after start: ${work.coldLongestBlockMs.toFixed(0)} ms)`,
			baseline: `decoded picture: ${mib(work.decodedBytes)}`,
			ratio: `${(work.peakAddedRss / work.decodedBytes).toFixed(1)} × the decoded size`,
			target: `longest block ≤ ${MASK_BLOCK_TARGET_MS} ms`,
			met: yes(work.longestBlockMs <= MASK_BLOCK_TARGET_MS),
		});
	return rows;
}

/** The report's section on masks from words. */
export function maskSection(result: MaskResult | undefined): string {
	if (!result) return '';
	const line = (run: MaskRun | undefined) =>
		run
			? `| ${run.maskSource === 'describe' ? 'Mask Source › Describe It' : 'a mask file (URL)'} | ${seconds(run.wallMs, 1)} | ${run.maskJobs} | ${run.inpaintJobs} | ${run.failedItems} |`
			: '';
	return `### Masks from words

${MASK_ITEMS} items, each job ${MASK_JOB_MS / 1000} s, Auto, no queue limit, Output Size › Same as Image (640×480 photo links, one per item):
once with a mask job before each inpaint job (mask_creator), once with a mask file. The ideal with the mask
job is the two job times, ${seconds(2 * MASK_JOB_MS, 0)}.

| Mask | Wall time | Mask jobs | Inpaint jobs | Failed |
| --- | --- | --- | --- | --- |
${line(runOf(result, 'describe'))}
${line(runOf(result, 'url'))}

Turning one mask picture (a black-and-white PNG) into the mask sent, in a worker process of its own
(decode, read as a mask, Grow 20, Soft Edge 10, encode). Peak RSS: the high-water mark of the first run
above the RSS before it; CPU, wall and the longest block (the longest gap of a 1 ms ticker) of a second
run, the first one's block in brackets (it also compiles the code):

| Size | Picture | CPU | Wall | Peak RSS added | Decoded size | Longest block |
| --- | --- | --- | --- | --- | --- | --- |
${result.work.map((work) => `| ${work.side}×${work.side} | ${mib(work.pictureBytes)} | ${seconds(work.cpuMs, 2)} | ${seconds(work.wallMs, 2)} | ${mib(work.peakAddedRss)} | ${mib(work.decodedBytes)} | ${work.longestBlockMs.toFixed(0)} ms (${work.coldLongestBlockMs.toFixed(0)} ms) |`).join('\n')}`;
}
