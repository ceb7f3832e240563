/**
 * Job bookkeeping: when each job finishes, which generated file belongs to which job, and lazy
 * rendering of output pictures (so a 1024×1024 × 4 submit answers instantly; pixels are drawn on GET).
 */
import { renderOutput, type RenderSource } from './imaging';
import { largeOutputPng } from './largeOutput';
import type { OutputPicture } from './pictureFiles';
import type { SimulatedJob } from './types';

export interface GeneratedFile {
	job: SimulatedJob;
	index: number;
	/** The link's extension: 'png', 'jpg' or 'webp' (a picture), or 'base64' (a text file). */
	format: string;
}

/**
 * What a job's outputs are drawn from: inpaint jobs from init image, mask and prompt; the mask
 * endpoints' jobs (editing.ts) bring their own `picture` drawing, which ignores outputImageBytes.
 */
export interface JobSource extends RenderSource {
	picture?: () => OutputPicture;
}

export class JobBook {
	readonly list: SimulatedJob[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly sources = new Map<number, JobSource>();
	private readonly files = new Map<string, GeneratedFile>();
	private readonly pictureCache = new Map<string, OutputPicture>();

	/** `onFinished` runs once per job, right after its status leaves 'processing'. */
	constructor(private readonly onFinished: (job: SimulatedJob) => void) {}

	add(job: SimulatedJob, source: JobSource): void {
		this.list.push(job);
		this.sources.set(job.id, source);
		job.outputs.forEach((url, index) => {
			const name = url.slice(url.lastIndexOf('/') + 1);
			this.files.set(name, { job, index, format: name.slice(name.lastIndexOf('.') + 1) });
		});
		const delay = job.readyAt - job.createdAt;
		if (delay <= 0) {
			this.finish(job);
			return;
		}
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			this.finish(job);
		}, delay);
		// Never keep a test process alive just for a pending fake job.
		timer.unref();
		this.timers.add(timer);
	}

	/** Finishes jobs whose time has come even if their timer has not fired yet (timers can lag). */
	finishDueJobs(now: number): void {
		for (const job of this.list)
			if (job.status === 'processing' && job.readyAt <= now) this.finish(job);
	}

	find(id: number): SimulatedJob | undefined {
		return this.list.find((job) => job.id === id);
	}

	/** Queue limits are per account (D2 rate-limits.mdx), i.e. per API key here. */
	unfinishedCount(apiKey: string): number {
		return this.list.filter((job) => job.apiKey === apiKey && job.status === 'processing').length;
	}

	lookupFile(name: string): GeneratedFile | undefined {
		return this.files.get(name);
	}

	/**
	 * PNG bytes of output `index`, rendered on first use and cached; with `largeBytes` > 0, the
	 * shared large picture of the job's size (settings.outputImageBytes).
	 */
	renderPng(job: SimulatedJob, index: number, largeBytes = 0): Buffer {
		return this.renderFile(job, index, largeBytes).bytes;
	}

	/** Output `index` as a file and its content type (a PNG for inpaint jobs), drawn once and cached. */
	renderFile(job: SimulatedJob, index: number, largeBytes = 0): OutputPicture {
		const source = this.sources.get(job.id) ?? { prompt: '' };
		if (largeBytes > 0 && !source.picture) {
			return { bytes: largeOutputPng(job.width, job.height, largeBytes), mime: 'image/png' };
		}
		const cacheKey = `${job.id}-${index}`;
		let picture = this.pictureCache.get(cacheKey);
		if (!picture) {
			picture = source.picture
				? source.picture()
				: { bytes: renderOutput(source, job.width, job.height, index), mime: 'image/png' };
			this.pictureCache.set(cacheKey, picture);
		}
		return picture;
	}

	/** Stops pending finish timers (on stop); due jobs still finish when fetched (finishDueJobs). */
	cancelTimers(): void {
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
	}

	clear(): void {
		this.cancelTimers();
		this.list.length = 0;
		this.sources.clear();
		this.files.clear();
		this.pictureCache.clear();
	}

	private finish(job: SimulatedJob): void {
		if (job.status !== 'processing') return;
		job.status = job.willFail ? 'failed' : 'success';
		this.onFinished(job);
	}
}

/** The most jobs that were unfinished at one moment (from their own start and finish times). */
export function mostUnfinishedAtOnce(jobs: SimulatedJob[]): number {
	const changes = jobs.flatMap((job) => [
		[job.createdAt, 1],
		[job.readyAt, -1],
	]);
	// A job finishing at the moment another starts frees its place first.
	changes.sort(([a, da], [b, db]) => a - b || da - db);
	let now = 0;
	let most = 0;
	for (const [, change] of changes) most = Math.max(most, (now += change));
	return most;
}
