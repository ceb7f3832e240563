import {
	decodePng,
	isPng,
	makeMask,
	makePhoto,
	ModelsLabSimulator,
	type RecordedRequest,
} from '../../simulator';
import {
	binaryModeForms,
	binaryModeWorkflow,
	type WorkflowBinaryMode,
} from '../support/binaryModeWorkflows';
import { nodeOutput, type Execution, type ExecutedItem } from '../support/execution';
import type { InpaintForm } from '../support/maskWorkflows';
import { N8n } from '../support/n8n';
import { waitFor } from '../support/processes';
import { N8nServer } from '../support/server';
import type { Major } from '../support/versions';

const INPAINT_SUBMIT = '/api/v6/image_editing/inpaint';
const UPLOAD = '/api/v6/base64_to_url';
const [LARGE_WIDTH, LARGE_HEIGHT] = [2400, 1800];

/**
 * The binary data modes each major offers here (N8N_DEFAULT_BINARY_DATA_MODE, read from n8n-core's
 * binary-data config and n8n's base command). s3 and azure need an enterprise license and a store:
 * not run. n8n 1.x stores files in the database only when N8N_AVAILABLE_BINARY_DATA_MODES lists
 * `database`; 2.x always registers it (and calls that variable deprecated).
 */
type StorageMode = 'default' | 'filesystem' | 'database';
const STORAGE_MODES: StorageMode[] = ['default', 'filesystem', 'database'];
const modeEnv = (major: Major, mode: StorageMode) => ({
	N8N_DEFAULT_BINARY_DATA_MODE: mode,
	N8N_AVAILABLE_BINARY_DATA_MODES:
		major === 1 && mode === 'database' ? 'filesystem,database' : undefined,
});
/** How a stored file's id starts in each mode; `default` keeps the bytes inline (base64), no id. */
const ID_PATTERN: Record<StorageMode, RegExp | undefined> = {
	default: undefined,
	filesystem: /^filesystem-v2:/,
	database: /^database:/,
};
/**
 * n8n 2.41.1's default expression engine (`vm`) cannot evaluate a webhook's path in a workflow with
 * Binary Mode combined ("Node '…' hasn't been executed", webhook.service evaluateDescriptionProperty):
 * such a Form Trigger is never registered and its URL answers 500. The `legacy` engine serves it,
 * so this suite runs on it (as 1.x runs everywhere here); the engine does not touch binary data.
 */
const ENGINE = { N8N_EXPRESSION_ENGINE: 'legacy' };
/** The Binary Mode workflow setting: only 2.x has `combined` (files kept in the item's JSON). */
const WORKFLOW_MODES: Record<Major, WorkflowBinaryMode[]> = {
	1: ['separate'],
	2: ['separate', 'combined'],
};

type StoredFile = NonNullable<ExecutedItem['binary']>[string];

const dataUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
/** The link a base64_to_url upload was answered with. */
const uploadLink = (upload: RecordedRequest) =>
	String((upload.answer?.body as { output?: string[] } | undefined)?.output?.[0]);
/** The upload whose link the inpaint job was sent as `key` (init_image, mask_image). */
function uploadSentAs(sim: ModelsLabSimulator, key: string): RecordedRequest {
	const [submit] = sim.requestsTo(INPAINT_SUBMIT);
	const link = (submit.body as Record<string, unknown>)[key];
	const upload = sim.requestsTo(UPLOAD).find((candidate) => uploadLink(candidate) === link);
	if (!upload) throw new Error(`${key} ${String(link)} is not the link of an upload`);
	return upload;
}
/** The data URI the job's `key` image was uploaded as. */
const sentFile = (sim: ModelsLabSimulator, key: string) =>
	String((uploadSentAs(sim, key).body as { base64_string?: unknown }).base64_string);
const uploadedBytes = (sim: ModelsLabSimulator, key: string) =>
	Buffer.from(sentFile(sim, key).split(',')[1], 'base64');

/** The RGBA of a pixel of a decoded PNG. */
const pixel = (png: ReturnType<typeof decodePng>, x: number, y: number) =>
	Array.from(png.rgba.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));

let largePhoto: Buffer | undefined;
const theLargePhoto = () => (largePhoto ??= makePhoto(LARGE_WIDTH, LARGE_HEIGHT));

