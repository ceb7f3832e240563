/**
 * The ModelsLab Trigger served over loopback as n8n serves webhooks (test/support/trigger.ts),
 * with callbacks delivered by the simulator from jobs the Inpaint node submitted.
 */
import type { IDataObject } from 'n8n-workflow';

import { isPng } from '../simulator/png';
import { runNode } from '../harness/engine';
import { API_KEY, ENTERPRISE_KEY, minimalParameters, useSimulator } from './support/simulator';
import { TriggerServer } from './support/trigger';

const { simulator, credentials, inpaint } = useSimulator();

const servers: TriggerServer[] = [];
afterEach(async () => {
	await Promise.all(servers.splice(0).map(async (server) => await server.stop()));
});

/** A trigger that is served and activated, and the callback URL its GET shows. */
async function activeTrigger(parameters: IDataObject = {}) {
	const server = new TriggerServer(parameters, credentials());
	servers.push(server);
	await server.start();
	await server.activate();
	const shown = await server.get();
	return { server, callbackUrl: String(shown.json.callbackUrl) };
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
	return String(output[0].json.requestId);
}

const tokenOf = (url: string) => new URL(url).searchParams.get('token') ?? '';

/** As if the workflow had been deactivated two minutes ago, not just saved. */
function retireLongAgo(server: TriggerServer) {
	const secret = (server.staticData['node:ModelsLab Trigger'] as IDataObject)
		.callbackSecret as IDataObject;
	secret.retiredAt = new Date(Date.now() - 120_000).toISOString();
}

describe('activation and the callback URL', () => {
	it('makes a random token on activation, keeps it across restarts and saves, and retires it on deactivation', async () => {
		const { server, callbackUrl } = await activeTrigger();
		const token = tokenOf(callbackUrl);
		expect(token.length).toBeGreaterThanOrEqual(32);
		expect(callbackUrl).toBe(`${server.productionUrl}?token=${token}`);
		expect(JSON.stringify(server.staticData)).toContain(token);

		// n8n starting up again: the token stays.
		expect(await server.activate('init')).toBe('kept');
		expect(tokenOf(String((await server.get()).json.callbackUrl))).toBe(token);

		// Deactivated: the token opens nothing, and the URL is no longer shown.
		await server.deactivate();
		expect((await server.post({ status: 'success', id: 1 }, `?token=${token}`)).status).toBe(401);
		expect((await server.get()).status).toBe(403);

		// n8n 1.x saves an active workflow as deactivate + activate: the token is taken back.
		expect(await server.activate()).toBe('created');
		expect(tokenOf(String((await server.get()).json.callbackUrl))).toBe(token);

		// Deactivated for longer than that: a new token, the old one stays dead.
		await server.deactivate();
		retireLongAgo(server);
		await server.activate();
		const renewed = tokenOf(String((await server.get()).json.callbackUrl));
		expect(renewed).not.toBe(token);
		expect(renewed.length).toBe(token.length);
		expect((await server.post({ status: 'success', id: 1 }, `?token=${token}`)).status).toBe(401);
	});

	it('shows the URL only for a while after activation, and never before it', async () => {
		const server = new TriggerServer({}, credentials());
		servers.push(server);
		await server.start();
		const before = await server.get();
		expect(before.status).toBe(403);
		expect(before.json.error).toMatch(/Activate the workflow first/);

		await server.activate();
		const secret = server.staticData['node:ModelsLab Trigger'] as IDataObject;
		(secret.callbackSecret as IDataObject).revealUntil = new Date(Date.now() - 1000).toISOString();
		const after = await server.get();
		expect(after.status).toBe(403);
		expect(after.json.error).toMatch(/deactivate and activate the workflow again/);
		expect(after.body).not.toContain(String((secret.callbackSecret as IDataObject).token));
	});
});

