/**
 * Keep Original Pixels Outside the Mask (Output Size › Same as Image, on by default): a photo the
 * endpoint takes whole is sent as it is, and the result is pasted into the photo by the mask, so
 * that what the user did not ask to change stays the photo's. The simulator is set to do what real
 * inpainting models do (`outsideDrift`: every pixel outside the mask shifts a few levels), so that
 * each "unchanged" claim below fails when the paste-back does not happen (the "off" test shows it).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import * as jpeg from 'jpeg-js';

import { decodePicture, makePhoto, webpContainer } from '../simulator';
import { SEAM_REACH_PIXELS } from '../nodes/ModelsLabInpaint/stitch/seamPlan';
import { differenceAt, withExifOrientation } from './support/codecCorpus';
import { whiteBounds } from './support/masks';
import { pngBinary, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();

jest.setTimeout(120_000);

const WIDTH = 640;
const HEIGHT = 480;
const DRIFT = 3;

beforeEach(() => {
	simulator.settings.outsideDrift = DRIFT;
});

const photoItem = (file: Buffer, mimeType = 'image/png'): INodeExecutionData => ({
	json: {},
	binary: {
		data: { ...pngBinary(file, 'photo'), mimeType, fileName: `photo.${mimeType.split('/')[1]}` },
	},
});

/** v6 Image Editing, the photo from binary `data`, a mask drawn from one ellipse (in percent). */
const withEllipse = (extra: IDataObject = {}): IDataObject => ({
	endpoint: 'imageEditing',
	prompt: 'a red apple',
	initImageSource: 'binary',
	initImageBinaryProperty: 'data',
	maskImageSource: 'shapes',
	maskShapes: {
		ellipse: [{ left: 30, top: 30, width: 30, height: 25 }],
	},
	...extra,
});

const picture = (item: INodeExecutionData, field: string) =>
	decodePicture(Buffer.from(item.binary![field].data, 'base64'))!;

/**
 * The photo's pixels split by the mask the node output: `far` lies more than the seam's reach from
 * every white pixel of the mask (outside a square around each: then farther in a straight line
 * too), `core` is fully white.
 */
function regions(mask: { width: number; height: number; rgba: Uint8Array }) {
	const { width, height } = mask;
	const reach = SEAM_REACH_PIXELS;
	// Dilate the white by `reach` in x, then in y: a square around each white pixel.
	const wide = new Uint8Array(width * height);
	for (let y = 0; y < height; y++)
		for (let x = 0; x < width; x++)
			if (mask.rgba[(y * width + x) * 4] > 0)
				wide.fill(
					1,
					y * width + Math.max(0, x - reach),
					y * width + Math.min(width, x + reach + 1),
				);
	const near = new Uint8Array(width * height);
	for (let y = 0; y < height; y++)
		for (let x = 0; x < width; x++)
			if (wide[y * width + x])
				for (let dy = Math.max(0, y - reach); dy <= Math.min(height - 1, y + reach); dy++)
					near[dy * width + x] = 1;
	const far: number[] = [];
	const core: number[] = [];
	for (let i = 0; i < width * height; i++) {
		if (!near[i]) far.push(i * 4);
		else if (mask.rgba[i * 4] === 255) core.push(i * 4);
	}
	return { far, core };
}

/**
 * Whether a pixel (by its RGBA offset) lies in the `grid`-aligned box around the mask's white grown
 * by `reach`: the blocks a JPEG stitch may write again.
 */
function mcuGridAround(
	mask: { width: number; height: number; rgba: Uint8Array },
	reach: number,
	grid: number,
) {
	const { width } = mask;
	let { left, top, right, bottom } = whiteBounds(mask);
	left = Math.floor(Math.max(0, left - reach) / grid) * grid;
	top = Math.floor(Math.max(0, top - reach) / grid) * grid;
	right = Math.ceil((right + reach + 1) / grid) * grid;
	bottom = Math.ceil((bottom + reach + 1) / grid) * grid;
	return (offset: number) => {
		const [x, y] = [(offset >> 2) % width, Math.floor((offset >> 2) / width)];
		return x >= left && x < right && y >= top && y < bottom;
	};
}

