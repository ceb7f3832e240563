import { crc32 } from 'zlib';
import * as jpeg from 'jpeg-js';

import {
	decodePicture,
	isJpeg,
	isPng,
	makePhoto,
	uploadPicture,
	webpContainer,
	type ModelsLabSimulator,
} from '../../simulator';
import { SEAM_REACH_PIXELS } from '../../nodes/ModelsLabInpaint/stitch/seamPlan';
import { withExifOrientation } from '../../test/support/codecCorpus';
import { binaryBytes } from '../support/binary';
import { nodeOutput, type Execution, type ExecutedItem } from '../support/execution';
import { fullResolutionForms } from '../support/fullResolutionWorkflows';
import type { N8n } from '../support/n8n';
import { waitFor } from '../support/processes';
import { served, type RunningN8n } from '../support/running-n8n';
import type { N8nServer } from '../support/server';

const INPAINT_SUBMIT = '/api/v6/image_editing/inpaint';
const UPLOAD = '/api/v6/base64_to_url';
const [WIDTH, HEIGHT] = [4032, 3024];

interface Box {
	left: number;
	top: number;
	width: number;
	height: number;
}
interface FullResolution {
	box: Box;
	sentSize: { width: number; height: number };
	scaled: boolean;
}

/** Visits the RGBA offset of every pixel outside the box. */
function outsideBox(box: Box, width: number, height: number, visit: (offset: number) => void) {
	for (let y = 0; y < height; y++)
		for (let x = 0; x < width; x++) {
			const inside =
				x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
			if (!inside) visit((y * width + x) * 4);
		}
}

/** The smallest box of 16-pixel blocks (4:2:0 MCUs) holding `box`, within the photo. */
function onMcuGrid(box: Box): Box {
	const grid = (value: number, up: boolean) =>
		(up ? Math.ceil(value / 16) : Math.floor(value / 16)) * 16;
	const [left, top] = [grid(box.left, false), grid(box.top, false)];
	return {
		left,
		top,
		width: Math.min(WIDTH, grid(box.left + box.width, true)) - left,
		height: Math.min(HEIGHT, grid(box.top + box.height, true)) - top,
	};
}

