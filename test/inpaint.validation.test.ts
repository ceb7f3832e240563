/**
 * A wrong value stops the item with an error that names the field, what is allowed and the item,
 * and nothing at all is sent to ModelsLab (no upload, no submit).
 */
import type { IDataObject } from 'n8n-workflow';

import { MASK_URL, PHOTO_URL, minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint, credentials } = useSimulator();

type Case = [description: string, parameters: IDataObject, field: string, allowed: string];

/** With Output Size › Custom, so that Width and Height are read too. */
const withOptions = (endpoint: string, options: IDataObject): IDataObject => ({
	...minimalParameters[endpoint],
	outputSize: 'custom',
	[`${endpoint}Options`]: options,
});

const withAdvanced = (endpoint: string, options: IDataObject): IDataObject => ({
	...minimalParameters[endpoint],
	[`${endpoint}AdvancedOptions`]: options,
});

const cases: Case[] = [
	[
		'width over 1024 (v6 Image Editing)',
		withOptions('imageEditing', { width: 2000 }),
		'Options › Width',
		'a whole number from 1 to 1024',
	],
	[
		'guidance scale over 5 (v6 Image Editing)',
		withOptions('imageEditing', { guidanceScale: 7 }),
		'Options › Guidance Scale',
		'a whole number from 1 to 5',
	],
	[
		'fractional guidance scale (v6 Image Editing)',
		withOptions('imageEditing', { guidanceScale: 2.5 }),
		'Options › Guidance Scale',
		'a whole number from 1 to 5',
	],
	[
		'strength over 1',
		withOptions('imageEditing', { strength: 1.5 }),
		'Options › Strength',
		'a number from 0 to 1',
	],
	[
		'five samples',
		withOptions('imageEditing', { samples: 5 }),
		'Options › Number of Images',
		'a whole number from 1 to 4',
	],
	[
		'zero steps',
		withOptions('imageEditing', { numInferenceSteps: 0 }),
		'Options › Inference Steps',
		'a whole number of at least 1',
	],
	[
		'width not divisible by 8 (Community)',
		withOptions('community', { width: 700 }),
		'Options › Width',
		'a whole number from 512 to 1024, divisible by 8',
	],
	[
		'width under 512 (Community)',
		withOptions('community', { height: 256 }),
		'Options › Height',
		'from 512 to 1024',
	],
	[
		'unknown scheduler (Community)',
		withAdvanced('community', { scheduler: 'FastScheduler' }),
		'Advanced Options › Scheduler',
		'one of: DDPMScheduler, DDIMScheduler, PNDMScheduler',
	],
	[
		'clip skip 5 (Community)',
		withAdvanced('community', { clipSkip: 5 }),
		'Advanced Options › CLIP Skip',
		'a whole number from 1 to 4',
	],
	[
		'unknown safety checker type (Community)',
		withAdvanced('community', { safetyCheckerType: 'smudge' }),
		'Advanced Options › Safety Checker Type',
		'one of: blur, sensitive_content_text, pixelate, black',
	],
	[
		'30 steps on v3, which only takes 21/31/41/51',
		withOptions('legacy', { numInferenceSteps: 30 }),
		'Options › Inference Steps',
		'one of: 21, 31, 41, 51',
	],
	[
		'guidance 25 (v3)',
		withOptions('legacy', { guidanceScale: 25 }),
		'Options › Guidance Scale',
		'a number from 1 to 20',
	],
	[
		'51 steps on Enterprise, which takes 21/31/41',
		withOptions('enterprise', { numInferenceSteps: '51' }),
		'Options › Inference Steps',
		'one of: 21, 31, 41',
	],
	[
		'clip skip 9 (Enterprise)',
		withAdvanced('enterprise', { clipSkip: 9 }),
		'Advanced Options › CLIP Skip',
		'a whole number from 1 to 8',
	],
	[
		'LoRA strength out of range (Enterprise)',
		withAdvanced('enterprise', { loraStrength: '0.05,2' }),
		'Advanced Options › LoRA Strengths',
		'comma-separated numbers from 0.1 to 1',
	],
	[
		'algorithm type not in the enterprise list',
		withAdvanced('enterprise', { algorithmType: 'sde-dpmsolver++' }),
		'Advanced Options › Algorithm Type',
		'one of: none, dpmsolver+++',
	],
	['negative seed', withOptions('legacy', { seed: -1 }), 'Options › Seed', '0'],
	[
		'seed that is not a whole number',
		withOptions('legacy', { seed: 1.5 }),
		'Options › Seed',
		'a whole number',
	],
	[
		'webhook that is not a link',
		withAdvanced('community', { webhook: 'my server' }),
		'Advanced Options › Webhook URL',
		'must be an http(s) link',
	],
	[
		'webhook on ftp',
		withAdvanced('community', { webhook: 'ftp://example.com/x' }),
		'Advanced Options › Webhook URL',
		'must be an http(s) link',
	],
	[
		'track id that is not a number on v6 Image Editing',
		withAdvanced('imageEditing', { trackId: '={{ "order-7" }}' }),
		'Advanced Options › Track ID',
		'number',
	],
	[
		'safety checker from an expression that is not yes/no',
		withAdvanced('legacy', { safetyChecker: '={{ "maybe" }}' }),
		'Advanced Options › Safety Checker',
		'true or false',
	],
	[
		'width from an expression that is not a number',
		withOptions('legacy', { width: '={{ "wide" }}' }),
		'Options › Width',
		'a whole number from 1 to 1024',
	],
	[
		'prompt from an expression that is empty',
		{ ...minimalParameters.legacy, prompt: '={{ $json.missing }}' },
		'Prompt',
		'is required',
	],
	[
		'empty model id (Enterprise)',
		{ ...minimalParameters.enterprise, enterpriseModelId: '  ' },
		'Model ID',
		'is required',
	],
	[
		'image URL from an expression that is empty',
		{ ...minimalParameters.imageEditing, initImageUrl: '={{ "" }}' },
		'Image URL',
		'is required',
	],
	[
		'image URL on ftp',
		{ ...minimalParameters.imageEditing, initImageUrl: 'ftp://files.example.com/a.png' },
		'Image URL',
		'must be an http(s) link to an image',
	],
	[
		'mask given as a file path',
		{ ...minimalParameters.community, maskImageUrl: '/home/me/mask.png' },
		'Mask URL',
		'must be an http(s) link to an image',
	],
	[
		'inline data URI where the endpoint takes links only',
		{ ...minimalParameters.legacy, initImageUrl: 'data:image/png;base64,iVBORw0KGgo=' },
		'Image URL',
		'must be an http(s) link for this endpoint',
	],
];

