/**
 * ModelsLab's answers in all their documented shapes: errors inside HTTP 200, HTTP errors, legacy
 * spellings, field-error objects, and usable answers with odd shapes. Errors carry the API's own
 * words; usable answers become the same stable result shape.
 */
import { minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint, credentials } = useSimulator();

const COMMUNITY_ROUTE = '/api/v6/images/inpaint';
const LEGACY_ROUTE = '/api/v3/inpaint';

describe('an API error', () => {
	it('a bad key answered with HTTP 200 and status "error" is a NodeApiError with the API message', async () => {
		const { error, output } = await inpaint(minimalParameters.imageEditing, {
			credentials: credentials({ apiKey: 'not-a-real-key-123' }),
		});
		expect(output).toEqual([]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe('ModelsLab: Invalid Api Key');
		expect(error?.httpCode).toBe('200');
	});

	it('a bad key answered with HTTP 401 reads the same', async () => {
		simulator.settings.invalidKeyStyle = 'http401';
		const { error } = await inpaint(minimalParameters.community, {
			credentials: credentials({ apiKey: 'not-a-real-key-123' }),
		});
		expect(error?.message).toBe('ModelsLab: Invalid Api Key');
		expect(error?.httpCode).toBe('401');
	});

	it('field errors sent as an object are listed field by field', async () => {
		simulator.respondOnce(
			{ path: LEGACY_ROUTE },
			{
				body: {
					status: 'error',
					message: { prompt: ['The prompt field is required.'], width: ['Too wide.'] },
				},
			},
		);
		const { error } = await inpaint(minimalParameters.legacy);
		expect(error?.message).toBe(
			'ModelsLab: prompt: The prompt field is required.; width: Too wide.',
		);
	});

	it('the legacy spelling "messege" is read, with its tip', async () => {
		simulator.respondOnce(
			{ path: LEGACY_ROUTE },
			{
				body: { status: 'error', messege: 'Invalid API Request', tip: 'Send the request as JSON' },
			},
		);
		const { error } = await inpaint(minimalParameters.legacy);
		expect(error?.message).toBe('ModelsLab: Invalid API Request');
		expect(error?.description).toContain('Send the request as JSON');
	});

	it('a failed job with an empty id reports the API message', async () => {
		simulator.settings.failJobs = true;
		simulator.respondOnce(
			{ path: COMMUNITY_ROUTE },
			{ body: { status: 'failed', id: '', message: 'Failed, Try Again', output: '' } },
		);
		const { error } = await inpaint(minimalParameters.community);
		expect(error?.message).toBe('ModelsLab: Failed, Try Again');
		expect(error?.description).not.toContain('request id');
	});

	it('an unknown model id', async () => {
		simulator.respondOnce(
			{ path: COMMUNITY_ROUTE },
			{ body: { status: 'error', message: 'Model id not found' } },
		);
		const { error } = await inpaint(minimalParameters.community);
		expect(error?.message).toBe('ModelsLab: Model id not found');
	});

	it('insufficient credits, HTTP 402', async () => {
		simulator.respondOnce(
			{ path: COMMUNITY_ROUTE },
			{
				status: 402,
				body: {
					status: 'error',
					message: 'Insufficient credits. Please add more credits to continue.',
				},
			},
		);
		const { error } = await inpaint(minimalParameters.community);
		expect(error?.message).toBe(
			'ModelsLab: Insufficient credits. Please add more credits to continue.',
		);
		expect(error?.httpCode).toBe('402');
	});

	it('a queue that stays full (HTTP 429) is asked again until Max Wait, then reported with the API message', async () => {
		simulator.settings.queueLimit = 1;
		simulator.settings.jobDurationMs = 60_000;
		// One item at a time, so item 0 takes the queue's one place: side by side, item 1's submit
		// can arrive first on a loaded machine.
		const { output } = await inpaint(
			{
				...minimalParameters.community,
				completion: 'immediate',
				processingOptions: { maxConcurrentJobs: 1, maxWaitSeconds: 3 },
			},
			{
				items: [{ json: {} }, { json: {} }],
				continueOnFail: true,
			},
		);
		expect(output[0].json.status).toBe('processing');
		expect(output[1].json).toMatchObject({
			error: 'ModelsLab: Rate limit exceeded. Maximum 1 queued requests allowed.',
			httpCode: '429',
		});
		expect(String(output[1].json.description)).toMatch(
			/\(Tried \d+ times\.\) ModelsLab refused the job until Max Wait ran out \(your plan's job queue stayed full\); the job was not created, so running this item again is safe\.$/,
		);
		expect(simulator.jobs).toHaveLength(1);
		// Item 1 was asked again (after about 1 and 2 s) within its 3 s, and no refusal created a job.
		expect(simulator.requestsTo(COMMUNITY_ROUTE).length).toBeGreaterThanOrEqual(3);
	});

	it('an HTML error page (HTTP 502) is reported as such', async () => {
		simulator.respondOnce(
			{ path: COMMUNITY_ROUTE },
			{
				status: 502,
				raw: '<html><body>Bad Gateway</body></html>',
				headers: { 'content-type': 'text/html' },
			},
		);
		const { error } = await inpaint(minimalParameters.community);
		expect(error?.message).toBe(
			`ModelsLab answered ${COMMUNITY_ROUTE} with HTTP 502 and a body that is not JSON`,
		);
		expect(error?.description).toContain('Bad Gateway');
	});

	it('an HTTP error with a JSON body but no status uses the HTTP code', async () => {
		simulator.respondOnce({ path: COMMUNITY_ROUTE }, { status: 503, body: {} });
		const { error } = await inpaint(minimalParameters.community);
		expect(error?.message).toBe('ModelsLab: HTTP 503');
	});

	it('an unreachable API names the host', async () => {
		// Max Wait 1 s: no room for the 2 s pause before trying a submit that was not sent again (retries
		// are faults.submit.test.ts's), so the test does not wait 14 s of pauses.
		const { error } = await inpaint(
			{ ...minimalParameters.community, processingOptions: { maxWaitSeconds: 1 } },
			{
				credentials: credentials({ baseUrl: 'http://127.0.0.1:9' }),
			},
		);
		expect(error?.name).toBe('NodeApiError');
		expect(`${error?.message} ${error?.description}`).toMatch(/127\.0\.0\.1:9|refused/);
	});
});

describe('a usable answer with a quirk', () => {
	it('proxy_links as an object map becomes a list in index order', async () => {
		simulator.settings.proxyLinksAsObject = true;
		const { output } = await inpaint({
			...minimalParameters.community,
			communityOptions: { samples: 2 },
		});
		const [job] = simulator.jobs;
		expect(output[0].json.output).toEqual(job.outputs);
		expect(output[0].json.proxyLinks).toHaveLength(2);
		expect((output[0].json.proxyLinks as string[])[0]).toContain(job.outputs[0].split('/').pop());
	});

	it('a processing answer sent with HTTP 400 is still a queued job, not an error', async () => {
		simulator.respondOnce(
			{ path: COMMUNITY_ROUTE },
			{
				status: 400,
				body: {
					status: 'processing',
					id: 4242,
					eta: 12.5,
					output: [],
					messege: 'Try to fetch request after seconds estimated',
				},
			},
		);
		const { output, error } = await inpaint({
			...minimalParameters.community,
			completion: 'immediate',
		});
		expect(error).toBeUndefined();
		expect(output[0].json).toMatchObject({
			status: 'processing',
			requestId: '4242',
			eta: 12.5,
			output: [],
			message: 'Try to fetch request after seconds estimated',
			fetchUrl: `${simulator.baseUrl}/api/v6/images/fetch/4242`,
		});
	});

	it('the legacy queued answer (output "" and messege) keeps the fetch URL the API gave', async () => {
		simulator.settings.jobDurationMs = 30_000;
		const { output } = await inpaint({ ...minimalParameters.legacy, completion: 'immediate' });
		const [job] = simulator.jobs;
		const answer = simulator.requests[0];
		expect(answer.path).toBe(LEGACY_ROUTE);
		expect(output[0].json).toMatchObject({
			status: 'processing',
			requestId: String(job.id),
			output: [],
			message: 'Try to fetch request after seconds estimated',
			fetchUrl: `${simulator.baseUrl}/api/v3/fetch/${job.id}`,
			// The time left when the answer went: 29.99 s once a loaded machine is a few ms slower.
			eta: expect.closeTo(30, 0),
		});
	});

	it('the enterprise queued answer without fetch_result points at the body-style fetch route', async () => {
		simulator.respondOnce(
			{ path: '/api/v1/enterprise/pony/inpaint' },
			{ body: { status: 'processing', id: 77, eta: 20, output: [] } },
		);
		const { output } = await inpaint({ ...minimalParameters.enterprise, completion: 'immediate' });
		expect(output[0].json.fetchUrl).toBe(`${simulator.baseUrl}/api/v1/enterprise/pony/fetch`);
		expect(output[0].json.requestId).toBe('77');
	});

	it('every result has the same keys whatever the answer looked like', async () => {
		simulator.respondOnce(
			{ path: COMMUNITY_ROUTE },
			{ body: { status: 'success', id: 1, output: 'https://cdn.example.com/a.png' } },
		);
		const linksOnly = { ...minimalParameters.community, downloadImages: false };
		const minimal = await inpaint(linksOnly);
		const full = await inpaint(linksOnly);
		expect(Object.keys(minimal.output[0].json).sort()).toEqual(
			Object.keys(full.output[0].json).sort(),
		);
		expect(minimal.output[0].json.output).toEqual(['https://cdn.example.com/a.png']);
		expect(minimal.output[0].json.meta).toEqual({});
	});
});

describe('On Error: Continue', () => {
	it('an API error becomes an error item with the API message, and later items still run', async () => {
		simulator.respondOnce(
			{ path: COMMUNITY_ROUTE },
			{ body: { status: 'error', message: 'Model id not found' } },
		);
		// One item at a time, so the canned answer goes to item 0's submit (side by side, item 1's can come first).
		const { output, error } = await inpaint(
			{ ...minimalParameters.community, processingOptions: { maxConcurrentJobs: 1 } },
			{
				items: [{ json: {} }, { json: {} }],
				continueOnFail: true,
			},
		);
		expect(error).toBeUndefined();
		expect(output[0]).toEqual({
			json: {
				error: 'ModelsLab: Model id not found',
				description: expect.any(String),
				httpCode: '200',
				requestId: null,
			},
			pairedItem: { item: 0 },
		});
		expect(output[1]).toMatchObject({ json: { status: 'success' }, pairedItem: { item: 1 } });
	});
});
