/**
 * Full resolution: what the crop and the stitch cost. 20 items × 5 s jobs (STITCH_JOB_MS, the job
 * time of the bench's other throughput rows), Auto concurrency, no queue limit, Output Size › Same
 * as Image, Completion › Wait for Result with Download Images on (the defaults), each item a link
 * to a 12-megapixel camera JPEG (4032×3024, bench/support/photos.ts) and to its mask (a 600×500
 * ellipse): each photo is downloaded, cropped around the mask, the crop sent, and the result pasted
 * back into the photo (a JPEG: only the blocks the seam touches encoded again). Against the same 20 items with the same scene at
 * 1024×768, a photo the endpoint takes as it is, with Keep Original Pixels Outside the Mask off: no
 * crop, no paste, a result of the size sent, which is what Same as Image did with any photo before
 * full resolution (the photo was sent as a link and the result came back scaled down). For context
 * also that 1024×768 run with Keep Original Pixels on (the default: the result pasted back into the
 * whole photo by the mask, a stitch of one megapixel). The photos are uploaded to the simulator (its
 * samples are PNGs) and read from there; the simulator draws each result from the picture sent.
 * Then, in a worker process of its own, the CPU time, peak memory and longest event-loop block of
 * one crop and stitch of that 12-megapixel JPEG (bench/workers/stitch-worker.ts).
 */
import type { INodeExecutionData } from 'n8n-workflow';

import type { SummaryRow } from '../report';
import { runOurs } from '../support/ours';
import {
	FITTING_PHOTO,
	LARGE_PHOTO,
	MASK_ELLIPSE,
	ellipseMaskPng,
	photoJpeg,
} from '../support/photos';
import type { BenchSimulator } from '../support/sim';
import { uploadPicture } from '../../simulator';
import { API_KEY, startSimulator } from '../support/sim';
import { max, median, mib, percent, seconds, yes } from '../support/stats';
import type { StitchWorkArgs, StitchWorkMeasure } from '../workers/stitch-worker';
import { runWorker } from '../workers/spawn';

export const STITCH_ITEMS = 20;
export const STITCH_JOB_MS = 5000;

/** The stitch adds at most 10 % to the job time of a 5 s job (the issue's target). */
export const STITCH_WALL_TARGET = 1.1;
/** No slice of pixel work may hold n8n's event loop longer than this. */
export const STITCH_BLOCK_TARGET_MS = 50;
/** Peak memory of one stitch: at most this many times the decoded size of the images in flight. */
export const STITCH_MEMORY_TARGET = 3;

/**
 * The runs: the 12-megapixel photo (crop and stitch); the 1024×768 one with Keep Original Pixels
 * Outside the Mask off (nothing decoded, pasted or encoded: the baseline); and the 1024×768 one
 * with it on, the default (the whole photo pasted back by the mask, for context).
 */
export type StitchPhoto = 'large' | 'fitting' | 'fittingKept';

export interface StitchRun {
	photo: StitchPhoto;
	width: number;
	height: number;
	photoBytes: number;
	wallMs: number;
	failedItems: number;
	/** Items whose result is the photo's size and format, the job's result pasted in (fullResolution set). */
	stitchedItems: number;
	jobs: number;
	/** The distinct sizes the jobs were asked at. */
	sentSizes: string[];
	/** The first item's result file (stitched: the whole photo again), bytes. */
	resultBytes: number;
	error?: string;
}

export interface StitchResult {
	runs: StitchRun[];
	/** One crop and stitch, each in a fresh worker process: STITCH_WORKER_RUNS of them. */
	work: StitchWorkMeasure[];
}

/**
 * Worker processes, each measuring one crop and stitch: the peak memory of a first run varies with
 * when the collector runs (by tens of MiB), so the figures are the median of three; the longest
 * block is the worst of them.
 */
export const STITCH_WORKER_RUNS = 3;
/** Runs each worker measures after its first, which also compiles the code. */
export const STITCH_STEADY_RUNS = 4;

interface PhotoFiles {
	size: { width: number; height: number };
	photo: Buffer;
	mask: Buffer;
}

async function photoFiles(size: { width: number; height: number }): Promise<PhotoFiles> {
	return { size, photo: await photoJpeg(size), mask: ellipseMaskPng(size) };
}

