/**
 * Full resolution: Output Size › Same as Image with a photo larger than the endpoint takes. The
 * node sends the box around the mask (cropped, scaled only when the box itself is too large) and
 * pastes the result back into the original, which keeps its size and format; every pixel outside
 * the box is the original's. The results are decoded with the simulator's reference decoders.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import * as jpeg from 'jpeg-js';

import { decodePicture, makePhoto, webpContainer } from '../simulator';
import { seeded } from './support/masks';
import { encodePng as encodeTestPng } from './support/pngEncoder';
import { pngBinary, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();

// Whole photos are decoded, compared and encoded here: slow under jest on a loaded machine.
jest.setTimeout(120_000);

const INPAINT = '/api/v6/image_editing/inpaint';
const UPLOAD = '/api/v6/base64_to_url';

const photoItem = (file: Buffer, mimeType = 'image/png'): INodeExecutionData => ({
	json: {},
	binary: {
		data: { ...pngBinary(file, 'photo'), mimeType, fileName: `photo.${mimeType.split('/')[1]}` },
	},
});

/** v6 Image Editing, the photo from binary `data`, a mask drawn from one ellipse (in percent). */
const withEllipse = (box: IDataObject, extra: IDataObject = {}): IDataObject => ({
	endpoint: 'imageEditing',
	prompt: 'a red apple',
	initImageSource: 'binary',
	initImageBinaryProperty: 'data',
	maskImageSource: 'shapes',
	maskShapes: { ellipse: [{ ...box }] },
	...extra,
});

const decoded = (item: INodeExecutionData, field = 'data') =>
	decodePicture(Buffer.from(item.binary![field].data, 'base64'))!;

/** The upload ModelsLab got for the n-th image sent (0: the photo crop, 1: the mask crop). */
function uploaded(index: number) {
	const body = simulator.requestsTo(UPLOAD)[index].body as IDataObject;
	return decodePicture(Buffer.from(String(body.base64_string).split(',')[1], 'base64'))!;
}

function outsideBox(
	box: { left: number; top: number; width: number; height: number },
	width: number,
	height: number,
	visit: (offset: number) => void,
) {
	for (let y = 0; y < height; y++)
		for (let x = 0; x < width; x++) {
			const inside =
				x >= box.left && x < box.left + box.width && y >= box.top && y < box.top + box.height;
			if (!inside) visit((y * width + x) * 4);
		}
}

