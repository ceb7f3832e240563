import { isPng, ModelsLabSimulator, pngDimensions } from '../../simulator';
import { QueueCluster } from '../support/cluster';
import { nodeOutput } from '../support/execution';
import { CREDENTIAL_ID, CREDENTIAL_NAME } from '../support/n8n';
import { waitFor } from '../support/processes';
import type { ExecutionSummary, N8nServer } from '../support/server';
import type { Major } from '../support/versions';
import {
	FETCH,
	INPAINT,
	loadExample,
	nodeOfType,
	TRIGGER,
	type Workflow,
	type WorkflowNode,
} from '../support/workflows';

const PROBE_PATH = 'e2e-queue-probe';
const SUBMIT_PATH = 'e2e-queue-submit';
const CALLBACKS_PATH = 'e2e-queue-callbacks';
/** Shared-limit run: 60 jobs of this length through a queue of 5 take 12 job times at best. */
const JOB_MS = 5000;
const IDEAL_MS = (60 / 5) * JOB_MS;
/** A cluster on a busy 2-core machine: the shared-limit run alone takes 65-70 s when it is calm. */
const TEST_TIMEOUT_MS = 420_000;
const INPAINT_PATH = 'e2e-queue-inpaint';

const webhookNode = (path: string, webhookId: string) => ({
	id: `webhook-${path}`,
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	position: [0, 0] as [number, number],
	webhookId,
	parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
});

/** Answers as soon as a webhook processor has loaded the production webhooks. */
const probe: Workflow = {
	id: 'e2eQueueProbe001',
	name: 'Queue probe',
	nodes: [webhookNode(PROBE_PATH, '0b1d8a4e-2f11-4c55-9a3e-6d1c2a7b9e01')],
	connections: {},
	settings: { executionOrder: 'v1' },
};

const credentials = { modelsLabApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } };

/**
 * A webhook brings a list of prompts (`items`), each becomes an item, each item goes to ModelsLab
 * Inpaint with these settings (the photo and mask are the simulator's samples), then through the
 * nodes given, in a row.
 */
function promptsWorkflow(
	ids: { id: string; name: string; path: string; webhookId: string },
	simulatorUrl: string,
	inpaint: Record<string, unknown>,
	after: WorkflowNode[] = [],
): Workflow {
	const nodes: WorkflowNode[] = [
		webhookNode(ids.path, ids.webhookId),
		{
			id: 'split',
			name: 'Split Out',
			type: 'n8n-nodes-base.splitOut',
			typeVersion: 1,
			position: [200, 0],
			parameters: { fieldToSplitOut: 'body.items', options: {} },
		},
		{
			id: 'inpaint',
			name: 'ModelsLab Inpaint',
			type: INPAINT,
			typeVersion: 1,
			position: [400, 0],
			parameters: {
				endpoint: 'imageEditing',
				prompt: '={{ $json.prompt }}',
				initImageUrl: `${simulatorUrl}/samples/photo-512x512.png`,
				maskImageUrl: `${simulatorUrl}/samples/mask-512x512.png`,
				...inpaint,
			},
			credentials,
		},
		...after,
	];
	const connections = Object.fromEntries(
		nodes
			.slice(0, -1)
			.map((node, index) => [
				node.name,
				{ main: [[{ node: nodes[index + 1].name, type: 'main' as const, index: 0 }]] },
			]),
	);
	return { id: ids.id, name: ids.name, nodes, connections, settings: { executionOrder: 'v1' } };
}

/** Every item inpainted, waited for and downloaded. */
const inpaintMany = (simulatorUrl: string) =>
	promptsWorkflow(
		{
			id: 'e2eQueueInpaint1',
			name: 'Queue: inpaint many',
			path: INPAINT_PATH,
			webhookId: '5c2f7e90-8b14-4d6a-b0c3-1e9f4a2d7c02',
		},
		simulatorUrl,
		{ processingOptions: { maxWaitSeconds: 600 } },
	);

