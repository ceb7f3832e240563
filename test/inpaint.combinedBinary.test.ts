/**
 * n8n 2.x's Binary Mode "combined" (a workflow setting): n8n keeps an item's files in its JSON, a
 * Form Trigger's under the field's label and other nodes' under `_files`, and `item.binary` stays
 * empty. The node finds files the way n8n's own nodes do (`assertBinaryData`,
 * `getBinaryDataBuffer`), so the same field names work there. e2e/suites/binaryModes.ts runs this
 * in real n8n with every binary data mode.
 */
import { makeMask, makePhoto } from '../simulator/png';
import { binaryImages, minimalParameters, pngBinary, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();

const UPLOAD_ROUTE = '/api/v6/base64_to_url';
const combined = { workflowSettings: { binaryMode: 'combined' } };
const uploaded = () =>
	simulator
		.requestsTo(UPLOAD_ROUTE)
		.map((upload) => (upload.body as { base64_string: string }).base64_string);
const dataUri = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;
/** A drawn mask: no link to read, so the photo is the only file that matters. */
const drawnMask = {
	maskImageSource: 'shapes',
	maskShapes: {
		rectangle: [{ left: 10, top: 10, width: 20, height: 20 }],
	},
};

describe('Binary Mode "combined" (n8n 2.x): files in the item JSON', () => {
	it("a Form Trigger's photo and mask (under their labels) are uploaded; the result lands in _files", async () => {
		const [photo, mask] = [makePhoto(256, 256), makeMask(256, 256)];
		const { output, error } = await inpaint(
			{
				...minimalParameters.imageEditing,
				...binaryImages,
				initImageBinaryProperty: 'photo',
			},
			{
				...combined,
				items: [
					{
						json: { photo: pngBinary(photo, 'p.png'), mask: pngBinary(mask, 'm.png') },
					},
				],
			},
		);
		expect(error).toBeUndefined();
		expect(uploaded()).toEqual([dataUri(photo), dataUri(mask)]);
		// n8n moves the node's output files into the JSON after the node ran.
		const files = output[0].json._files as Record<string, { mimeType: string }>;
		expect(files.data.mimeType).toBe('image/png');
		expect(output[0].binary).toBeUndefined();
	});

	it("another node's file is found by its path under _files, and a missing field's message lists the paths", async () => {
		const photo = makePhoto(128, 128);
		const item = {
			json: {
				_files: { data: pngBinary(photo, 'p.png') },
				label: 'not a file',
			},
		};
		const found = await inpaint(
			{
				...minimalParameters.imageEditing,
				...binaryImages,
				initImageBinaryProperty: '_files.data',
				...drawnMask,
			},
			{ ...combined, items: [item] },
		);
		expect(found.error).toBeUndefined();
		expect(uploaded()[0]).toBe(dataUri(photo));

		simulator.reset();
		const missing = await inpaint(
			{
				...minimalParameters.imageEditing,
				...binaryImages,
				initImageBinaryProperty: '_files.data',
			},
			{ ...combined, items: [item] },
		);
		expect(missing.error?.message).toMatch(
			/"Mask Binary Field": the input item has no binary field named "mask"/,
		);
		expect(missing.error?.description).toMatch(/Binary fields on this item: _files\.data\./);
		expect(simulator.requests).toHaveLength(0);
	});

	it("a form's only file stands in for the photo, as in the separate mode", async () => {
		const photo = makePhoto(96, 96);
		const { output, error } = await inpaint(
			{ ...minimalParameters.imageEditing, initImageSource: 'binary', ...drawnMask },
			{ ...combined, items: [{ json: { 'Your photo': pngBinary(photo, 'me.png') } }] },
		);
		expect(error).toBeUndefined();
		expect(uploaded()[0]).toBe(dataUri(photo));
		expect(String(output[0].json.notice)).toContain(
			'The item has no binary field "data", so its only file, "Your photo", was used as the image.',
		);
	});

	it("the mask's file never stands in for a missing photo", async () => {
		const { error } = await inpaint(
			{ ...minimalParameters.imageEditing, ...binaryImages },
			{ ...combined, items: [{ json: { mask: pngBinary(makeMask(64, 64), 'm.png') } }] },
		);
		expect(error?.message).toMatch(
			/"Image Binary Field": the input item has no binary field named "data"/,
		);
		expect(error?.description).toMatch(/Binary fields on this item: mask\./);
		expect(simulator.requests).toHaveLength(0);
	});

	it('in the separate mode (the default) files in the JSON are not binary fields, as for n8n', async () => {
		const { error } = await inpaint(
			{ ...minimalParameters.imageEditing, ...binaryImages, initImageBinaryProperty: 'photo' },
			{ items: [{ json: { photo: pngBinary(makePhoto(64, 64), 'p.png') } }] },
		);
		expect(`${error?.message} ${error?.description}`).toMatch(
			/no binary field named "photo".*no binary data at all/s,
		);
		expect(simulator.requests).toHaveLength(0);
	});
});
