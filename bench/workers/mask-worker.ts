/**
 * Mask worker: one mask picture (a black-and-white PNG with an ellipse, as ModelsLab's
 * mask_creator may return) turned into the mask sent, by the node's own code (finishMask: decode,
 * read as a mask, Grow 20, Soft Edge 10, encode), in a fresh process, so that its CPU time and its
 * RSS high-water mark hold that and nothing else. A 1 ms ticker measures the longest event-loop
 * block while it runs.
 */
import { readFileSync, writeFileSync } from 'fs';

import { finishMask } from '../../nodes/ModelsLabInpaint/mask/maskFile';
import { makeMask } from '../../simulator/png';
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
	longestBlockMs: number;
	coverage: number;
}

const highWater = () => {
	const status = readFileSync('/proc/self/status', 'utf8');
	return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
};

async function main() {
	const { side } = workerArgs<MaskWorkArgs>();
	const picture = makeMask(side, side);
	const photo = { width: side, height: side };
	// Once small, so that the measured run does not pay for loading and compiling the code.
	await finishMask(makeMask(64, 64), { width: 64, height: 64 }, undefined);
	global.gc?.();
	writeFileSync('/proc/self/clear_refs', '5');
	const rssBefore = process.memoryUsage().rss;
	let longestBlockMs = 0;
	let last = performance.now();
	const ticker = setInterval(() => {
		const now = performance.now();
		longestBlockMs = Math.max(longestBlockMs, now - last);
		last = now;
	}, 1);
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	const mask = await finishMask(picture, photo, {
		invert: false,
		growPixels: 20,
		softEdgePixels: 10,
	});
	const wallMs = performance.now() - started;
	const cpu = process.cpuUsage(cpuBefore);
	clearInterval(ticker);
	reportResult({
		side,
		pictureBytes: picture.length,
		cpuMs: (cpu.user + cpu.system) / 1000,
		wallMs,
		peakAddedRss: highWater() - rssBefore,
		decodedBytes: side * side * 4,
		longestBlockMs,
		coverage: mask.coverage,
	} satisfies MaskWorkMeasure);
}

main().then(
	() => process.exit(0),
	(error) => {
		console.error(error);
		process.exit(1);
	},
);