/** The photo and mask put on the simulator, one link per item (`?item=N`), as a user's items have. */
async function perItemLinks(target: BenchSimulator, files: PhotoFiles) {
	const photo = await uploadPicture(target.baseUrl, files.photo, 'image/jpeg', API_KEY);
	const mask = await uploadPicture(target.baseUrl, files.mask, 'image/png', API_KEY);
	return {
		imageUrl: `={{ '${photo}?item=' + $itemIndex }}`,
		maskUrl: `={{ '${mask}?item=' + $itemIndex }}`,
	};
}

const isStitched = (item: INodeExecutionData | undefined, files: PhotoFiles) => {
	const size = item?.json.outputSize as { width?: number; height?: number } | undefined;
	return Boolean(
		item?.json.fullResolution &&
			size?.width === files.size.width &&
			size?.height === files.size.height &&
			item.binary?.data?.mimeType === 'image/jpeg',
	);
};

const fileBytes = (item: INodeExecutionData | undefined) => {
	const data = item?.binary?.data;
	if (!data) return NaN;
	return data.data && !data.id ? Buffer.from(data.data, 'base64').length : Number(data.fileSize);
};

async function measure(photo: StitchPhoto, files: PhotoFiles): Promise<StitchRun> {
	// The bench's runs leave Download Images off and Output Size › Custom: here, the node's defaults.
	const options = {
		outputSize: 'image',
		downloadImages: true,
		parameters: photo === 'fitting' ? { keepOriginalPixels: false } : {},
	} as const;
	const target = await startSimulator({ jobDurationMs: 0 });
	try {
		// Warm-up: one item with instant jobs compiles the crop, the codecs and the stitch (the
		// bench's own warm-up runs Output Size › Custom, which uses none of them).
		await runOurs(target, { items: 1, ...options, ...(await perItemLinks(target, files)) });
		target.sim.reset();
		Object.assign(target.sim.settings, { jobDurationMs: STITCH_JOB_MS });
		const links = await perItemLinks(target, files);
		const run = await runOurs(target, { items: STITCH_ITEMS, ...options, ...links });
		const jobs = target.sim.jobs.filter((job) => job.endpoint === 'community');
		return {
			photo,
			...files.size,
			photoBytes: files.photo.length,
			wallMs: run.endedAt - run.startedAt,
			failedItems: run.items.filter((item) => item.status !== 'success').length,
			stitchedItems: run.output.filter((item) => isStitched(item, files)).length,
			jobs: jobs.length,
			sentSizes: [...new Set(jobs.map((job) => `${job.width}×${job.height}`))],
			resultBytes: fileBytes(run.output[0]),
			error: run.error,
		};
	} finally {
		await target.sim.stop();
	}
}

export async function runStitch(): Promise<StitchResult> {
	const fittingFiles = await photoFiles(FITTING_PHOTO);
	const fitting = await measure('fitting', fittingFiles);
	const fittingKept = await measure('fittingKept', fittingFiles);
	const large = await measure('large', await photoFiles(LARGE_PHOTO));
	const work: StitchWorkMeasure[] = [];
	for (let run = 0; run < STITCH_WORKER_RUNS; run++)
		work.push(
			await runWorker<StitchWorkMeasure>(
				'stitch-worker.ts',
				{ ...LARGE_PHOTO, steadyRuns: STITCH_STEADY_RUNS } satisfies StitchWorkArgs,
				['--expose-gc'],
			),
		);
	return { runs: [fitting, fittingKept, large], work };
}

export const stitchRunOf = (result: StitchResult, photo: StitchPhoto) =>
	result.runs.find((run) => run.photo === photo);

/** The wall time with the crop and the stitch, as a multiple of the same run without them. */
export const stitchWallRatio = (result: StitchResult) =>
	(stitchRunOf(result, 'large')?.wallMs ?? NaN) / (stitchRunOf(result, 'fitting')?.wallMs ?? NaN);

/**
 * One crop and stitch over the worker runs: the median of each CPU, wall and memory figure, the
 * worst longest block; the sizes and files are the same in every run.
 */
