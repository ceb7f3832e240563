import {
	decodePng,
	expectedObjectMask,
	makePhoto,
	objectBoxPixels,
	type ModelsLabSimulator,
	type RecordedRequest,
} from '../../simulator';
import { binaryBytes, linkedPicture, pngSize, uploadedPicture } from '../support/binary';
import { nodeOutput, type ExecutedItem } from '../support/execution';
import { maskForms } from '../support/maskWorkflows';
import type { N8n } from '../support/n8n';
import { waitFor } from '../support/processes';
import { served, type RunningN8n } from '../support/running-n8n';
import type { N8nServer } from '../support/server';
import { INPAINT, nodeOfType } from '../support/workflows';

const MASK_CREATOR = '/api/v6/image_editing/mask_creator';
const REMOVEBG = '/api/v6/image_editing/removebg_mask';
const INPAINT_SUBMIT = '/api/v6/image_editing/inpaint';
const OBJECT_REMOVAL = '/api/v6/image_editing/object_removal';
const UPLOAD = '/api/v6/base64_to_url';

/** A decoded PNG as one gray level per pixel, row by row. */
function grayOf(bytes: Buffer) {
	const png = decodePng(bytes);
	const gray = new Uint8Array(png.width * png.height);
	for (let i = 0; i < gray.length; i++) gray[i] = png.rgba[i * 4];
	return { width: png.width, height: png.height, gray };
}

const whiteCount = (gray: Uint8Array) =>
	gray.reduce((sum, value) => sum + (value >= 128 ? 1 : 0), 0);

/** Pixels where two masks differ at all. */
function differing(a: Uint8Array, b: Uint8Array) {
	let count = 0;
	for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
	return count;
}

/** The link a base64_to_url upload was answered with. */
const uploadLink = (upload: RecordedRequest) =>
	String((upload.answer?.body as { output?: string[] } | undefined)?.output?.[0]);

/**
 * Masks from words in a running n8n, started the way users start them: the describe-mask example's
 * form, and forms (e2e/support/maskWorkflows.ts) for Subject, Background, Object Removal and Mask Only.
 */
