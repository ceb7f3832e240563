/**
 * Images from n8n binary data: uploaded through base64_to_url (or inline where the endpoint takes
 * base64), and refused before anything is sent when they cannot work.
 */
import { randomBytes } from 'crypto';

import { makeMask, makePhoto } from '../simulator/png';
import {
	MASK_URL,
	binaryImages,
	minimalParameters,
	photoAndMaskItem,
	pngBinary,
	useSimulator,
} from './support/simulator';

const { simulator, inpaint } = useSimulator();

const UPLOAD_ROUTE = '/api/v6/base64_to_url';
const dataUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

describe('binary image and mask', () => {
	it('are uploaded first, and the job is sent with the links the upload returned', async () => {
		const item = photoAndMaskItem();
		const { output, error } = await inpaint(
			{ ...minimalParameters.imageEditing, ...binaryImages },
			{ items: [item] },
		);
		expect(error).toBeUndefined();

		const uploads = simulator.requestsTo(UPLOAD_ROUTE);
		expect(
			uploads.map((upload) => (upload.body as { base64_string: string }).base64_string),
		).toEqual([
			`data:image/png;base64,${item.binary!.data.data}`,
			`data:image/png;base64,${item.binary!.mask.data}`,
		]);
		const [submit] = simulator.requestsTo('/api/v6/image_editing/inpaint');
		const body = submit.body as { init_image: string; mask_image: string };
		expect(body.init_image).toMatch(new RegExp(`^${simulator.baseUrl}/uploads/`));
		expect(body.mask_image).toMatch(new RegExp(`^${simulator.baseUrl}/uploads/`));
		expect(body.init_image).not.toBe(body.mask_image);
		// The links really serve the uploaded bytes.
		const served = Buffer.from(await (await fetch(body.init_image)).arrayBuffer());
		expect(served.toString('base64')).toBe(item.binary!.data.data);
		expect(output[0].json.status).toBe('success');
	});

	it('can be mixed: a binary photo with a mask from a URL', async () => {
		await inpaint(
			{
				...minimalParameters.legacy,
				initImageSource: 'binary',
				initImageBinaryProperty: 'photo',
				maskImageUrl: MASK_URL,
			},
			{ items: [{ json: {}, binary: { photo: pngBinary(makePhoto(256, 256), 'p.png') } }] },
		);
		expect(simulator.requestsTo(UPLOAD_ROUTE)).toHaveLength(1);
		expect(simulator.requestsTo('/api/v3/inpaint')[0].body).toMatchObject({ mask_image: MASK_URL });
	});

	it('go inline as data URIs on Community Models with Base64 Output on (no upload)', async () => {
		const photo = makePhoto(512, 512);
		const mask = makeMask(512, 512);
		await inpaint(
			{
				...minimalParameters.community,
				...binaryImages,
				communityAdvancedOptions: { base64: true },
			},
			{
				items: [
					{ json: {}, binary: { data: pngBinary(photo, 'p.png'), mask: pngBinary(mask, 'm.png') } },
				],
			},
		);
		expect(simulator.requestsTo(UPLOAD_ROUTE)).toHaveLength(0);
		expect(simulator.requestsTo('/api/v6/images/inpaint')[0].body).toMatchObject({
			base64: true,
			init_image: dataUri(photo),
			mask_image: dataUri(mask),
		});
	});

	it('go inline on Enterprise with Base64 Output on, and are uploaded with the standard key otherwise', async () => {
		await inpaint(
			{
				...minimalParameters.enterprise,
				...binaryImages,
				enterpriseAdvancedOptions: { base64: true },
			},
			{
				items: [photoAndMaskItem()],
			},
		);
		expect(simulator.requestsTo(UPLOAD_ROUTE)).toHaveLength(0);
		expect(simulator.requestsTo('/api/v1/enterprise/pony/inpaint')[0].body).toMatchObject({
			base64: 'yes',
		});

		simulator.reset();
		await inpaint(
			{ ...minimalParameters.enterprise, ...binaryImages },
			{ items: [photoAndMaskItem()] },
		);
		expect(simulator.requestsTo(UPLOAD_ROUTE)).toHaveLength(2);
	});

	it('each item uploads its own images', async () => {
		const items = [photoAndMaskItem(256), photoAndMaskItem(320)];
		const { output } = await inpaint(
			{ ...minimalParameters.imageEditing, ...binaryImages },
			{ items },
		);
		expect(simulator.requestsTo(UPLOAD_ROUTE)).toHaveLength(4);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});

	it('a JPEG labelled as a generic file is recognised by its bytes', async () => {
		const jpegLike = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(200)]);
		await inpaint(
			{
				...minimalParameters.imageEditing,
				initImageSource: 'binary',
				initImageBinaryProperty: 'data',
			},
			{
				items: [
					{
						json: {},
						binary: {
							data: { data: jpegLike.toString('base64'), mimeType: 'application/octet-stream' },
						},
					},
				],
			},
		);
		expect(
			(simulator.requestsTo(UPLOAD_ROUTE)[0].body as { base64_string: string }).base64_string,
		).toMatch(/^data:image\/jpeg;base64,/);
	});
});