export function stitchWork(work: StitchWorkMeasure[]) {
	const of = (figure: (measure: StitchWorkMeasure) => number) => median(work.map(figure));
	const worst = (figure: (measure: StitchWorkMeasure) => number) => max(work.map(figure));
	const first = work[0];
	const peaks = work.map((measure) => measure.peakAddedRss);
	return {
		...first,
		runs: work.length,
		cropCpuMs: of((measure) => measure.crop.cpuMs),
		stitchCpuMs: of((measure) => measure.stitch.cpuMs),
		cpuMs: of((measure) => measure.crop.cpuMs + measure.stitch.cpuMs),
		coldCropCpuMs: of((measure) => measure.coldCrop?.cpuMs ?? NaN),
		coldStitchCpuMs: of((measure) => measure.coldStitch?.cpuMs ?? NaN),
		coldCpuMs: of(
			(measure) => (measure.coldCrop?.cpuMs ?? NaN) + (measure.coldStitch?.cpuMs ?? NaN),
		),
		coldWallMs: of(
			(measure) => (measure.coldCrop?.wallMs ?? NaN) + (measure.coldStitch?.wallMs ?? NaN),
		),
		cropWallMs: of((measure) => measure.crop.wallMs),
		stitchWallMs: of((measure) => measure.stitch.wallMs),
		prepareWallMs: of((measure) => measure.prepare?.wallMs ?? NaN),
		wallMs: of((measure) => measure.crop.wallMs + measure.stitch.wallMs),
		peakAddedRss: of((measure) => measure.peakAddedRss),
		leastPeak: Math.min(...peaks),
		mostPeak: Math.max(...peaks),
		cropPeakAddedRss: of((measure) => measure.cropPeakAddedRss),
		stitchPeakAddedRss: of((measure) => measure.stitchPeakAddedRss),
		cropBlockMs: worst((measure) => measure.crop.longestBlockMs),
		stitchBlockMs: worst((measure) => measure.stitch.longestBlockMs),
		longestBlockMs: worst((measure) =>
			Math.max(
				measure.crop.longestBlockMs,
				measure.prepare?.longestBlockMs ?? 0,
				measure.stitch.longestBlockMs,
			),
		),
		coldLongestBlockMs: worst((measure) => measure.coldLongestBlockMs),
		memoryRatio: of((measure) => measure.peakAddedRss / measure.decodedBytes),
	};
}

/**
 * The crop and the stitch may add at most this to an item's time (10 % of a 5 s job): the time
 * they hold n8n's main thread, read as their wall time in an otherwise idle worker (on a busy
 * machine, more than the thread's own CPU time). Their CPU time counts the collector's and the
 * compiler's threads too, which run beside the main thread: reported, not the target.
 */
export const STITCH_ADDED_TARGET_MS = (STITCH_WALL_TARGET - 1) * STITCH_JOB_MS;

const clean = (run: StitchRun) => run.failedItems === 0 && run.jobs === STITCH_ITEMS && !run.error;

const megapixels = (run: { width: number; height: number }) =>
	`${((run.width * run.height) / 1e6).toFixed(0)} MP`;

