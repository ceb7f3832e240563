/**
 * The ModelsLab Trigger served over loopback as n8n serves webhooks (test/support/trigger.ts),
 * with callbacks delivered by the simulator from jobs the Inpaint node submitted.
 */
import type { IDataObject } from 'n8n-workflow';

import { runNode } from '../harness/engine';
import { callbackSignature } from '../nodes/shared/callbacks/callbackSignature';
import { API_KEY, ENTERPRISE_KEY, minimalParameters, useSimulator } from './support/simulator';
import { TriggerServer } from './support/trigger';

const { simulator, credentials, inpaint } = useSimulator();

const servers: TriggerServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async (server) => await server.stop()));
});

/** A trigger served like a published workflow's, with the credential the Inpaint node uses. */
async function activeTrigger(parameters: IDataObject = {}, restartOf?: TriggerServer) {
	await restartOf?.idle();
	const server = new TriggerServer(parameters, credentials(), restartOf);
	servers.push(server);
	await server.start();
	return server;
}

/** Submits a job with the Inpaint node (Return Immediately) that calls back `webhook`. */
async function submitWithCallback(webhook: string, trackId?: number) {
	const { output, error } = await inpaint({
		...minimalParameters.imageEditing,
		completion: 'immediate',
		downloadImages: false,
		imageEditingAdvancedOptions: { webhook, ...(trackId === undefined ? {} : { trackId }) },
	});
	expect(error).toBeUndefined();
	await simulator.flushCallbacks();
	return { requestId: String(output[0].json.requestId), output };
}

const webhookIdOf = (url: string) => new URL(url).pathname.split('/').at(-2)!;
const sentWebhook = () =>
	String(
		(simulator.requestsTo('/api/v6/image_editing/inpaint').at(-1)!.body as IDataObject).webhook,
	);

