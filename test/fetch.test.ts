/** The ModelsLab Fetch node picks up queued jobs by request ID or fetch URL. */
import { isPng } from '../simulator/png';
import { PACKAGE } from '../harness/engine';
import { minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();

const fetchNode = (
	parameters: Record<string, unknown>,
	items: Array<{ json: Record<string, unknown> }>,
	continueOnFail = false,
) =>
	inpaint(parameters as never, {
		nodeType: `${PACKAGE}.modelsLabFetch`,
		items: items as never,
		continueOnFail,
	});

/** Queues a job with the Inpaint node (Return Immediately) and returns its output items. */
async function queuedJobs(endpoint: string, count = 1, jobDurationMs = 400) {
	simulator.settings.jobDurationMs = jobDurationMs;
	const { output } = await inpaint(
		{ ...minimalParameters[endpoint], completion: 'immediate' },
		{ items: Array.from({ length: count }, () => ({ json: {} })) },
	);
	expect(output.every((item) => item.json.status === 'processing')).toBe(true);
	return output.map((item) => ({ json: item.json as Record<string, unknown> }));
}

describe('ModelsLab Fetch', () => {
	it.each(['imageEditing', 'community', 'legacy', 'enterprise'])(
		'%s: by request ID from the Inpaint output, waits and downloads the images',
		async (endpoint) => {
			const queued = await queuedJobs(endpoint);
			const { output, error } = await fetchNode({}, queued);
			expect(error).toBeUndefined();
			const [job] = simulator.jobs;
			expect(output[0].json).toMatchObject({
				status: 'success',
				requestId: String(job.id),
				endpoint,
				output: job.outputs,
			});
			expect(isPng(Buffer.from(output[0].binary!.data.data, 'base64'))).toBe(true);
		},
	);

	it('by fetch URL', async () => {
		const queued = await queuedJobs('community');
		const { output } = await fetchNode({ lookup: 'fetchUrl', downloadImages: false }, queued);
		expect(output[0].json.status).toBe('success');
		expect(output[0].binary).toBeUndefined();
		expect(
			simulator.requestsTo(`/api/v6/images/fetch/${simulator.jobs[0].id}`).length,
		).toBeGreaterThanOrEqual(1);
	});

	it('without waiting, outputs the current state', async () => {
		// A job that outlasts the two runs however loaded the machine: a 400 ms one could be done already.
		const queued = await queuedJobs('legacy', 1, 60_000);
		const { output } = await fetchNode({ waitForResult: false }, queued);
		expect(output[0].json).toMatchObject({
			status: 'processing',
			requestId: queued[0].json.requestId,
		});
	});

	it('several jobs in one run, in input order', async () => {
		const queued = await queuedJobs('imageEditing', 3);
		const { output } = await fetchNode({ downloadImages: false }, queued);
		expect(output.map((item) => item.json.requestId)).toEqual(
			queued.map((item) => item.json.requestId),
		);
		expect(output.map((item) => item.json.status)).toEqual(['success', 'success', 'success']);
	});

	it('an unknown request ID is an error with the API message', async () => {
		const { error } = await fetchNode({ requestId: '123', endpoint: 'community' }, [{ json: {} }]);
		expect(error?.message).toBe('ModelsLab: Request not found');
		expect(error?.description).toContain('Request id 123');
	});

	it('an item without a known endpoint is refused before anything is sent', async () => {
		const { error } = await fetchNode({ requestId: '123' }, [{ json: { endpoint: 'v9' } }]);
		expect(error?.message).toContain('"Endpoint"');
		expect(simulator.requests).toHaveLength(0);
	});

	it('a fetch URL on another host is refused, so the key never goes there', async () => {
		const { error } = await fetchNode(
			{ lookup: 'fetchUrl', fetchUrl: 'https://evil.example.com/api/v6/images/fetch/1' },
			[{ json: {} }],
		);
		expect(error?.message).toContain('is not on a ModelsLab host of the credential');
		expect(simulator.requests).toHaveLength(0);
	});

	it('On Error: Continue gives an error item and goes on', async () => {
		const queued = await queuedJobs('community');
		const { output } = await fetchNode(
			{ downloadImages: false },
			[{ json: { requestId: '999', endpoint: 'community' } }, ...queued],
			true,
		);
		expect(output[0]).toMatchObject({
			json: { error: 'ModelsLab: Request not found', requestId: '999' },
			pairedItem: { item: 0 },
		});
		expect(output[1]).toMatchObject({ json: { status: 'success' }, pairedItem: { item: 1 } });
	});
});
