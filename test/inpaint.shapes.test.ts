/**
 * Mask Source › Shapes: no mask file, the node draws the mask from rectangles and ellipses at the
 * image's size, sends it like a binary mask (uploaded, or inline where the endpoint takes inline
 * images), and puts it on the output item. The masks ModelsLab received are decoded here with the
 * simulator's own PNG decoder and checked pixel by pixel.
 *
 * These runs are of version 1, whose shapes each carry a kind and a unit: workflows saved with it
 * keep working. Version 1.1's shapes, listed by kind with one unit, are in inpaint.shapesByKind.
 */
import type { IDataObject } from 'n8n-workflow';

import { decodePng, makePhoto } from '../simulator/png';
import { API_KEY, minimalParameters, pngBinary, useSimulator } from './support/simulator';

const simulated = useSimulator();
const { simulator } = simulated;
const inpaint: typeof simulated.inpaint = (parameters, options = {}) =>
	simulated.inpaint(parameters, { typeVersion: 1, ...options });

const photoItem = (width = 640, height = 480) => ({
	json: {},
	binary: { data: pngBinary(makePhoto(width, height), 'photo.png') },
});

const shape = (fields: IDataObject) => ({
	kind: 'rectangle',
	unit: 'percent',
	left: 25,
	top: 25,
	width: 50,
	height: 50,
	...fields,
});

const withShapes = (shapes: IDataObject[], extra: IDataObject = {}): IDataObject => ({
	...minimalParameters.community,
	initImageSource: 'binary',
	initImageBinaryProperty: 'data',
	maskImageSource: 'shapes',
	maskShapes: { shape: shapes },
	...extra,
});

/** The mask ModelsLab received: uploaded through base64_to_url (the second upload, after the photo). */
function uploadedMask() {
	const uploads = simulator.requestsTo('/api/v6/base64_to_url');
	const dataUri = String((uploads[uploads.length - 1].body as IDataObject).base64_string);
	return decodePng(Buffer.from(dataUri.replace(/^data:image\/png;base64,/, ''), 'base64'));
}

const gray = (mask: ReturnType<typeof decodePng>, x: number, y: number) =>
	mask.rgba[(y * mask.width + x) * 4];

describe('a mask drawn from shapes', () => {
	it("a rectangle, repaint inside: white inside the box, black outside, exactly the image's size", async () => {
		const { output, error } = await inpaint(withShapes([shape({})]), { items: [photoItem()] });
		expect(error).toBeUndefined();
		const mask = uploadedMask();
		expect({ width: mask.width, height: mask.height }).toEqual({ width: 640, height: 480 });
		// 25 % of 640 = 160, 50 % = 320: columns 160..479 and rows 120..359 are repainted.
		expect([gray(mask, 320, 240), gray(mask, 160, 120), gray(mask, 479, 359)]).toEqual([
			255, 255, 255,
		]);
		expect([
			gray(mask, 0, 0),
			gray(mask, 639, 479),
			gray(mask, 159, 240),
			gray(mask, 480, 240),
			gray(mask, 320, 119),
			gray(mask, 320, 360),
		]).toEqual([0, 0, 0, 0, 0, 0]);
		expect(simulator.requestsTo('/api/v6/images/inpaint')).toHaveLength(1);
		// The drawn mask is on the output item, the same bytes ModelsLab got.
		const onItem = decodePng(Buffer.from(output[0].binary!.mask.data, 'base64'));
		// Compared as bytes: jest's toEqual walks 1.2 million pixels one by one (6 s idle, 18 s on a
		// loaded 2-core machine, against jest's 30 s timeout).
		expect({ width: onItem.width, height: onItem.height }).toEqual({
			width: mask.width,
			height: mask.height,
		});
		expect(Buffer.from(onItem.rgba).equals(Buffer.from(mask.rgba))).toBe(true);
		expect(output[0].binary!.mask).toMatchObject({ mimeType: 'image/png', fileName: 'mask.png' });
	});

	it('an ellipse in pixels, repaint outside ("replace the background"): the ellipse is kept', async () => {
		await inpaint(
			withShapes(
				[shape({ kind: 'ellipse', unit: 'pixels', left: 120, top: 40, width: 400, height: 400 })],
				{ maskRepaint: 'outside' },
			),
			{ items: [photoItem()] },
		);
		const mask = uploadedMask();
		expect(gray(mask, 320, 240)).toBe(0); // the centre of the ellipse is kept
		expect(gray(mask, 125, 45)).toBe(255); // the box's corner is outside the ellipse: repainted
		expect([gray(mask, 0, 0), gray(mask, 639, 479)]).toEqual([255, 255]);
		expect([gray(mask, 121, 240), gray(mask, 518, 240)]).toEqual([0, 0]); // just inside the left and right ends
	});

	it('a soft edge gives grays across the outline', async () => {
		await inpaint(withShapes([shape({})], { maskFeather: 16 }), { items: [photoItem()] });
		const mask = uploadedMask();
		const row = Array.from({ length: 24 }, (_, index) => gray(mask, 148 + index, 240));
		expect(row[0]).toBe(0);
		expect(row[row.length - 1]).toBe(255);
		expect(row.some((value) => value > 0 && value < 255)).toBe(true);
		expect(row).toEqual([...row].sort((a, b) => a - b));
	});

	it('goes inline where the endpoint takes inline images (Base64 Output on)', async () => {
		await inpaint(withShapes([shape({})], { communityAdvancedOptions: { base64: true } }), {
			items: [photoItem()],
		});
		const body = simulator.requestsTo('/api/v6/images/inpaint')[0].body as IDataObject;
		expect(String(body.mask_image)).toMatch(/^data:image\/png;base64,/);
		expect(simulator.requestsTo('/api/v6/base64_to_url')).toHaveLength(0);
	});

	it('works with a photo given as a link whose size can be read', async () => {
		const response = await fetch(`${simulator.baseUrl}/api/v6/base64_to_url`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				key: API_KEY,
				base64_string: `data:image/png;base64,${makePhoto(800, 600).toString('base64')}`,
			}),
		});
		const photo = ((await response.json()) as { output: string[] }).output[0];
		const { error } = await inpaint({
			...withShapes([shape({})]),
			initImageSource: 'url',
			initImageUrl: photo,
		});
		expect(error).toBeUndefined();
		const mask = uploadedMask();
		expect({ width: mask.width, height: mask.height }).toEqual({ width: 800, height: 600 });
	});
});

