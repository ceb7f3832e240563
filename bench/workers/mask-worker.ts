/**
 * Mask worker: one mask picture (a black-and-white PNG with an ellipse, as ModelsLab's
 * mask_creator may return) turned into the mask sent, by the node's own code (finishMask: decode,
 * read as a mask, Grow 20, Soft Edge 10, encode), in a fresh process, so that its RSS high-water
 * mark holds that and nothing else (the first run). CPU time and the longest event-loop block (the
 * longest gap of a 1 ms ticker) are of a second run; the first run's block is reported too.
 */

import { finishMask } from '../../nodes/ModelsLabInpaint/mask/maskFile';
import { makeMask } from '../../simulator/png';
import { highWater, resetHighWater, timed } from './measure';
import { reportResult, workerArgs } from './spawn';

export interface MaskWorkArgs {
	side: number;
}

export interface MaskWorkMeasure {
	side: number;
	pictureBytes: number;
	cpuMs: number;
	wallMs: number;
	/** RSS high-water mark during the work, above the RSS before it (bytes). */
	peakAddedRss: number;
	/** The decoded picture's size (4 bytes a pixel), for comparison. */
	decodedBytes: number;
	/** The longest event-loop block of the measured (second) run. */
	longestBlockMs: number;
	/** The same in the first run after the process started, which also compiles the code. */
	coldLongestBlockMs: number;
	coverage: number;
}

/** One run of finishMask on the picture, measured. */
async function measured(picture: Buffer, side: number) {
	const { value: mask, measure } = await timed(
		async () =>
			await finishMask(
				picture,
				{ width: side, height: side },
				{ invert: false, growPixels: 20, softEdgePixels: 10 },
			),
	);
	return { ...measure, coverage: mask.coverage };
}

async function main() {
	const { side } = workerArgs<MaskWorkArgs>();
	const picture = makeMask(side, side);
	// The first run after start also compiles the code: reported, and the second run is measured.
	global.gc?.();
	resetHighWater();
	const rssBefore = process.memoryUsage().rss;
	const cold = await measured(picture, side);
	const peakAddedRss = highWater() - rssBefore;
	const warm = await measured(picture, side);
	reportResult({
		side,
		pictureBytes: picture.length,
		...warm,
		coldLongestBlockMs: cold.longestBlockMs,
		peakAddedRss,
		decodedBytes: side * side * 4,
	} satisfies MaskWorkMeasure);
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