export function masksSuite(running: () => RunningN8n): void {
	describe('masks from words (Form Triggers)', () => {
		let sim: ModelsLabSimulator;
		let n8n: N8n;
		let server: N8nServer;
		beforeAll(async () => {
			({ sim, n8n, server } = running());
			// Webhooks are registered a little after the REST API answers: wait for the forms to show.
			const forms = [
				nodeOfType(served.describeMask, 'n8n-nodes-base.formTrigger').webhookId as string,
				...Object.values(maskForms).map((form) => form.webhookId),
			];
			for (const webhookId of forms)
				await waitFor(
					`the form ${webhookId}`,
					async () => ((await fetch(`${n8n.baseUrl}/form/${webhookId}`)).ok ? true : undefined),
					60_000,
					500,
				);
		}, 120_000);
		beforeEach(() => sim.reset());

		/** Posts a form, waits for the execution it started and returns its one item of `nodeName`. */
		async function submitForm(
			workflowId: string,
			webhookId: string,
			fields: Array<string | Blob>,
			nodeName: string,
		): Promise<ExecutedItem> {
			const seen = new Set((await server.executionsOf(workflowId)).map((entry) => entry.id));
			const body = new FormData();
			fields.forEach((value, i) =>
				typeof value === 'string'
					? body.append(`field-${i}`, value)
					: body.append(`field-${i}`, value, 'photo.png'),
			);
			const response = await fetch(`${n8n.baseUrl}/form/${webhookId}`, { method: 'POST', body });
			expect(response.status).toBe(200);
			const execution = await waitFor(
				`the execution of ${workflowId} that the form started`,
				async () =>
					(await server.executionsOf(workflowId)).find(
						(entry) => !seen.has(entry.id) && !['new', 'running', 'waiting'].includes(entry.status),
					),
				60_000,
				300,
			);
			expect(execution.status).toBe('success');
			const items = nodeOutput(await server.storedExecution(execution.id), nodeName);
			expect(items).toHaveLength(1);
			return items[0];
		}

		const photoUpload = (width: number, height: number) =>
			new Blob([makePhoto(width, height)], { type: 'image/png' });

		const jobOf = (endpoint: string) => {
			const jobs = sim.jobs.filter((job) => job.endpoint === endpoint);
			expect(jobs).toHaveLength(1);
			return jobs[0];
		};

		test('examples/inpaint-describe-mask.json: a photo link and words; the mask of "the ball", grown 12 px, is inpainted', async () => {
			const example = served.describeMask;
			const formTrigger = nodeOfType(example, 'n8n-nodes-base.formTrigger');
			const photoLink = `${sim.baseUrl}/samples/photo-1024x768.png`;
			const item = await submitForm(
				example.id,
				formTrigger.webhookId as string,
				[photoLink, 'the ball', 'a red apple'],
				nodeOfType(example, INPAINT).name,
			);

			const [maskRequest] = sim.requestsTo(MASK_CREATOR);
			expect(maskRequest.body).toMatchObject({
				init_image: photoLink,
				specific_object: 'the ball',
			});
			const [inpaintRequest] = sim.requestsTo(INPAINT_SUBMIT);
			const uploads = sim.requestsTo(UPLOAD);
			expect(uploads).toHaveLength(1); // the mask; the photo went as its link
			expect(inpaintRequest.body).toMatchObject({
				prompt: 'a red apple',
				init_image: photoLink,
				mask_image: uploadLink(uploads[0]),
			});
			expect(item.json).toMatchObject({
				status: 'success',
				requestId: String(jobOf('imageEditing').id),
				maskRequestId: String(jobOf('maskCreator').id),
			});
			expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
				width: 1024,
				height: 768,
			});

			// The mask on the item is the one ModelsLab got: the object's, 12 px wider, soft-edged.
			const mask = grayOf(binaryBytes(item, 'mask', n8n.userFolder));
			expect({ width: mask.width, height: mask.height }).toEqual({ width: 1024, height: 768 });
			const sent = uploadedPicture(uploads[0]);
			expect({ width: sent.width, height: sent.height }).toEqual({ width: 1024, height: 768 });
			expect([0, 300, 512, 900].map((x) => sent.gray(x, 461))).toEqual(
				[0, 300, 512, 900].map((x) => mask.gray[461 * 1024 + x]),
			);
			const object = expectedObjectMask(1024, 768);
			const box = objectBoxPixels(1024, 768);
			const [middleX, middleY] = [box.x + box.width / 2, box.y + box.height / 2].map(Math.floor);
			const at = (x: number, y: number) => mask.gray[y * 1024 + x];
			expect(object.every((value, i) => value === 0 || mask.gray[i] >= 128)).toBe(true);
			expect(at(middleX, middleY)).toBe(255);
			// 6 px outside the object: grown into the mask; 30 px outside and the corners: kept.
			expect(Math.min(at(box.x - 6, middleY), at(middleX, box.y - 6))).toBeGreaterThanOrEqual(128);
			expect([at(box.x - 30, middleY), at(middleX, box.y - 30), at(0, 0), at(1023, 767)]).toEqual([
				0, 0, 0, 0,
			]);
			const objectShare = whiteCount(object) / object.length;
			expect(whiteCount(mask.gray) / mask.gray.length).toBeGreaterThan(objectShare * 1.1);
			expect(item.json.maskCoverage).toBeGreaterThan(objectShare);
			expect(item.json.maskCoverage).toBeLessThan(objectShare * 1.5);
		});

		test.each([
			['subject', maskForms.subject, false],
			['background', maskForms.background, true],
		] as const)(
			'Mask Source › %s on a form upload: removebg_mask on the uploaded photo, its mask inpainted',
			async (_, form, inverse) => {
				const item = await submitForm(
					served.masks.id,
					form.webhookId,
					[photoUpload(800, 600), 'a green meadow'],
					form.inpaint,
				);

				// Background's mask is inverted by the node and uploaded; Subject's goes as ModelsLab
				// made it (black and white, the photo's size, nothing to adjust): its own link.
				const uploads = sim.requestsTo(UPLOAD);
				expect(uploads).toHaveLength(inverse ? 2 : 1);
				const [maskRequest] = sim.requestsTo(REMOVEBG);
				expect(maskRequest.body).toMatchObject({ only_mask: true, image: uploadLink(uploads[0]) });
				const photo = uploadedPicture(uploads[0]);
				expect({ width: photo.width, height: photo.height }).toEqual({ width: 800, height: 600 });
				const maskLink = inverse ? uploadLink(uploads[1]) : jobOf('removeBgMask').outputs[0];
				const [inpaintRequest] = sim.requestsTo(INPAINT_SUBMIT);
				expect(inpaintRequest.body).toMatchObject({
					prompt: 'a green meadow',
					init_image: uploadLink(uploads[0]),
					mask_image: maskLink,
				});
				// The subject's mask for Subject, its inverse for Background, pixel for pixel.
				const sent = await linkedPicture(maskLink);
				expect({ width: sent.width, height: sent.height }).toEqual({ width: 800, height: 600 });
				const gray = Uint8Array.from({ length: 800 * 600 }, (__, i) =>
					sent.gray(i % 800, Math.floor(i / 800)),
				);
				expect(differing(gray, expectedObjectMask(800, 600, {}, inverse))).toBe(0);
				expect(item.json).toMatchObject({
					status: 'success',
					requestId: String(jobOf('imageEditing').id),
					maskRequestId: String(jobOf('removeBgMask').id),
				});
				expect(pngSize(binaryBytes(item, 'mask', n8n.userFolder))).toEqual({
					width: 800,
					height: 600,
				});
			},
		);

		test('Object Removal with a described mask: object_removal gets the photo and the mask only', async () => {
			const form = maskForms.objectRemoval;
			const photoLink = `${sim.baseUrl}/samples/photo-640x480.png`;
			const item = await submitForm(
				served.masks.id,
				form.webhookId,
				[photoLink, 'the person'],
				form.inpaint,
			);

			expect(sim.requestsTo(MASK_CREATOR)[0].body).toMatchObject({
				init_image: photoLink,
				specific_object: 'the person',
			});
			const [removal] = sim.requestsTo(OBJECT_REMOVAL);
			const body = removal.body as Record<string, unknown>;
			expect(Object.keys(body).sort()).toEqual(['init_image', 'key', 'mask_image']);
			expect(body.init_image).toBe(photoLink);
			// ModelsLab's black-and-white mask of the photo's size goes as it came: its own link.
			expect(body.mask_image).toBe(jobOf('maskCreator').outputs[0]);
			expect(sim.requestsTo(UPLOAD)).toHaveLength(0);
			expect(sim.requestsTo(INPAINT_SUBMIT)).toHaveLength(0);
			expect(item.json).toMatchObject({
				status: 'success',
				endpoint: 'objectRemoval',
				requestId: String(jobOf('objectRemoval').id),
				maskRequestId: String(jobOf('maskCreator').id),
				outputSize: { width: 640, height: 480 },
			});
			expect(pngSize(binaryBytes(item, 'data', n8n.userFolder))).toEqual({
				width: 640,
				height: 480,
			});
		});

		test('Completion › Mask Only with Shapes sends nothing to ModelsLab and outputs the drawn mask', async () => {
			const form = maskForms.maskOnlyShapes;
			const item = await submitForm(
				served.masks.id,
				form.webhookId,
				[photoUpload(400, 300)],
				form.inpaint,
			);

			expect(sim.requests).toEqual([]);
			expect(item.json.maskOnly).toBe(true);
			expect(Object.keys(item.binary ?? {})).toEqual(['mask']);
			const mask = grayOf(binaryBytes(item, 'mask', n8n.userFolder));
			expect({ width: mask.width, height: mask.height }).toEqual({ width: 400, height: 300 });
			// The ellipse in the middle half is repainted (white), the corners are kept (black).
			expect([mask.gray[150 * 400 + 200], mask.gray[0], mask.gray[299 * 400 + 399]]).toEqual([
				255, 0, 0,
			]);
		});
	});
}
