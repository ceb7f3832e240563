/**
 * Resume on Callback (Inpaint) → Wait for Callbacks (Fetch) → Get Result. The nodes run in n8n-core's
 * engine; ModelsLab's callbacks (from the simulator, over HTTP) reach a stand-in for n8n's
 * waiting-webhook route that runs the waiting node's webhook() in n8n-core's WebhookContext.
 */
import type { INodeExecutionData } from 'n8n-workflow';

import { PACKAGE } from '../harness/engine';
import { ModelsLabFetch } from '../nodes/ModelsLabFetch/ModelsLabFetch.node';
import { isPng } from '../simulator/png';
import {
	callbackUrl,
	nonceMatches,
	unreachableCallbackProblem,
	runsAsTool,
} from '../nodes/shared/callbacks/resumeUrl';
import { checkJobs, lastDueFirst, waitingJobOf } from '../nodes/ModelsLabFetch/waitForCallbacks';
import type { WaitingJob } from '../nodes/ModelsLabFetch/waitForCallbacks';
import { claimResume, CLAIM_LIFETIME_MS, releaseResume } from '../nodes/ModelsLabFetch/resumeGuard';
import { markFailure } from '../nodes/shared/transport/failures';
import { NodeApiError } from 'n8n-workflow';
import { API_KEY, minimalParameters, useSimulator } from './support/simulator';
import { EXECUTION_ID, WaitingServer } from '../harness/waiting';

const { simulator, credentials, inpaint } = useSimulator();
const waiting = new WaitingServer();

beforeAll(async () => {
	await waiting.start();
	waiting.credentials = credentials();
});
afterEach(() => waiting.clear());
afterAll(async () => await waiting.stop());

const FETCH = `${PACKAGE}.modelsLabFetch`;
const NONCE = /^[0-9a-f]{32}$/;

/** Inpaint with Completion › Resume on Callback, one item per entry of `count`. */
async function submitted(count: number, parameters: Record<string, unknown> = {}) {
	const result = await inpaint(
		{ ...minimalParameters.imageEditing, completion: 'callback', ...parameters },
		{
			items: Array.from({ length: count }, () => ({ json: {} })),
			webhookWaitingBaseUrl: waiting.webhookWaitingBaseUrl,
		},
	);
	return result;
}

/** Fetch › Wait for Callbacks on the Inpaint output; when it waits, the stand-in takes calls. */
async function waitForCallbacks(items: INodeExecutionData[], parameters = {}) {
	const result = await inpaint(
		{ operation: 'waitForCallbacks', ...parameters },
		{
			nodeType: FETCH,
			items: items.map((item) => ({ json: item.json, binary: item.binary })),
			webhookWaitingBaseUrl: waiting.webhookWaitingBaseUrl,
		},
	);
	if (result.run?.status === 'waiting') waiting.wait(result.run, result.workflow!);
	return result;
}