/** Every item submitted with Return Immediately, its result calling back the URL the item gives. */
const submitCallingBack = (simulatorUrl: string) =>
	promptsWorkflow(
		{
			id: 'e2eQueueSubmit01',
			name: 'Queue: submit, the result calls back',
			path: SUBMIT_PATH,
			webhookId: '9a7c3e15-4f20-4b8d-8e61-2d5b7c9f0a03',
		},
		simulatorUrl,
		// The trigger's Production URL, as the user pastes it: the node signs it.
		{ completion: 'immediate', imageEditingAdvancedOptions: { webhook: '={{ $json.callback }}' } },
	);

/**
 * Every item submitted with Resume on Callback; the execution waits stored in the database,
 * ModelsLab's callbacks (through the load balancer, so at both webhook processors) resume it, and
 * Get Result finishes any job still running after Max Wait.
 */
const waitForCallbacks = (simulatorUrl: string) =>
	promptsWorkflow(
		{
			id: 'e2eQueueCallbck1',
			name: 'Queue: wait for callbacks',
			path: CALLBACKS_PATH,
			webhookId: '3e8b1f42-7a90-4c2d-b5e6-0f4a9c7d2e04',
		},
		simulatorUrl,
		{ completion: 'callback' },
		[
			{
				id: 'wait',
				name: 'Wait for Callbacks',
				type: FETCH,
				typeVersion: 1,
				position: [600, 0],
				parameters: { operation: 'waitForCallbacks', processingOptions: { maxWaitSeconds: 600 } },
				credentials,
			},
			{
				id: 'late',
				name: 'Finish Late Jobs',
				type: FETCH,
				typeVersion: 1,
				position: [800, 0],
				parameters: {},
				credentials,
			},
		],
	);

/** examples/callback-trigger.json again, under another id and webhook path. */
function savedIdsTrigger(): Workflow {
	const workflow = loadExample('callback-trigger.json', 'e2eQueueTrigger2');
	const node = nodeOfType(workflow, TRIGGER);
	node.webhookId = '6d2a9c41-5e7b-4f08-a1d3-8b4c2e6f0a05';
	return { ...workflow, name: `${workflow.name} (saved ids)` };
}

const prompts = (run: string, count: number) =>
	Array.from({ length: count }, (_, index) => ({ prompt: `${run} item ${index}` }));

/** The executions of a workflow not among `before`, once `count` of them have finished. */
async function newExecutions(
	server: N8nServer,
	workflowId: string,
	before: ExecutionSummary[],
	count: number,
	timeoutMs: number,
): Promise<ExecutionSummary[]> {
	const seen = new Set(before.map((execution) => execution.id));
	return await waitFor(
		`${count} new finished execution(s) of ${workflowId}`,
		async () => {
			const fresh = (await server.executionsOf(workflowId)).filter(
				(execution) => !seen.has(execution.id),
			);
			const done = fresh.filter(
				(execution) => !['new', 'running', 'waiting'].includes(execution.status),
			);
			return done.length >= count ? fresh : undefined;
		},
		timeoutMs,
		1000,
	);
}

/**
 * Waits until a workflow's executions are all finished and their number has stayed the same for
 * a few seconds (a delivery that starts one may still be on its way), and returns them.
 */
async function settledExecutions(server: N8nServer, workflowId: string, atLeast: number) {
	let last = -1;
	let stableSince = Date.now();
	return await waitFor(
		`the executions of ${workflowId} to settle (at least ${atLeast})`,
		async () => {
			const executions = await server.executionsOf(workflowId);
			const busy = executions.some((execution) =>
				['new', 'running', 'waiting'].includes(execution.status),
			);
			if (executions.length !== last || busy) {
				last = executions.length;
				stableSince = Date.now();
				return undefined;
			}
			return executions.length >= atLeast && Date.now() - stableSince >= 4000
				? executions
				: undefined;
		},
		240_000,
		1000,
	);
}

/** How many trigger executions each ModelsLab job started. */
async function startsPerJob(server: N8nServer, workflowId: string, atLeast: number) {
	const starts = new Map<string, number>();
	for (const execution of await settledExecutions(server, workflowId, atLeast)) {
		const [started] = nodeOutput(await server.storedExecution(execution.id), 'ModelsLab Trigger');
		const requestId = String(started?.json.requestId);
		starts.set(requestId, (starts.get(requestId) ?? 0) + 1);
	}
	return starts;
}