/** A PNG that is only a header saying width×height (no pixels): enough for the size check. */
function pngHeaderOnly(width: number, height: number): Buffer {
	const chunk = (type: string, data: Buffer) => {
		const length = Buffer.alloc(4);
		length.writeUInt32BE(data.length);
		const typed = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(typed));
		return Buffer.concat([length, typed, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, deflate, no interlace
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/**
 * Full resolution in a running n8n: Output Size › Same as Image with a 4032×3024 photo (a link to a
 * JPEG, a PNG uploaded to a form) sends the box around the mask and gives back the photo's size and
 * format with the result pasted in; a photo over 40 MP is refused before anything is sent.
 */
export function fullResolutionSuite(running: () => RunningN8n): void {
	describe('full resolution (Form Triggers, 4032×3024 photos)', () => {
		let sim: ModelsLabSimulator;
		let n8n: N8n;
		let server: N8nServer;
		const workflowId = served.fullResolution.id;
		beforeAll(async () => {
			({ sim, n8n, server } = running());
			for (const form of Object.values(fullResolutionForms))
				await waitFor(
					`the form ${form.webhookId}`,
					async () =>
						(await fetch(`${n8n.baseUrl}/form/${form.webhookId}`)).ok ? true : undefined,
					60_000,
					500,
				);
		}, 120_000);
		beforeEach(() => sim.reset());

		/** Posts a form and returns the stored execution it started, once finished. */
		async function submitForm(webhookId: string, field: string | Blob, fileName = 'photo.png') {
			// After seconds of decoding in this process, n8n may have closed the idle keep-alive
			// connections: let their close be seen, and list again if the first call met one.
			await new Promise((resolve) => setTimeout(resolve, 200));
			const before = await waitFor(
				`the executions of ${workflowId}`,
				async () => await server.executionsOf(workflowId),
				10_000,
				200,
			);
			const seen = new Set(before.map((entry) => entry.id));
			const body = new FormData();
			if (typeof field === 'string') body.append('field-0', field);
			else body.append('field-0', field, fileName);
			const response = await fetch(`${n8n.baseUrl}/form/${webhookId}`, { method: 'POST', body });
			expect(response.status).toBe(200);
			const summary = await waitFor(
				`the execution of ${workflowId} that the form started`,
				async () =>
					(await server.executionsOf(workflowId)).find(
						(entry) => !seen.has(entry.id) && !['new', 'running', 'waiting'].includes(entry.status),
					),
				120_000,
				300,
			);
			return { status: summary.status, execution: await server.storedExecution(summary.id) };
		}

		/** The photo uploaded to the simulator, as a link the node downloads. */
		const simulatorLink = (photo: Buffer) =>
			uploadPicture(sim.baseUrl, photo, 'image/jpeg', 'sim-api-key');

		/** The crop the node uploaded (its uploads: the crop, then the mask). */
		function uploadedPhoto(): Buffer {
			const uploads = sim.requestsTo(UPLOAD);
			const body = uploads[uploads.length - 2].body as { base64_string: string };
			return Buffer.from(body.base64_string.split(',')[1], 'base64');
		}

		function succeeded(result: { status: string; execution: Execution }, nodeName: string) {
			expect(result.status).toBe('success');
			const items = nodeOutput(result.execution, nodeName);
			expect(items).toHaveLength(1);
			return items[0];
		}

		/** The result's box, checked against what ModelsLab was asked for. */
		function sentBox(item: ExecutedItem): FullResolution {
			const fullResolution = item.json.fullResolution as FullResolution;
			expect(fullResolution.scaled).toBe(false);
			expect(
				Math.max(fullResolution.sentSize.width, fullResolution.sentSize.height),
			).toBeLessThanOrEqual(1024);
			const submits = sim.requestsTo(INPAINT_SUBMIT);
			expect(submits).toHaveLength(1);
			expect(submits[0].body).toMatchObject(fullResolution.sentSize);
			expect(item.json.outputSize).toEqual({ width: WIDTH, height: HEIGHT });
			return fullResolution;
		}

		test('a 4032×3024 JPEG as a link: the box around the mask is sent, the result is the JPEG at its size, exact outside the blocks around the box', async () => {
			const png = decodePicture(makePhoto(WIDTH, HEIGHT))!;
			const photo = Buffer.from(
				jpeg.encode({ data: Buffer.from(png.rgba), width: WIDTH, height: HEIGHT }, 90).data,
			);
			const form = fullResolutionForms.link;
			const item = succeeded(
				await submitForm(form.webhookId, await simulatorLink(photo)),
				form.inpaint,
			);
			const { box } = sentBox(item);

			expect(item.binary?.data?.mimeType).toBe('image/jpeg');
			const bytes = binaryBytes(item, 'data', n8n.userFolder);
			expect(isJpeg(bytes)).toBe(true);
			const result = decodePicture(bytes)!;
			expect([result.width, result.height]).toEqual([WIDTH, HEIGHT]);
			const original = decodePicture(photo)!;
			let sum = 0;
			let counted = 0;
			outsideBox(box, WIDTH, HEIGHT, (o) => {
				for (let c = 0; c < 3; c++) sum += Math.abs(result.rgba[o + c] - original.rgba[o + c]);
				counted += 3;
			});
			expect(sum / counted).toBeLessThan(1);
			// Only the 16-pixel blocks (4:2:0 MCUs) around the box are encoded again: exact outside them.
			let changed = 0;
			outsideBox(onMcuGrid(box), WIDTH, HEIGHT, (o) => {
				for (let c = 0; c < 3; c++) if (result.rgba[o + c] !== original.rgba[o + c]) changed++;
			});
			expect(changed).toBe(0);
		});

		test('a portrait phone photo (stored 4032×3024, Exif orientation 6) as a link: the mask lies on the photo as shown, the crop goes upright, the result shows turned like the photo with the repaint under the mask', async () => {
			const png = decodePicture(makePhoto(WIDTH, HEIGHT))!;
			const photo = Buffer.from(
				withExifOrientation(
					jpeg.encode({ data: Buffer.from(png.rgba), width: WIDTH, height: HEIGHT }, 90).data,
					6,
				),
			);
			const item = succeeded(
				await submitForm(fullResolutionForms.link.webhookId, await simulatorLink(photo)),
				fullResolutionForms.link.inpaint,
			);
			// As shown: 3024 wide, 4032 tall; the box and the crop sent are in the photo as shown.
			expect(item.json.outputSize).toEqual({ width: HEIGHT, height: WIDTH });
			const { box, sentSize, scaled } = item.json.fullResolution as FullResolution;
			expect(scaled).toBe(false);
			const sent = decodePicture(uploadedPhoto())!;
			expect([sent.width, sent.height]).toEqual([sentSize.width, sentSize.height]);
			expect(box.height).toBeGreaterThan(box.width); // the ellipse is taller than wide as shown
			const bytes = binaryBytes(item, 'data', n8n.userFolder);
			// The Exif orientation is kept: the file is stored as the photo was, and shows turned.
			expect(bytes.includes(photo.subarray(2, 38))).toBe(true);
			const result = decodePicture(bytes)!;
			expect([result.width, result.height]).toEqual([WIDTH, HEIGHT]);
			const original = decodePicture(photo)!;
			// Orientation 6: shown (x, y) is stored (y, 3023 - x). The box, as stored, on the MCU grid.
			const stored = {
				left: box.top,
				top: HEIGHT - box.left - box.width,
				width: box.height,
				height: box.width,
			};
			let changed = 0;
			outsideBox(onMcuGrid(stored), WIDTH, HEIGHT, (o) => {
				for (let c = 0; c < 3; c++) if (result.rgba[o + c] !== original.rgba[o + c]) changed++;
			});
			expect(changed).toBe(0);
			// The mask's centre as shown (65 %, 61 %) is repainted: as stored, at (y, 3023 - x).
			const [x, y] = [Math.round(HEIGHT * 0.65), Math.round(WIDTH * 0.61)];
			const at = ((HEIGHT - 1 - x) * WIDTH + y) * 4;
			const repaint = [0, 1, 2].map((c) => Math.abs(result.rgba[at + c] - original.rgba[at + c]));
			expect(Math.max(...repaint)).toBeGreaterThan(20);
		});

		test('a 4032×3024 PNG uploaded to a form: the result is a PNG at its size, byte-identical outside the box', async () => {
			const photo = makePhoto(WIDTH, HEIGHT);
			const form = fullResolutionForms.upload;
			const item = succeeded(
				await submitForm(form.webhookId, new Blob([photo], { type: 'image/png' })),
				form.inpaint,
			);
			const { box } = sentBox(item);

			expect(item.binary?.data?.mimeType).toBe('image/png');
			const bytes = binaryBytes(item, 'data', n8n.userFolder);
			expect(isPng(bytes)).toBe(true);
			const result = decodePicture(bytes)!;
			expect([result.width, result.height]).toEqual([WIDTH, HEIGHT]);
			const original = decodePicture(photo)!;
			let changedOutside = 0;
			outsideBox(box, WIDTH, HEIGHT, (o) => {
				for (let c = 0; c < 4; c++)
					if (result.rgba[o + c] !== original.rgba[o + c]) changedOutside++;
			});
			expect(changedOutside).toBe(0);
		});

		test('an 800×600 PNG the endpoint takes whole: sent as it is, and with ModelsLab shifting every pixel, the result is the photo away from the mask (Keep Original Pixels)', async () => {
			// As real models do: every pixel outside the mask comes back a few levels off.
			sim.settings.outsideDrift = 3;
			const photo = makePhoto(800, 600);
			const form = fullResolutionForms.upload;
			const item = succeeded(
				await submitForm(form.webhookId, new Blob([photo], { type: 'image/png' })),
				form.inpaint,
			);
			expect(item.json).toMatchObject({
				outputSize: { width: 800, height: 600 },
				fullResolution: { box: { left: 0, top: 0, width: 800, height: 600 }, scaled: false },
				notice: null,
			});
			expect(sim.requestsTo(INPAINT_SUBMIT)[0].body).not.toHaveProperty('width');
			const result = decodePicture(binaryBytes(item, 'data', n8n.userFolder))!;
			const mask = decodePicture(binaryBytes(item, 'mask', n8n.userFolder))!;
			const original = decodePicture(photo)!;
			// The box of the mask's white, grown by how far the seam can reach.
			let [left, top, right, bottom] = [800, 600, -1, -1];
			for (let y = 0; y < 600; y++)
				for (let x = 0; x < 800; x++)
					if (mask.rgba[(y * 800 + x) * 4] > 0) {
						[left, top] = [Math.min(left, x), Math.min(top, y)];
						[right, bottom] = [Math.max(right, x), Math.max(bottom, y)];
					}
			const reach = SEAM_REACH_PIXELS + 1;
			const seamBox = {
				left: left - reach,
				top: top - reach,
				width: right - left + 1 + 2 * reach,
				height: bottom - top + 1 + 2 * reach,
			};
			let [changed, counted] = [0, 0];
			outsideBox(seamBox, 800, 600, (o) => {
				counted++;
				for (let c = 0; c < 3; c++) if (result.rgba[o + c] !== original.rgba[o + c]) changed++;
			});
			expect(counted).toBeGreaterThan(800 * 600 * 0.5);
			expect(changed).toBe(0);
		});

		test('a WebP photo the endpoint takes whole is sent as it is; the notice that nothing was pasted back is shown above the output', async () => {
			const form = fullResolutionForms.upload;
			const { status, execution } = await submitForm(
				form.webhookId,
				new Blob([webpContainer(800, 600)], { type: 'image/webp' }),
				'photo.webp',
			);
			const item = succeeded({ status, execution }, form.inpaint);
			expect(sim.requestsTo(INPAINT_SUBMIT)).toHaveLength(1);
			const notice = String(item.json.notice);
			expect(notice).toMatch(/^Keep Original Pixels Outside the Mask did not apply: .*WebP/);
			expect(execution.data.resultData.runData[form.inpaint][0].hints).toEqual([
				{ message: `Item 0: ${notice}`, type: 'warning', location: 'outputPane' },
			]);
		});

		/** Posts a photo to the upload form and returns the error its execution stored. */
		async function refused(photo: Buffer, type: string, fileName: string) {
			const form = fullResolutionForms.upload;
			const { status, execution } = await submitForm(
				form.webhookId,
				new Blob([photo], { type }),
				fileName,
			);
			expect(status).toBe('error');
			const run = execution.data.resultData.runData[form.inpaint]?.[0];
			// Nothing reached ModelsLab (no submit, no upload).
			expect(sim.requests.filter((request) => request.path.startsWith('/api/'))).toEqual([]);
			return String(run?.error?.message ?? execution.data.resultData.error?.message);
		}

		test('a large WebP photo uploaded to a form is refused before anything is sent to ModelsLab', async () => {
			const message = await refused(webpContainer(2400, 1800), 'image/webp', 'photo.webp');
			expect(message).toMatch(/^"Output Size" Same as Image: .*WebP/);
		});

		test('a PNG of 8000×6000 (48 MP) uploaded to a form is refused before anything is sent to ModelsLab', async () => {
			// With a Shapes mask the mask's own limit (the same 40 MP: the mask is made at the
			// photo's full size) is met first, while the request is prepared.
			const message = await refused(pngHeaderOnly(8000, 6000), 'image/png', 'photo.png');
			expect(message).toMatch(
				/^"Mask Source" Shapes: the image is 8000×6000 pixels; masks are made for images up to 40 megapixels/,
			);
		});
	});
}
