/**
 * The loops that call ModelsLab (waiting for a job, retrying a request) are safe by construction:
 * whatever the settings, the eta or the API's answers, they never send two requests for one job
 * closer together than the minimum interval, and they end by their deadline.
 *
 * The first part drives the real loop code with extreme settings on a fake clock (jest's modern
 * timers fake both `setTimeout`, which n8n's `sleep` uses, and `Date.now`), so an hour of waiting
 * takes milliseconds. The second part runs the nodes in n8n's engine against the simulator.
 */
import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { createdNothing, markFailure } from '../nodes/shared/failures';
import { LEAST_GAP_AFTER_REFUSAL_MS } from '../nodes/shared/accountQueue';
import { AUTO_MOST_JOBS, JobSlots } from '../nodes/shared/jobSlots';
import {
	LONGEST_WAIT_MS,
	MIN_INTERVAL_MS,
	deadlineAfter,
	pauseBefore,
	waitForCompletion,
} from '../nodes/shared/polling';
import type { InpaintResult } from '../nodes/shared/result';
import { withRetries } from '../nodes/shared/retry';
import { minimalParameters, useSimulator } from './support/simulator';

const node: INode = {
	id: 'n',
	name: 'ModelsLab',
	type: 'modelsLabInpaint',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
/** Only what the loops use of n8n's execute context: the node, for their errors. */
const ctx = { getNode: () => node } as never;

const queued = (eta: number | null): InpaintResult =>
	({
		status: 'processing',
		requestId: '90000001',
		eta,
		output: [],
		proxyLinks: [],
		fetchUrl: null,
		trackId: null,
	}) as unknown as InpaintResult;

/** A failure as transport.ts reports it. */
function apiFailure(kind: 'lost' | 'rateLimited', retryAfterSeconds?: number) {
	const error = new NodeApiError(node, { message: kind } as JsonObject, { message: kind });
	return markFailure(
		error,
		kind === 'lost' ? { kind: 'answer-lost' } : { kind: 'rate-limited', retryAfterSeconds },
	);
}

type Answer = 'processing' | 'lost' | 'rateLimitedNow' | 'rateLimited';
const answers: Record<Answer, () => Promise<InpaintResult>> = {
	processing: async () => queued(null),
	lost: async () => await Promise.reject(apiFailure('lost')),
	rateLimitedNow: async () => await Promise.reject(apiFailure('rateLimited', 0)),
	rateLimited: async () => await Promise.reject(apiFailure('rateLimited')),
};

/** Runs `loop` on the fake clock until it settles; returns when each request went and when it ended. */
async function onFakeClock(loop: (request: () => void) => Promise<unknown>) {
	const start = Date.now();
	const sent: number[] = [];
	let endedAfterMs: number | undefined;
	const done = loop(() => sent.push(Date.now() - start))
		.then(
			() => 'finished',
			(error: Error) => error.message,
		)
		.finally(() => (endedAfterMs = Date.now() - start));
	while (endedAfterMs === undefined) await jest.advanceTimersByTimeAsync(60_000);
	return { outcome: await done, sent, endedAfterMs };
}

const gaps = (times: number[]) => times.slice(1).map((time, index) => time - times[index]);

describe('the wait and retry loops on a fake clock, with extreme settings', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	const waits = [1_000, 3_600_000];
	const etas = [0, 1e6, null];
	const cases = waits.flatMap((maxWaitMs) =>
		etas.flatMap((eta) =>
			(Object.keys(answers) as Answer[]).map((answer) => [maxWaitMs, eta, answer] as const),
		),
	);

	it.each(cases)(
		'waiting: Max Wait %d ms, eta %p s, every check answers %s',
		async (maxWaitMs, eta, answer) => {
			const { outcome, sent, endedAfterMs } = await onFakeClock(
				async (request) =>
					await waitForCompletion(
						ctx,
						queued(eta),
						async () => (request(), await answers[answer]()),
						{ maxWaitMs, requestTimeoutMs: 120_000, itemIndex: 0 },
					),
			);
			expect(outcome).not.toBe('finished');
			expect(sent.length).toBeGreaterThan(0);
			expect(Math.min(...gaps(sent), Infinity)).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
			expect(sent[0]).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
			expect(endedAfterMs).toBeLessThanOrEqual(maxWaitMs);
			expect(sent.length).toBeLessThanOrEqual(Math.floor(maxWaitMs / MIN_INTERVAL_MS));
		},
	);

	it.each(
		waits.flatMap((maxWaitMs) =>
			(['lost', 'rateLimitedNow', 'rateLimited'] as const).map(
				(answer) => [maxWaitMs, answer] as const,
			),
		),
	)('retrying: Max Wait %d ms, every attempt answers %s at once', async (maxWaitMs, answer) => {
		const { outcome, sent, endedAfterMs } = await onFakeClock(
			async (request) =>
				await withRetries(ctx, 'a test request', async () => (request(), await answers[answer]()), {
					itemIndex: 0,
					maxWaitMs,
				}),
		);
		expect(outcome).toBe(answer === 'lost' ? 'lost' : 'rateLimited');
		expect(Math.min(...gaps(sent), Infinity)).toBeGreaterThanOrEqual(MIN_INTERVAL_MS);
		expect(endedAfterMs).toBeLessThanOrEqual(maxWaitMs);
		expect(sent.length).toBeLessThanOrEqual(4);
	});

	it.each(waits)(
		'a paid submit refused for a full queue every time, Max Wait %d ms: asked again until the deadline, paced, then it ends',
		async (maxWaitMs) => {
			const slots = new JobSlots(AUTO_MOST_JOBS);
			const slot = await slots.take();
			const queueFull = () =>
				markFailure(apiFailure('rateLimited', 30), {
					kind: 'rate-limited',
					retryAfterSeconds: 30,
					queueFull: true,
				});
			const { outcome, sent, endedAfterMs } = await onFakeClock(
				async (request) =>
					await withRetries(
						ctx,
						'a test submit',
						async () => (request(), await Promise.reject(queueFull())),
						{
							itemIndex: 0,
							maxWaitMs,
							refusalsUntilDeadline: true,
							retryable: createdNothing,
							slot,
						},
					),
			);
			expect(outcome).toBe('rateLimited');
			expect(endedAfterMs).toBeLessThanOrEqual(maxWaitMs);
			// No job of this process is due, so the asked 30 s is kept between tries (but the last,
			// made just before Max Wait ends); not a fixed count of tries.
			const between = gaps(sent);
			expect(Math.min(...between, Infinity)).toBeGreaterThanOrEqual(LEAST_GAP_AFTER_REFUSAL_MS);
			expect(Math.min(...between.slice(0, -1), Infinity)).toBeGreaterThanOrEqual(30_000);
			expect(sent.length).toBeLessThanOrEqual(Math.floor(maxWaitMs / 30_000) + 2);
			if (maxWaitMs > 60_000) expect(sent.length).toBeGreaterThan(100);
			// Each refusal brought the run down to the jobs ModelsLab took: none.
			if (sent.length > 1) expect(slots.currentLimit).toBe(1);
		},
	);

	it('the deadline is finite and at most an hour away whatever it is asked for; a broken one stops the loop', () => {
		expect(deadlineAfter(1e12, 0)).toBe(LONGEST_WAIT_MS);
		expect(() => deadlineAfter(Number.NaN)).toThrow('A wait needs a finite length');
		expect(() => deadlineAfter(Infinity)).toThrow('A wait needs a finite length');
		expect(() => deadlineAfter(-1)).toThrow('A wait needs a finite length');
		// The pause: never under the minimum, never past the deadline, none when there is no time for one.
		expect(pauseBefore(10_000, 0, 0)).toBe(MIN_INTERVAL_MS);
		expect(pauseBefore(10_000, Number.NaN, 0)).toBeUndefined();
		expect(pauseBefore(10_000, 60_000, 0)).toBe(10_000);
		expect(pauseBefore(10_000, 1_000, 9_900)).toBeUndefined();
	});
});