describe('callbacks from ModelsLab', () => {
	it('a callback with the token starts exactly one execution with the same result the Fetch node outputs', async () => {
		const { server, callbackUrl } = await activeTrigger();
		const requestId = await submitWithCallback(callbackUrl);

		expect(simulator.callbacks).toEqual([
			expect.objectContaining({ status: 200, url: callbackUrl }),
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

	it("refuses calls without the token, with a wrong one, or with another trigger's, with 401 and no execution", async () => {
		const { server, callbackUrl } = await activeTrigger();
		const other = await activeTrigger();
		const token = tokenOf(callbackUrl);
		const body = { status: 'success', id: 123, output: ['https://evil.example.com/x.png'] };

		for (const query of [
			'',
			'?token=',
			`?token=${token.slice(0, -1)}x`,
			`?token=${tokenOf(other.callbackUrl)}`,
			`?token=${token}${token}`,
		]) {
			const reply = await server.post(body, query);
			expect({ query, status: reply.status }).toEqual({ query, status: 401 });
		}
		// The token in a header or the body does not count either: only the URL carries it.
		expect(
			(await server.post({ ...body, token }, '', { authorization: `Bearer ${token}` })).status,
		).toBe(401);
		expect(server.executions).toHaveLength(0);
		expect(simulator.requests).toHaveLength(0);
	});

	it('starts one execution for repeated deliveries of the same job, in turn or at the same moment', async () => {
		const { server, callbackUrl } = await activeTrigger();
		await submitWithCallback(callbackUrl);
		const jobId = simulator.jobs[0].id;

		await simulator.deliverCallback(jobId);
		await Promise.all([
			simulator.deliverCallback(jobId),
			simulator.deliverCallback(jobId),
			simulator.deliverCallback(jobId),
		]);

		expect(server.executions).toHaveLength(1);
		// Saved with the workflow, so that a restart of n8n does not forget it.
		expect((server.staticData['node:ModelsLab Trigger'] as IDataObject).startedRequestIds).toEqual([
			String(jobId),
		]);
		expect(simulator.callbacks.map((delivery) => delivery.status)).toEqual([
			200, 200, 200, 200, 200,
		]);
		const ignored = server.replies.filter((reply) => reply.json.started === false);
		expect(ignored).toHaveLength(4);
		expect(ignored[0].json.reason).toMatch(/already started this workflow/);
	});

	it('starts only for the chosen track ID', async () => {
		const { server, callbackUrl } = await activeTrigger({ trackId: '8' });
		await submitWithCallback(callbackUrl, 7);
		await submitWithCallback(callbackUrl, 8);
		await submitWithCallback(callbackUrl);

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
			const { server, callbackUrl } = await activeTrigger({ statusFilter });
			await submitWithCallback(callbackUrl);
			// A job that fails later in the queue (an instant failure is the submit's own answer).
			simulator.settings.jobDurationMs = 100;
			simulator.settings.failJobs = true;
			await submitWithCallback(callbackUrl);
			while (simulator.callbacks.length < 2)
				await new Promise((resolve) => setTimeout(resolve, 50));

			const statuses = server.executions.map((items) => items[0].json.status);
			expect(statuses.filter((status) => status === 'failed')).toHaveLength(failedStarts);
			expect(statuses.filter((status) => status === 'success')).toHaveLength(finishedStarts);
			const failed = server.executions.find((items) => items[0].json.status === 'failed');
			if (failed) expect(failed[0].json.message).toBe('Failed, Try Again');
		},
	);

	it('downloads the images into binary data when asked', async () => {
		const { server, callbackUrl } = await activeTrigger({ downloadImages: true });
		await submitWithCallback(callbackUrl);

		const item = server.executions[0][0];
		expect(item.binary?.data.mimeType).toBe('image/png');
		expect(isPng(Buffer.from(item.binary!.data.data, 'base64'))).toBe(true);
	});
});

describe('verification with the API', () => {
	it('outputs what ModelsLab reports, not the image links of a forged body', async () => {
		const { server, callbackUrl } = await activeTrigger();
		await submitWithCallback(callbackUrl);
		const job = simulator.jobs[0];
		const genuine = server.executions[0][0].json.output;
		server.executions.length = 0;
		// A second trigger gets a forged body for the same, real job.
		const second = await activeTrigger();
		await simulator.deliverCallback(job.id, second.callbackUrl, {
			status: 'success',
			id: job.id,
			output: ['https://evil.example.com/phish.png'],
		});

		expect(second.server.executions).toHaveLength(1);
		expect(second.server.executions[0][0].json.output).toEqual(genuine);
		expect(JSON.stringify(second.server.executions)).not.toContain('evil.example.com');
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
		const { server, callbackUrl } = await activeTrigger();
		const reply = await server.post(body, new URL(callbackUrl).search);
		expect(reply.status).toBe(409);
		expect(reply.json.error).toMatch(reason);
		expect(server.executions).toHaveLength(0);
	});

	it('refuses a success the API still reports as processing, and the genuine callback later starts it', async () => {
		simulator.settings.jobDurationMs = 1500;
		const { server, callbackUrl } = await activeTrigger();
		await submitWithCallback(callbackUrl);
		const job = simulator.jobs[0];
		const early = await server.post(
			{ status: 'success', id: job.id, output: ['https://evil.example.com/a.png'] },
			new URL(callbackUrl).search,
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
		await server.activate();
		const query = new URL(String((await server.get()).json.callbackUrl)).search;
		const reply = await server.post({ status: 'success', id: 31, output: [] }, query);
		expect(reply.status).toBe(502);
		expect(reply.json.error).toMatch(/Could not verify request 31 with ModelsLab/);
		expect(server.executions).toHaveLength(0);
		// Not remembered as started: the same id may still start the workflow later.
		expect(JSON.stringify(server.staticData)).not.toContain('startedRequestIds');
	});

	it('without verification, passes the body on as it came (the documented trust boundary)', async () => {
		const { server, callbackUrl } = await activeTrigger({ verifyWithApi: false });
		const reply = await server.post(
			{ status: 'success', id: 5, output: ['https://elsewhere.example.com/a.png'] },
			new URL(callbackUrl).search,
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
		const { server, callbackUrl } = await activeTrigger({
			verifyWithApi: false,
			downloadImages: true,
		});
		const reply = await server.post(
			{ status: 'success', id: 77, output: ['https://cdn.example.com/ok.png', link] },
			new URL(callbackUrl).search,
		);
		expect(reply.status).toBe(400);
		expect(reply.json.error).toContain(`Refused an image link: "${link}"`);
		expect(server.executions).toHaveLength(0);
	});

	it('checks proxy links too, and lets public links through', async () => {
		const { server, callbackUrl } = await activeTrigger({ verifyWithApi: false });
		const query = new URL(callbackUrl).search;
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
		const { server, callbackUrl } = await activeTrigger({ verifyWithApi: false });
		await server.post(
			{
				status: 'success',
				id: 80,
				output: ['https://cdn.example.com/a.png'],
				injected: { admin: true },
				__proto__x: 1,
			},
			new URL(callbackUrl).search,
		);
		expect(server.executions).toHaveLength(1);
		expect(Object.keys(server.executions[0][0].json)).not.toEqual(
			expect.arrayContaining(['injected']),
		);
		expect(JSON.stringify(server.executions)).not.toContain('admin');
	});
});

describe('late callbacks', () => {
	it('a callback after the workflow was deactivated gets 401; after a later re-activation it needs the new token', async () => {
		const { server, callbackUrl } = await activeTrigger();
		await server.deactivate();
		await submitWithCallback(callbackUrl);
		expect(simulator.callbacks[0].status).toBe(401);
		expect(server.executions).toHaveLength(0);

		retireLongAgo(server);
		await server.activate();
		await simulator.deliverCallback(simulator.jobs[0].id);
		expect(simulator.callbacks[1].status).toBe(401);
		const renewed = String((await server.get()).json.callbackUrl);
		await simulator.deliverCallback(simulator.jobs[0].id, renewed);
		expect(server.executions).toHaveLength(1);
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
		const { server, callbackUrl } = await activeTrigger();
		const reply = await server.post(body, new URL(callbackUrl).search);
		expect(reply.status).toBe(400);
		expect(reply.json.error).toMatch(problem);
		expect(server.executions).toHaveLength(0);
		expect(simulator.requests).toHaveLength(0);
	});

	it('refuses a body over 14 MB with 400 before reading it as a job', async () => {
		const { server, callbackUrl } = await activeTrigger();
		const padding = 'x'.repeat(14 * 1024 * 1024 + 1);
		const reply = await server.post(
			{ status: 'success', id: 1, padding },
			new URL(callbackUrl).search,
		);
		expect(reply.status).toBe(400);
		expect(reply.json.error).toMatch(/larger than 14 MB/);
		expect(server.executions).toHaveLength(0);
	});

	it('ignores a job that has not finished, with 200 so ModelsLab does not retry', async () => {
		const { server, callbackUrl } = await activeTrigger();
		const reply = await server.post(
			{ status: 'processing', id: 3, eta: 10 },
			new URL(callbackUrl).search,
		);
		expect(reply).toMatchObject({
			status: 200,
			json: { started: false, reason: 'Status "processing" is not a finished job' },
		});
		expect(server.executions).toHaveLength(0);
	});
});

it('never puts an API key into an answer or an output', async () => {
	const { server, callbackUrl } = await activeTrigger({ downloadImages: true });
	await submitWithCallback(callbackUrl);
	await server.post({ status: 'success', id: 424242 }, new URL(callbackUrl).search);
	await server.post('nonsense', new URL(callbackUrl).search);
	await server.get();

	expect(server.replies.length).toBeGreaterThanOrEqual(4);
	const everything = JSON.stringify([server.replies, server.executions]);
	for (const key of [API_KEY, ENTERPRISE_KEY]) expect(everything).not.toContain(key);
});
