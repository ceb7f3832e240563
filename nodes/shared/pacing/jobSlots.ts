/**
 * How many of this run's jobs are with ModelsLab at once. Two limits hold: the user's Max
 * Concurrent Jobs (Auto: up to 50), which the items loop keeps by running no more items at once
 * (items.ts), and what the ModelsLab account takes, learned together with the other runs of this
 * n8n process (accountQueue.ts), which a slot here holds a place in.
 */
import type { AccountQueue, Refusal } from './accountQueue';
import { accountQueueFor } from './accountQueue';
import { MIN_INTERVAL_MS } from './pause';

/** Auto's ceiling: above the largest plan's queue, so that the account's own limit is what binds. */
export const AUTO_MOST_JOBS = 50;

type Pause = (ms: number) => Promise<void>;

/** An item's hold on a place on the account; given back when its job has left ModelsLab's queue. */
export interface JobSlot {
	/**
	 * Waits while nothing may be sent to the account (after a refusal, or a rate limit's wait), but
	 * not past `deadline` (the item's Max Wait): then it sends anyway, and a refusal ends the item.
	 */
	readyToSend(pause: Pause, deadline: number): Promise<void>;
	/** ModelsLab took the job, due in `etaMs` when it said. */
	accepted(etaMs?: number): void;
	/** Whether ModelsLab took this item's job (and billed it). */
	readonly wasAccepted: boolean;
	/**
	 * ModelsLab refused the job for its queue or rate limit (the item's `refusalsBefore`-th time).
	 * The item gives its place on the account back and learns how long to wait before sending the
	 * job again (see accountQueue.ts); `comeBack` then waits that long and takes a place again,
	 * ahead of the items not started yet.
	 */
	refused(refusal: Refusal, refusalsBefore: number): number;
	comeBack(waitMs: number, pause: Pause): Promise<void>;
	/**
	 * The run is done with the job: its place goes to the next item. `stillQueued`: the job is
	 * still with ModelsLab (the run did not wait for it). Idempotent.
	 */
	release(stillQueued?: boolean): void;
	/**
	 * The item's first job is done and a second follows (a mask job, then the inpaint job): the
	 * first job's place is given back and a new one taken, ahead of the items not started yet.
	 */
	nextJob(): Promise<void>;
}

export class JobSlots {
	/** The account's queue; none where no job is created (the Fetch node). */
	private readonly account: AccountQueue | undefined;

	/**
	 * `most`: the run's own ceiling. `feelForQueue` off: no job is being created (the Fetch node),
	 * so only `most` holds. `account`: which ModelsLab account the jobs go to (a hash), so that the
	 * runs of this process sharing it share what they learn of its queue.
	 */
	constructor(
		readonly most: number,
		{ feelForQueue = true, account }: { feelForQueue?: boolean; account?: string } = {},
	) {
		if (!Number.isInteger(most) || most < 1)
			throw new Error(`At least one job must run at a time (got ${most})`);
		this.account = feelForQueue ? accountQueueFor(account) : undefined;
	}

	/** How many jobs the run may have out at once right now. */
	get currentLimit(): number {
		return Math.min(this.most, this.account?.currentLimit ?? Infinity);
	}

	/** Waits for a place on the account (at once where no job is created). */
	async take(): Promise<JobSlot> {
		await this.account?.take();
		return this.slot();
	}

	private slot(): JobSlot {
		const account = this.account;
		let onAccount = account !== undefined;
		/** Refused, and not yet back on the account. */
		let away = false;
		/** Back after a refusal, having waited its own time. */
		let cameBack = false;
		let wasAccepted = false;
		let finished: ((stillQueued: boolean) => void) | undefined;
		const release = (stillQueued = false) => {
			if (finished) finished(stillQueued);
			else if (account && onAccount) account.giveBack();
			else if (account && away) account.stayedAway();
			away = false;
			onAccount = false;
			finished = undefined;
		};
		return {
			get wasAccepted() {
				return wasAccepted;
			},
			readyToSend: async (pause, deadline) => {
				const waitMs = () =>
					Math.min(account?.msUntilSend(cameBack) ?? 0, deadline - MIN_INTERVAL_MS - Date.now());
				for (let ms = waitMs(); ms > 0; ms = waitMs()) await pause(ms);
			},
			accepted: (etaMs) => {
				wasAccepted = true;
				finished = account?.accepted(etaMs);
			},
			refused: (refusal, refusalsBefore) => {
				if (!account || !onAccount) return 0;
				onAccount = false;
				away = true;
				return account.refused(refusal, refusalsBefore);
			},
			comeBack: async (waitMs, pause) => {
				await pause(waitMs);
				if (!account || !away) return;
				away = false;
				cameBack = true;
				await account.take(true);
				onAccount = true;
			},
			release,
			nextJob: async () => {
				release();
				cameBack = false;
				if (!account) return;
				await account.take(true);
				onAccount = true;
			},
		};
	}
}
