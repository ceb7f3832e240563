/**
 * A slow photo host. 20 items × 5 s jobs, Output Size › Same as Image (the node reads the first
 * bytes of each item's photo and mask links for their size), Auto concurrency, no queue limit; the
 * links are on a host that answers 2 s late (the simulator's `photoHostDelayMs`; Range requests
 * honoured), against the same run with the host answering at once. Run in the engine harness, one
 * run after the other; each item has its own photo link, as a user's items do.
 */
import { runOurs } from '../support/ours';
import { perItemSampleLinks, startSimulator } from '../support/sim';

export const PHOTO_HOST_ITEMS = 20;
export const PHOTO_HOST_JOB_MS = 5000;
export const PHOTO_HOST_DELAY_MS = 2000;

export interface PhotoHostRun {
	delayMs: number;
	wallMs: number;
	failedItems: number;
	/** Link reads (GETs of the photo or mask) the host received. */
	linkReads: number;
	/** Of those, with a Range header. */
	rangeReads: number;
	/**
	 * Jobs asked at a size read from the photo (640×480, fitted by the endpoint), not at the size
	 * the node falls back to when it can't read it (the endpoint's default, 512×512).
	 */
	sizedFromPhoto: number;
	/** The distinct sizes the jobs were asked at. */
	askedSizes: string[];
	error?: string;
}

export interface PhotoHostResult {
	runs: PhotoHostRun[];
}

async function measure(delayMs: number): Promise<PhotoHostRun> {
	const target = await startSimulator({ jobDurationMs: PHOTO_HOST_JOB_MS });
	try {
		const links = await perItemSampleLinks(target, {
			jobDurationMs: PHOTO_HOST_JOB_MS,
			photoHostDelayMs: delayMs,
		});
		const run = await runOurs(target, {
			items: PHOTO_HOST_ITEMS,
			outputSize: 'image',
			...links,
		});
		const reads = target.sim.requests.filter((request) => request.path.startsWith('/samples/'));
		return {
			delayMs,
			wallMs: run.endedAt - run.startedAt,
			failedItems: run.items.filter((item) => item.status !== 'success').length,
			linkReads: reads.length,
			rangeReads: reads.filter((request) => request.headers.range !== undefined).length,
			sizedFromPhoto: target.sim.jobs.filter((job) => job.width !== 512 || job.height !== 512)
				.length,
			askedSizes: [...new Set(target.sim.jobs.map((job) => `${job.width}×${job.height}`))],
			error: run.error,
		};
	} finally {
		await target.sim.stop();
	}
}

export async function runPhotoHost(): Promise<PhotoHostResult> {
	const fast = await measure(0);
	const slow = await measure(PHOTO_HOST_DELAY_MS);
	return { runs: [fast, slow] };
}
