import type { IExecuteFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

/** No loop that calls ModelsLab sends two requests for one job closer together than this. */
export const MIN_INTERVAL_MS = 250;
/** No loop that calls ModelsLab runs longer than this: Max Wait's own maximum, one hour. */
export const LONGEST_WAIT_MS = 3_600_000;

/**
 * The signal n8n raises when the user cancels the execution. Webhook calls (a callback resuming
 * or starting an execution) have none.
 */
export const cancelSignalOf = (ctx: IExecuteFunctions | IWebhookFunctions) =>
	'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;

/**
 * The moment a wait must end: finite and at most an hour away, whatever the settings say. The
 * settings are checked long before this, so a failure here is a bug, and it stops the item rather
 * than letting a loop run unbounded.
 */
export function deadlineAfter(waitMs: number, now = Date.now()): number {
	if (!Number.isFinite(waitMs) || waitMs < 0)
		throw new Error(`A wait needs a finite length (got ${waitMs} ms)`);
	return now + Math.min(waitMs, LONGEST_WAIT_MS);
}

/**
 * The pause before the next request to ModelsLab: at least the minimum interval, and not past the
 * deadline. Undefined when there is not even the minimum interval left: the loop must stop.
 */
export function pauseBefore(
	deadline: number,
	wantedMs: number,
	now = Date.now(),
): number | undefined {
	const ms = Math.min(Math.max(MIN_INTERVAL_MS, wantedMs), deadline - now);
	// NaN fails this comparison too, so a broken wish ends the loop instead of spinning it.
	return ms >= MIN_INTERVAL_MS ? ms : undefined;
}

/** Sleeps, but wakes at once (with an error) when the execution is cancelled. */
export async function pause(
	ctx: IExecuteFunctions | IWebhookFunctions,
	ms: number,
	what: string,
	itemIndex: number,
) {
	if (!(ms >= 0 && ms <= LONGEST_WAIT_MS))
		throw new Error(`A pause must last 0 to ${LONGEST_WAIT_MS} ms (got ${ms})`);
	const signal = cancelSignalOf(ctx);
	const cancelled = () =>
		new NodeOperationError(ctx.getNode(), `The execution was cancelled while waiting for ${what}`, {
			itemIndex,
		});
	if (signal?.aborted) throw cancelled();
	if (!signal) return await sleep(ms);
	let onAbort = () => {};
	const aborted = new Promise<never>((_, reject) => {
		onAbort = () => reject(cancelled());
		signal.addEventListener('abort', onAbort, { once: true });
	});
	try {
		await Promise.race([sleep(ms), aborted]);
	} finally {
		signal.removeEventListener('abort', onAbort);
	}
}
