/**
 * How many of this run's jobs are with ModelsLab at once. ModelsLab queues a fixed number of jobs
 * per account (5, 10 or 15 by plan) and refuses the next one for free, without creating it; the
 * executions of a busy n8n share that number without knowing of each other. So the run feels for
 * it: every accepted job lets more items go (two until the first refusal, one after), every refusal
 * brings the number back to the jobs that did get in. The user's number (or Auto's) is only the most it may reach.
 */

/** Auto's ceiling: above the largest plan's queue, so that the account's own limit is what binds. */
export const AUTO_MOST_JOBS = 50;
/** Where a run starts: the smallest plan's queue, so a run on that plan is never refused at first. */
const FIRST_LIMIT = 5;

/** An item's hold on a place in the run; given back when its job has left ModelsLab's queue. */
export interface JobSlot {
	/** ModelsLab took the job: the run may have one more job out at once. */
	accepted(): void;
	/** Whether ModelsLab took this item's job (and billed it). */
	readonly wasAccepted: boolean;
	/**
	 * ModelsLab refused the job for its queue or rate limit. The run keeps to the jobs already in;
	 * this item gives its place back, waits `waitMs` (with `pause`), then queues for a place ahead
	 * of the items not started yet.
	 */
	refused(waitMs: number, pause: (ms: number) => Promise<void>): Promise<void>;
	/** The job is finished (or given up on): its place goes to the next item. Idempotent. */
	release(): void;
}

export class JobSlots {
	private limit: number;
	private taken = 0;
	private refusedYet = false;
	/** Items waiting for a place, in the order they get one. */
	private readonly waiting: Array<() => void> = [];

	/** `feelForQueue` off: no job is being created (the Fetch node), so the run goes straight to `most`. */
	constructor(
		readonly most: number,
		{ feelForQueue = true }: { feelForQueue?: boolean } = {},
	) {
		if (!Number.isInteger(most) || most < 1)
			throw new Error(`At least one job must run at a time (got ${most})`);
		this.limit = feelForQueue ? Math.min(most, FIRST_LIMIT) : most;
	}

	/** How many jobs the run lets out at once right now. */
	get currentLimit(): number {
		return this.limit;
	}

	/** Waits for a place; an item coming back after a refusal goes before the ones not started. */
	async take(comingBack = false): Promise<JobSlot> {
		if (this.taken < this.limit && this.waiting.length === 0) this.taken++;
		else
			await new Promise<void>((resolve) => {
				if (comingBack) this.waiting.unshift(resolve);
				else this.waiting.push(resolve);
			});
		return this.slot();
	}

	private slot(): JobSlot {
		let held = true;
		let wasAccepted = false;
		const giveBack = () => {
			if (!held) return;
			held = false;
			this.taken--;
			this.admit();
		};
		return {
			get wasAccepted() {
				return wasAccepted;
			},
			accepted: () => {
				wasAccepted = true;
				// Until ModelsLab first refuses, each accepted job lets two more go (the number out
				// doubles with each round of answers); after that, one, feeling for the edge.
				this.limit = Math.min(this.most, this.limit + (this.refusedYet ? 1 : 2));
				this.admit();
			},
			refused: async (waitMs, pause) => {
				this.refusedYet = true;
				// The jobs in now are what ModelsLab takes from this run; this one is not among them.
				this.limit = Math.max(1, Math.min(this.limit, this.taken) - 1);
				giveBack();
				await pause(waitMs);
				await this.take(true);
				held = true;
			},
			release: giveBack,
		};
	}

	/** Lets waiting items in while there is room. */
	private admit(): void {
		while (this.taken < this.limit && this.waiting.length > 0) {
			this.taken++;
			this.waiting.shift()!();
		}
	}
}
