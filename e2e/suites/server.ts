import { makeMask, makePhoto, type ModelsLabSimulator } from '../../simulator';
import { binaryBytes, pngSize, uploadedPicture } from '../support/binary';
import { nodeOutput } from '../support/execution';
import type { N8n } from '../support/n8n';
import { waitFor } from '../support/processes';
import { served, type RunningN8n } from '../support/running-n8n';
import type { N8nServer } from '../support/server';
import {
	FETCH,
	INPAINT,
	INPAINT_TOOL,
	loadExample,
	nodeOfType,
	TRIGGER,
} from '../support/workflows';

const { trigger, form, background } = served;
const submit = loadExample('inpaint-fire-and-forget.json', 'exampleSubmit001');

/** Waits until a workflow has `count` finished executions, then makes sure it has exactly that many. */
async function settledExecutions(server: N8nServer, workflowId: string, count: number) {
	const finished = await waitFor(
		`${count} finished execution(s) of ${workflowId}`,
		async () => {
			const executions = await server.executionsOf(workflowId);
			const done = executions.filter(
				(execution) => !['new', 'running', 'waiting'].includes(execution.status),
			);
			return done.length >= count ? executions : undefined;
		},
		60_000,
		500,
	);
	await new Promise((resolve) => setTimeout(resolve, 1500));
	expect(finished).toHaveLength(count);
	expect(await server.executionsOf(workflowId)).toHaveLength(count);
	return finished;
}