describe('the signed callback URL', () => {
	it('the Inpaint node signs the Production URL it is given, and the call starts the workflow', async () => {
		const server = await activeTrigger();
		const { requestId, output } = await submitWithCallback(server.productionUrl);

		const signature = callbackSignature(API_KEY, webhookIdOf(server.productionUrl), 'imageEditing');
		expect(sentWebhook()).toBe(
			`${server.productionUrl}?endpoint=imageEditing&signature=${signature}`,
		);
		expect(simulator.callbacks).toEqual([
			expect.objectContaining({ status: 200, url: server.signedUrl }),
		]);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0][0].json).toMatchObject({ status: 'success', requestId });
		// The signature went to ModelsLab only: not into the Inpaint output, nor the trigger's.
		const outputs = JSON.stringify([output, server.executions, server.replies]);
		expect(outputs).not.toContain(signature);
		expect(output[0].json.meta).toMatchObject({ webhook: server.productionUrl });
		for (const key of [API_KEY, ENTERPRISE_KEY]) expect(outputs).not.toContain(key);
	});

	it.each([
		['a test URL', (id: string) => `https://n8n.example.com/webhook-test/${id}/callback`],
		[
			'a URL behind a path prefix, with a query',
			(id: string) => `https://example.com/n8n/webhook/${id}/callback?tenant=7`,
		],
		[
			'a URL that already has a (stale) signature',
			(id: string) => `https://n8n.example.com/webhook/${id}/callback?signature=old&x=1`,
		],
	])(
		'signs %s over the webhook path and the endpoint only, keeping other query parameters',
		async (_, urlOf) => {
			const id = '0b7d6a4e-1f2c-4d3e-8a9b-0c1d2e3f4a5b';
			await submitWithCallback(urlOf(id));
			const sent = new URL(sentWebhook());
			const given = new URL(urlOf(id));
			expect(sent.pathname).toBe(given.pathname);
			expect(sent.searchParams.get('endpoint')).toBe('imageEditing');
			expect(sent.searchParams.get('signature')).toBe(
				callbackSignature(API_KEY, id, 'imageEditing'),
			);
			given.searchParams.delete('signature');
			sent.searchParams.delete('signature');
			sent.searchParams.delete('endpoint');
			expect(sent.search).toBe(given.search);
		},
	);

	it.each([
		[
			'a JSON error that quotes it',
			(url: string) => ({
				body: { status: 'error', message: `Bad webhook ${url}`, meta: { webhook: url } },
			}),
		],
		['an HTML error page that quotes it', (url: string) => ({ status: 502, raw: `<p>${url}</p>` })],
	])('keeps the signature out of the error when ModelsLab answers with %s', async (_, answer) => {
		const id = '0b7d6a4e-1f2c-4d3e-8a9b-0c1d2e3f4a5b';
		const url = `https://n8n.example.com/webhook/${id}/callback`;
		const signature = callbackSignature(API_KEY, id, 'imageEditing');
		simulator.respondOnce(
			{ method: 'POST', path: '/api/v6/image_editing/inpaint' },
			answer(`${url}?endpoint=imageEditing&signature=${signature}`),
		);
		const { error } = await inpaint({
			...minimalParameters.imageEditing,
			completion: 'immediate',
			imageEditingAdvancedOptions: { webhook: url },
		});
		expect(error).toBeDefined();
		expect(sentWebhook()).toContain(signature);
		const shown = JSON.stringify([error?.message, error?.description, error?.context, error]);
		expect(shown).not.toContain(signature);
		expect(shown).toContain('signature=***');
	});

	it.each([
		['any other URL', 'https://hooks.example.com/modelslab?token=abc'],
		['a path that only looks like a trigger', 'https://example.com/webhook/not-a-uuid/callback'],
	])('sends %s unchanged', async (_, url) => {
		await submitWithCallback(url);
		expect(sentWebhook()).toBe(url);
	});

	it("refuses calls without the signature, with a wrong one, another trigger's or another key's, with 401 and no execution", async () => {
		const server = await activeTrigger();
		const other = await activeTrigger();
		const id = webhookIdOf(server.productionUrl);
		const signature = callbackSignature(API_KEY, id);
		const body = { status: 'success', id: 123, output: ['https://evil.example.com/x.png'] };

		for (const query of [
			'',
			'?signature=',
			`?signature=${signature.slice(0, -1)}x`,
			`?signature=${signature}${signature}`,
			other.signedQuery,
			`?signature=${callbackSignature('another-api-key', id)}`,
			`?signature=${callbackSignature(ENTERPRISE_KEY, id)}`,
			`?token=${signature}`,
		]) {
			const reply = await server.post(body, query);
			expect({ query, status: reply.status }).toEqual({ query, status: 401 });
			expect(reply.json.error).toMatch(/needs its signature/);
		}
		// The signature in a header or the body does not count either: only the URL carries it.
		expect(
			(await server.post({ ...body, signature }, '', { authorization: `Bearer ${signature}` }))
				.status,
		).toBe(401);
		expect(server.executions).toHaveLength(0);
		expect(simulator.requests).toHaveLength(0);
	});

	it('rotating the API key rotates the signature: URLs signed with the old key get 401', async () => {
		const server = await activeTrigger();
		await submitWithCallback(server.productionUrl);
		expect(server.executions).toHaveLength(1);

		const rotated = new TriggerServer({}, credentials({ apiKey: 'the-new-api-key' }), server);
		servers.push(rotated);
		await rotated.start();
		const reply = await rotated.post({ status: 'success', id: 1 }, server.signedQuery);
		expect(reply.status).toBe(401);
		expect(rotated.executions).toHaveLength(0);
	});
});

