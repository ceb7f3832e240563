/**
 * Max Concurrent Jobs: Auto keeps as many jobs out as ModelsLab takes, several executions share a
 * queue limit without losing an item or sending a job twice, refusals are retried until Max Wait,
 * and a run that stops names the billed jobs it had already sent. Real runs of the Inpaint node in
 * n8n's engine against the simulator; the pure limiter is tested on its own at the end.
 */
import type { IDataObject } from 'n8n-workflow';

import type { JobSlot } from '../nodes/shared/jobSlots';
import { JobSlots } from '../nodes/shared/jobSlots';
import { mostUnfinishedAtOnce } from '../simulator';
import { minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();

const SUBMIT = '/api/v6/image_editing/inpaint';
const items = (count: number) =>
	Array.from({ length: count }, (_, index) => ({ json: { prompt: `picture ${index}` } }));
/** The simulator's own sample pictures: the node reads a link's size without a DNS lookup. */
const parameters = (processingOptions: IDataObject = {}): IDataObject => ({
	...minimalParameters.imageEditing,
	initImageUrl: `${simulator.baseUrl}/samples/photo-512x512.png`,
	maskImageUrl: `${simulator.baseUrl}/samples/mask-512x512.png`,
	prompt: '={{ $json.prompt }}',
	downloadImages: false,
	processingOptions: { maxWaitSeconds: 120, ...processingOptions },
});

/** Each prompt reached ModelsLab as exactly one job: nothing lost, nothing billed twice. */
function expectOneJobPerPrompt(prompts: string[]) {
	const jobPrompts = simulator.jobs.map((job) => String(job.body.prompt)).sort();
	expect(jobPrompts).toEqual([...prompts].sort());
}

describe('Max Concurrent Jobs: Auto (the default)', () => {
	it("with no queue limit, goes well past the smallest plan's 5 jobs at once", async () => {
		simulator.settings.jobDurationMs = 3000;
		const { error, output } = await inpaint(parameters(), { items: items(20) });

		expect(error).toBeUndefined();
		expect(output.map((item) => item.json.status)).toEqual(Array(20).fill('success'));
		expect(output.map((item) => item.pairedItem)).toEqual(
			Array.from({ length: 20 }, (_, item) => ({ item })),
		);
		expectOneJobPerPrompt(items(20).map((item) => item.json.prompt));
		// 5 at first, two more for each job taken: (nearly) all 20 were out together.
		expect(mostUnfinishedAtOnce(simulator.jobs)).toBeGreaterThan(10);
	});

	it('with a queue limit of 3, keeps to it: every item succeeds, no job is sent twice', async () => {
		simulator.settings.jobDurationMs = 500;
		simulator.settings.queueLimit = 3;
		const { error, output } = await inpaint(parameters(), { items: items(10) });

		expect(error).toBeUndefined();
		expect(output.map((item) => item.json.status)).toEqual(Array(10).fill('success'));
		expectOneJobPerPrompt(items(10).map((item) => item.json.prompt));
		expect(mostUnfinishedAtOnce(simulator.jobs)).toBeLessThanOrEqual(3);
		// Refusals were made (ModelsLab was asked for more than it takes) and cost no job.
		expect(simulator.requestsTo(SUBMIT).length).toBeGreaterThan(10);
	});

	it('three executions at once share a queue limit of 4: every item of every execution succeeds', async () => {
		simulator.settings.jobDurationMs = 400;
		simulator.settings.queueLimit = 4;
		const runs = ['a', 'b', 'c'].map(async (run) => {
			const own = Array.from({ length: 6 }, (_, index) => ({
				json: { prompt: `${run} ${index}` },
			}));
			return await inpaint(parameters(), { items: own });
		});
		const results = await Promise.all(runs);

		for (const { error, output } of results) {
			expect(error).toBeUndefined();
			expect(output.map((item) => item.json.status)).toEqual(Array(6).fill('success'));
		}
		expectOneJobPerPrompt(
			['a', 'b', 'c'].flatMap((run) => Array.from({ length: 6 }, (_, i) => `${run} ${i}`)),
		);
		expect(mostUnfinishedAtOnce(simulator.jobs)).toBeLessThanOrEqual(4);
	});

	it('a number is the most at once, even when ModelsLab would take more', async () => {
		simulator.settings.jobDurationMs = 600;
		const { error } = await inpaint(parameters({ maxConcurrentJobs: 2 }), { items: items(6) });

		expect(error).toBeUndefined();
		expect(mostUnfinishedAtOnce(simulator.jobs)).toBe(2);
	});
});

describe('refused submits', () => {
	const full = (retryAfter: number) => ({
		status: 429,
		body: {
			status: 'error',
			message: 'Rate limit exceeded. Maximum 5 queued requests allowed.',
			retry_after: retryAfter,
		},
	});

	it('a full queue is asked again until ModelsLab takes the job, past the old limit of 4 tries, never sooner than it asked', async () => {
		for (let refusal = 0; refusal < 4; refusal++) simulator.respondOnce({ path: SUBMIT }, full(2));
		const { error, output } = await inpaint(parameters({ maxWaitSeconds: 60 }), {
			items: items(1),
		});

		expect(error).toBeUndefined();
		expect(output[0].json.status).toBe('success');
		const submits = simulator.requestsTo(SUBMIT).map((request) => request.receivedAt);
		expect(submits).toHaveLength(5);
		expect(simulator.jobs).toHaveLength(1);
		// ModelsLab asked for 2 s: never sent again sooner.
		for (let i = 1; i < submits.length; i++)
			expect(submits[i] - submits[i - 1]).toBeGreaterThanOrEqual(2_000);
	});

	it("is sent again when this process's earliest job is due, not after the 30 s ModelsLab asks for", async () => {
		simulator.settings.jobDurationMs = 1_500;
		simulator.settings.queueLimit = 1;
		// Max Wait is shorter than the 30 s retry_after: only the due job can tell when to come back.
		const { error, output } = await inpaint(parameters({ maxWaitSeconds: 20 }), {
			items: items(2),
		});

		expect(error).toBeUndefined();
		expect(output.map((item) => item.json.status)).toEqual(['success', 'success']);
		const submits = simulator.requestsTo(SUBMIT);
		const refusals = submits.filter((request) => request.answer?.status === 429);
		expect(refusals.length).toBeGreaterThanOrEqual(1);
		// Refused submits 2 s apart at least, and every later send waited as long after a refusal.
		for (const refusal of refusals)
			for (const later of submits.filter((request) => request.receivedAt > refusal.receivedAt))
				expect(later.receivedAt - refusal.receivedAt).toBeGreaterThanOrEqual(2_000);
		expectOneJobPerPrompt(['picture 0', 'picture 1']);
	});

	it('several executions sharing one account learn its limit together: fewer refused submits than jobs', async () => {
		simulator.settings.jobDurationMs = 1_000;
		simulator.settings.queueLimit = 3;
		const runs = ['a', 'b', 'c', 'd'].map(async (run) => {
			const own = Array.from({ length: 4 }, (_, index) => ({
				json: { prompt: `${run} ${index}` },
			}));
			return await inpaint(parameters(), { items: own });
		});
		for (const { error } of await Promise.all(runs)) expect(error).toBeUndefined();

		expect(simulator.jobs).toHaveLength(16);
		const refused = simulator.requestsTo(SUBMIT).length - simulator.jobs.length;
		// Each execution on its own would be refused about once per job it sends.
		expect(refused).toBeLessThan(simulator.jobs.length);
		expect(mostUnfinishedAtOnce(simulator.jobs)).toBeLessThanOrEqual(3);
	});

	it('Return Immediately: a refused job comes back when a job left queued is due, not after the 30 s asked', async () => {
		simulator.settings.jobDurationMs = 1_000;
		simulator.settings.queueLimit = 3;
		// Max Wait is shorter than ModelsLab's 30 s: only the jobs' due times can tell when to come back.
		const { error, output } = await inpaint(
			{ ...parameters({ maxWaitSeconds: 20 }), completion: 'immediate' },
			{ items: items(8) },
		);

		expect(error).toBeUndefined();
		expect(output.map((item) => item.json.status)).toEqual(Array(8).fill('processing'));
		expectOneJobPerPrompt(items(8).map((item) => item.json.prompt));
		expect(mostUnfinishedAtOnce(simulator.jobs)).toBeLessThanOrEqual(3);
	});

	it('a queue that stays full until Max Wait: the error says so, and that running it again is safe', async () => {
		simulator.settings.jobDurationMs = 60_000;
		simulator.settings.queueLimit = 1;
		// Another run's job holds the only place for the whole test.
		await inpaint(parameters({ maxWaitSeconds: 1 }), {
			items: [{ json: { prompt: 'holder' } }],
			continueOnFail: true,
		});
		const { error } = await inpaint(parameters({ maxWaitSeconds: 5 }), { items: items(1) });

		expect(error?.message).toMatch(/Rate limit exceeded\. Maximum 1 queued requests allowed/);
		expect(error?.description).toMatch(
			/refused the job until Max Wait ran out \(your plan's job queue stayed full\); the job was not created, so running this item again is safe/,
		);
		// Asked again once just before Max Wait ended, rather than after the 30 s asked for.
		expect(error?.description).toMatch(/\(Tried 2 times\.\)/);
		expect(simulator.jobs.map((job) => job.body.prompt)).toEqual(['holder']);
	});
});

describe('a run that stops on an error', () => {
	it('names the jobs ModelsLab had accepted (and billed) in it, so they can be fetched', async () => {
		const { error } = await inpaint(
			{ ...parameters({ maxConcurrentJobs: 1 }), prompt: '={{ $json.prompt }}' },
			{ items: [{ json: { prompt: 'one' } }, { json: { prompt: 'two' } }, { json: {} }] },
		);

		const [one, two] = simulator.jobs.map((job) => job.id);
		expect(error?.message).toMatch(/Prompt/);
		expect(error?.description).toContain(
			`Jobs ModelsLab accepted (and billed) in this run: ${one} (success), ${two} (success). Get their results with the ModelsLab Fetch node by request ID.`,
		);
	});

	it('names nothing when no job was accepted', async () => {
		const { error } = await inpaint({ ...parameters(), prompt: '' });

		expect(error?.message).toMatch(/Prompt/);
		expect(String(error?.description ?? '')).not.toMatch(/accepted/);
	});
});

/** Lets every promise that can settle now do so. */
const settled = async () => await new Promise((resolve) => setImmediate(resolve));

describe('the limiter on its own', () => {
	const queueFull = { queueFull: true, retryAfterMs: 30_000 };

	it('starts at 5, lets two more out per accepted job until the first refusal, then keeps to the jobs in', async () => {
		const slots = new JobSlots(20);
		const held = await Promise.all(Array.from({ length: 5 }, async () => await slots.take()));
		let sixth = false;
		void slots.take().then(() => (sixth = true));
		await settled();
		expect(sixth).toBe(false);
		held[0].accepted(5_000);
		await settled();
		expect(sixth).toBe(true);
		expect(slots.currentLimit).toBe(7);
		held[1].accepted(5_000);
		expect(slots.currentLimit).toBe(9);
		// 6 places taken when it was refused: the run keeps to the 5 others.
		const waitMs = held[2].refused(queueFull, 0);
		expect(slots.currentLimit).toBe(5);
		// The earliest job is due in 5 s: asked again then (ModelsLab's 30 s would be later).
		expect(waitMs).toBeGreaterThan(4_000);
		expect(waitMs).toBeLessThan(6_000);
		// Accepted jobs no longer grow the number right after a refusal: that would be refused too.
		held[3].accepted(5_000);
		expect(slots.currentLimit).toBe(5);
	});

	it('after a refusal, the refused item goes before those not started', async () => {
		const slots = new JobSlots(10);
		const [a, b, c] = await Promise.all([slots.take(), slots.take(), slots.take()]);
		a.accepted(1_000);
		b.accepted(1_000);
		const order: string[] = [];
		c.refused(queueFull, 0);
		const refusedAgain = c.comeBack(0, async () => {}).then(() => order.push('refused'));
		const late = slots.take().then(() => order.push('late'));
		// Two jobs in, and the number is two: nobody gets in until a place is given back.
		await settled();
		expect(slots.currentLimit).toBe(2);
		expect(order).toEqual([]);
		a.release(); // one place: it goes to the refused item, not to the later one
		await settled();
		expect(order).toEqual(['refused']);
		b.release();
		await Promise.all([refusedAgain, late]);
		expect(order).toEqual(['refused', 'late']);
	});

	it('runs of one account share what they learn; another account is apart', async () => {
		const one = new JobSlots(50, { account: 'account one' });
		const two = new JobSlots(50, { account: 'account one' });
		const other = new JobSlots(50, { account: 'account two' });
		const held = await Promise.all(Array.from({ length: 3 }, async () => await one.take()));
		held[0].accepted(5_000);
		held[1].accepted(5_000);
		held[2].refused(queueFull, 0);
		expect(two.currentLimit).toBe(2);
		expect(other.currentLimit).toBe(5);
		// The other run of the account waits for a place; a finished job's place goes to it.
		let inTwo: JobSlot | undefined;
		void two.take().then((slot) => (inTwo = slot));
		await settled();
		expect(inTwo).toBeUndefined();
		held[0].release();
		await settled();
		expect(inTwo).toBeDefined();
		// It still sends nothing within 2 s of the account's refusal; the other account sends at once.
		let asked = 0;
		const stop = async (ms: number) => {
			asked = ms;
			throw new Error('stop');
		};
		await expect(inTwo!.readyToSend(stop, Date.now() + 60_000)).rejects.toThrow('stop');
		expect(asked).toBeGreaterThan(1_000);
		expect(asked).toBeLessThanOrEqual(2_000);
		const inOther = await other.take();
		asked = 0;
		await inOther.readyToSend(stop, Date.now() + 60_000);
		expect(asked).toBe(0);
		for (const slot of [...held, inTwo!, inOther]) slot.release();
	});

	it("a rate limit holds every job of the account for its wait, but none past the job's own Max Wait", async () => {
		const slots = new JobSlots(10);
		const [limited, other] = [await slots.take(), await slots.take()];
		const waitMs = limited.refused({ queueFull: false, retryAfterMs: 86_400_000 }, 0);
		// The longest wait of this package is an hour, whatever ModelsLab asks.
		expect(waitMs).toBe(3_600_000);
		const asked: number[] = [];
		const stop = async (ms: number) => {
			asked.push(ms);
			throw new Error('stop');
		};
		await expect(other.readyToSend(stop, Date.now() + 3_000)).rejects.toThrow('stop');
		expect(asked[0]).toBeGreaterThan(2_000);
		expect(asked[0]).toBeLessThanOrEqual(3_000);
		other.release();
		limited.release();
	});

	it('where no job is created (the Fetch node) starts at its most', async () => {
		const slots = new JobSlots(12, { feelForQueue: false });
		await Promise.all(Array.from({ length: 12 }, async () => await slots.take()));
		expect(slots.currentLimit).toBe(12);
	});

	it('refuses a ceiling that is not a whole number of at least 1', () => {
		for (const bad of [0, -1, 2.5, Number.NaN]) expect(() => new JobSlots(bad)).toThrow();
	});
});
