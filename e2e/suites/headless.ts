import { ModelsLabSimulator } from '../../simulator';
import { binaryBytes, pngSize } from '../support/binary';
import { nodeOutput, type Execution } from '../support/execution';
import { N8n } from '../support/n8n';
import { freePort } from '../support/processes';
import type { Major } from '../support/versions';
import { fanOut, loadExample, endpointNodes } from '../support/workflows';

const ids = {
	fromUrls: 'exampleFromUrls1',
	fetchLater: 'exampleFetchLate',
	endpoints: 'e2eEveryEndpoint',
	badField: 'e2eBadFieldCont1',
	submitHangs: 'e2eSubmitHangs01',
	submitRefused: 'e2eSubmitRefused',
	photoLinks: 'e2ePhotoLinks001',
};

/** Photos given as links the node can read (the simulator's samples, on the credential's host). */
const photoLinks = (simulatorUrl: string) =>
	fanOut(ids.photoLinks, 'Output size from photo links', [
		...(['imageEditing', 'community', 'legacy'] as const).map(
			(endpoint): [string, Record<string, unknown>] => [
				`Link ${endpoint}`,
				{
					endpoint,
					prompt: 'a red car',
					initImageUrl: `${simulatorUrl}/samples/photo-1024x768.png`,
					maskImageUrl: `${simulatorUrl}/samples/mask-1024x768.png`,
				},
			],
		),
		[
			'Link Wrong Mask',
			{
				endpoint: 'community',
				prompt: 'a red car',
				initImageUrl: `${simulatorUrl}/samples/photo-1024x768.png`,
				maskImageUrl: `${simulatorUrl}/samples/mask-512x512.png`,
			},
			{ onError: 'continueRegularOutput' },
		],
	]);

/** A second ModelsLab credential whose base URL is a port nothing listens on: every connection is refused. */
const nothingListening = {
	id: 'modelslab-nothing-listening',
	name: 'ModelsLab, nothing listening',
};
const COMMUNITY_SUBMIT = '/api/v6/images/inpaint';

const workflows = [
	loadExample('inpaint-from-urls.json', ids.fromUrls),
	loadExample('fetch-later-by-id.json', ids.fetchLater),
	fanOut(ids.endpoints, 'Every endpoint', endpointNodes),
	fanOut(ids.badField, 'A bad field, On Error: Continue', [
		// Community Models widths must be 512-1024 and divisible by 8: 700 is refused before sending.
		[
			'Bad Width',
			{
				endpoint: 'community',
				prompt: 'a red car',
				outputSize: 'custom',
				communityOptions: { width: 700 },
			},
			{ onError: 'continueRegularOutput' },
		],
		// An expression that resolves to text once made the node poll without pausing and never stop.
		[
			'Bad Max Wait',
			{
				endpoint: 'community',
				prompt: 'a red car',
				processingOptions: { maxWaitSeconds: '={{ "abc" }}', maxConcurrentJobs: '={{ 2 }}' },
			},
			{ onError: 'continueRegularOutput' },
		],
	]),
	fanOut(ids.submitHangs, 'The submit gets no answer', [
		[
			'Hanging Submit',
			{
				endpoint: 'community',
				prompt: 'a red car',
				processingOptions: { requestTimeoutSeconds: 2 },
			},
		],
	]),
	fanOut(ids.submitRefused, 'The submit cannot connect', [
		[
			'Refused Submit',
			// Max Wait 3 s: one retry after 2 s, then the error.
			{
				endpoint: 'community',
				prompt: 'a red car',
				processingOptions: { requestTimeoutSeconds: 2, maxWaitSeconds: 3 },
			},
			{ credentials: { modelsLabApi: nothingListening } },
		],
	]),
];

/** The error the run stopped with, as n8n execute prints it, naming the node it came from. */
function runError(
	execution: Execution,
	nodeName: string,
): { message: string; description: string } {
	expect(execution.data.resultData.lastNodeExecuted).toBe(nodeName);
	const { message = '', description = '' } = execution.data.resultData.error ?? {};
	return { message, description };
}

function expectSucceeded(execution: Execution): void {
	expect(execution.data.resultData.error).toBeUndefined();
	expect(execution.status ?? (execution.finished ? 'success' : 'unfinished')).toBe('success');
}