/** The example trigger and form workflows, active in a running n8n, driven over HTTP like production. */
export function serverSuite(running: () => RunningN8n): void {
	describe('webhooks and node types', () => {
		let sim: ModelsLabSimulator;
		let n8n: N8n;
		let server: N8nServer;
		beforeAll(() => {
			({ sim, n8n, server } = running());
		});
		beforeEach(() => sim.reset());

		test('loads the packed nodes, and the Inpaint node as an AI agent tool', async () => {
			// What the editor loads its node list from (logged in)
			const types = await server.request<Array<{ name: string }>>('GET', '/types/nodes.json');
			const names = types.map((type) => type.name);
			// (suites/agent.ts runs that tool in n8n's AI Agent)
			expect(names).toEqual(expect.arrayContaining([INPAINT, FETCH, TRIGGER, INPAINT_TOOL]));
		});

		const webhookId = nodeOfType(trigger, TRIGGER).webhookId as string;
		const productionUrl = () => `${n8n.baseUrl}/webhook/${webhookId}/callback`;

		/**
		 * The user's one step: paste the trigger's Production URL, as the panel shows it, into the
		 * Webhook URL of the submitting workflow (examples/inpaint-fire-and-forget.json), then run it.
		 */
		async function submitCallingBack(): Promise<{ requestId: string; jobId: number }> {
			const submitting = structuredClone(submit);
			const inpaint = nodeOfType(submitting, INPAINT);
			(inpaint.parameters.imageEditingAdvancedOptions as Record<string, unknown>).webhook =
				productionUrl();
			await n8n.importWorkflows([submitting]);
			sim.settings.jobDurationMs = 1500;
			const submitted = await n8n.execute(submitting.id, { alongsideServer: true });
			const [queued] = nodeOutput(submitted, inpaint.name);
			expect(queued.json).toMatchObject({ status: 'processing', endpoint: 'imageEditing' });
			// The node signed the URL for ModelsLab only: its output echoes it unsigned.
			expect(JSON.stringify(queued.json)).not.toContain('signature');
			const requestId = String(queued.json.requestId);
			return { requestId, jobId: Number(requestId) };
		}

		const signedUrl = () => String(sim.jobs.at(-1)!.body.webhook);

		test('examples/callback-trigger.json: a job from inpaint-fire-and-forget.json calls back at the signed Production URL, one execution starts and Fetch downloads the images', async () => {
			const before = (await server.executionsOf(trigger.id)).length;
			const { requestId, jobId } = await submitCallingBack();
			expect(signedUrl()).toMatch(
				new RegExp(`^${productionUrl()}\\?endpoint=imageEditing&signature=[\\w-]{43}$`),
			);

			// Newest first
			const [execution] = await settledExecutions(server, trigger.id, before + 1);
			expect(execution).toMatchObject({ status: 'success', mode: 'webhook' });
			expect(sim.callbacks).toEqual([expect.objectContaining({ url: signedUrl(), status: 200 })]);
			const stored = await server.storedExecution(execution.id);
			const [started] = nodeOutput(stored, 'ModelsLab Trigger');
			expect(started.json).toMatchObject({ status: 'success', requestId, trackId: '1042' });
			expect(started.binary).toBeUndefined();
			// The images are downloaded in the execution, by the ModelsLab Fetch node.
			const [item] = nodeOutput(stored, 'Use the Images');
			expect(item.json).toMatchObject({ status: 'success', requestId, endpoint: 'imageEditing' });
			expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
				width: 512,
				height: 512,
			});

			// ModelsLab may deliver again: the same job does not start the workflow twice.
			expect((await sim.deliverCallback(jobId)).status).toBe(200);
			await settledExecutions(server, trigger.id, before + 1);
		});

		test('a callback without the signature, or with a wrong one, gets 401 and starts nothing', async () => {
			const before = (await server.executionsOf(trigger.id)).length;
			const body = JSON.stringify({
				status: 'success',
				id: 90009999,
				output: ['http://127.0.0.1/x.png'],
			});
			for (const url of [productionUrl(), `${productionUrl()}?signature=not-the-signature`]) {
				const response = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body,
				});
				expect(response.status).toBe(401);
			}
			await settledExecutions(server, trigger.id, before);
		});

		test('a job delivered again after n8n restarted starts no second execution (started ids are saved)', async () => {
			const before = (await server.executionsOf(trigger.id)).length;
			// The simulator numbers jobs from 90000001 again after each reset, and that id has started
			// the workflow in an earlier test: a job sent straight to the simulator takes it.
			const burner = await fetch(`${sim.baseUrl}/api/v6/image_editing/inpaint`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({
					key: 'sim-api-key',
					prompt: 'a red car',
					init_image: 'https://example.com/photo.png',
					mask_image: 'https://example.com/mask.png',
				}),
			});
			expect(burner.status).toBe(200);
			// Two jobs: n8n 2.x drops the trigger's changes only once the workflow has static data, so
			// on a fresh workflow the first id would be saved even without the package's workaround.
			const jobIds: number[] = [];
			for (const started of [1, 2]) {
				jobIds.push((await submitCallingBack()).jobId);
				await settledExecutions(server, trigger.id, before + started);
			}

			await server.restart();
			// Webhooks are registered a little after the REST API answers.
			await waitFor(
				'the trigger webhook after the restart',
				async () => {
					const response = await fetch(productionUrl(), { method: 'POST' });
					return response.status === 401 ? true : undefined;
				},
				60_000,
				500,
			);
			for (const jobId of [...jobIds, ...jobIds])
				expect((await sim.deliverCallback(jobId)).status).toBe(200);
			await settledExecutions(server, trigger.id, before + 2);
		});

		test('examples/inpaint-replace-background.json: a drawn mask keeps the subject and repaints the rest', async () => {
			const formTrigger = nodeOfType(background, 'n8n-nodes-base.formTrigger');
			const upload = new FormData();
			upload.append('field-0', new Blob([makePhoto(800, 600)], { type: 'image/png' }), 'photo.png');
			upload.append('field-1', 'a sunny beach');
			const response = await fetch(`${n8n.baseUrl}/form/${formTrigger.webhookId}`, {
				method: 'POST',
				body: upload,
			});
			expect(response.status).toBe(200);

			const [execution] = await settledExecutions(server, background.id, 1);
			expect(execution.status).toBe('success');
			const [item] = nodeOutput(await server.storedExecution(execution.id), 'ModelsLab Inpaint');
			expect(item.json).toMatchObject({
				status: 'success',
				endpoint: 'imageEditing',
				outputSize: { width: 800, height: 600 },
			});
			expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
				width: 800,
				height: 600,
			});
			// The mask ModelsLab got: the photo's size, the ellipse kept (black), the corners repainted (white).
			const uploads = sim.requestsTo('/api/v6/base64_to_url');
			const sent = uploadedPicture(uploads[1]);
			const { gray } = sent;
			expect({ width: sent.width, height: sent.height }).toEqual({ width: 800, height: 600 });
			expect([gray(400, 300), gray(0, 0), gray(799, 599)]).toEqual([0, 255, 255]);
			// The drawn mask is on the item too.
			expect(pngSize(binaryBytes(item, 'mask', n8n.userFolder))).toEqual({
				width: 800,
				height: 600,
			});
			expect(sim.requestsTo('/api/v6/image_editing/inpaint')[0].body).not.toHaveProperty('width');
		});

		test('examples/inpaint-uploaded-photo.json: the form upload is inpainted and downloaded', async () => {
			const formTrigger = nodeOfType(form, 'n8n-nodes-base.formTrigger');
			const upload = new FormData();
			// The form's fields, in order: photo, mask, prompt (their labels name the binary fields).
			// A 4:3 photo: with Output Size › Same as Image (the default) the result keeps its size.
			upload.append(
				'field-0',
				new Blob([makePhoto(1024, 768)], { type: 'image/png' }),
				'photo.png',
			);
			upload.append('field-1', new Blob([makeMask(1024, 768)], { type: 'image/png' }), 'mask.png');
			upload.append('field-2', 'a bunch of red roses');
			const response = await fetch(`${n8n.baseUrl}/form/${formTrigger.webhookId}`, {
				method: 'POST',
				body: upload,
			});
			expect(response.status).toBe(200);

			const [execution] = await settledExecutions(server, form.id, 1);
			expect(execution.status).toBe('success');
			const [item] = nodeOutput(await server.storedExecution(execution.id), 'ModelsLab Inpaint');
			expect(item.json).toMatchObject({ status: 'success', endpoint: 'community' });
			for (const field of ['data', 'data_1']) {
				expect(pngSize(binaryBytes(item, field, n8n.userFolder))).toEqual({
					width: 1024,
					height: 768,
				});
			}
			expect(item.json.outputSize).toEqual({ width: 1024, height: 768 });
			expect(sim.requestsTo('/api/v6/base64_to_url')).toHaveLength(2); // photo and mask uploaded
			expect(sim.requestsTo('/api/v6/images/inpaint')[0].body).toMatchObject({
				model_id: 'pony-realism',
				prompt: 'a bunch of red roses',
				samples: 2,
				width: 1024,
				height: 768,
			});
		});
	});
}
