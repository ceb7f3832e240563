import { sleep } from 'n8n-workflow';

/**
 * Long pixel work (decoding, adjusting, encoding) runs on n8n's main thread, where webhooks,
 * polling and other executions wait for it. It is cut into slices: the work checks `slice.over`
 * often (every row, every few kilobytes) and, once a slice's time is used up, awaits
 * `slice.next()`, which lets everything else waiting on the event loop run first.
 */

/** How long one slice of pixel work may hold the event loop; well under n8n's ~50 ms budget. */
export const SLICE_MS = 15;

export class TimeSlice {
	private startedAt = Date.now();

	/** The longest slice so far, in ms (for benchmarks and tests). */
	longestMs = 0;

	constructor(private readonly sliceMs = SLICE_MS) {}

	/** Whether this slice's time is used up, so the work should `await next()` before going on. */
	get over(): boolean {
		return Date.now() - this.startedAt >= this.sliceMs;
	}

	/** Ends the slice: whatever else waits on the event loop runs, then a new slice starts. */
	async next(): Promise<void> {
		this.longestMs = Math.max(this.longestMs, Date.now() - this.startedAt);
		await sleep(0);
		this.startedAt = Date.now();
	}

	/** Ends the slice only when its time is used up; for loops whose every turn is short. */
	async tick(): Promise<void> {
		if (this.over) await this.next();
	}
}
