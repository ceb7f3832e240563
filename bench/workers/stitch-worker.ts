/**
 * Stitch worker: full resolution for one 12-megapixel camera JPEG (bench/support/photos.ts), by
 * the node's own code, in a fresh process: cropForEndpoint (decode the photo and the mask, crop
 * the box around the mask, write the two files sent), then what the node does while the job runs
 * (prepareStitch: the seam blend, the photo's band read), then ModelsLab's result (here: the crop
 * sent, decoded and saved again as a PNG of the size sent, as ModelsLab answers with PNGs; made
 * between the two steps and not measured), then stitchResult (decode the result, decode the
 * photo's blocks around the box, paste with a soft seam, encode those blocks again and write the
 * JPEG from its coefficients, with its Exif).
 *
 * Peak memory is the RSS high-water mark (Linux VmHWM, reset by writing 5 to clear_refs) above
 * the RSS before the first run, after a GC: each step's high-water mark is read, the mark is reset
 * between them (after a GC, as the job's seconds between them would give), and the larger counts.
 * It is of the first run after start, as the mask worker's: later runs find memory the first one
 * freed. CPU time (process.cpuUsage, user + system: the collector's and the compiler's threads
 * count too), wall time and the longest event-loop block (the longest gap of a 1 ms ticker) are
 * the median (the block: the worst) of `steadyRuns` runs after the first, as an n8n process that
 * has stitched before runs them; the first run's are reported too (it also compiles the code).
 */

import { decodeImage } from '../../nodes/ModelsLabInpaint/codecs/decodeImage';
import { encodeImage } from '../../nodes/ModelsLabInpaint/codecs/encodeImage';
import { INPAINT_ENDPOINTS } from '../../nodes/ModelsLabInpaint/endpoints';
import { endpointSizeLimits } from '../../nodes/ModelsLabInpaint/size/outputSize';
import {
	cropForEndpoint,
	prepareStitch,
	stitchResult,
} from '../../nodes/ModelsLabInpaint/stitch/stitchPlan';
import { TimeSlice } from '../../nodes/shared/pacing/timeSlice';
import { ellipseMaskPng, photoJpeg } from '../support/photos';
import { median } from '../support/stats';
import { highWater, resetHighWater, timed, type StepMeasure } from './measure';
import { reportResult, workerArgs } from './spawn';

export interface StitchWorkArgs {
	width: number;
	height: number;
	/** Runs measured after the first (which compiles the code): a process that has stitched before. */
	steadyRuns: number;
}

export type { StepMeasure };

export interface StitchWorkMeasure {
	width: number;
	height: number;
	photoBytes: number;
	maskBytes: number;
	/** The box sent, its size sent, and the size of the files sent and of ModelsLab's result. */
	box: { left: number; top: number; width: number; height: number };
	sendSize: { width: number; height: number };
	scaled: boolean;
	sentPhotoBytes: number;
	resultBytes: number;
	stitchedBytes: number;
	/** The readings of each step after the first run: the median of `steadyRuns` (the block: the worst). */
	crop: StepMeasure;
	/** What runs while the job does (prepareStitch: the blend, the band), not added to the item's time. */
	prepare: StepMeasure;
	stitch: StepMeasure;
	/** The first run's readings (it also compiles the code). */
	coldCrop: StepMeasure;
	coldStitch: StepMeasure;
	coldLongestBlockMs: number;
	/** RSS high-water mark above the RSS before, the larger of the two steps' (first run; bytes). */
	peakAddedRss: number;
	cropPeakAddedRss: number;
	stitchPeakAddedRss: number;
	/** The decoded photo (4 bytes a pixel): the images in flight are the photo, decoded. */
	decodedBytes: number;
}

/** The median CPU and wall time of some runs of one step, and their worst block. */
function typical(measures: StepMeasure[]): StepMeasure {
	return {
		cpuMs: median(measures.map((measure) => measure.cpuMs)),
		wallMs: median(measures.map((measure) => measure.wallMs)),
		longestBlockMs: Math.max(...measures.map((measure) => measure.longestBlockMs)),
	};
}

/** ModelsLab's answer to the crop: the crop itself, as a PNG of the size sent. */
async function fakeResult(sentPhoto: Buffer): Promise<Uint8Array> {
	const slice = new TimeSlice();
	const { raster } = await decodeImage(sentPhoto, { maxPixels: 4_000_000 }, slice);
	return await encodeImage(raster, 'png', {}, slice);
}

/** Crop, ModelsLab's result, stitch; with `memory`, each step's RSS high-water mark. */
async function fullRun(photo: Buffer, mask: Buffer, memory?: { rssBefore: number }) {
	const limits = endpointSizeLimits(INPAINT_ENDPOINTS.community)!;
	const crop = await timed(async () => await cropForEndpoint(photo, mask, limits));
	if (!crop.value) throw new Error('the mask has no white: nothing to crop');
	// What the node does while the job runs (the seam blend, the photo's band read): measured, not
	// added to the item's time.
	const prepare = await timed(async () => await prepareStitch(crop.value!.plan));
	const cropPeak = memory ? highWater() - memory.rssBefore : NaN;
	const result = await fakeResult(crop.value.files.photo.file);
	// ModelsLab's seconds between the two steps: the collector has run.
	global.gc?.();
	if (memory) resetHighWater();
	const stitch = await timed(async () => await stitchResult(crop.value!.plan, result));
	const stitchPeak = memory ? highWater() - memory.rssBefore : NaN;
	return { crop, prepare, result, stitch, cropPeak, stitchPeak };
}

async function main() {
	const { width, height, steadyRuns } = workerArgs<StitchWorkArgs>();
	const photo = await photoJpeg({ width, height });
	const mask = ellipseMaskPng({ width, height });
	global.gc?.();
	resetHighWater();
	const rssBefore = process.memoryUsage().rss;
	const cold = await fullRun(photo, mask, { rssBefore });
	const steady: Array<Awaited<ReturnType<typeof fullRun>>> = [];
	for (let run = 0; run < steadyRuns; run++) {
		global.gc?.();
		steady.push(await fullRun(photo, mask));
	}
	const warm = steady[0];
	const { plan, files } = warm.crop.value!;
	reportResult({
		width,
		height,
		photoBytes: photo.length,
		maskBytes: mask.length,
		box: plan.crop.box,
		sendSize: plan.crop.sendSize,
		scaled: plan.crop.scaled,
		sentPhotoBytes: files.photo.file.length,
		resultBytes: warm.result.length,
		stitchedBytes: warm.stitch.value.file.length,
		crop: typical(steady.map((run) => run.crop.measure)),
		prepare: typical(steady.map((run) => run.prepare.measure)),
		stitch: typical(steady.map((run) => run.stitch.measure)),
		coldCrop: cold.crop.measure,
		coldStitch: cold.stitch.measure,
		coldLongestBlockMs: Math.max(
			cold.crop.measure.longestBlockMs,
			cold.stitch.measure.longestBlockMs,
		),
		peakAddedRss: Math.max(cold.cropPeak, cold.stitchPeak),
		cropPeakAddedRss: cold.cropPeak,
		stitchPeakAddedRss: cold.stitchPeak,
		decodedBytes: width * height * 4,
	} satisfies StitchWorkMeasure);
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
