/**
 * One ModelsLab account's job queue as this n8n process sees it. ModelsLab queues a fixed number of
 * jobs per account (5, 10 or 15 by plan) and refuses the next one for free, without creating it; a
 * place frees when one of the account's jobs finishes. Every run of this process that sends jobs
 * with the same credential (several executions of a busy workflow, a queue-mode worker's concurrent
 * executions) shares one AccountQueue, so they learn the account's limit together and hand places
 * on to each other, first come first served, instead of each finding the limit by being refused.
 *
 * The number of jobs out at once starts at the smallest plan's 5. Until ModelsLab first refuses,
 * every accepted job lets two more go; a refusal brings the number down to the jobs that did get
 * in. After that it grows by one at most once per job time, feeling for places freed elsewhere
 * (jobs of other processes), so a steady state costs about one refusal per job time, not per job.
 *
 * A refused job is sent again when a place is likely to free: when the earliest job this process
 * has on the account is due, or after the wait ModelsLab asked for, whichever comes first, and never
 * within 2 s of the last refusal. A plain rate limit's wait is kept, never shortened. Until then
 * nothing else of this process goes to the account, except in a place one of its own finished
 * jobs left.
 */

import { LONGEST_WAIT_MS } from './polling';

/** Where the number of jobs out at once starts: the smallest plan's queue. */
export const FIRST_LIMIT = 5;
/** Refused jobs are sent again at least this far apart. */
export const LEAST_GAP_AFTER_REFUSAL_MS = 2_000;
/** A job is asked for again this long after another is due, so that the due one has left the queue. */
const AFTER_DUE_MS = 250;
/** With no job known to be due and no wait asked for: 2, 4, 8 ... s, at most ModelsLab's usual 30 s. */
const LONGEST_UNINFORMED_WAIT_MS = 30_000;
/** After a refusal the number grows by one at most this often when the job time is not known. */
const DEFAULT_JOB_TIME_MS = 5_000;
/** A due time this far past is forgotten: its job was lost track of (the longest wait is an hour). */
const FORGET_DUE_AFTER_MS = 3_600_000;

/** What ModelsLab said when it refused a job. */
export interface Refusal {
	/** The account's queue is full (rather than a plain rate limit). */
	queueFull: boolean;
	/** The wait ModelsLab asked for, if it named one. */
	retryAfterMs?: number;
}

export class AccountQueue {
	private limit = FIRST_LIMIT;
	/** Places held: jobs being sent, and accepted jobs not finished yet. */
	private taken = 0;
	private refusedYet = false;
	private lastRefusalAt = -Infinity;
	private lastGrowthAt = -Infinity;
	/** Nothing goes to the account before this (a refusal's wait). */
	private sendNotBefore = 0;
	/** Nothing goes to the account before this, not even into a freed place (a plain rate limit). */
	private rateLimitedUntil = 0;
	/** Refused items waiting to send their job again, without a place meanwhile. */
	private away = 0;
	/** Items waiting for a place, in the order they get one. */
	private readonly waiting: Array<() => void> = [];
	/** When each accepted, unfinished job is due. */
	private readonly dues = new Map<symbol, number>();
	/** Jobs whose run moved on while they were queued: forgotten once due. */
	private readonly unattended = new Set<symbol>();

	/** How many jobs this process lets out at once on the account right now. */
	get currentLimit(): number {
		return this.limit;
	}

	/** Waits for a place; an item coming back after a refusal goes before the ones not started. */
	async take(comingBack = false): Promise<void> {
		if (comingBack) this.away--;
		this.forgetIfIdle();
		if (this.taken < this.limit && this.waiting.length === 0) this.taken++;
		else
			await new Promise<void>((resolve) => {
				if (comingBack) this.waiting.unshift(resolve);
				else this.waiting.push(resolve);
			});
	}

	/**
	 * How long a place-holder must still wait before sending (0: send now). A refused job coming
	 * back has waited its own time already (`comingBack`): only a rate limit holds it.
	 */
	msUntilSend(comingBack: boolean, now = Date.now()): number {
		const queueGate = comingBack ? 0 : this.sendNotBefore - now;
		return Math.max(0, queueGate, this.rateLimitedUntil - now);
	}