describe('a bad field value', () => {
	it.each(cases)(
		'%s: names the field, the allowed values and the item; sends nothing',
		async (_, parameters, field, allowed) => {
			const { error, output } = await inpaint(parameters);
			expect(output).toEqual([]);
			expect(error?.name).toBe('NodeOperationError');
			expect(error?.message).toContain(`"${field}"`);
			expect(`${error?.message} ${error?.description}`).toContain(allowed);
			expect(error?.message).toContain('[item 0]');
			expect(error?.description).toContain('Nothing was sent to ModelsLab');
			expect(simulator.requests).toHaveLength(0);
		},
	);
});

describe('an empty required field in the editor', () => {
	it.each([
		['Prompt', { ...minimalParameters.legacy, prompt: '' }],
		['Image URL', { ...minimalParameters.imageEditing, initImageUrl: '' }],
		['Model ID', { ...minimalParameters.enterprise, enterpriseModelId: '' }],
	])('%s: n8n itself refuses to run the node', async (field, parameters) => {
		const { error } = await inpaint(parameters);
		expect(error?.message).toContain('has issues');
		expect(JSON.stringify(error)).toContain(`Parameter \\"${field}\\" is required`);
		expect(simulator.requests).toHaveLength(0);
	});
});

describe('item numbering', () => {
	it('names the item that is wrong; the items before it were already processed', async () => {
		const { error } = await inpaint(
			{
				...minimalParameters.imageEditing,
				outputSize: 'custom',
				imageEditingOptions: { width: '={{ $json.width }}' },
			},
			{ items: [{ json: { width: 512 } }, { json: { width: 5000 } }] },
		);
		expect(error?.message).toBe(
			'"Options › Width" must be a whole number from 1 to 1024 (got 5000) [item 1]',
		);
		expect(simulator.requestsTo('/api/v6/image_editing/inpaint')).toHaveLength(1);
	});

	it('lists every wrong field of an item, not just the first', async () => {
		const { error } = await inpaint(
			withOptions('imageEditing', { width: 0, samples: 9, strength: 2 }),
		);
		expect(error?.message).toContain('(and 2 more)');
		expect(error?.description).toContain('Number of Images');
		expect(error?.description).toContain('Strength');
	});
});

describe('a missing key', () => {
	it('the Enterprise endpoint without an Enterprise API Key stops before anything is sent', async () => {
		const { error } = await inpaint(
			{ ...minimalParameters.enterprise, initImageUrl: PHOTO_URL, maskImageUrl: MASK_URL },
			{ credentials: credentials({ enterpriseApiKey: '' }) },
		);
		expect(error?.message).toContain('Enterprise API Key');
		expect(simulator.requests).toHaveLength(0);
	});
});

describe('On Error: Continue', () => {
	it('turns the bad item into an error item and goes on with the next', async () => {
		const { output, error } = await inpaint(
			{ ...minimalParameters.legacy, legacyOptions: { samples: '={{ $json.samples }}' } },
			{ items: [{ json: { samples: 9 } }, { json: { samples: 2 } }], continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(output).toHaveLength(2);
		expect(output[0]).toMatchObject({
			json: { error: expect.stringContaining('"Options › Number of Images"') },
			pairedItem: { item: 0 },
		});
		expect(output[1]).toMatchObject({ json: { status: 'success' }, pairedItem: { item: 1 } });
		expect(simulator.requestsTo('/api/v3/inpaint')).toHaveLength(1);
	});
});
