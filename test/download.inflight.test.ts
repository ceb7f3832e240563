/**
 * Images in flight are bounded by the n8n process, not by Max Concurrent Jobs: however many jobs
 * finish at once, at most IMAGES_IN_FLIGHT images are downloaded at the same time, so memory for
 * downloads stays flat in the number of items.
 */
import { IMAGES_IN_FLIGHT } from '../nodes/shared/download';
import { ConcurrencyLimit } from '../nodes/shared/pool';
import { minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();

const DOWNLOAD_DELAY_MS = 400;

/** The most intervals [start, start + length) that overlap at one moment. */
function mostOverlapping(starts: number[], length: number): number {
	return Math.max(...starts.map((at) => starts.filter((s) => s <= at && at < s + length).length));
}

describe('images in flight', () => {
	it(`are at most ${IMAGES_IN_FLIGHT} at once while many jobs finish together`, async () => {
		simulator.settings.jobDurationMs = 300;
		const items = Array.from({ length: 12 }, (_, index) => ({ json: { index } }));
		// Every image takes a while to come: without a bound, all 12 would be downloading together.
		for (let index = 0; index < items.length; index++)
			simulator.respondOnce(
				{ method: 'GET', path: /^\/generations\// },
				{ passThrough: true, delayMs: DOWNLOAD_DELAY_MS },
			);
		const { output, error } = await inpaint(
			{
				...minimalParameters.community,
				prompt: '={{ "item " + $json.index }}',
				outputSize: 'custom',
			},
			{ items },
		);
		expect(error).toBeUndefined();
		expect(output.every((item) => item.binary?.data)).toBe(true);
		const downloads = simulator.requestsTo('/generations/').map((request) => request.receivedAt);
		expect(downloads).toHaveLength(12);
		// A download lasts at least the delay, and the next starts only when one ends.
		expect(mostOverlapping(downloads, DOWNLOAD_DELAY_MS)).toBeLessThanOrEqual(IMAGES_IN_FLIGHT);
		expect(mostOverlapping(downloads, DOWNLOAD_DELAY_MS)).toBeGreaterThan(1);
	});
});

describe('ConcurrencyLimit', () => {
	it('runs at most its limit at once, first come first served, and a failure gives its place back', async () => {
		const limit = new ConcurrencyLimit(2);
		let running = 0;
		let most = 0;
		const started: number[] = [];
		const task = (index: number) => async () => {
			started.push(index);
			running++;
			most = Math.max(most, running);
			await new Promise((resolve) => setTimeout(resolve, 20));
			running--;
			if (index === 1) throw new Error('failed');
			return index;
		};
		const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => limit.run(task(i))));
		expect(most).toBe(2);
		expect(started).toEqual([0, 1, 2, 3, 4]);
		expect(results.map((r) => r.status)).toEqual([
			'fulfilled',
			'rejected',
			'fulfilled',
			'fulfilled',
			'fulfilled',
		]);
	});

	it('refuses a limit that would run nothing', () => {
		expect(() => new ConcurrencyLimit(0)).toThrow('At least one task');
		expect(() => new ConcurrencyLimit(Number.NaN)).toThrow('At least one task');
	});
});