describe("a Form Trigger's file, named after the form field", () => {
	const photoOnly = {
		...minimalParameters.imageEditing,
		initImageSource: 'binary',
		maskImageSource: 'shapes',
		maskShapes: {
			rectangle: [{ left: 10, top: 10, width: 20, height: 20 }],
		},
	};

	it("is the photo when it is the item's only file, and the item says which file was used", async () => {
		const photo = makePhoto(64, 64);
		const { output, error, hints } = await inpaint(photoOnly, {
			items: [{ json: {}, binary: { Your_photo: pngBinary(photo, 'me.png') } }],
		});
		expect(error).toBeUndefined();
		const [upload] = simulator.requestsTo(UPLOAD_ROUTE);
		expect((upload.body as { base64_string: string }).base64_string).toBe(dataUri(photo));
		const notice =
			'The item has no binary field "data", so its only file, "Your_photo", was used as the image.';
		expect(String(output[0].json.notice)).toContain(notice);
		expect(hints?.[0].message).toContain(notice);
	});

	it('is not guessed among two files, nor taken as the mask', async () => {
		const twoFiles = await inpaint(photoOnly, {
			items: [
				{
					json: {},
					binary: {
						Your_photo: pngBinary(makePhoto(64, 64), 'me.png'),
						Other: pngBinary(makePhoto(64, 64), 'you.png'),
					},
				},
			],
		});
		expect(twoFiles.error?.message).toMatch(/no binary field named "data"/);
		expect(twoFiles.error?.description).toMatch(/Binary fields on this item: Your_photo, Other/);
		const maskMissing = await inpaint(
			{ ...minimalParameters.imageEditing, ...binaryImages },
			{ items: [{ json: {}, binary: { data: pngBinary(makePhoto(64, 64), 'p.png') } }] },
		);
		// The only file is the one Mask Binary Field names: it is not taken as the photo.
		const photoMissing = await inpaint(
			{ ...minimalParameters.imageEditing, ...binaryImages },
			{ items: [{ json: {}, binary: { mask: pngBinary(makeMask(64, 64), 'm.png') } }] },
		);
		expect(photoMissing.error?.message).toMatch(
			/"Image Binary Field": the input item has no binary field named "data"/,
		);
		expect(maskMissing.error?.message).toMatch(
			/"Mask Binary Field": the input item has no binary field named "mask"/,
		);
		expect(simulator.requests).toHaveLength(0);
	});
});

describe('a binary image that cannot work is refused before anything is sent', () => {
	const refuse = async (binary: Record<string, unknown>, expected: RegExp) => {
		const { error } = await inpaint(
			{ ...minimalParameters.imageEditing, ...binaryImages },
			{
				items: [{ json: {}, binary: binary as never }],
			},
		);
		expect(error?.name).toBe('NodeOperationError');
		expect(`${error?.message} ${error?.description}`).toMatch(expected);
		expect(error?.message).toContain('[item 0]');
		expect(simulator.requests).toHaveLength(0);
	};

	it('over 5 MB', async () => {
		const big = Buffer.concat([makePhoto(64, 64), randomBytes(5 * 1024 * 1024)]);
		await refuse(
			{ data: pngBinary(big, 'big.png'), mask: pngBinary(makeMask(64, 64), 'm.png') },
			/"Image Binary Field": the file "data" is 5\.0 MB; ModelsLab accepts images up to 5 MB/,
		);
	});

	it('the mask is missing (and the photo is not uploaded either)', async () => {
		await refuse(
			{
				data: pngBinary(makePhoto(64, 64), 'p.png'),
				photo2: pngBinary(makePhoto(64, 64), 'q.png'),
			},
			/"Mask Binary Field": the input item has no binary field named "mask".*Binary fields on this item: data, photo2/s,
		);
	});

	it('not an image', async () => {
		await refuse(
			{
				data: {
					data: Buffer.from('name,price\nboat,100\n').toString('base64'),
					mimeType: 'text/csv',
					fileName: 'prices.csv',
				},
				mask: pngBinary(makeMask(64, 64), 'm.png'),
			},
			/"Image Binary Field": the file "data" is not an image \(text\/csv\)/,
		);
	});

	it('an empty file', async () => {
		await refuse(
			{
				data: pngBinary(makePhoto(64, 64), 'p.png'),
				mask: { data: '', mimeType: 'image/png', fileName: 'm.png' },
			},
			/"Mask Binary Field": the file "mask" is empty/,
		);
	});

	it('no binary data at all', async () => {
		await refuse({}, /has no binary field named "data".*no binary data at all/s);
	});
});