describe('bad shapes are refused before anything is sent', () => {
	it.each([
		[
			'a negative width',
			[shape({ width: -5 })],
			'"Shapes › Shape 1 › Width" must be a number of at least 0 (got -5) [item 0]',
		],
		[
			'a word from an expression',
			[shape({}), shape({ left: '={{ "far" }}' })],
			'"Shapes › Shape 2 › Left" must be a number of at least 0 (got "far") [item 0]',
		],
		[
			'a kind that is not one',
			[shape({ kind: 'star' })],
			'"Shapes › Shape 1 › Kind" must be one of: ellipse, rectangle (got "star") [item 0]',
		],
		[
			'0 % wide',
			[shape({ width: 0 })],
			'"Shapes": Shape 1: "Width" is 0 %, so the shape has no area [item 0]',
		],
		[
			'outside the image',
			[shape({ unit: 'pixels', left: 700 })],
			'"Shapes": Shape 1: "Left" (700 pixels) is at or past the right edge of the 640×480 image, so the shape lies entirely outside it [item 0]',
		],
		[
			'over 100 %',
			[shape({ height: 150 })],
			'"Shapes": Shape 1: "Height" must be at most 100 % (got 150 %) [item 0]',
		],
		[
			'21 shapes',
			Array.from({ length: 21 }, () => shape({})),
			'"Shapes": The mask has 21 shapes; at most 20 are allowed [item 0]',
		],
		['no shapes', [], '"Shapes": The mask needs at least one shape [item 0]'],
	])('%s', async (_, shapes, message) => {
		const { error } = await inpaint(withShapes(shapes as IDataObject[]), { items: [photoItem()] });
		expect(error?.message).toBe(message);
		expect(error?.description).toContain('Nothing was sent to ModelsLab');
		expect(simulator.requests).toHaveLength(0);
	});

	it('a photo whose size cannot be read: the mask cannot be drawn, and nothing is sent', async () => {
		const { error } = await inpaint({
			...withShapes([shape({})]),
			initImageSource: 'url',
			initImageUrl: 'https://images.example.com/photo.png',
		});
		expect(error?.message).toBe(
			'"Mask Source" Shapes needs the size of the image, and it could not be read from the image [item 0]',
		);
		expect(simulator.requests).toHaveLength(0);
	});

	it.each([
		[
			'Soft Edge over 256 pixels',
			{ maskFeather: 300 },
			'"Soft Edge (Pixels)" must be a whole number from 0 to 256 (got 300) [item 0]',
		],
		[
			'Soft Edge from an expression giving a word',
			{ maskFeather: '={{ "soft" }}' },
			'"Soft Edge (Pixels)" must be a whole number from 0 to 256 (got "soft") [item 0]',
		],
		[
			'Soft Edge empty',
			{ maskFeather: '' },
			'"Soft Edge (Pixels)" must be a whole number from 0 to 256 (got nothing) [item 0]',
		],
		[
			'Repaint not in the list',
			{ maskRepaint: 'around' },
			'"Repaint" must be one of: inside, outside (got "around") [item 0]',
		],
		[
			'Repaint from an expression giving a list',
			{ maskRepaint: '={{ [1] }}' },
			'"Repaint" must be one of: inside, outside (got [1]) [item 0]',
		],
		[
			'Repaint empty',
			{ maskRepaint: '' },
			'"Repaint" must be one of: inside, outside (got nothing) [item 0]',
		],
	])('%s', async (_, extra, message) => {
		const { error } = await inpaint(withShapes([shape({})], extra), { items: [photoItem()] });
		expect(error?.message).toBe(message);
		expect(simulator.requests).toHaveLength(0);
	});
});