	/**
	 * ModelsLab took a job (due in `etaMs` if it said); returns what to call once the run is done
	 * with it: `stillQueued` when the run moves on while the job is still with ModelsLab (Return
	 * Immediately, Resume on Callback), so that its due time still tells when a place frees.
	 */
	accepted(etaMs: number | undefined): (stillQueued: boolean) => void {
		const now = Date.now();
		const due = Symbol('job');
		if (etaMs !== undefined && Number.isFinite(etaMs)) this.dues.set(due, now + Math.max(0, etaMs));
		const jobTimeMs = etaMs !== undefined && etaMs > 0 ? etaMs : DEFAULT_JOB_TIME_MS;
		if (!this.refusedYet) this.limit += 2;
		else if (now - Math.max(this.lastRefusalAt, this.lastGrowthAt) >= jobTimeMs) {
			this.limit += 1;
			this.lastGrowthAt = now;
		}
		this.admit();
		let finished = false;
		return (stillQueued) => {
			if (finished) return;
			finished = true;
			if (stillQueued) this.unattended.add(due);
			else {
				this.dues.delete(due);
				// The place this job left is certainly free: it may be used at once (unless rate limited).
				this.sendNotBefore = Math.min(
					this.sendNotBefore,
					Math.max(Date.now(), this.lastRefusalAt + LEAST_GAP_AFTER_REFUSAL_MS),
				);
			}
			this.giveBack();
		};
	}

	/**
	 * ModelsLab refused a job: the jobs in now are what it takes from this process, this one not
	 * among them. Gives the place back and returns how long to wait before sending it again (see the
	 * top of this file); nothing else is sent to the account before then.
	 */
	refused({ queueFull, retryAfterMs }: Refusal, refusalsBefore: number): number {
		const now = Date.now();
		this.refusedYet = true;
		this.lastRefusalAt = now;
		this.limit = Math.max(1, Math.min(this.limit, this.taken) - 1);
		const uninformed = Math.min(
			LONGEST_UNINFORMED_WAIT_MS,
			LEAST_GAP_AFTER_REFUSAL_MS * 2 ** refusalsBefore,
		);
		// Spread a little (only ever later), so the runs of several processes do not come back together.
		const asked = retryAfterMs === undefined ? undefined : retryAfterMs * (1 + Math.random() * 0.1);
		let waitMs: number;
		if (!queueFull) waitMs = asked ?? uninformed;
		else {
			const due = this.earliestDue(now);
			waitMs = Math.min(asked ?? Infinity, due === undefined ? Infinity : due + AFTER_DUE_MS - now);
			if (waitMs === Infinity) waitMs = uninformed;
		}
		// At least the gap; at most an hour, the longest any wait of this package lasts.
		waitMs = Math.min(LONGEST_WAIT_MS, Math.max(LEAST_GAP_AFTER_REFUSAL_MS, waitMs));
		if (queueFull) this.sendNotBefore = Math.max(this.sendNotBefore, now + waitMs);
		else this.rateLimitedUntil = Math.max(this.rateLimitedUntil, now + waitMs);
		this.away++;
		this.giveBack();
		return waitMs;
	}

	/** A refused item will not send its job again after all (Max Wait ran out, or it failed). */
	stayedAway(): void {
		this.away--;
	}

	/** A place taken for a job that was not sent or not accepted (a failure, a bad value). */
	giveBack(): void {
		this.taken--;
		this.admit();
	}

	/** When the earliest known job is due (maybe already past: it may end any moment). */
	private earliestDue(now: number): number | undefined {
		let earliest: number | undefined;
		for (const [job, dueAt] of this.dues) {
			const forgotten = this.unattended.has(job)
				? dueAt + AFTER_DUE_MS
				: dueAt + FORGET_DUE_AFTER_MS;
			if (forgotten < now) {
				this.dues.delete(job);
				this.unattended.delete(job);
			} else if (earliest === undefined || dueAt < earliest) earliest = dueAt;
		}
		return earliest;
	}

	/** Lets waiting items in while there is room. */
	private admit(): void {
		while (this.taken < this.limit && this.waiting.length > 0) {
			this.taken++;
			this.waiting.shift()!();
		}
	}

	/**
	 * What was learned holds while some run of this process has jobs on the account; a run that
	 * starts after all of them ended starts afresh (other processes' jobs may have come or gone).
	 */
	private forgetIfIdle(): void {
		this.earliestDue(Date.now());
		if (this.taken > 0 || this.away > 0 || this.waiting.length > 0 || this.dues.size > 0) return;
		this.limit = FIRST_LIMIT;
		this.refusedYet = false;
	}
}

/** The queues of the accounts this process sends jobs to, by a hash of the credential. */
const queues = new Map<string, AccountQueue>();

/**
 * The process's queue for an account (see `accountOf` in transport.ts); a queue of its own when
 * the account is not known, so the run still feels for the limit by itself.
 */
export function accountQueueFor(account: string | undefined): AccountQueue {
	if (account === undefined) return new AccountQueue();
	let queue = queues.get(account);
	if (!queue) queues.set(account, (queue = new AccountQueue()));
	return queue;
}

/** Forgets what this process learned of every account: each test starts afresh. */
export function forgetAccountQueues(): void {
	queues.clear();
}
