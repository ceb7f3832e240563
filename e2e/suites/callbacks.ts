import { makeMask, makePhoto, type ModelsLabSimulator } from '../../simulator';
import { binaryBytes, pngSize } from '../support/binary';
import { callbackWorkflows } from '../support/callbackWorkflows';
import { nodeOutput } from '../support/execution';
import type { N8n } from '../support/n8n';
import { waitFor } from '../support/processes';
import { served, type RunningN8n } from '../support/running-n8n';
import type { ExecutionSummary, N8nServer } from '../support/server';
import { nodeOfType } from '../support/workflows';

const { jobs, race, lost, laterWait } = callbackWorkflows;
const FETCH_PATH = '/api/v6/image_editing/fetch';

/** The one execution of a workflow once it has the given status. */
async function executionWith(
	server: N8nServer,
	workflowId: string,
	status: string,
	timeoutMs = 60_000,
): Promise<ExecutionSummary> {
	return await waitFor(
		`an execution of ${workflowId} with status ${status}`,
		async () => {
			const executions = await server.executionsOf(workflowId);
			if (executions.length > 1) throw new Error(`${executions.length} executions`);
			return executions[0]?.status === status ? executions[0] : undefined;
		},
		timeoutMs,
		250,
	);
}

/** Starts a workflow of callbackWorkflows; n8n may still be activating it just after its start (404). */
async function startJobs(n8n: N8n, path: string, count: number) {
	await waitFor(`the webhook ${path}`, async () => {
		const response = await fetch(`${n8n.baseUrl}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				jobs: Array.from({ length: count }, (_, i) => ({ prompt: `a red car ${i}` })),
			}),
		});
		if (response.status === 404) return undefined;
		expect(response.status).toBe(200);
		return true;
	});
}

/** Each item is the result of the job its input item asked for (`a red car <index>`). */
function expectJobsInItemOrder(sim: ModelsLabSimulator, requestIds: unknown[]) {
	expect(
		requestIds.map((id) => sim.jobs.find((job) => String(job.id) === id)?.body.prompt),
	).toEqual(requestIds.map((_, i) => `a red car ${i}`));
}

const post = async (url: string, body: unknown = {}) =>
	await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
	});

/** Fetches that reached the simulator while no job had finished yet: only the check before waiting. */
function fetchesBeforeFirstJobDone(sim: ModelsLabSimulator) {
	const firstDone = Math.min(...sim.jobs.map((job) => job.readyAt));
	return sim.requestsTo(FETCH_PATH).filter((request) => request.receivedAt < firstDone);
}

/**
 * Resume on Callback in a running n8n (n8n start): ModelsLab's callbacks resume the waiting
 * execution through n8n's own /webhook-waiting route.
 */
export function callbacksSuite(running: () => RunningN8n): void {
	describe('Resume on Callback → Wait for Callbacks', () => {
		let sim: ModelsLabSimulator;
		let n8n: N8n;
		let server: N8nServer;
		beforeAll(() => {
			({ sim, n8n, server } = running());
		});
		beforeEach(() => sim.reset());

		test('examples/inpaint-wait-for-callbacks.json: one uploaded photo, resumed by its callback', async () => {
			sim.settings.jobDurationMs = 2500;
			const form = served.callbacks;
			const formTrigger = nodeOfType(form, 'n8n-nodes-base.formTrigger');
			const upload = new FormData();
			upload.append('field-0', new Blob([makePhoto(640, 480)], { type: 'image/png' }), 'photo.png');
			upload.append('field-1', new Blob([makeMask(640, 480)], { type: 'image/png' }), 'mask.png');
			upload.append('field-2', 'a bunch of red roses');
			const formUrl = `${n8n.baseUrl}/form/${formTrigger.webhookId}`;
			// n8n may still be activating the workflow just after its start.
			await waitFor('the form', async () =>
				(await fetch(formUrl)).status === 200 ? true : undefined,
			);
			const response = await fetch(formUrl, { method: 'POST', body: upload });
			expect(response.status).toBe(200);

			const waiting = await executionWith(server, form.id, 'waiting', 30_000);
			const finished = await executionWith(server, form.id, 'success');
			expect(finished.id).toBe(waiting.id);
			const stored = await server.storedExecution(finished.id);
			const [resumed] = nodeOutput(stored, 'Wait for Callbacks');
			const [item] = nodeOutput(stored, 'Finish Late Jobs');
			expect(resumed.json).toMatchObject({
				status: 'success',
				requestId: String(sim.jobs[0].id),
				output: sim.jobs[0].outputs,
			});
			expect(item.json).toEqual(resumed.json);
			expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
				width: 640,
				height: 480,
			});
			// ModelsLab got a real answer; nothing was fetched while waiting for it.
			expect(sim.callbacks).toEqual([
				expect.objectContaining({ status: 200, answer: '{"received":true}' }),
			]);
			expect(fetchesBeforeFirstJobDone(sim)).toHaveLength(1);
			// The callback went to this execution's waiting route with the node's own path.
			const url = new URL(String(sim.jobs[0].body.webhook));
			expect(url.pathname).toBe(`/webhook-waiting/${finished.id}/modelslab-callback`);
			expect(url.searchParams.get('mlcb')).toMatch(/^[0-9a-f]{32}$/);
			if (n8n.install.major === 2) expect(url.searchParams.get('signature')).toMatch(/^\w{20,}$/);

			// ModelsLab delivering again after the resume: n8n answers 409, nothing runs again.
			expect((await sim.deliverCallback(sim.jobs[0].id)).status).toBe(409);
			expect(await server.executionsOf(form.id)).toHaveLength(1);
		});

		test('5 jobs: every callback is checked at ModelsLab, forged calls change nothing, the last callback resumes', async () => {
			sim.settings.jobDurationMs = 4000;
			sim.settings.jobDurationStepMs = 500;
			await startJobs(n8n, 'e2e-callback-jobs', 5);
			const waiting = await executionWith(server, jobs.id, 'waiting', 30_000);
			await waitFor('5 jobs', async () => (sim.jobs.length === 5 ? true : undefined));
			const callbackUrl = new URL(String(sim.jobs[0].body.webhook));
			const before = sim.requests.length;

			// Forged while waiting: a wrong nonce, a wrong n8n token, an unknown execution.
			const wrongNonce = new URL(callbackUrl);
			wrongNonce.searchParams.set('mlcb', 'f'.repeat(32));
			const forged = { status: 'success', id: sim.jobs[0].id, output: ['http://127.0.0.1/x.png'] };
			expect((await post(wrongNonce.toString(), forged)).status).toBe(403);
			if (n8n.install.major === 2) {
				const wrongToken = new URL(callbackUrl);
				wrongToken.searchParams.set('signature', '0'.repeat(64));
				expect((await post(wrongToken.toString(), forged)).status).toBe(401);
			}
			const otherExecution = new URL(callbackUrl);
			otherExecution.pathname = otherExecution.pathname.replace(`/${waiting.id}/`, '/999999/');
			expect((await post(otherExecution.toString(), forged)).status).toBe(404);
			expect(sim.requests).toHaveLength(before);
			expect((await executionWith(server, jobs.id, 'waiting')).id).toBe(waiting.id);

			const finished = await executionWith(server, jobs.id, 'success');
			expect(finished.id).toBe(waiting.id);
			const stored = await server.storedExecution(finished.id);
			const items = nodeOutput(stored, 'Get Result');
			expect(items.map((item) => item.json.status)).toEqual(Array(5).fill('success'));
			expectJobsInItemOrder(
				sim,
				items.map((item) => item.json.requestId),
			);
			for (const item of items)
				expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
					width: 512,
					height: 512,
				});
			await sim.flushCallbacks();
			expect(sim.callbacks.map((callback) => callback.status)).toEqual(Array(5).fill(200));
			// How long n8n took to answer a callback (load the execution, one or more checks).
			const answerMs = sim.callbacks.map(
				(callback) =>
					callback.deliveredAt - sim.jobs.find((job) => job.id === callback.jobId)!.readyAt,
			);
			console.log(
				`[e2e] n8n ${n8n.install.major}.x, callbacks answered after (ms): ${answerMs.join(', ')}`,
			);
			// No polling: the check before waiting, then one check per early callback and five at the
			// end (image editing rounds etas to whole seconds, so one job may be checked out of order).
			expect(fetchesBeforeFirstJobDone(sim)).toHaveLength(1);
			const fetches = sim.requestsTo(FETCH_PATH).length;
			console.log(`[e2e] n8n ${n8n.install.major}.x, 5 jobs: ${fetches} fetches`);
			expect(fetches).toBeLessThanOrEqual(1 + 2 * 5);
		});

		test('three final callbacks at the same moment resume the execution once (n8n 1.x would resume it twice)', async () => {
			sim.settings.jobDurationMs = 2000;
			for (const id of [90000001, 90000002, 90000003]) sim.lostCallbacks.add(id);
			await startJobs(n8n, 'e2e-callback-race', 3);
			const waiting = await executionWith(server, race.id, 'waiting', 30_000);
			await waitFor('the 3 jobs', async () =>
				sim.jobs.length === 3 && sim.jobs.every((job) => job.status === 'success')
					? true
					: undefined,
			);
			const answers = await Promise.all(sim.jobs.map((job) => sim.deliverCallback(job.id)));
			console.log(
				`[e2e] n8n ${n8n.install.major}.x, racing final callbacks answered: ${answers.map((answer) => answer.status).join(', ')}`,
			);
			expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(1);
			const finished = await executionWith(server, race.id, 'success');
			expect(finished.id).toBe(waiting.id);
			await new Promise((resolve) => setTimeout(resolve, 2000));
			const { runData } = await server.executionData(finished.id);
			expect((runData['Get Result'] as unknown[]).length).toBe(1);
			expect(await server.executionsOf(race.id)).toHaveLength(1);
		});

		test('a lost last callback: after Max Wait the job references flow on, and Get Result finishes the job', async () => {
			sim.settings.jobDurationMs = 2000;
			sim.lostCallbacks.add(90000001);
			await startJobs(n8n, 'e2e-callback-lost', 1);
			const waiting = await executionWith(server, lost.id, 'waiting', 30_000);
			// n8n resumes a short wait at its next wait-tracker round: up to a minute late.
			const finished = await executionWith(server, lost.id, 'success', 150_000);
			expect(finished.id).toBe(waiting.id);
			const stored = await server.storedExecution(finished.id);
			const [passedOn] = nodeOutput(stored, 'Wait for Callbacks');
			expect(passedOn.json).toMatchObject({ status: 'processing', requestId: '90000001' });
			const [item] = nodeOutput(stored, 'Get Result');
			expect(item.json).toMatchObject({ status: 'success', requestId: '90000001' });
			expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
				width: 512,
				height: 512,
			});
			expect(sim.callbacks).toEqual([expect.objectContaining({ status: 0 })]);
		}, 200_000);

		test('a late ModelsLab callback does not resume a later Wait node', async () => {
			sim.settings.jobDurationMs = 2000;
			await startJobs(n8n, 'e2e-callback-wait', 1);
			await waitFor('the callback', async () => (sim.callbacks.length === 1 ? true : undefined));
			expect(sim.callbacks[0].status).toBe(200);
			// Resumed by the callback, the execution now waits in n8n's Wait node.
			const waiting = await waitFor('the Wait node to wait', async () => {
				const [execution] = await server.executionsOf(laterWait.id);
				if (execution?.status !== 'waiting') return undefined;
				const { runData } = await server.executionData(execution.id);
				return 'Get Result' in runData ? execution : undefined;
			});
			const late = await sim.deliverCallback(sim.jobs[0].id);
			expect(late.status).toBe(404);
			await new Promise((resolve) => setTimeout(resolve, 1000));
			expect(await server.executionsOf(laterWait.id)).toEqual([
				expect.objectContaining({ id: waiting.id, status: 'waiting' }),
			]);
			// The Wait node itself still resumes on its own URL.
			const resumeUrl = new URL(String(sim.jobs[0].body.webhook));
			resumeUrl.pathname = resumeUrl.pathname.replace('/modelslab-callback', '');
			resumeUrl.searchParams.delete('mlcb');
			expect((await post(resumeUrl.toString())).status).toBe(200);
			await executionWith(server, laterWait.id, 'success');
		});
	});
}