/** Each prompt reached ModelsLab as exactly one job: nothing lost, nothing billed twice. */
function jobsPerPrompt(sim: ModelsLabSimulator): Map<string, number> {
	const counts = new Map<string, number>();
	for (const job of sim.jobs) {
		const prompt = String(job.body.prompt);
		counts.set(prompt, (counts.get(prompt) ?? 0) + 1);
	}
	return counts;
}

/**
 * n8n in queue mode (PostgreSQL, Redis, a main, two workers, two webhook processors behind a
 * round-robin load balancer), the packed package installed in every process.
 */
export function queueSuite(major: Major): void {
	describe(`n8n ${major}.x queue mode: main + 2 workers + 2 webhook processors`, () => {
		const sim = new ModelsLabSimulator();
		let cluster: QueueCluster;
		let many: Workflow;
		const trigger = loadExample('callback-trigger.json', 'e2eQueueTrigger1');
		const triggerPath = `webhook/${nodeOfType(trigger, TRIGGER).webhookId}/callback`;
		// A second copy with static data of its own: the simulator's job ids start again each test.
		const savedIds = savedIdsTrigger();
		const savedIdsPath = `webhook/${nodeOfType(savedIds, TRIGGER).webhookId}/callback`;

		beforeAll(async () => {
			const simulatorUrl = await sim.start();
			many = inpaintMany(simulatorUrl);
			cluster = await QueueCluster.start(major, {
				probePath: PROBE_PATH,
				prepare: async (main) => {
					await main.importCredential(simulatorUrl);
					const workflows = [
						probe,
						many,
						submitCallingBack(simulatorUrl),
						trigger,
						savedIds,
						waitForCallbacks(simulatorUrl),
					];
					await main.importWorkflows(workflows);
					for (const workflow of workflows) await main.activate(workflow.id);
				},
			});
		}, 600_000);
		afterAll(async () => {
			await cluster?.stop();
			await sim.stop();
		});
		afterEach(() => sim.reset());

		const start = async (
			items: Array<{ prompt: string; callback?: string }>,
			path = INPAINT_PATH,
		) => {
			const response = await fetch(`${cluster.webhookBaseUrl}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ items }),
			});
			expect(response.status).toBe(200);
		};

		test(
			'a webhook-started run of 30 items runs on a worker; its images are readable through the main',
			async () => {
				sim.settings.jobDurationMs = 2000;
				const before = await cluster.main.executionsOf(many.id);
				await start(prompts('solo', 30));

				const executions = await newExecutions(cluster.main, many.id, before, 1, 240_000);
				expect(executions).toHaveLength(1);
				const [execution] = executions;
				expect(execution).toMatchObject({ status: 'success', mode: 'webhook' });
				const items = nodeOutput(
					await cluster.main.storedExecution(execution.id),
					'ModelsLab Inpaint',
				);
				expect(items).toHaveLength(30);
				for (const item of items) {
					expect(item.json.status).toBe('success');
					// 2.x keeps binary data in the database in queue mode; 1.x keeps it inline in the execution.
					const binary = item.binary?.data;
					const bytes = binary?.id
						? await cluster.main.binaryData(binary.id)
						: Buffer.from(String(binary?.data), 'base64');
					expect(isPng(bytes)).toBe(true);
					expect(pngDimensions(bytes)).toEqual({ width: 512, height: 512 });
				}
				expect([...jobsPerPrompt(sim).values()]).toEqual(Array(30).fill(1));
			},
			TEST_TIMEOUT_MS,
		);

		test(
			'6 executions × 10 items at once share a queue limit of 5: all 60 succeed, no job twice',
			async () => {
				sim.settings.jobDurationMs = JOB_MS;
				sim.settings.queueLimit = 5;
				const before = await cluster.main.executionsOf(many.id);
				const startedAt = Date.now();
				await Promise.all(
					['a', 'b', 'c', 'd', 'e', 'f'].map(async (run) => await start(prompts(run, 10))),
				);

				const ours = await newExecutions(cluster.main, many.id, before, 6, 400_000);
				const wallMs = Date.now() - startedAt;
				expect(ours.map((execution) => execution.status)).toEqual(Array(6).fill('success'));
				const perPrompt = jobsPerPrompt(sim);
				expect(perPrompt.size).toBe(60);
				expect([...perPrompt.values()].every((count) => count === 1)).toBe(true);
				const refused = sim.requestsTo('/api/v6/image_editing/inpaint').length - sim.jobs.length;
				// For the closing figures, not asserted: a loaded machine stretches any timing.
				console.log(
					`[queue ${major}.x] 6 × 10 items, queue limit 5, ${JOB_MS / 1000} s jobs: ${(wallMs / 1000).toFixed(1)} s = ${(wallMs / IDEAL_MS).toFixed(2)} × the ideal ${IDEAL_MS / 1000} s, ${refused} refused submits`,
				);
			},
			TEST_TIMEOUT_MS,
		);

		test('a worker killed while 10 accepted jobs wait: every request id is in its log, and no job is billed twice', async () => {
			// Jobs far longer than the test needs to reach the kill: all 10 are waited for at once.
			sim.settings.jobDurationMs = 90_000;
			const before = await cluster.main.executionsOf(many.id);
			await start(prompts('crash', 10));
			await waitFor(
				'ModelsLab to accept 10 jobs',
				async () => (sim.jobs.length === 10 ? true : undefined),
				180_000,
			);
			const seen = new Set(before.map((execution) => execution.id));
			const [execution] = (await cluster.main.executionsOf(many.id)).filter(
				(summary) => !seen.has(summary.id),
			);
			// n8n's own line names the worker that took the execution, and its Bull job.
			const startedLine = new RegExp(`started execution ${execution.id} \\(job (\\S+)\\)`);
			const worker = cluster.workerOutput.findIndex((output) => startedLine.test(output));
			expect(worker).toBeGreaterThanOrEqual(0);
			const bullJobId = startedLine.exec(cluster.workerOutput[worker])![1];
			await cluster.killWorker(worker);
			const log = cluster.workerOutput[worker];

			// Every job ModelsLab accepted (its own record) is named in the dead worker's log.
			const accepted = sim.jobs.map((job) => ({ id: job.id, prompt: String(job.body.prompt) }));
			for (const job of accepted) {
				const item = Number(job.prompt.replace('crash item ', ''));
				expect(log).toContain(
					`ModelsLab accepted job ${job.id} (billed): execution ${execution.id}, workflow ${many.id}, node "ModelsLab Inpaint", item ${item}`,
				);
			}
			// Ten lines for this execution (the log also holds earlier tests' jobs).
			const ofThisRun = new RegExp(
				`ModelsLab accepted job \\d+ \\(billed\\): execution ${execution.id},`,
				'g',
			);
			expect(log.match(ofThisRun)).toHaveLength(10);

			// Nothing billed twice: wait until n8n's queue has settled the dead worker's job (Bull
			// fails a stalled job and n8n removes it, or runs it once more), then each prompt is
			// still exactly one job.
			const settled = await waitFor(
				`Bull job ${bullJobId} to be failed, removed or run again after the kill`,
				async () => {
					const job = await cluster.bullJob(bullJobId, ['timestamp', 'failedReason', 'finishedOn']);
					const gone = !job.timestamp || job.failedReason || job.finishedOn;
					return gone || sim.jobs.length > 10 ? job : undefined;
				},
				300_000,
				2000,
			);
			const [status] = (await cluster.main.executionsOf(many.id))
				.filter((summary) => summary.id === execution.id)
				.map((summary) => summary.status);
			console.log(
				`[queue ${major}.x] worker ${worker + 1} killed with 10 accepted jobs: ${accepted.length} request ids in its log; Bull job ${JSON.stringify(settled)}, execution ${status}, ${sim.jobs.length} jobs at ModelsLab`,
			);
			expect([...jobsPerPrompt(sim).values()]).toEqual(Array(10).fill(1));
			await cluster.restartWorker(worker);
		}, 600_000);

		test(
			'the trigger: callbacks spread over both webhook processors, and repeated deliveries to one processor across its restart',
			async () => {
				sim.settings.jobDurationMs = 1500;
				const viaBalancer = `${cluster.webhookBaseUrl}/${triggerPath}`;
				const [first] = cluster.webhookProcessors;
				const toFirst = `${first.baseUrl}/${triggerPath}`;

				// Spread: each job's callback and one more delivery of it, through the load balancer.
				await start(
					prompts('spread', 4).map((item) => ({ ...item, callback: viaBalancer })),
					SUBMIT_PATH,
				);
				await waitFor('4 jobs', async () => (sim.jobs.length === 4 ? true : undefined), 120_000);
				await startsPerJob(cluster.main, trigger.id, 4);
				const spreadJobs = sim.jobs.map((job) => job.id);
				for (const jobId of spreadJobs) expect((await sim.deliverCallback(jobId)).status).toBe(200);
				const spread = await startsPerJob(cluster.main, trigger.id, 4);
				const answeredBy = [...cluster.proxy.answeredBy.values()];

				// One processor: two deliveries each, then again after that processor restarted.
				const before = spread.size;
				await start(
					prompts('one processor', 2).map((item) => ({ ...item, callback: toFirst })),
					SUBMIT_PATH,
				);
				await waitFor(
					'2 more jobs',
					async () => (sim.jobs.length === 6 ? true : undefined),
					120_000,
				);
				const oneJobs = sim.jobs.slice(4).map((job) => job.id);
				await startsPerJob(cluster.main, trigger.id, before + 2);
				for (const jobId of oneJobs) expect((await sim.deliverCallback(jobId)).status).toBe(200);
				await cluster.restartWebhookProcessor(0);
				for (const jobId of oneJobs) expect((await sim.deliverCallback(jobId)).status).toBe(200);
				const after = await startsPerJob(cluster.main, trigger.id, before + 2);

				console.log(
					`[queue ${major}.x] trigger starts per job: spread over both processors ${JSON.stringify(spreadJobs.map((id) => spread.get(String(id))))} (answers per processor ${JSON.stringify(answeredBy)}); one processor, 3 deliveries across its restart ${JSON.stringify(oneJobs.map((id) => after.get(String(id))))}`,
				);
				// At least once across processors (README, "Several n8n processes"); exactly once per process.
				for (const jobId of spreadJobs) expect(spread.get(String(jobId))).toBeGreaterThanOrEqual(1);
				expect(answeredBy.every((count) => count > 0)).toBe(true);
				for (const jobId of oneJobs) expect(after.get(String(jobId))).toBe(1);
			},
			TEST_TIMEOUT_MS,
		);

		test(
			"the trigger's saved ids with two webhook processors: callbacks at both at once, a repeat to each, then one restarted starts no job again",
			async () => {
				// Equal jobs submitted together: their callbacks reach both processors at about the same time.
				sim.settings.jobDurationMs = 3000;
				const urls = cluster.webhookProcessors.map(
					(processor) => `${processor.baseUrl}/${savedIdsPath}`,
				);
				await start(
					prompts('saved ids', 8).map((item, index) => ({ ...item, callback: urls[index % 2] })),
					SUBMIT_PATH,
				);
				await waitFor('8 jobs', async () => (sim.jobs.length === 8 ? true : undefined), 120_000);
				const jobs = sim.jobs.map((job) => ({
					id: String(job.id),
					processor: Number(String(job.body.prompt).replace('saved ids item ', '')) % 2,
					// The signature the Inpaint node added, valid at either processor (it signs the path).
					query: new URL(String(job.body.webhook)).search,
				}));
				const deliver = async (job: (typeof jobs)[number], processor: number) =>
					(await sim.deliverCallback(Number(job.id), `${urls[processor]}${job.query}`)).status;
				const once = await startsPerJob(cluster.main, savedIds.id, 8);
				const ids = async () => {
					const saved = (await cluster.staticData(savedIds.id))['node:ModelsLab Trigger'] as
						| { startedRequestIds?: string[] }
						| undefined;
					return jobs.filter((job) => saved?.startedRequestIds?.includes(job.id)).length;
				};
				const savedAfterOverlap = await ids();

				// One repeated delivery of each job to the processor that started it: refused (memory),
				// and each processor's next call saves again the ids another's save dropped.
				for (const job of jobs) expect(await deliver(job, job.processor)).toBe(200);
				await settledExecutions(cluster.main, savedIds.id, 8);
				const savedAfterRepeats = await ids();

				// The first processor restarted (its memory gone): every job delivered to it once more.
				await cluster.restartWebhookProcessor(0);
				// Serving the probe's path, a restarted n8n 1.x processor may still answer 404 for this
				// one a moment: a 404 starts nothing, so the delivery is made again until it is served.
				const served = async (job: (typeof jobs)[number]) =>
					await waitFor(
						`processor 1 to serve job ${job.id}'s callback`,
						async () => {
							const status = await deliver(job, 0);
							return status === 404 ? undefined : status;
						},
						60_000,
						500,
					);
				for (const job of jobs) expect(await served(job)).toBe(200);
				const after = await startsPerJob(cluster.main, savedIds.id, 8);
				console.log(
					`[queue ${major}.x] trigger saved ids, two processors: starts per job ${JSON.stringify(jobs.map((job) => once.get(job.id)))}, ids saved after the overlapping callbacks ${savedAfterOverlap}/8, after one repeat each ${savedAfterRepeats}/8; after processor 1's restart ${JSON.stringify(jobs.map((job) => after.get(job.id)))}`,
				);
				for (const job of jobs) expect(once.get(job.id)).toBe(1);
				expect(savedAfterRepeats).toBe(8);
				for (const job of jobs) expect(after.get(job.id)).toBe(1);
			},
			TEST_TIMEOUT_MS,
		);

		test(
			'Resume on Callback → Wait for Callbacks: 6 jobs call back at both webhook processors and resume the waiting execution once',
			async () => {
				sim.settings.jobDurationMs = 3000;
				// Each job a second longer than the one before: the callbacks come one by one.
				sim.settings.jobDurationStepMs = 1000;
				const before = await cluster.main.executionsOf('e2eQueueCallbck1');
				const answered = new Map(cluster.proxy.answeredBy);
				await start(prompts('callback', 6), CALLBACKS_PATH);

				const [execution] = await newExecutions(
					cluster.main,
					'e2eQueueCallbck1',
					before,
					1,
					240_000,
				);
				expect(execution).toMatchObject({ status: 'success', mode: 'webhook' });
				const stored = await cluster.main.storedExecution(execution.id);
				const resumed = nodeOutput(stored, 'Wait for Callbacks');
				expect(resumed.map((item) => item.json.status)).toEqual(Array(6).fill('success'));
				expect(nodeOutput(stored, 'Finish Late Jobs').map((item) => item.json.status)).toEqual(
					Array(6).fill('success'),
				);
				await sim.flushCallbacks();
				// Every job called back; the calls reached both processors through the load balancer.
				expect(sim.callbacks).toHaveLength(6);
				const perProcessor = cluster.webhookProcessors.map(
					(processor) =>
						(cluster.proxy.answeredBy.get(processor.port) ?? 0) -
						(answered.get(processor.port) ?? 0),
				);
				expect(perProcessor.every((count) => count >= 2)).toBe(true);
				// No polling: one check before waiting, then at most two per job on callbacks.
				const fetches = sim.requests.filter((request) => /\/fetch/.test(request.path)).length;
				expect(fetches).toBeLessThanOrEqual(1 + 2 * 6);
				expect([...jobsPerPrompt(sim).values()]).toEqual(Array(6).fill(1));
				console.log(
					`[queue ${major}.x] wait for callbacks: 6 jobs, callbacks answered ${JSON.stringify(sim.callbacks.map((callback) => callback.status))}, requests per processor ${JSON.stringify(perProcessor)}, ${fetches} fetches`,
				);
			},
			TEST_TIMEOUT_MS,
		);
	});
}
