/**
 * Runs `task` for indexes 0..count-1 with at most `limit` running at once, and returns the results
 * in index order. After the first failure no new task starts; the running ones finish, then the
 * failure is thrown, so no submitted job is abandoned mid-flight.
 */
export async function inOrderWithConcurrency<T>(
	count: number,
	limit: number,
	task: (index: number) => Promise<T>,
): Promise<T[]> {
	// NaN or 0 would start no worker and return holes instead of results.
	if (!Number.isInteger(limit) || limit < 1)
		throw new Error(`At least one job must run at a time (got ${limit})`);
	const results = new Array<T>(count);
	let next = 0;
	let failure: { error: unknown } | undefined;
	const worker = async () => {
		while (!failure && next < count) {
			const index = next++;
			try {
				results[index] = await task(index);
			} catch (error) {
				failure ??= { error };
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
	if (failure) throw failure.error;
	return results;
}

/**
 * At most `limit` tasks run at a time; the others wait their turn, first come first served. A task
 * that fails gives its place back like one that succeeds.
 */
export class ConcurrencyLimit {
	private running = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(readonly limit: number) {
		if (!Number.isInteger(limit) || limit < 1)
			throw new Error(`At least one task must run at a time (got ${limit})`);
	}

	async run<T>(task: () => Promise<T>): Promise<T> {
		if (this.running < this.limit) this.running++;
		// The place is handed over by the task that leaves, so `running` stays counted.
		else await new Promise<void>((resolve) => this.waiting.push(resolve));
		try {
			return await task();
		} finally {
			const next = this.waiting.shift();
			if (next) next();
			else this.running--;
		}
	}
}