describe('one trigger for jobs of every endpoint', () => {
	it('a Community Models job calling a trigger set to v6 Image Editing is verified where it was sent, and output with its own endpoint', async () => {
		const server = await activeTrigger({ endpoint: 'imageEditing' });
		const { output, error } = await inpaint({
			...minimalParameters.community,
			completion: 'immediate',
			downloadImages: false,
			communityAdvancedOptions: { webhook: server.productionUrl },
		});
		expect(error).toBeUndefined();
		await simulator.flushCallbacks();
		const requestId = String(output[0].json.requestId);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0][0].json).toMatchObject({
			status: 'success',
			requestId,
			endpoint: 'community',
		});
		// Verified with the Community Models fetch, not v6 Image Editing's.
		expect(simulator.requestsTo(`/api/v6/images/fetch/${requestId}`)).toHaveLength(1);
		expect(simulator.requestsTo('/api/v6/image_editing/fetch')).toHaveLength(0);
	});

	it("a URL signed without the endpoint (earlier versions) is verified with the trigger's Endpoint; a changed endpoint breaks the signature", async () => {
		const server = await activeTrigger({ endpoint: 'imageEditing' });
		const { requestId } = await submitWithCallback('https://example.com/not-the-trigger');
		const body = { status: 'success', id: Number(requestId), output: [] };
		const earlier = await server.post(body, new URL(server.signedWithoutEndpoint).search);
		expect(earlier.status).toBe(200);
		expect(server.executions[0][0].json).toMatchObject({ requestId, endpoint: 'imageEditing' });
		const tampered = server.signedQuery.replace('endpoint=imageEditing', 'endpoint=community');
		expect((await server.post(body, tampered)).status).toBe(401);
		expect(server.executions).toHaveLength(1);
	});
});