async function until(what: string, test: () => boolean, timeoutMs = 15_000) {
	const deadline = Date.now() + timeoutMs;
	while (!test()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

describe('Inpaint › Resume on Callback', () => {
	it("submits each job with this execution's resume URL, the node's path and a nonce", async () => {
		simulator.settings.jobDurationMs = 60_000;
		const { output, error } = await submitted(2);
		expect(error).toBeUndefined();
		const urls = simulator.jobs.map((job) => new URL(String(job.body.webhook)));
		for (const url of urls) {
			expect(`${url.origin}${url.pathname}`).toBe(
				`${waiting.webhookWaitingBaseUrl}/${EXECUTION_ID}/modelslab-callback`,
			);
			// n8n 2.x's own token is kept; the nonce is ours.
			expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
			expect(url.searchParams.get('mlcb')).toMatch(NONCE);
		}
		// One nonce per node run.
		expect(urls[0].searchParams.get('mlcb')).toBe(urls[1].searchParams.get('mlcb'));
		expect(output.map((item) => item.json)).toEqual([
			expect.objectContaining({
				status: 'processing',
				requestId: String(simulator.jobs[0].id),
				endpoint: 'imageEditing',
				callbackNonce: urls[0].searchParams.get('mlcb'),
				submittedAt: expect.any(String),
			}),
			expect.objectContaining({ requestId: String(simulator.jobs[1].id) }),
		]);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		// A new run, a new nonce.
		simulator.reset();
		simulator.settings.jobDurationMs = 60_000;
		const again = await submitted(1);
		expect(again.output[0].json.callbackNonce).not.toBe(output[0].json.callbackNonce);
	});

	it('a Webhook URL of its own is refused before anything is sent', async () => {
		const result = await submitted(1, {
			imageEditingAdvancedOptions: { webhook: 'https://example.com/hook' },
		});
		expect(result.error?.message).toBe(
			'"Advanced Options › Webhook URL" cannot be set with Completion › Resume on Callback [item 0]',
		);
		expect(result.error?.description).toContain('Nothing was sent to ModelsLab');
		expect(simulator.requests).toHaveLength(0);
	});

	it("refuses a local n8n address when the credential points at ModelsLab's real API", async () => {
		const result = await inpaint(
			{ ...minimalParameters.imageEditing, completion: 'callback' },
			{ credentials: credentials({ baseUrl: 'https://modelslab.com' }) },
		);
		expect(result.error?.message).toMatch(
			/^"Completion" Resume on Callback: n8n's webhook URL http:\/\/localhost:5678 is a local or private address that ModelsLab cannot call \[item 0\]$/,
		);
		expect(result.error?.description).toContain('N8N_WEBHOOK_URL');
		expect(simulator.requests).toHaveLength(0);
	});

	it('is refused, before anything is sent, when the node runs as an AI Agent tool', async () => {
		const inpaintTool = await inpaint(
			{ ...minimalParameters.imageEditing, completion: 'callback' },
			{ nodeType: `${PACKAGE}.modelsLabInpaintTool` },
		);
		expect(inpaintTool.error?.message).toBe(
			'"Completion" Resume on Callback cannot be used when the node runs as an AI Agent tool [item 0]',
		);
		const fetchTool = await inpaint(
			{ operation: 'waitForCallbacks' },
			{ nodeType: `${PACKAGE}.modelsLabFetchTool` },
		);
		expect(fetchTool.error?.message).toBe(
			'"Operation" Wait for Callbacks cannot be used when the node runs as an AI Agent tool [item 0]',
		);
		expect(simulator.requests).toHaveLength(0);
	});

	it('On Error: Continue turns that refusal into an error item per input item', async () => {
		const result = await inpaint(
			{ ...minimalParameters.imageEditing, completion: 'callback' },
			{
				credentials: credentials({ baseUrl: 'https://modelslab.com' }),
				items: [{ json: {} }, { json: {} }],
				continueOnFail: true,
			},
		);
		expect(result.output).toEqual([
			expect.objectContaining({ pairedItem: { item: 0 } }),
			expect.objectContaining({ pairedItem: { item: 1 } }),
		]);
		expect(String(result.output[0].json.error)).toContain('local or private address');
	});
});

describe('Fetch › Wait for Callbacks', () => {
	it('5 jobs: waits, each callback is checked at ModelsLab, the last one resumes with the images', async () => {
		simulator.settings.jobDurationMs = 1500;
		simulator.settings.jobDurationStepMs = 300;
		const { output: refs } = await submitted(5);
		const waited = await waitForCallbacks(refs);
		expect(waited.run?.status).toBe('waiting');
		expect(waited.run?.waitTill).toBeInstanceOf(Date);

		await until('the resume', () => waiting.resumes.length === 1);
		await simulator.flushCallbacks();
		expect(waiting.thrown).toEqual([]);
		const [resumed] = waiting.resumes;
		expect(resumed.map((item) => item.json.status)).toEqual(Array(5).fill('success'));
		expect(resumed.map((item) => item.json.requestId)).toEqual(
			refs.map((item) => item.json.requestId),
		);
		expect(resumed.map((item) => item.pairedItem)).toEqual(
			[0, 1, 2, 3, 4].map((item) => ({ item })),
		);
		for (const item of resumed) {
			expect(isPng(Buffer.from(item.binary!.data.data, 'base64'))).toBe(true);
			expect(item.json).not.toHaveProperty('callbackNonce');
		}
		// Every callback got a real answer; the last one resumed the execution.
		expect(simulator.callbacks.map((callback) => callback.status)).toEqual(Array(5).fill(200));
		expect(JSON.parse(simulator.callbacks[0].answer!)).toEqual({ received: true });
		// No polling: one check before waiting, then nothing until the first job has called back...
		const fetches = simulator.requestsTo('/api/v6/image_editing/fetch');
		const firstDone = Math.min(...simulator.jobs.map((job) => job.readyAt));
		expect(fetches.filter((fetch) => fetch.receivedAt < firstDone)).toHaveLength(1);
		// ...and each callback checks the job expected last first: one check per early callback,
		// one per job at the end.
		expect(fetches.length).toBeLessThanOrEqual(1 + 4 + 5);
	});

	it('1 job; a repeated callback after the resume changes nothing (n8n answers 409)', async () => {
		simulator.settings.jobDurationMs = 1000;
		const { output: refs } = await submitted(1);
		await waitForCallbacks(refs, { downloadImages: false });
		await until('the resume', () => waiting.resumes.length === 1);
		expect(waiting.resumes[0][0].binary).toBeUndefined();
		const again = await simulator.deliverCallback(simulator.jobs[0].id);
		expect(again.status).toBe(409);
		expect(waiting.resumes).toHaveLength(1);
	});

	it('forged calls are refused before ModelsLab is asked, and change nothing', async () => {
		simulator.settings.jobDurationMs = 60_000;
		const { output: refs } = await submitted(1);
		await waitForCallbacks(refs);
		const real = new URL(String(simulator.jobs[0].body.webhook));
		const before = simulator.requests.length;

		const wrongNonce = new URL(real);
		wrongNonce.searchParams.set('mlcb', '0'.repeat(32));
		const noNonce = new URL(real);
		noNonce.searchParams.delete('mlcb');
		const forgedBody = { status: 'success', id: simulator.jobs[0].id, output: ['x'] };
		for (const url of [wrongNonce, noNonce]) {
			expect((await waiting.post(url.toString(), forgedBody)).status).toBe(403);
		}
		// The bare resume URL (what a later Wait node would take) has no webhook of this node.
		const bare = new URL(real);
		bare.pathname = bare.pathname.replace('/modelslab-callback', '');
		expect((await waiting.post(bare.toString(), forgedBody)).status).toBe(404);
		expect(simulator.requests).toHaveLength(before);

		// The right URL with a forged "success" body: ModelsLab says it is still running.
		const reply = await waiting.post(real.toString(), forgedBody);
		expect(reply).toEqual({ status: 200, json: { received: true } });
		expect(simulator.requests).toHaveLength(before + 1);
		expect(waiting.resumes).toHaveLength(0);
		expect(waiting.thrown).toEqual([]);
	});

	it('ModelsLab failing on the final check: answered 503, still waiting; the next callback resumes', async () => {
		simulator.settings.jobDurationMs = 800;
		const { output: refs } = await submitted(1);
		simulator.respondOnce(
			{ path: /\/fetch\// },
			{ status: 500, body: { message: 'Internal Server Error' } },
		);
		simulator.lostCallbacks.add(simulator.jobs[0].id);
		await waitForCallbacks(refs);
		// The check before waiting got the 500: it waits anyway.
		expect(simulator.requestsTo('/api/v6/image_editing/fetch')[0].answer?.status).toBe(500);
		await until('the job', () => simulator.jobs[0].status === 'success');
		simulator.respondOnce({ path: /\/fetch\// }, { fault: 'reset' });
		const failed = await simulator.deliverCallback(simulator.jobs[0].id);
		expect(failed.status).toBe(503);
		expect(JSON.parse(failed.answer!)).toEqual({
			received: false,
			error: 'The jobs could not be checked at ModelsLab; this execution keeps waiting',
		});
		expect(waiting.resumes).toHaveLength(0);
		expect(waiting.thrown).toEqual([]);
		expect((await simulator.deliverCallback(simulator.jobs[0].id)).status).toBe(200);
		await until('the resume', () => waiting.resumes.length === 1);
		expect(waiting.resumes[0][0].json.status).toBe('success');
	});

	it('a failed job resumes as a reference with its failure, for Get Result to report', async () => {
		simulator.settings.jobDurationMs = 800;
		simulator.settings.failJobs = true;
		const { output: refs } = await submitted(1);
		await waitForCallbacks(refs);
		await until('the resume', () => waiting.resumes.length === 1);
		expect(waiting.resumes[0][0].json).toMatchObject({
			status: 'failed',
			requestId: refs[0].json.requestId,
			error: 'ModelsLab: Failed, Try Again',
		});
	});

	it('n8n 1.x lets three final callbacks race in: the execution resumes once', async () => {
		simulator.settings.jobDurationMs = 500;
		const { output: refs } = await submitted(3);
		for (const job of simulator.jobs) simulator.lostCallbacks.add(job.id);
		await waitForCallbacks(refs);
		waiting.atomicResume = false;
		try {
			await until('the jobs', () => simulator.jobs.every((job) => job.status === 'success'));
			const answers = await Promise.all(
				simulator.jobs.map((job) => simulator.deliverCallback(job.id)),
			);
			expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
			// The answer goes before the downloads; the resume follows them.
			await until('the resume', () => waiting.resumes.length > 0);
			await new Promise((resolve) => setTimeout(resolve, 1000));
			expect(waiting.resumes).toHaveLength(1);
			expect(waiting.thrown).toEqual([]);
		} finally {
			waiting.atomicResume = true;
		}
	});

	it('jobs that finished before the wait are found by the check before waiting: no wait at all', async () => {
		simulator.settings.jobDurationMs = 200;
		const { output: refs } = await submitted(2);
		await until('the jobs', () => simulator.jobs.every((job) => job.status === 'success'));
		const result = await waitForCallbacks(refs);
		expect(result.run?.status).toBe('success');
		expect(result.output.map((item) => item.json.status)).toEqual(['success', 'success']);
		expect(isPng(Buffer.from(result.output[1].binary!.data.data, 'base64'))).toBe(true);
		expect(result.output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('items that are not job references of Resume on Callback are refused, naming the item', async () => {
		const result = await inpaint(
			{ operation: 'waitForCallbacks' },
			{ nodeType: FETCH, items: [{ json: { requestId: '90000001', endpoint: 'imageEditing' } }] },
		);
		expect(result.error?.message).toBe(
			'Input item 0 is not a job reference from a ModelsLab Inpaint node with Completion › Resume on Callback: it has no "callbackNonce" [item 0]',
		);
		expect(simulator.requests).toHaveLength(0);
	});
});

describe('Fetch › Get Result behind Wait for Callbacks', () => {
	it('passes on an item that already carries its finished result, with its images, sending nothing', async () => {
		simulator.settings.jobDurationMs = 200;
		const { output: refs } = await submitted(1);
		await until('the job', () => simulator.jobs[0].status === 'success');
		const { output: done } = await waitForCallbacks(refs);
		const before = simulator.requests.length;
		const { output, error } = await inpaint(
			{},
			{ nodeType: FETCH, items: done.map(({ json, binary }) => ({ json, binary })) },
		);
		expect(error).toBeUndefined();
		expect(output[0]).toEqual({ ...done[0], pairedItem: { item: 0 } });
		expect(simulator.requests).toHaveLength(before);
	});

	it('finishes a job whose last callback was lost (the references Max Wait passes on)', async () => {
		simulator.settings.jobDurationMs = 600;
		const { output: refs } = await submitted(1);
		simulator.lostCallbacks.add(simulator.jobs[0].id);
		const { output } = await inpaint(
			{},
			{ nodeType: FETCH, items: refs.map(({ json }) => ({ json })) },
		);
		expect(output[0].json).toMatchObject({ status: 'success', requestId: refs[0].json.requestId });
		expect(simulator.callbacks[0]).toMatchObject({
			status: 0,
			error: expect.stringContaining('lost'),
		});
	});
});

describe('the pieces', () => {
	it("the Fetch node declares the callback path as a resume-only webhook that sends the node's own answer", () => {
		expect(new ModelsLabFetch().description.webhooks).toEqual([
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Without it n8n would answer ModelsLab with the literal text "firstEntryJson".
				responseData: '',
				path: 'modelslab-callback',
				restartWebhook: true,
				isFullPath: true,
			},
		]);
	});

	it('the callback URL keeps the query and adds the path and the nonce', () => {
		const nonce = 'ab'.repeat(16);
		expect(callbackUrl('https://n8n.example.com/webhook-waiting/42?signature=abc', nonce)).toBe(
			`https://n8n.example.com/webhook-waiting/42/modelslab-callback?signature=abc&mlcb=${nonce}`,
		);
		expect(callbackUrl('https://n8n.example.com/base/webhook-waiting/42', nonce)).toBe(
			`https://n8n.example.com/base/webhook-waiting/42/modelslab-callback?mlcb=${nonce}`,
		);
	});

	it('the nonce must be one of the run nonces', () => {
		const nonce = 'cd'.repeat(16);
		expect(nonceMatches(nonce, [nonce])).toBe(true);
		expect(nonceMatches([nonce], [nonce])).toBe(true);
		for (const given of ['ce'.repeat(16), '', undefined, 42, nonce.toUpperCase(), `${nonce}0`])
			expect(nonceMatches(given, [nonce])).toBe(false);
		expect(nonceMatches(nonce, [])).toBe(false);
	});

	it('a private n8n address is refused only when the credential points at the real API', () => {
		const local = 'http://localhost:5678/webhook-waiting/1/modelslab-callback';
		const real = ['https://modelslab.com', 'https://stablediffusionapi.com'];
		expect(unreachableCallbackProblem(local, real)).toContain('cannot call');
		expect(unreachableCallbackProblem('http://192.168.1.5:5678/webhook-waiting/1', real)).toContain(
			'192.168.1.5',
		);
		expect(unreachableCallbackProblem('https://n8n.example.com/webhook-waiting/1', real)).toBe(
			undefined,
		);
		expect(unreachableCallbackProblem(local, ['http://127.0.0.1:4010'])).toBe(undefined);
	});

	it('a tool run is recognised by its node type', () => {
		expect(runsAsTool({ type: `${PACKAGE}.modelsLabFetchTool` } as never)).toBe(true);
		expect(runsAsTool({ type: FETCH } as never)).toBe(false);
	});

	const job = (index: number, eta: number, submittedAt = '2026-01-01T00:00:00.000Z') =>
		waitingJobOf(
			{
				requestId: String(100 + index),
				endpoint: 'community',
				callbackNonce: 'ef'.repeat(16),
				status: 'processing',
				eta,
				submittedAt,
			},
			index,
		) as WaitingJob;

	it('jobs are checked the one expected to finish last first, stopping at the first one running', async () => {
		const jobs = [job(0, 10), job(1, 30), job(2, 20), job(3, 5, '2026-01-01T00:01:00.000Z')];
		expect(lastDueFirst(jobs).map((entry) => entry.index)).toEqual([3, 1, 2, 0]);
		const asked: number[] = [];
		const running = new Set([2]);
		const check = await checkJobs(jobs, async (waiting) => {
			asked.push(waiting.index);
			return { status: running.has(waiting.index) ? 'processing' : 'success' } as never;
		});
		expect(asked).toEqual([3, 1, 2]);
		expect(check).toMatchObject({ allDone: false, fetches: 3 });
	});

	it('a failed job is finished; a lost answer leaves it undecided', async () => {
		const failed = markFailure(new NodeApiError({} as never, { message: 'x' }), {
			kind: 'rejected',
			httpCode: 200,
		});
		const lost = markFailure(new NodeApiError({} as never, { message: 'y' }), {
			kind: 'answer-lost',
		});
		const done = await checkJobs([job(0, 1)], async () => Promise.reject(failed));
		expect(done.allDone).toBe(true);
		expect(done.outcomes.get(0)).toEqual({ error: failed });
		const undecided = await checkJobs([job(0, 1)], async () => Promise.reject(lost));
		expect(undecided).toMatchObject({ allDone: false, unanswered: lost });
	});

	it('the resume guard lets one caller in, until released or expired', () => {
		const key = `guard-${API_KEY}`;
		expect(claimResume(key, 1000)).toBe(true);
		expect(claimResume(key, 2000)).toBe(false);
		releaseResume(key);
		expect(claimResume(key, 3000)).toBe(true);
		expect(claimResume(key, 3000 + CLAIM_LIFETIME_MS + 1)).toBe(true);
		releaseResume(key);
	});
});