describe('Output Size › Same as Image, a photo larger than the endpoint takes', () => {
	it('a 1800×1350 PNG: the box around a small mask is sent at its own size, the result pasted back, untouched outside', async () => {
		const photo = makePhoto(1800, 1350);
		const { output, error } = await inpaint(
			withEllipse({ left: 60, top: 55, width: 10, height: 12 }),
			{ items: [photoItem(photo)] },
		);
		expect(error).toBeUndefined();
		const item = output[0];
		const { box, sentSize, scaled } = item.json.fullResolution as {
			box: { left: number; top: number; width: number; height: number };
			sentSize: { width: number; height: number };
			scaled: boolean;
		};
		expect(scaled).toBe(false);
		expect(sentSize).toEqual({ width: box.width, height: box.height });
		expect(Math.max(sentSize.width, sentSize.height)).toBeLessThanOrEqual(1024);
		const [job] = simulator.requestsTo(INPAINT);
		expect(job.body).toMatchObject({ width: sentSize.width, height: sentSize.height });
		const [sentPhoto, sentMask] = [uploaded(0), uploaded(1)];
		expect([sentPhoto.width, sentPhoto.height, sentMask.width, sentMask.height]).toEqual([
			sentSize.width,
			sentSize.height,
			sentSize.width,
			sentSize.height,
		]);
		// The result: the photo's size and format, the original's bytes outside the box.
		expect(item.binary!.data.mimeType).toBe('image/png');
		const result = decoded(item);
		const original = decodePicture(photo)!;
		expect([result.width, result.height]).toEqual([1800, 1350]);
		let changedOutside = 0;
		outsideBox(box, 1800, 1350, (o) => {
			for (let c = 0; c < 4; c++) if (result.rgba[o + c] !== original.rgba[o + c]) changedOutside++;
		});
		expect(changedOutside).toBe(0);
		// Inside the mask: the repaint (the simulator paints the prompt's colour over it).
		const centre = (Math.round(1350 * 0.61) * 1800 + Math.round(1800 * 0.65)) * 4;
		const differs = [0, 1, 2].some(
			(c) => Math.abs(result.rgba[centre + c] - original.rgba[centre + c]) > 40,
		);
		expect(differs).toBe(true);
		expect(item.json.outputSize).toEqual({ width: 1800, height: 1350 });
		expect(item.json.notice).toBeNull();
	});

	it("a mask whose box is larger than the endpoint takes: sent scaled, said in the notice, still the photo's size", async () => {
		const { output, error } = await inpaint(
			withEllipse({ left: 5, top: 5, width: 90, height: 90 }),
			{ items: [photoItem(makePhoto(1600, 1200))] },
		);
		expect(error).toBeUndefined();
		const json = output[0].json as IDataObject & {
			fullResolution: { scaled: boolean; sentSize: { width: number } };
		};
		expect(json.fullResolution.scaled).toBe(true);
		expect(json.fullResolution.sentSize.width).toBeLessThanOrEqual(1024);
		expect(String(json.notice)).toMatch(
			/larger than the endpoint takes, so it was repainted at \d+×\d+ and scaled up/,
		);
		const result = decoded(output[0]);
		expect([result.width, result.height]).toEqual([1600, 1200]);
	});

	it('a 2100×1400 JPEG comes back a JPEG of its size, exactly the original outside the box’s MCUs', async () => {
		const png = decodePicture(makePhoto(2100, 1400))!;
		const photo = Buffer.from(
			jpeg.encode({ data: Buffer.from(png.rgba), width: 2100, height: 1400 }, 90).data,
		);
		const { output, error } = await inpaint(
			withEllipse({ left: 20, top: 30, width: 8, height: 10 }),
			{ items: [photoItem(photo, 'image/jpeg')] },
		);
		expect(error).toBeUndefined();
		expect(output[0].binary!.data.mimeType).toBe('image/jpeg');
		const result = decoded(output[0]);
		const original = decodePicture(photo)!;
		expect([result.width, result.height]).toEqual([2100, 1400]);
		const box = (
			output[0].json.fullResolution as {
				box: { left: number; top: number; width: number; height: number };
			}
		).box;
		// Only the MCUs (8 or 16 px: a 16-px grid holds either) the seam blend reaches are written again.
		const left = Math.floor(box.left / 16) * 16;
		const top = Math.floor(box.top / 16) * 16;
		const blocks = {
			left,
			top,
			width: Math.ceil((box.left + box.width) / 16) * 16 - left,
			height: Math.ceil((box.top + box.height) / 16) * 16 - top,
		};
		let changedOutside = 0;
		outsideBox(blocks, 2100, 1400, (o) => {
			for (let c = 0; c < 4; c++) if (result.rgba[o + c] !== original.rgba[o + c]) changedOutside++;
		});
		expect(changedOutside).toBe(0);
		// Inside the mask: the repaint.
		const centre = (Math.round(1400 * 0.35) * 2100 + Math.round(2100 * 0.24)) * 4;
		const differs = [0, 1, 2].some(
			(c) => Math.abs(result.rgba[centre + c] - original.rgba[centre + c]) > 40,
		);
		expect(differs).toBe(true);
	});

	it('Return Immediately: the photo is sent scaled down as before, and the notice says how to get full resolution', async () => {
		const { output, error } = await inpaint(
			withEllipse({ left: 40, top: 40, width: 10, height: 10 }, { completion: 'immediate' }),
			{ items: [photoItem(makePhoto(2048, 1536))] },
		);
		expect(error).toBeUndefined();
		expect(simulator.requestsTo(INPAINT)[0].body).toMatchObject({ width: 1024, height: 768 });
		expect(String(output[0].json.notice)).toMatch(
			/Completion › Wait for Result with Download Images on/,
		);
		expect(output[0].json.fullResolution).toBeUndefined();
	});

	it('a large WebP photo is refused before anything is sent, saying what to do', async () => {
		const { output, error } = await inpaint(
			withEllipse({ left: 40, top: 40, width: 10, height: 10 }),
			{
				items: [photoItem(webpContainer(2400, 1800), 'image/webp')],
			},
		);
		expect(error?.message).toMatch(/^"Output Size" Same as Image: .*WebP/);
		expect(error?.description).toMatch(/Output Size › Custom/);
		expect(error?.description).toMatch(/Nothing was sent to ModelsLab/);
		expect(output).toEqual([]);
		expect(simulator.requests).toHaveLength(0);
	});
});

describe('a binary photo over the 5 MB upload limit', () => {
	/** A 1500×1400 RGB PNG of noise: about 6 MB, more than ModelsLab's upload takes. */
	const noisyPhoto = () => {
		const random = seeded(7);
		const samples = new Uint16Array(1500 * 1400 * 3);
		for (let i = 0; i < samples.length; i++) samples[i] = Math.floor(random() * 256);
		return encodeTestPng({ width: 1500, height: 1400, colourType: 2, bitDepth: 8, samples });
	};

	it('is read when it is cropped: only the box around the mask is uploaded', async () => {
		const photo = noisyPhoto();
		expect(photo.length).toBeGreaterThan(5 * 1024 * 1024);
		const { output, error } = await inpaint(
			withEllipse({ left: 40, top: 40, width: 10, height: 10 }),
			{ items: [photoItem(photo)] },
		);
		expect(error).toBeUndefined();
		const uploads = simulator
			.requestsTo(UPLOAD)
			.map((request) => String((request.body as IDataObject).base64_string).length);
		expect(Math.max(...uploads)).toBeLessThan(5 * 1024 * 1024);
		expect([decoded(output[0]).width, decoded(output[0]).height]).toEqual([1500, 1400]);
	});

	it('is refused before anything is sent when it would be uploaded whole (Return Immediately)', async () => {
		const { error } = await inpaint(
			withEllipse({ left: 40, top: 40, width: 10, height: 10 }, { completion: 'immediate' }),
			{ items: [photoItem(noisyPhoto())] },
		);
		expect(error?.message).toMatch(
			/^"Image Binary Field": the file "data" is \d+\.\d MB; ModelsLab accepts images up to 5 MB/,
		);
		expect(simulator.requests).toHaveLength(0);
	});
});