export function stitchRows(result: StitchResult): SummaryRow[] {
	const large = stitchRunOf(result, 'large');
	const fitting = stitchRunOf(result, 'fitting');
	const kept = stitchRunOf(result, 'fittingKept');
	const rows: SummaryRow[] = [];
	const work = result.work.length ? stitchWork(result.work) : undefined;
	if (large && fitting) {
		const ratio = stitchWallRatio(result);
		// n8n runs every item's crop on its one main thread, and a job can only be sent once its
		// crop is made: the last item's job waits for all the crops, whatever the order.
		const floorText = work
			? `; the last job is sent only after all ${STITCH_ITEMS} crops, about ${seconds(STITCH_ITEMS * work.cropWallMs, 1)} of n8n's one thread (${seconds(work.cropWallMs, 2)} each, measured alone)`
			: '';
		rows.push({
			measure: `Full resolution: ${STITCH_ITEMS} items × ${STITCH_JOB_MS / 1000} s jobs, Auto, no queue limit, Output Size › Same as Image, Wait for Result with Download Images, a ${large.width}×${large.height} JPEG link each (crop, job, stitch)`,
			ours: `${seconds(large.wallMs, 1)}, ${large.failedItems} failed, ${large.stitchedItems} stitched, sent at ${large.sentSizes.join(', ')}`,
			baseline: `the same scene at ${fitting.width}×${fitting.height}, which the endpoint takes, Keep Original Pixels off (no crop, no paste: Same as Image before full resolution): ${seconds(fitting.wallMs, 1)}${kept ? `; with Keep Original Pixels on (default; the 1 MP photo pasted back): ${seconds(kept.wallMs, 1)}, ${kept.stitchedItems} pasted` : ''}`,
			ratio: `${ratio.toFixed(2)} × the run without the stitch${floorText}`,
			target: `≤ ${STITCH_WALL_TARGET} × (${seconds(fitting.wallMs * STITCH_WALL_TARGET, 1)}), 0 failed, all stitched`,
			met: yes(
				ratio <= STITCH_WALL_TARGET &&
					clean(large) &&
					clean(fitting) &&
					large.stitchedItems === STITCH_ITEMS &&
					fitting.stitchedItems === 0,
			),
		});
	}
	if (!work) return rows;
	rows.push(
		{
			measure: `One ${work.width}×${work.height} JPEG (${mib(work.photoBytes)}), its mask a ${MASK_ELLIPSE.width}×${MASK_ELLIPSE.height} ellipse: the time the crop (read the photo's coefficients and the mask, write the ${work.sendSize.width}×${work.sendSize.height} sent) + the stitch (decode the result, paste into the blocks it touches, write the JPEG; its seam blend and the photo's blocks it patches are made and read while the job runs) hold n8n's main thread, added to the item's time (wall in an idle worker), in a process that has stitched before (median of the ${STITCH_STEADY_RUNS} runs after the first); worker processes, median of ${work.runs}`,
			ours: `${seconds(work.cropWallMs, 2)} + ${seconds(work.stitchWallMs, 2)} = ${seconds(work.wallMs, 2)} (CPU of all the process's threads, the collector's too: ${seconds(work.cpuMs, 2)}); the blend and the blocks while the job runs, not added: ${seconds(work.prepareWallMs, 2)}; the first run after start, which also compiles the code: ${seconds(work.coldWallMs, 2)} (CPU ${seconds(work.coldCpuMs, 2)})`,
			baseline: `a ${STITCH_JOB_MS / 1000} s job`,
			ratio: `${percent(work.wallMs / STITCH_JOB_MS, 0)} of the job time`,
			target: `≤ ${percent(STITCH_WALL_TARGET - 1, 0)} (${seconds(STITCH_ADDED_TARGET_MS, 1)})`,
			met: yes(work.wallMs <= STITCH_ADDED_TARGET_MS),
		},
		{
			measure: `〃 peak memory (RSS high-water mark above the RSS before, first run; median of ${work.runs}) and longest event-loop block (1 ms ticker, the runs after the first; worst of ${work.runs})`,
			ours: `peak +${mib(work.peakAddedRss)} (runs ${mib(work.leastPeak)} to ${mib(work.mostPeak)}; crop +${mib(work.cropPeakAddedRss)}, stitch +${mib(work.stitchPeakAddedRss)}), longest block ${work.longestBlockMs.toFixed(0)} ms (crop ${work.cropBlockMs.toFixed(0)}, stitch ${work.stitchBlockMs.toFixed(0)}; first run after start: ${work.coldLongestBlockMs.toFixed(0)} ms)`,
			baseline: `decoded photo in flight: ${mib(work.decodedBytes)} (${work.width}×${work.height}×4)`,
			ratio: `${work.memoryRatio.toFixed(1)} × the decoded size`,
			target: `peak ≤ ${STITCH_MEMORY_TARGET} × decoded, longest block ≤ ${STITCH_BLOCK_TARGET_MS} ms`,
			met: yes(
				work.memoryRatio <= STITCH_MEMORY_TARGET && work.longestBlockMs <= STITCH_BLOCK_TARGET_MS,
			),
		},
	);
	return rows;
}