describe('Keep Original Pixels Outside the Mask, a photo the endpoint takes whole', () => {
	it('on (the default): the PNG photo is sent whole, and outside the mask and its seam the result is the photo, byte for byte', async () => {
		const photo = makePhoto(WIDTH, HEIGHT);
		const { output, error } = await inpaint(withEllipse(), { items: [photoItem(photo)] });
		expect(error).toBeUndefined();
		const item = output[0];
		// The request is the one sent without the option: the whole photo at its own size.
		expect(simulator.requestsTo('/api/v6/image_editing/inpaint')[0].body).not.toHaveProperty(
			'width',
		);
		expect(item.json).toMatchObject({
			outputSize: { width: WIDTH, height: HEIGHT },
			fullResolution: { box: { left: 0, top: 0, width: WIDTH, height: HEIGHT }, scaled: false },
			notice: null,
		});
		expect(item.binary!.data.mimeType).toBe('image/png');
		const result = picture(item, 'data');
		const original = decodePicture(photo)!;
		const { far, core } = regions(picture(item, 'mask'));
		expect(far.length).toBeGreaterThan(WIDTH * HEIGHT * 0.5);
		expect(differenceAt(result.rgba, original.rgba, far).largest).toBe(0);
		// Inside the mask: the repaint, not the photo.
		expect(differenceAt(result.rgba, original.rgba, core).mean).toBeGreaterThan(20);
	});

	it('off: the result is the whole picture as ModelsLab drew it, shifted everywhere', async () => {
		const photo = makePhoto(WIDTH, HEIGHT);
		const { output, error } = await inpaint(withEllipse({ keepOriginalPixels: false }), {
			items: [photoItem(photo)],
		});
		expect(error).toBeUndefined();
		expect(output[0].json).not.toHaveProperty('fullResolution');
		const { far } = regions(picture(output[0], 'mask'));
		const shifted = differenceAt(picture(output[0], 'data').rgba, decodePicture(photo)!.rgba, far);
		expect(shifted.largest).toBeGreaterThan(0);
		expect(shifted.mean).toBeGreaterThan(0.5);
	});

	it('a JPEG photo comes back a JPEG, its Exif kept, exactly the photo outside the blocks the seam reaches', async () => {
		const raster = decodePicture(makePhoto(WIDTH, HEIGHT))!;
		const photo = Buffer.from(
			withExifOrientation(
				jpeg.encode({ data: Buffer.from(raster.rgba), width: WIDTH, height: HEIGHT }, 90).data,
				1,
			),
		);
		const { output, error } = await inpaint(withEllipse(), {
			items: [photoItem(photo, 'image/jpeg')],
		});
		expect(error).toBeUndefined();
		const file = Buffer.from(output[0].binary!.data.data, 'base64');
		expect(output[0].binary!.data.mimeType).toBe('image/jpeg');
		expect(file.includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(true);
		expect(photo.includes(Buffer.from('Exif\0\0', 'latin1'))).toBe(true);
		const result = decodePicture(file)!;
		expect([result.width, result.height]).toEqual([WIDTH, HEIGHT]);
		const mask = picture(output[0], 'mask');
		const { far } = regions(mask);
		const original = decodePicture(photo)!.rgba;
		// Only the MCUs (8 or 16 px: a 16-px grid holds either) the seam reaches are written again:
		// outside them, the photo's pixels exactly; in them, well under the simulator's drift.
		const blocks = mcuGridAround(mask, SEAM_REACH_PIXELS, 16);
		const untouched = far.filter((offset) => !blocks(offset));
		expect(untouched.length).toBeGreaterThan(WIDTH * HEIGHT * 0.5);
		expect(differenceAt(result.rgba, original, untouched).largest).toBe(0);
		expect(differenceAt(result.rgba, original, far).mean).toBeLessThan(1);
	});

	it('a mask made by a mask job (Describe It) is pasted back by the same rule', async () => {
		const photo = makePhoto(WIDTH, HEIGHT);
		const { output, error } = await inpaint(
			withEllipse({ maskImageSource: 'describe', maskDescription: 'the ball' }),
			{ items: [photoItem(photo)] },
		);
		expect(error).toBeUndefined();
		expect(simulator.requestsTo('/api/v6/image_editing/mask_creator')).toHaveLength(1);
		const { far } = regions(picture(output[0], 'mask'));
		expect(
			differenceAt(picture(output[0], 'data').rgba, decodePicture(photo)!.rgba, far).largest,
		).toBe(0);
	});

	it('a WebP photo is sent all the same; the item says the result is as ModelsLab drew it', async () => {
		const { output, error } = await inpaint(withEllipse(), {
			items: [photoItem(webpContainer(WIDTH, HEIGHT), 'image/webp')],
		});
		expect(error).toBeUndefined();
		expect(output[0].json.status).toBe('success');
		expect(simulator.requestsTo('/api/v6/image_editing/inpaint')).toHaveLength(1);
		expect(String(output[0].json.notice)).toMatch(
			/^Keep Original Pixels Outside the Mask did not apply: .*WebP.*, so the result is the whole picture as ModelsLab drew it\.$/,
		);
		expect(output[0].json).not.toHaveProperty('fullResolution');
	});

	it('a value an expression gives as text is refused before anything is sent, the mask job included', async () => {
		const { output, error } = await inpaint(
			withEllipse({
				maskImageSource: 'describe',
				maskDescription: 'the ball',
				keepOriginalPixels: '={{ "sometimes" }}',
			}),
			{ items: [photoItem(makePhoto(WIDTH, HEIGHT))] },
		);
		expect(output).toEqual([]);
		expect(error?.message).toMatch(/Keep Original Pixels Outside the Mask/);
		expect(error?.message).toMatch(/\[item 0\]/);
		expect(simulator.requests).toHaveLength(0);
	});
});
