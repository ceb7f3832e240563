/**
 * Job bookkeeping: when each job finishes, which generated file belongs to which job, and lazy
 * rendering of output PNGs (so a 1024×1024 × 4 submit answers instantly; pixels are drawn on GET).
 */
import { renderOutput, type RenderSource } from './imaging';
import { largeOutputPng } from './largeOutput';
import type { SimulatedJob } from './types';

export interface GeneratedFile {
	job: SimulatedJob;
	index: number;
	format: 'png' | 'base64';
}

export class JobBook {
	readonly list: SimulatedJob[] = [];
	private readonly timers = new Set<NodeJS.Timeout>();
	private readonly sources = new Map<number, RenderSource>();
	private readonly files = new Map<string, GeneratedFile>();
	private readonly pngCache = new Map<string, Buffer>();

	/** `onFinished` runs once per job, right after its status leaves 'processing'. */
	constructor(private readonly onFinished: (job: SimulatedJob) => void) {}

	add(job: SimulatedJob, source: RenderSource): void {
		this.list.push(job);
		this.sources.set(job.id, source);
		job.outputs.forEach((url, index) => {
			const name = url.slice(url.lastIndexOf('/') + 1);
			this.files.set(name, { job, index, format: job.base64Output ? 'base64' : 'png' });
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
		if (largeBytes > 0) return largeOutputPng(job.width, job.height, largeBytes);
		const cacheKey = `${job.id}-${index}`;
		let png = this.pngCache.get(cacheKey);
		if (!png) {
			const source = this.sources.get(job.id) ?? { prompt: '' };
			png = renderOutput(source, job.width, job.height, index);
			this.pngCache.set(cacheKey, png);
		}
		return png;
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
		this.pngCache.clear();
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
