/**
 * Output Size › Same as Image (the default): the result follows the photo. v6 Image Editing leaves
 * width and height out (ModelsLab then uses the photo's size); the other endpoints get the photo's
 * size read from its header, scaled down to their limits with the shape kept. A mask of another
 * size is refused before anything is sent. Sizes of links are read from their first bytes.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { makeMask, makePhoto, pngDimensions } from '../simulator/png';
import { API_KEY, minimalParameters, pngBinary, useSimulator } from './support/simulator';
import { MOST_NOTICE_HINTS, noticesAsHints } from '../nodes/shared/run/items';

const { simulator, inpaint } = useSimulator();

const SUBMIT: Record<string, string> = {
	imageEditing: '/api/v6/image_editing/inpaint',
	community: '/api/v6/images/inpaint',
	legacy: '/api/v3/inpaint',
	enterprise: '/api/v1/enterprise/pony/inpaint',
};

const binaryItem = (width: number, height: number, mask = { width, height }) => ({
	json: {},
	binary: {
		data: pngBinary(makePhoto(width, height), 'photo.png'),
		mask: pngBinary(makeMask(mask.width, mask.height), 'mask.png'),
	},
});

const binaryParameters = (endpoint: string): IDataObject => ({
	...minimalParameters[endpoint],
	initImageSource: 'binary',
	initImageBinaryProperty: 'data',
	maskImageSource: 'binary',
	maskImageBinaryProperty: 'mask',
});

const submitted = (endpoint: string) =>
	simulator.requestsTo(SUBMIT[endpoint])[0].body as IDataObject;
const resultSize = (item: { binary?: Record<string, { data: string }> }) =>
	pngDimensions(Buffer.from(item.binary!.data.data, 'base64'));

describe('Same as Image, with a 1024×768 binary photo', () => {
	it('v6 Image Editing sends no size, and the result is 1024×768', async () => {
		const { output, error } = await inpaint(binaryParameters('imageEditing'), {
			items: [binaryItem(1024, 768)],
		});
		expect(error).toBeUndefined();
		expect(submitted('imageEditing')).not.toHaveProperty('width');
		expect(submitted('imageEditing')).not.toHaveProperty('height');
		expect(resultSize(output[0])).toEqual({ width: 1024, height: 768 });
		expect(output[0].json).toMatchObject({
			outputSize: { width: 1024, height: 768 },
			notice: null,
		});
	});

	it.each([
		['community', 1024, 768],
		['legacy', '1024', '768'],
		['enterprise', '1024', '768'],
	])(
		'%s is sent 1024×768 in its own wire format, and the result is 1024×768',
		async (endpoint, width, height) => {
			const { output, error } = await inpaint(binaryParameters(endpoint), {
				items: [binaryItem(1024, 768)],
			});
			expect(error).toBeUndefined();
			expect(submitted(endpoint)).toMatchObject({ width, height });
			expect(resultSize(output[0])).toEqual({ width: 1024, height: 768 });
			expect(output[0].json.outputSize).toEqual({ width: 1024, height: 768 });
		},
	);
});

describe('Same as Image, photos the endpoints cannot take as they are', () => {
	it('a 1200×900 photo, returned at once: v6 Image Editing is sent 1024×768, the most it accepts, same shape', async () => {
		// (Waiting for the result, the node sends the box around the mask: inpaint.fullResolution.test.ts.)
		await inpaint(
			{ ...binaryParameters('imageEditing'), completion: 'immediate' },
			{ items: [binaryItem(1200, 900)] },
		);
		expect(submitted('imageEditing')).toMatchObject({ width: 1024, height: 768 });
	});

	it('a 300×200 photo: Community Models is sent at its 512 minimum, same shape, multiples of 8; the result is pasted back at 300×200', async () => {
		const { output } = await inpaint(binaryParameters('community'), {
			items: [binaryItem(300, 200)],
		});
		expect(submitted('community')).toMatchObject({ width: 768, height: 512 });
		expect(output[0].json).toMatchObject({
			outputSize: { width: 300, height: 200 },
			fullResolution: { sentSize: { width: 768, height: 512 }, scaled: false },
		});
	});

	it('the same with Keep Original Pixels Outside the Mask off: the result at the size sent', async () => {
		const { output } = await inpaint(
			{ ...binaryParameters('community'), keepOriginalPixels: false },
			{ items: [binaryItem(300, 200)] },
		);
		expect(submitted('community')).toMatchObject({ width: 768, height: 512 });
		expect(output[0].json.outputSize).toEqual({ width: 768, height: 512 });
		expect(output[0].json).not.toHaveProperty('fullResolution');
	});

	it('a 640×480 photo on v3 Legacy is never scaled up', async () => {
		await inpaint(binaryParameters('legacy'), { items: [binaryItem(640, 480)] });
		expect(submitted('legacy')).toMatchObject({ width: '640', height: '480' });
	});
});

describe('a mask of another size', () => {
	it('is refused before anything is sent, with both sizes and the item', async () => {
		const { error } = await inpaint(binaryParameters('community'), {
			items: [binaryItem(1024, 768, { width: 512, height: 512 })],
		});
		expect(error?.message).toBe(
			'"Mask" is 512×512 pixels, but the image is 1024×768: the mask must be exactly the size of the image [item 0]',
		);
		expect(error?.description).toContain('Nothing was sent to ModelsLab');
		expect(simulator.requests).toHaveLength(0);
	});

	it('is refused with Output Size › Custom too', async () => {
		const { error } = await inpaint(
			{ ...binaryParameters('imageEditing'), outputSize: 'custom' },
			{ items: [binaryItem(640, 480, { width: 480, height: 640 })] },
		);
		expect(error?.message).toContain('"Mask" is 480×640 pixels, but the image is 640×480');
	});
});

describe('photos given as links', () => {
	/** A 1024×768 photo stored by the simulator: a link on the credential's own host. */
	async function uploadedPhoto(width = 1024, height = 768) {
		const response = await fetch(`${simulator.baseUrl}/api/v6/base64_to_url`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				key: API_KEY,
				base64_string: `data:image/png;base64,${makePhoto(width, height).toString('base64')}`,
			}),
		});
		return ((await response.json()) as { output: string[] }).output[0];
	}

	it("the size is read from the link's first bytes with a Range request, without the key", async () => {
		const photo = await uploadedPhoto();
		const { output, error, hints } = await inpaint({
			...minimalParameters.community,
			initImageUrl: photo,
			// The mask link is on a host n8n cannot reach: no paste-back, which would say so.
			keepOriginalPixels: false,
		});
		expect(error).toBeUndefined();
		expect(submitted('community')).toMatchObject({ width: 1024, height: 768 });
		const probe = simulator.requests.find(
			(request) => request.method === 'GET' && photo.endsWith(request.path),
		)!;
		expect(probe.headers.range).toBe('bytes=0-65535');
		expect(JSON.stringify(probe)).not.toContain(API_KEY);
		expect(output[0].json.notice).toBeNull();
		expect(hints).toEqual([]);
	});

	it("a link whose size cannot be read: the endpoint's default size, and a notice on the item", async () => {
		const { output, error } = await inpaint(minimalParameters.community);
		expect(error).toBeUndefined();
		expect(submitted('community')).toMatchObject({ width: 512, height: 512 });
		expect(output[0].json.notice).toBe(
			"The size of the image could not be read, so the endpoint's default size 512×512 was used. Choose Output Size › Custom to set it. Keep Original Pixels Outside the Mask did not apply: the photo's size could not be read, so the result is the whole picture as ModelsLab drew it.",
		);
	});

	it('notices are shown above the output too, once per notice, naming the items', async () => {
		const { output, hints } = await inpaint(
			{ ...minimalParameters.community, keepOriginalPixels: false },
			{ items: [{ json: {} }, { json: {} }] },
		);
		expect(output.map((item) => item.json.notice)).toEqual([
			expect.stringMatching(/^The size of the image could not be read/),
			expect.stringMatching(/^The size of the image could not be read/),
		]);
		expect(hints).toEqual([
			{
				message: `All 2 items: ${String(output[0].json.notice)}`,
				type: 'warning',
				location: 'outputPane',
			},
		]);
	});

	it(`at most ${MOST_NOTICE_HINTS} different notices become hints, then one line points to the rest`, () => {
		const added: Array<{ message: string }> = [];
		const ctx = {
			addExecutionHints: (...hints: Array<{ message: string }>) => added.push(...hints),
		};
		const items = ['a', 'b', 'a', 'c', 'd', 'e', null].map((notice) => ({ json: { notice } }));
		noticesAsHints(ctx as unknown as IExecuteFunctions, items);
		expect(added.map((hint) => hint.message)).toEqual([
			'Items 0, 2: a',
			'Item 1: b',
			'Item 3: c',
			`2 more notices: see each item's "notice" field.`,
		]);
	});

	it("a link to a private address that is not the credential's host is never fetched", async () => {
		const { output } = await inpaint({
			...minimalParameters.community,
			initImageUrl: 'http://127.0.0.2:1/photo.png',
		});
		expect(output[0].json.notice).toContain('could not be read');
	});

	it('v6 Image Editing with a link it cannot read leaves the size to ModelsLab; the notice says only that nothing was pasted back', async () => {
		const { output } = await inpaint(minimalParameters.imageEditing);
		expect(submitted('imageEditing')).not.toHaveProperty('width');
		expect(output[0].json).toMatchObject({
			outputSize: null,
			notice:
				"Keep Original Pixels Outside the Mask did not apply: the photo's size could not be read, so the result is the whole picture as ModelsLab drew it.",
		});
	});
});

describe('Output Size › Custom', () => {
	it("sends Width and Height as set, or the endpoint's defaults", async () => {
		await inpaint(
			{ ...binaryParameters('community'), outputSize: 'custom', communityOptions: { width: 768 } },
			{ items: [binaryItem(1024, 768)] },
		);
		expect(submitted('community')).toMatchObject({ width: 768, height: 512 });
	});

	it('Width and Height left over in Options are not used with Same as Image', async () => {
		await inpaint(
			{ ...binaryParameters('community'), communityOptions: { width: 512, height: 512 } },
			{ items: [binaryItem(1024, 768)] },
		);
		expect(submitted('community')).toMatchObject({ width: 1024, height: 768 });
	});
});