describe('callbacks from ModelsLab', () => {
	it('a signed callback starts exactly one execution with the same result the Fetch node outputs', async () => {
		const server = await activeTrigger();
		const { requestId } = await submitWithCallback(server.productionUrl);

		expect(simulator.callbacks).toEqual([
			expect.objectContaining({ status: 200, url: server.signedUrl }),
		]);
		expect(server.executions).toHaveLength(1);
		const started = server.executions[0][0].json;
		const fetched = await runNode({
			nodeType: 'n8n-nodes-modelslab.modelsLabFetch',
			parameters: { requestId, endpoint: 'imageEditing', downloadImages: false },
			credentials: credentials(),
		});
		expect(Object.keys(started).sort()).toEqual(Object.keys(fetched.output[0].json).sort());
		expect(started).toMatchObject({
			status: 'success',
			requestId,
			endpoint: 'imageEditing',
			output: fetched.output[0].json.output,
		});
		expect((started.output as string[]).length).toBeGreaterThan(0);
	});

	it('starts one execution for repeated deliveries of the same job, in turn or at the same moment', async () => {
		const server = await activeTrigger();
		await submitWithCallback(server.productionUrl);
		const jobId = simulator.jobs[0].id;

		await simulator.deliverCallback(jobId);
		await Promise.all([
			simulator.deliverCallback(jobId),
			simulator.deliverCallback(jobId),
			simulator.deliverCallback(jobId),
		]);

		expect(server.executions).toHaveLength(1);
		expect(simulator.callbacks.map((delivery) => delivery.status)).toEqual([
			200, 200, 200, 200, 200,
		]);
		const ignored = server.replies.filter((reply) => reply.json.started === false);
		expect(ignored).toHaveLength(4);
		expect(ignored[0].json.reason).toMatch(/already started this workflow/);
	});

	it("saves started ids with the workflow although n8n 2.x resets static data's changed flag, so a restarted n8n starts nothing again", async () => {
		const server = await activeTrigger();
		await submitWithCallback(server.productionUrl);
		await submitWithCallback(server.productionUrl);
		const [first, second] = simulator.jobs.map((job) => String(job.id));
		expect(server.executions).toHaveLength(2);
		await server.idle();
		// Saved in the node's static data, and nothing else: the save hook itself is not stored.
		expect(server.staticData).toEqual({
			'node:ModelsLab Trigger': { startedRequestIds: [first, second] },
		});

		// The same workflow after a restart: nothing in memory, the static data as saved.
		const restarted = await activeTrigger({}, server);
		for (const job of simulator.jobs) await simulator.deliverCallback(job.id, restarted.signedUrl);
		expect(restarted.executions).toHaveLength(0);
		expect(restarted.replies.map((reply) => reply.json.reason)).toEqual([
			`Request ${first} has already started this workflow`,
			`Request ${second} has already started this workflow`,
		]);
	});

	it('keeps every id when callbacks of different jobs overlap (each call saves the static data it loaded, whole)', async () => {
		const server = await activeTrigger();
		for (let job = 0; job < 4; job++) {
			const { error } = await inpaint({
				...minimalParameters.imageEditing,
				completion: 'immediate',
				downloadImages: false,
			});
			expect(error).toBeUndefined();
		}
		const ids = simulator.jobs.map((job) => job.id);
		// The first call to start the workflow saves last.
		server.saveDelaysMs = [300];
		await Promise.all(ids.map(async (id) => await simulator.deliverCallback(id, server.signedUrl)));
		expect(server.executions).toHaveLength(4);
		await server.idle();
		const saved = (server.staticData['node:ModelsLab Trigger'] as IDataObject).startedRequestIds;
		expect([...(saved as string[])].sort()).toEqual(ids.map(String).sort());

		const restarted = await activeTrigger({}, server);
		await Promise.all(
			ids.map(async (id) => await simulator.deliverCallback(id, restarted.signedUrl)),
		);
		expect(restarted.executions).toHaveLength(0);
	});

	it("puts ids another process's save dropped back at its next call, so they survive its restart (several webhook processors)", async () => {
		for (let job = 0; job < 2; job++) {
			const { error } = await inpaint({
				...minimalParameters.imageEditing,
				completion: 'immediate',
				downloadImages: false,
			});
			expect(error).toBeUndefined();
		}
		const [first, second] = simulator.jobs.map((job) => job.id);
		// Two webhook processors of one workflow, both loaded from the same (empty) database.
		const one = await activeTrigger();
		const other = await activeTrigger({}, one);
		await simulator.deliverCallback(first, one.signedUrl);
		await one.idle();
		// The other processor answers a call that it loaded before that save, and saves last.
		await simulator.deliverCallback(second, other.signedUrl);
		await other.idle();
		expect(one.executions).toHaveLength(1);
		expect(other.executions).toHaveLength(1);
		const ids = (server: TriggerServer) =>
			(server.staticData['node:ModelsLab Trigger'] as IDataObject).startedRequestIds;
		one.staticData = structuredClone(other.staticData);
		expect(ids(one)).toEqual([String(second)]);

		// The next call the first processor gets (a refused repeat here) saves its id again.
		await simulator.deliverCallback(second, one.signedUrl);
		await one.idle();
		expect(one.executions).toHaveLength(1);
		expect(ids(one)).toEqual([String(second), String(first)]);
		const restarted = await activeTrigger({}, one);
		await simulator.deliverCallback(first, restarted.signedUrl);
		expect(restarted.executions).toHaveLength(0);
	});

	it('starts only for the chosen track ID', async () => {
		const server = await activeTrigger({ trackId: '8' });
		await submitWithCallback(server.productionUrl, 7);
		await submitWithCallback(server.productionUrl, 8);
		await submitWithCallback(server.productionUrl);

		expect(simulator.callbacks).toHaveLength(3);
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0][0].json.trackId).toBe('8');
		expect(
			server.replies.filter((reply) => /Track ID is not 8/.test(String(reply.json.reason))),
		).toHaveLength(2);
	});

	it.each([
		['success', 0, 1],
		['failed', 1, 0],
		['both', 1, 1],
	])(
		'status filter %s: starts for %i failed and %i finished jobs',
		async (statusFilter, failedStarts, finishedStarts) => {
			const server = await activeTrigger({ statusFilter });
			await submitWithCallback(server.productionUrl);
			// A job that fails later in the queue (an instant failure is the submit's own answer).
			simulator.settings.jobDurationMs = 100;
			simulator.settings.failJobs = true;
			await submitWithCallback(server.productionUrl);
			while (simulator.callbacks.length < 2)
				await new Promise((resolve) => setTimeout(resolve, 50));

			const statuses = server.executions.map((items) => items[0].json.status);
			expect(statuses.filter((status) => status === 'failed')).toHaveLength(failedStarts);
			expect(statuses.filter((status) => status === 'success')).toHaveLength(finishedStarts);
			const failed = server.executions.find((items) => items[0].json.status === 'failed');
			if (failed) expect(failed[0].json.message).toBe('Failed, Try Again');
		},
	);
});

