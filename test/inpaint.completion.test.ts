/**
 * Wait for Result: queued jobs are fetched as their eta suggests until they finish, within the
 * maximum wait, several at a time, and their images land in binary data.
 */
import { decodePng, isPng } from '../simulator/png';
import { nextPollDelayMs, remainingByEtaPace } from '../nodes/shared/pacing/polling';
import { minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();

const fetchesOf = (path: string) => simulator.requestsTo(path).length;
const binaryBytes = (data: { data: string }) => Buffer.from(data.data, 'base64');

describe('a queued job, waited for', () => {
	it('is fetched until it succeeds, and its images are downloaded as binary data', async () => {
		simulator.settings.jobDurationMs = 600;
		const { output, error } = await inpaint({
			...minimalParameters.community,
			communityOptions: { samples: 2 },
		});
		expect(error).toBeUndefined();
		const [job] = simulator.jobs;
		expect(output[0].json).toMatchObject({
			status: 'success',
			requestId: String(job.id),
			output: job.outputs,
		});
		// An accurate eta costs at most two fetches.
		expect(fetchesOf(`/api/v6/images/fetch/${job.id}`)).toBeLessThanOrEqual(2);

		const binary = output[0].binary!;
		expect(Object.keys(binary)).toEqual(['data', 'data_1']);
		for (const [index, field] of ['data', 'data_1'].entries()) {
			expect(binary[field]).toMatchObject({
				mimeType: 'image/png',
				fileName: job.outputs[index].split('/').pop(),
			});
			const png = binaryBytes(binary[field]);
			expect(isPng(png)).toBe(true);
			expect(decodePng(png)).toMatchObject({ width: 512, height: 512 });
		}
	});

	it('uses the fetch URL ModelsLab gave (legacy v3 family)', async () => {
		simulator.settings.jobDurationMs = 300;
		const { output } = await inpaint(minimalParameters.legacy);
		expect(output[0].json.status).toBe('success');
		expect(fetchesOf(`/api/v3/fetch/${simulator.jobs[0].id}`)).toBeGreaterThanOrEqual(1);
	});

	it('fetches enterprise jobs by request_id in the body, with the enterprise key', async () => {
		simulator.settings.jobDurationMs = 300;
		const { output } = await inpaint(minimalParameters.enterprise);
		expect(output[0].json.status).toBe('success');
		const fetches = simulator.requestsTo('/api/v1/enterprise/pony/fetch');
		expect(fetches.length).toBeGreaterThanOrEqual(1);
		expect(fetches[0].body).toEqual({
			key: 'sim-enterprise-key',
			request_id: String(simulator.jobs[0].id),
		});
	});

	it('an eta twice too long: found at the first look, half-way to the eta', async () => {
		simulator.settings.jobDurationMs = 500;
		simulator.settings.etaFactor = 2;
		const { output } = await inpaint(minimalParameters.imageEditing);
		expect(output[0].json.status).toBe('success');
		expect(fetchesOf('/api/v6/image_editing/fetch/')).toBe(1);
	});

	it('an eta far too short: keeps looking, more often at first', async () => {
		simulator.settings.jobDurationMs = 1500;
		simulator.settings.etaFactor = 0.2; // eta 0.3 s for a 1.5 s job
		const { output } = await inpaint(minimalParameters.community);
		expect(output[0].json.status).toBe('success');
		expect(fetchesOf('/api/v6/images/fetch/')).toBeGreaterThan(2);
	});

	it('stops at Max Wait with an error that gives the request id for the Fetch node', async () => {
		simulator.settings.jobDurationMs = 60_000;
		const { error } = await inpaint({
			...minimalParameters.community,
			processingOptions: { maxWaitSeconds: 1 },
		});
		const [job] = simulator.jobs;
		expect(error?.message).toBe(`ModelsLab job ${job.id} was still processing after 1 s`);
		expect(error?.description).toContain(`request id ${job.id}`);
		expect(error?.description).toContain('ModelsLab Fetch node');
	});

	it('a job that fails reports the API message and the request id', async () => {
		simulator.settings.jobDurationMs = 200;
		simulator.settings.failJobs = true;
		const { error } = await inpaint(minimalParameters.community);
		expect(error?.message).toBe('ModelsLab: Failed, Try Again');
		expect(error?.description).toContain(`Request id ${simulator.jobs[0].id}`);
	});

	it('a rate-limited fetch is simply tried again', async () => {
		simulator.settings.jobDurationMs = 300;
		simulator.respondOnce(
			{ path: /^\/api\/v6\/images\/fetch\// },
			{ status: 429, body: { status: 'error', message: 'Rate limit exceeded', retry_after: 0.1 } },
		);
		const { output } = await inpaint(minimalParameters.community);
		expect(output[0].json.status).toBe('success');
		expect(fetchesOf('/api/v6/images/fetch/')).toBeGreaterThanOrEqual(2);
	});
});

describe('a rate-limited submit', () => {
	it('is sent again after the wait the API asks for, creating exactly one job', async () => {
		simulator.respondOnce(
			{ path: '/api/v6/images/inpaint' },
			{
				status: 200,
				body: {
					status: 'error',
					messege: 'Rate limit exceeded',
					tips: 'Spam filter is enabled, please wait for 0.2 seconds',
				},
			},
		);
		const { output } = await inpaint(minimalParameters.community);
		expect(output[0].json.status).toBe('success');
		expect(simulator.requestsTo('/api/v6/images/inpaint')).toHaveLength(2);
		expect(simulator.jobs).toHaveLength(1);
	});
});

describe('a submit whose answer was lost', () => {
	it('is never sent again, and the error says a job may exist', async () => {
		simulator.respondOnce(
			{ path: '/api/v6/images/inpaint' },
			{ status: 502, raw: '<html>Bad Gateway</html>' },
		);
		const { error } = await inpaint(minimalParameters.community);
		expect(simulator.requestsTo('/api/v6/images/inpaint')).toHaveLength(1);
		expect(error?.description).toContain('ModelsLab may have created this job');
	});
});

describe('several items', () => {
	it('run at most Max Concurrent Jobs at a time, and come out in input order', async () => {
		simulator.settings.jobDurationMs = 500;
		simulator.settings.queueLimit = 3;
		const prompts = ['one', 'two', 'three', 'four', 'five', 'six', 'seven'];
		const { output, error } = await inpaint(
			{
				...minimalParameters.community,
				prompt: '={{ $json.prompt }}',
				downloadImages: false,
				processingOptions: { maxConcurrentJobs: 3 },
			},
			{ items: prompts.map((prompt) => ({ json: { prompt } })) },
		);
		expect(error).toBeUndefined();
		// Never refused by the queue limit: no 4th job was ever in flight.
		expect(simulator.requestsTo('/api/v6/images/inpaint')).toHaveLength(prompts.length);
		const jobByPrompt = new Map(simulator.jobs.map((job) => [job.body.prompt, job]));
		expect(output.map((item) => item.json.requestId)).toEqual(
			prompts.map((p) => String(jobByPrompt.get(p)!.id)),
		);
		expect(output.map((item) => item.pairedItem)).toEqual(prompts.map((_, item) => ({ item })));
		// Jobs overlapped, up to the limit and not beyond. In flight as the node sees it, from the
		// simulator's records: from the submit to the fetch that found the job done. (The jobs' own
		// 500 ms would make this a race: on a loaded machine three submits can take longer than that.)
		const doneSeenAt = (id: number) =>
			Math.max(
				...simulator.requestsTo(`/api/v6/images/fetch/${id}`).map((request) => request.receivedAt),
			);
		const inFlightAt = (moment: number) =>
			simulator.jobs.filter((job) => job.createdAt <= moment && moment < doneSeenAt(job.id)).length;
		expect(Math.max(...simulator.jobs.map((job) => inFlightAt(job.createdAt)))).toBe(3);
	});
});

describe('base64 output', () => {
	it.each([true, false])(
		'is decoded into PNG binary data (data-URI prefix: %s)',
		async (prefix) => {
			simulator.settings.base64Prefix = prefix;
			const { output } = await inpaint({
				...minimalParameters.imageEditing,
				imageEditingAdvancedOptions: { base64: true },
			});
			expect((output[0].json.output as string[])[0]).toMatch(/\.base64$/);
			const data = output[0].binary!.data;
			expect(data).toMatchObject({
				mimeType: 'image/png',
				fileName: expect.stringMatching(/\.png$/),
			});
			expect(isPng(binaryBytes(data))).toBe(true);
		},
	);
});

describe('a result link that is gone', () => {
	it('names the link', async () => {
		simulator.respondOnce(
			{ path: '/api/v6/images/inpaint' },
			{
				body: {
					status: 'success',
					id: 5,
					output: [`${simulator.baseUrl}/generations/expired-0.png`],
				},
			},
		);
		const { error } = await inpaint(minimalParameters.community);
		expect(error?.message).toBe(
			`Could not download the image ${simulator.baseUrl}/generations/expired-0.png: HTTP 404`,
		);
		expect(error?.description).toContain('expire');
	});
});

describe('the poll schedule', () => {
	it('looks at half the eta, then just after it', () => {
		expect(nextPollDelayMs(0, 0, 10_000)).toBe(5_000 + 250);
		expect(nextPollDelayMs(1, 5_250, 10_000)).toBe(10_250 - 5_250);
		expect(nextPollDelayMs(0, 0, null)).toBe(1_500 + 145);
	});

	it('once the eta has passed, with no pace to go by, backs off with the time waited', () => {
		expect(nextPollDelayMs(2, 10_400, 10_000)).toBe(2_600);
		expect(nextPollDelayMs(3, 13_000, 10_000)).toBe(3_250);
		// At most 10 s between looks, however long the wait.
		expect(nextPollDelayMs(5, 200_000, 10_000)).toBe(10_000);
	});

	it("once the eta has passed, goes by the eta's pace: at most as far again as waited, at least a tenth", () => {
		expect(nextPollDelayMs(2, 10_400, 10_000, 9_600)).toBe(9_600 + 250);
		expect(nextPollDelayMs(2, 10_400, 10_000, 60_000)).toBe(10_400);
		expect(nextPollDelayMs(2, 10_400, 10_000, 0)).toBe(1_040);
	});

	it('reads the time left from how fast the eta runs down', () => {
		// An eta twice too short drops by half a second per second: 3 s said means 6 s left.
		expect(remainingByEtaPace({ atMs: 0, etaMs: 5_000 }, { atMs: 4_000, etaMs: 3_000 })).toBe(
			6_000,
		);
		// An accurate eta is taken as it is.
		expect(remainingByEtaPace({ atMs: 0, etaMs: 5_000 }, { atMs: 2_000, etaMs: 3_000 })).toBe(
			3_000,
		);
		// Readings too close together, an eta that stands still or grows: nothing to go by.
		expect(remainingByEtaPace({ atMs: 0, etaMs: 5_000 }, { atMs: 500, etaMs: 4_000 })).toBe(
			undefined,
		);
		expect(remainingByEtaPace({ atMs: 0, etaMs: 5_000 }, { atMs: 3_000, etaMs: 5_000 })).toBe(
			undefined,
		);
		expect(remainingByEtaPace({ atMs: 0, etaMs: 5_000 }, { atMs: 3_000, etaMs: 6_000 })).toBe(
			undefined,
		);
	});
});

describe('a job whose eta is twice too short', () => {
	it('is found finished with at most four fetches, its eta read from the fetch answers', async () => {
		simulator.settings.jobDurationMs = 3_000;
		simulator.settings.etaFactor = 0.5;
		const { output, error } = await inpaint(minimalParameters.community);
		expect(error).toBeUndefined();
		expect(output[0].json.status).toBe('success');
		expect(fetchesOf(`/api/v6/images/fetch/${simulator.jobs[0].id}`)).toBeLessThanOrEqual(4);
	});
});