/**
 * Image and mask inputs and result images in every binary data mode n8n offers here, in real n8n:
 * one user folder per major, restarted once per mode (`default` in memory, `filesystem`,
 * `database`), each running Form Trigger uploads → ModelsLab Inpaint (Wait for Result, Download
 * Images) in a workflow of each Binary Mode setting (2.x: `separate` and `combined`).
 */
export function binaryModesSuite(major: Major): void {
	describe(`binary modes (n8n ${major}.x: Form Trigger uploads → Inpaint, one start per mode)`, () => {
		const sim = new ModelsLabSimulator();
		let n8n: N8n;
		let server: N8nServer | undefined;
		const workflows = WORKFLOW_MODES[major].map((binaryMode) => ({
			binaryMode,
			workflow: binaryModeWorkflow(binaryMode),
			forms: binaryModeForms(binaryMode),
		}));

		beforeAll(async () => {
			const simulatorUrl = await sim.start();
			n8n = await N8n.create(major, 'binary-modes', ENGINE);
			await n8n.importCredential(simulatorUrl);
			await n8n.importWorkflows(workflows.map((entry) => entry.workflow));
			for (const { workflow } of workflows) await n8n.activate(workflow.id);
		}, 300_000);
		afterAll(async () => {
			await server?.stop();
			await sim.stop();
		});
		beforeEach(() => sim.reset());

		/** Posts files to a form; the stored execution it started, once finished. */
		async function submit(workflowId: string, form: InpaintForm, files: Buffer[]) {
			const running = server!;
			const before = await running.executionsOf(workflowId);
			const seen = new Set(before.map((entry) => entry.id));
			const body = new FormData();
			files.forEach((file, i) =>
				body.append(`field-${i}`, new Blob([file], { type: 'image/png' }), `${i}.png`),
			);
			const response = await fetch(`${n8n.baseUrl}/form/${form.webhookId}`, {
				method: 'POST',
				body,
			});
			expect(response.status).toBe(200);
			const summary = await waitFor(
				`the execution of ${workflowId} that the form ${form.webhookId} started`,
				async () =>
					(await running.executionsOf(workflowId)).find(
						(entry) => !seen.has(entry.id) && !['new', 'running', 'waiting'].includes(entry.status),
					),
				120_000,
				300,
			);
			return await running.storedExecution(summary.id);
		}

		/** The one item a node output, after the run succeeded (a failure throws its message). */
		function onlyItem(execution: Execution, nodeName: string): ExecutedItem {
			const items = nodeOutput(execution, nodeName);
			expect(execution.status).toBe('success');
			expect(items).toHaveLength(1);
			return items[0];
		}

		for (const mode of STORAGE_MODES) {
			describe(`N8N_DEFAULT_BINARY_DATA_MODE=${mode}`, () => {
				beforeAll(async () => {
					n8n.setEnv(modeEnv(major, mode));
					if (server) await server.restart();
					else server = await N8nServer.start(n8n);
					for (const { forms } of workflows)
						for (const form of Object.values(forms))
							await waitFor(
								`the form ${form.webhookId}`,
								async () =>
									(await fetch(`${n8n.baseUrl}/form/${form.webhookId}`)).ok ? true : undefined,
								60_000,
								500,
							);
				}, 240_000);

				/** A stored file's bytes, read as the editor reads them; its id says where it is kept. */
				async function bytesOf(file: StoredFile | undefined): Promise<Buffer> {
					expect(file).toBeDefined();
					const pattern = ID_PATTERN[mode];
					if (!pattern) {
						expect(file!.id).toBeUndefined();
						return Buffer.from(file!.data ?? '', 'base64');
					}
					expect(file!.id).toMatch(pattern);
					return await server!.binaryData(file!.id!);
				}

				for (const { binaryMode, workflow, forms } of workflows) {
					/**
					 * Where n8n put a file of an item: `binary`, or with Binary Mode combined the JSON (a
					 * form's file under its label; the node's results under `_files`, except in `default`
					 * mode, where n8n leaves a node's output as it is).
					 */
					function fileOf(item: ExecutedItem, field: string, from: 'form' | 'node'): StoredFile {
						const inJson = binaryMode === 'combined' && (from === 'form' || mode !== 'default');
						if (!inJson) return item.binary?.[field] as StoredFile;
						expect(item.binary?.[field]).toBeUndefined();
						const json = from === 'form' ? item.json : (item.json._files as ExecutedItem['json']);
						return json?.[field] as StoredFile;
					}
					const label = `${mode} mode, Binary Mode ${binaryMode}`;

					test(`${label}: a photo and a mask uploaded to a form are sent as posted; the result is stored and readable`, async () => {
						const form = forms.pair;
						const [photo, mask] = [makePhoto(640, 480), makeMask(640, 480)];
						const execution = await submit(workflow.id, form, [photo, mask]);

						// The form's files, where this mode keeps them.
						const formItem = onlyItem(execution, form.trigger);
						for (const field of ['photo', 'mask']) {
							const file = fileOf(formItem, field, 'form');
							expect(file?.mimeType).toBe('image/png');
							if (ID_PATTERN[mode]) expect(file.id).toMatch(ID_PATTERN[mode]);
							else
								expect(
									Buffer.from(file.data ?? '', 'base64').equals(field === 'photo' ? photo : mask),
								).toBe(true);
						}
						// The job got exactly the posted files, as uploads.
						expect(sim.requestsTo(UPLOAD)).toHaveLength(2);
						expect(sentFile(sim, 'init_image') === dataUri(photo)).toBe(true);
						expect(sentFile(sim, 'mask_image') === dataUri(mask)).toBe(true);

						const item = onlyItem(execution, form.inpaint);
						expect(item.json).toMatchObject({
							status: 'success',
							outputSize: { width: 640, height: 480 },
							notice: null,
						});
						const bytes = await bytesOf(fileOf(item, 'data', 'node'));
						expect(isPng(bytes)).toBe(true);
						const result = decodePng(bytes);
						expect([result.width, result.height]).toEqual([640, 480]);
						// Keep Original Pixels (the stored download read back and pasted by the mask):
						// the corners are the photo's, the middle of the mask is ModelsLab's picture.
						const original = decodePng(photo);
						const corners = [
							[0, 0],
							[639, 0],
							[0, 479],
							[639, 479],
						];
						for (const [x, y] of corners)
							expect(pixel(result, x, y)).toEqual(pixel(original, x, y));
						const drawn = decodePng(
							Buffer.from(await (await fetch(sim.jobs[0].outputs[0])).arrayBuffer()),
						);
						expect(pixel(result, 320, 288)).toEqual(pixel(drawn, 320, 288));
					});

					test(`${label}: a ${LARGE_WIDTH}×${LARGE_HEIGHT} photo uploaded to a form goes at full resolution; the stitched result is stored`, async () => {
						const form = forms.large;
						const photo = theLargePhoto();
						const execution = await submit(workflow.id, form, [photo]);
						const item = onlyItem(execution, form.inpaint);
						const { box, sentSize, scaled } = item.json.fullResolution as {
							box: { left: number; top: number; width: number; height: number };
							sentSize: { width: number; height: number };
							scaled: boolean;
						};
						expect(scaled).toBe(false);
						expect(Math.max(sentSize.width, sentSize.height)).toBeLessThanOrEqual(1024);
						expect(item.json.outputSize).toEqual({ width: LARGE_WIDTH, height: LARGE_HEIGHT });
						expect(sim.requestsTo(INPAINT_SUBMIT)[0].body).toMatchObject(sentSize);

						// What went is the box cut from the posted photo.
						const original = decodePng(photo);
						const sent = decodePng(uploadedBytes(sim, 'init_image'));
						expect({ width: sent.width, height: sent.height }).toEqual(sentSize);
						for (const [x, y] of [
							[0, 0],
							[sent.width - 1, sent.height - 1],
						])
							expect(pixel(sent, x, y)).toEqual(pixel(original, box.left + x, box.top + y));

						// The stored result: the photo at its size, byte-identical outside the box.
						const bytes = await bytesOf(fileOf(item, 'data', 'node'));
						expect(isPng(bytes)).toBe(true);
						const result = decodePng(bytes);
						expect([result.width, result.height]).toEqual([LARGE_WIDTH, LARGE_HEIGHT]);
						let changedOutside = 0;
						for (let y = 0; y < LARGE_HEIGHT; y++)
							for (let x = 0; x < LARGE_WIDTH; x++) {
								const inside =
									x >= box.left &&
									x < box.left + box.width &&
									y >= box.top &&
									y < box.top + box.height;
								const o = (y * LARGE_WIDTH + x) * 4;
								if (inside) continue;
								for (let c = 0; c < 4; c++)
									if (result.rgba[o + c] !== original.rgba[o + c]) changedOutside++;
							}
						expect(changedOutside).toBe(0);
					});
				}
			});
		}
	});
}