describe('verification with the API', () => {
	it('outputs what ModelsLab reports, not the image links of a forged body', async () => {
		const server = await activeTrigger();
		await submitWithCallback(server.productionUrl);
		const job = simulator.jobs[0];
		const genuine = server.executions[0][0].json.output;
		server.executions.length = 0;
		// A second trigger gets a forged body for the same, real job.
		const second = await activeTrigger();
		await simulator.deliverCallback(job.id, second.signedUrl, {
			status: 'success',
			id: job.id,
			output: ['https://evil.example.com/phish.png'],
		});

		expect(second.executions).toHaveLength(1);
		expect(second.executions[0][0].json.output).toEqual(genuine);
		expect(JSON.stringify(second.executions)).not.toContain('evil.example.com');
		expect(simulator.requestsTo('/api/v6/image_editing/fetch/')).toHaveLength(2);
	});

	it.each([
		[
			'an id ModelsLab does not know',
			{ status: 'success', id: 99999, output: ['https://evil.example.com/a.png'] },
			/does not confirm request 99999: ModelsLab: Request not found/,
		],
		[
			'a failure of an id ModelsLab does not know',
			{ status: 'failed', id: 99999, message: 'x' },
			/does not confirm request 99999/,
		],
	])('refuses %s with 409 and starts nothing', async (_case, body, reason) => {
		const server = await activeTrigger();
		const reply = await server.post(body, server.signedQuery);
		expect(reply.status).toBe(409);
		expect(reply.json.error).toMatch(reason);
		expect(server.executions).toHaveLength(0);
	});

	it('refuses a success the API still reports as processing, and the genuine callback later starts it', async () => {
		simulator.settings.jobDurationMs = 1500;
		const server = await activeTrigger();
		await submitWithCallback(server.productionUrl);
		const job = simulator.jobs[0];
		const early = await server.post(
			{ status: 'success', id: job.id, output: ['https://evil.example.com/a.png'] },
			server.signedQuery,
		);
		expect(early.status).toBe(409);
		expect(early.json.error).toMatch(/reports request \d+ as "processing", not "success"/);

		while (simulator.callbacks.length === 0)
			await new Promise((resolve) => setTimeout(resolve, 100));
		expect(server.executions).toHaveLength(1);
		expect(server.executions[0][0].json.status).toBe('success');
		expect(JSON.stringify(server.executions)).not.toContain('evil.example.com');
	});

	it('answers 502 and starts nothing when ModelsLab cannot be reached to verify, so a later delivery can start it', async () => {
		const server = new TriggerServer({}, credentials({ baseUrl: 'http://127.0.0.1:9' }));
		servers.push(server);
		await server.start();
		const reply = await server.post({ status: 'success', id: 31, output: [] }, server.signedQuery);
		expect(reply.status).toBe(502);
		expect(reply.json.error).toMatch(/Could not verify request 31 with ModelsLab/);
		expect(server.executions).toHaveLength(0);
		// Not remembered as started: the same id may still start the workflow later.
		expect(JSON.stringify(server.staticData)).not.toContain('startedRequestIds');
	});

	it('without verification, passes the body on as it came (the documented trust boundary)', async () => {
		const server = await activeTrigger({ verifyWithApi: false });
		const reply = await server.post(
			{ status: 'success', id: 5, output: ['https://elsewhere.example.com/a.png'] },
			server.signedQuery,
		);
		expect(reply.status).toBe(200);
		expect(server.executions[0][0].json.output).toEqual(['https://elsewhere.example.com/a.png']);
		expect(simulator.requests).toHaveLength(0);
	});
});