describe("in n8n's engine against the simulator", () => {
	const { simulator, inpaint } = useSimulator();
	const FETCH = '/api/v6/image_editing/fetch/';

	it('Max Wait 1 s with an eta of 10⁶ s: the job is submitted once, checked a few times, and the item stops naming the job', async () => {
		simulator.settings.jobDurationMs = 60_000;
		simulator.settings.etaFactor = 1e6 / 60;
		const { error } = await inpaint({
			...minimalParameters.imageEditing,
			processingOptions: { maxWaitSeconds: 1 },
		});
		expect(error?.message).toMatch(/^ModelsLab job \d+ was still processing after 1 s$/);
		expect(simulator.requestsTo('/api/v6/image_editing/inpaint')).toHaveLength(1);
		const checks = simulator.requestsTo(FETCH).map((request) => request.receivedAt);
		expect(checks.length).toBeLessThanOrEqual(1_000 / MIN_INTERVAL_MS);
		expect(Math.min(...gaps(checks), Infinity)).toBeGreaterThanOrEqual(MIN_INTERVAL_MS - 5);
	});

	it('checks that fail at once are paced, and the item ends: lost answers after a few, rate limits by Max Wait', async () => {
		simulator.settings.jobDurationMs = 60_000;
		for (let i = 0; i < 40; i++)
			simulator.respondOnce(
				{ path: new RegExp(`^${FETCH}`) },
				{ status: 429, body: { status: 'error', message: 'Rate limit exceeded', retry_after: 0 } },
			);
		const { error } = await inpaint({
			...minimalParameters.imageEditing,
			processingOptions: { maxWaitSeconds: 2 },
		});
		expect(error?.message).toMatch(/was still processing after 2 s$/);
		const checks = simulator.requestsTo(FETCH).map((request) => request.receivedAt);
		expect(checks.length).toBeLessThanOrEqual(2_000 / MIN_INTERVAL_MS);
		expect(Math.min(...gaps(checks), Infinity)).toBeGreaterThanOrEqual(MIN_INTERVAL_MS - 5);
		expect(simulator.requestsTo('/api/v6/image_editing/inpaint')).toHaveLength(1);
	});
});