/** The report's section on full resolution. */
export function stitchSection(result: StitchResult | undefined): string {
	if (!result) return '';
	const line = (run: StitchRun | undefined) =>
		run
			? `| ${run.width}×${run.height} JPEG (${megapixels(run)}, ${mib(run.photoBytes)}) | ${run.photo === 'fitting' ? 'off' : 'on (default)'} | ${seconds(run.wallMs, 1)} | ${run.jobs} | ${run.sentSizes.join(', ')} | ${run.stitchedItems} | ${mib(run.resultBytes)} | ${run.failedItems} | ${run.error ?? ''} |`
			: '';
	const each = result.work
		.map(
			(measure, index) =>
				`| ${index + 1} | ${seconds(measure.crop.cpuMs, 2)} (${seconds(measure.coldCrop?.cpuMs ?? NaN, 2)}) | ${seconds(measure.stitch.cpuMs, 2)} (${seconds(measure.coldStitch?.cpuMs ?? NaN, 2)}) | ${seconds(measure.crop.wallMs + measure.stitch.wallMs, 2)} | ${mib(measure.cropPeakAddedRss)} | ${mib(measure.stitchPeakAddedRss)} | ${(measure.peakAddedRss / measure.decodedBytes).toFixed(1)} | ${measure.crop.longestBlockMs.toFixed(0)} ms / ${measure.stitch.longestBlockMs.toFixed(0)} ms (${measure.coldLongestBlockMs.toFixed(0)} ms) |`,
		)
		.join('\n');
	const work = result.work.length ? stitchWork(result.work) : undefined;
	return `### Full resolution: crop and stitch

${STITCH_ITEMS} items, each job ${STITCH_JOB_MS / 1000} s, Auto, no queue limit, Output Size › Same as Image, Wait for Result with
Download Images (the node's defaults), in-memory binary data: each item links to a camera JPEG (drawn by
bench/support/photos.ts: 4:2:0, quality 90, Exif) and its mask (an RGBA PNG, a ${MASK_ELLIPSE.width}×${MASK_ELLIPSE.height} ellipse at the 12-megapixel
size), uploaded to the simulator and linked with \`?item=N\`. With the 12-megapixel photo each item downloads
the photo and the mask, crops them around the mask, sends the crops, and pastes the result back (full
resolution); the same scene at 1024×768 fits the endpoint and goes as it is, with Keep Original Pixels Outside
the Mask off, which is what Same as Image did with any photo before full resolution (the result at the size
sent; the baseline); then with it on, the default (the result pasted back into the whole 1024×768 photo by
the mask; context, not in the target). The simulator draws each result from
the picture sent; each run follows a one-item warm-up. The target: the 12-megapixel run at most ${STITCH_WALL_TARGET} × the other.

| Photo | Keep Original Pixels | Wall time | Jobs | Sent at | Pasted back | Result file (first item) | Failed | Stopped with |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${line(stitchRunOf(result, 'large'))}
${line(stitchRunOf(result, 'fitting'))}
${line(stitchRunOf(result, 'fittingKept'))}
${
	work
		? `
One crop and stitch of the ${work.width}×${work.height} JPEG (${mib(work.photoBytes)}) in a worker process of its own, ${work.runs} times (a fresh
process each), by the node's cropForEndpoint and stitchResult: the box ${work.box.width}×${work.box.height} sent at ${work.sendSize.width}×${work.sendSize.height}${work.scaled ? ' (scaled)' : ''}
(${mib(work.sentPhotoBytes)}); ModelsLab's result played by the crop saved again as a PNG (${mib(work.resultBytes)}; not measured); the
stitched photo ${mib(work.stitchedBytes)}. Peak RSS: the high-water mark (VmHWM) of the first run above the RSS before it,
read after each step and reset between them after a GC (the job's seconds between them); CPU (user + system,
so the collector's and the compiler's threads count), wall and the longest block (the longest gap of a 1 ms
ticker): the median (the block: the worst) of the ${STITCH_STEADY_RUNS} runs after the first, as in an n8n process that has stitched
before; the first run's CPU and block in brackets (it also compiles the code). The images in flight: the photo decoded,
${work.width}×${work.height}×4 bytes = ${mib(work.decodedBytes)} (the crop holds the mask decoded too, as large). Summary: the median
of the runs, the worst block.

| Run | CPU: crop (first run) | stitch (first run) | Wall, both | Peak RSS added: crop | stitch | Peak ÷ decoded | Longest block: crop / stitch (first run) |
| --- | --- | --- | --- | --- | --- | --- | --- |
${each}`
		: ''
}`;
}