/** Example and test workflows run by `n8n execute` (one n8n boot per run), against the simulator. */
export function headlessSuite(major: Major): void {
	describe(`n8n ${major}.x headless (n8n execute)`, () => {
		const sim = new ModelsLabSimulator();
		let n8n: N8n;

		beforeAll(async () => {
			const simulatorUrl = await sim.start();
			n8n = await N8n.create(major, 'headless');
			// A port free a moment ago: nothing listens on it, so connecting is refused.
			await n8n.importCredential(simulatorUrl, [
				{ ...nothingListening, baseUrl: `http://127.0.0.1:${await freePort()}` },
			]);
			await n8n.importWorkflows([...workflows, photoLinks(simulatorUrl)]);
		}, 300_000);
		afterAll(() => sim.stop());
		beforeEach(() => sim.reset());

		test('examples/inpaint-from-urls.json runs unchanged and outputs the inpainted PNG', async () => {
			const execution = await n8n.execute(ids.fromUrls);

			expectSucceeded(execution);
			const [item] = nodeOutput(execution, 'ModelsLab Inpaint');
			expect(item.json).toMatchObject({ status: 'success', endpoint: 'imageEditing' });
			expect(item.json.output).toHaveLength(1);
			expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
				width: 512,
				height: 512,
			});
			const [submit] = sim.requestsTo('/api/v6/image_editing/inpaint');
			expect(submit.body).toMatchObject({
				key: 'sim-api-key',
				prompt: 'a cat sitting on a bench',
				negative_prompt: 'blurry, text, watermark',
			});
		});

		test('every endpoint waits for its queued job, then downloads the result', async () => {
			sim.settings.jobDurationMs = 1500;
			const execution = await n8n.execute(ids.endpoints);

			expectSucceeded(execution);
			for (const [nodeName, parameters] of endpointNodes) {
				const [item] = nodeOutput(execution, nodeName);
				expect(item.json).toMatchObject({ status: 'success', endpoint: parameters.endpoint });
				expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
					width: 512,
					height: 512,
				});
			}
			// Each job was queued first (the submit answered "processing") and fetched until done.
			expect(sim.jobs.map((job) => job.endpoint).sort()).toEqual([
				'community',
				'enterprise',
				'imageEditing',
				'legacy',
			]);
			expect(
				sim.requests.filter((request) => request.path.includes('fetch')).length,
			).toBeGreaterThanOrEqual(4);
			const enterprise = sim.requestsTo('/api/v1/enterprise/pony/inpaint');
			expect(enterprise[0].body).toMatchObject({
				key: 'sim-enterprise-key',
				model_id: 'pony-enterprise',
			});
		});

		test('examples/fetch-later-by-id.json: Inpaint returns at once, Fetch finds the job by its id', async () => {
			sim.settings.jobDurationMs = 2000;
			const execution = await n8n.execute(ids.fetchLater);

			expectSucceeded(execution);
			const [queued] = nodeOutput(execution, 'Queue Inpainting Job');
			expect(queued.json).toMatchObject({ status: 'processing', endpoint: 'community' });
			expect(queued.binary).toBeUndefined();
			const [fetched] = nodeOutput(execution, 'Fetch Result');
			expect(fetched.json).toMatchObject({ status: 'success', requestId: queued.json.requestId });
			expect(pngSize(binaryBytes(fetched, 'data', n8n.userFolder))).toEqual({
				width: 512,
				height: 512,
			});
		});

		test('On Error: Continue turns a bad field into an error item; the run still succeeds', async () => {
			const execution = await n8n.execute(ids.badField);

			expectSucceeded(execution);
			const [item] = nodeOutput(execution, 'Bad Width');
			expect(String(item.json.error)).toContain('Width');
			expect(String(item.json.error)).toContain('700');
			const [badWait] = nodeOutput(execution, 'Bad Max Wait');
			expect(badWait.json.error).toBe(
				'"Processing Options › Max Wait (Seconds)" must be a whole number from 1 to 3600 (got "abc") [item 0]',
			);
			expect(sim.requests).toHaveLength(0); // refused before anything was sent or billed
		});

		test('photos given as links keep their size (1024×768); a mask of another size is refused before sending', async () => {
			const execution = await n8n.execute(ids.photoLinks);

			expectSucceeded(execution);
			for (const endpoint of ['imageEditing', 'community', 'legacy']) {
				const [item] = nodeOutput(execution, `Link ${endpoint}`);
				expect(item.json).toMatchObject({
					status: 'success',
					endpoint,
					outputSize: { width: 1024, height: 768 },
					notice: null,
				});
				expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
					width: 1024,
					height: 768,
				});
			}
			expect(sim.requestsTo('/api/v6/images/inpaint')[0].body).toMatchObject({
				width: 1024,
				height: 768,
			});
			expect(sim.requestsTo('/api/v3/inpaint')[0].body).toMatchObject({
				width: '1024',
				height: '768',
			});
			expect(sim.requestsTo('/api/v6/image_editing/inpaint')[0].body).not.toHaveProperty('width');
			const [wrongMask] = nodeOutput(execution, 'Link Wrong Mask');
			expect(wrongMask.json.error).toBe(
				'"Mask" is 512×512 pixels, but the image is 1024×768: the mask must be exactly the size of the image [item 0]',
			);
			expect(sim.requestsTo('/api/v6/images/inpaint')).toHaveLength(1); // the wrong-mask job was never sent
		});

		test('a submit that gets no answer names the Request Timeout, warns the job may exist, and is not sent again', async () => {
			sim.respondOnce({ path: COMMUNITY_SUBMIT }, { fault: 'hang' });
			const execution = await n8n.execute(ids.submitHangs);

			const { message, description } = runError(execution, 'Hanging Submit');
			expect(message).toMatch(
				/^Could not reach ModelsLab at 127\.0\.0\.1:\d+: no answer within the request timeout of 2 s$/,
			);
			expect(description).toContain('was sent, but no answer arrived');
			expect(description).toContain('ModelsLab may have created this job');
			expect(sim.requestsTo(COMMUNITY_SUBMIT)).toHaveLength(1);
		});

		test('a submit whose connection is refused is reported as not sent, safe to run again', async () => {
			const execution = await n8n.execute(ids.submitRefused);

			const { message, description } = runError(execution, 'Refused Submit');
			expect(message).toMatch(
				/^Could not reach ModelsLab at 127\.0\.0\.1:\d+: the server refused the connection$/,
			);
			expect(description).toContain('was not sent');
			expect(description).toContain('(Tried 2 times.)');
			expect(description).toContain('No job was created, so running this item again is safe.');
			expect(description).not.toContain('may have created');
		});
	});
}
