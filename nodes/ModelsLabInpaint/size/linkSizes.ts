import type { IExecuteFunctions } from 'n8n-workflow';

import { probeImageSize } from './imageProbe';
import type { ImageSize } from './imageSize';
import { AUTO_MOST_JOBS } from '../../shared/pacing/jobSlots';
import { ConcurrencyLimit } from '../../shared/pacing/pool';
import { baseUrls } from '../../shared/transport/transport';

/**
 * Links whose first bytes are read at the same time (each at most 64 KB and 15 s, so at most
 * 6.4 MB in all): a photo and a mask link for each of the most jobs Auto lets out at once, so a
 * slow host's delay is paid once for all of them.
 */
export const LINKS_READ_AT_ONCE = 2 * AUTO_MOST_JOBS;

/**
 * The sizes of the run's photo and mask links, each link read once. All of them are read at the
 * same time as the run starts (`readAhead`), not one wave of jobs after another, so a slow photo
 * host costs its delay once instead of once per wave of Auto's ramp. An item waits only for its
 * own links; once the run ends (`stop`), reads not yet done are dropped.
 */
export class LinkSizes {
	private readonly sizes = new Map<string, Promise<ImageSize | undefined>>();
	private readonly atOnce = new ConcurrencyLimit(LINKS_READ_AT_ONCE);
	private readonly stopped = new AbortController();

	constructor(private readonly ctx: IExecuteFunctions) {}

	/** Starts reading these links (in this order), without waiting for them. */
	readAhead(links: Array<{ url: string; timeoutMs: number }>): void {
		for (const { url, timeoutMs } of links) void this.sizeOf(url, timeoutMs);
	}

	/** The size of the picture at `url`, undefined when it can't be had (the caller says so). */
	async sizeOf(url: string, timeoutMs: number): Promise<ImageSize | undefined> {
		let size = this.sizes.get(url);
		if (!size) {
			size = this.atOnce.run(async () => await this.read(url, timeoutMs));
			this.sizes.set(url, size);
		}
		return await size;
	}

	/** The run is over: reads still waiting or under way end now. */
	stop(): void {
		this.stopped.abort();
	}

	private async read(url: string, timeoutMs: number): Promise<ImageSize | undefined> {
		if (this.stopped.signal.aborted) return undefined;
		const roots = await baseUrls(this.ctx);
		const trustedOrigins = Object.values(roots).map((root) => new URL(root).origin);
		return await probeImageSize(this.ctx, url, {
			timeoutMs,
			trustedOrigins,
			signal: this.stopped.signal,
		});
	}
}
