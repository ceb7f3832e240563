/**
 * What the bench's worker processes measure of a piece of work: CPU and wall time, the longest
 * event-loop block (the longest gap of a 1 ms ticker), and the RSS high-water mark (Linux).
 */
import { readFileSync, writeFileSync } from 'fs';

export interface StepMeasure {
	cpuMs: number;
	wallMs: number;
	longestBlockMs: number;
}

/** The process's RSS high-water mark (VmHWM), in bytes. */
export const highWater = () => {
	const status = readFileSync('/proc/self/status', 'utf8');
	return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
};

/** Starts the high-water mark again from the RSS now. */
export const resetHighWater = () => writeFileSync('/proc/self/clear_refs', '5');

/** One piece of work, with its CPU and wall time and the longest gap of a 1 ms ticker meanwhile. */
export async function timed<T>(
	work: () => Promise<T>,
): Promise<{ value: T; measure: StepMeasure }> {
	let longestBlockMs = 0;
	let last = performance.now();
	const ticker = setInterval(() => {
		const now = performance.now();
		longestBlockMs = Math.max(longestBlockMs, now - last);
		last = now;
	}, 1);
	const cpuBefore = process.cpuUsage();
	const started = performance.now();
	const value = await work();
	const wallMs = performance.now() - started;
	const cpu = process.cpuUsage(cpuBefore);
	// The gap from the last tick to the end of the work counts too.
	longestBlockMs = Math.max(longestBlockMs, performance.now() - last);
	clearInterval(ticker);
	return { value, measure: { cpuMs: (cpu.user + cpu.system) / 1000, wallMs, longestBlockMs } };
}