describe('without verification', () => {
	it.each([
		['loopback', 'http://127.0.0.1:5678/rest/owner'],
		['loopback written as a number', 'http://2130706433/x.png'],
		['a private network', 'https://10.1.2.3/x.png'],
		['a private network (172.16/12)', 'https://172.20.0.5/x.png'],
		['a home router', 'http://192.168.1.1/x.png'],
		['the cloud metadata service', 'http://169.254.169.254/latest/meta-data/'],
		['IPv6 loopback', 'http://[::1]/x.png'],
		['IPv6 unique local', 'http://[fd00::1]/x.png'],
		['IPv4-mapped IPv6 loopback', 'http://[::ffff:127.0.0.1]/x.png'],
		['localhost', 'http://localhost:5678/x.png'],
		['a bare host name', 'http://intranet-files/x.png'],
		['a .local name', 'http://printer.local/x.png'],
		['a file link', 'file:///etc/passwd'],
		['a javascript link', 'javascript:alert(1)'],
	])('refuses an output link to %s with 400 and starts nothing', async (_case, link) => {
		const server = await activeTrigger({ verifyWithApi: false });
		const reply = await server.post(
			{ status: 'success', id: 77, output: ['https://cdn.example.com/ok.png', link] },
			server.signedQuery,
		);
		expect(reply.status).toBe(400);
		expect(reply.json.error).toContain(`Refused an image link: "${link}"`);
		expect(server.executions).toHaveLength(0);
	});

	it('checks proxy links too, and lets public links through', async () => {
		const server = await activeTrigger({ verifyWithApi: false });
		const query = server.signedQuery;
		const proxied = await server.post(
			{
				status: 'success',
				id: 78,
				output: ['https://cdn.example.com/a.png'],
				proxy_links: { 0: 'http://10.0.0.9/a.png' },
			},
			query,
		);
		expect(proxied.status).toBe(400);
		const fine = await server.post(
			{
				status: 'success',
				id: 79,
				output: ['https://172.32.0.1/a.png', 'https://cdn.example.com/b.png'],
			},
			query,
		);
		expect(fine.status).toBe(200);
		expect(server.executions).toHaveLength(1);
	});

	it('passes extra fields over and does not output them', async () => {
		const server = await activeTrigger({ verifyWithApi: false });
		await server.post(
			{
				status: 'success',
				id: 80,
				output: ['https://cdn.example.com/a.png'],
				injected: { admin: true },
				__proto__x: 1,
			},
			server.signedQuery,
		);
		expect(server.executions).toHaveLength(1);
		expect(Object.keys(server.executions[0][0].json)).not.toEqual(
			expect.arrayContaining(['injected']),
		);
		expect(JSON.stringify(server.executions)).not.toContain('admin');
	});
});

describe('malformed calls', () => {
	it.each([
		['text that is not JSON', 'status=success&id=1', /not a JSON object/],
		['a JSON array', '[{"status":"success","id":1}]', /not a JSON object/],
		['a JSON string', '"success"', /not a JSON object/],
		['an empty object', '{}', /not a JSON object/],
		['no status', '{"id":1,"output":[]}', /no "status"/],
		['no id', '{"status":"success","output":[]}', /no request "id"/],
		['an empty id', '{"status":"success","id":""}', /no request "id"/],
		['an object as id', '{"status":"success","id":{"$gt":0}}', /no request "id"/],
	])('refuses %s with 400 and starts nothing', async (_case, body, problem) => {
		const server = await activeTrigger();
		const reply = await server.post(body, server.signedQuery);
		expect(reply.status).toBe(400);
		expect(reply.json.error).toMatch(problem);
		expect(server.executions).toHaveLength(0);
		expect(simulator.requests).toHaveLength(0);
	});

	it('refuses a body over 14 MB with 400 before reading it as a job', async () => {
		const server = await activeTrigger();
		const padding = 'x'.repeat(14 * 1024 * 1024 + 1);
		const reply = await server.post({ status: 'success', id: 1, padding }, server.signedQuery);
		expect(reply.status).toBe(400);
		expect(reply.json.error).toMatch(/larger than 14 MB/);
		expect(server.executions).toHaveLength(0);
	});

	it('ignores a job that has not finished, with 200 so ModelsLab does not retry', async () => {
		const server = await activeTrigger();
		const reply = await server.post({ status: 'processing', id: 3, eta: 10 }, server.signedQuery);
		expect(reply).toMatchObject({
			status: 200,
			json: { started: false, reason: 'Status "processing" is not a finished job' },
		});
		expect(server.executions).toHaveLength(0);
	});
});

it('never puts an API key into an answer or an output', async () => {
	const server = await activeTrigger();
	await submitWithCallback(server.productionUrl);
	await server.post({ status: 'success', id: 424242 }, server.signedQuery);
	await server.post('nonsense', server.signedQuery);
	await server.post('nonsense');

	expect(server.replies.length).toBeGreaterThanOrEqual(4);
	const everything = JSON.stringify([server.replies, server.executions]);
	for (const key of [API_KEY, ENTERPRISE_KEY]) expect(everything).not.toContain(key);
});
