/**
 * Model ID (Community Models, Enterprise) is a resource locator: From List loads the endpoint's
 * model list from ModelsLab with the credential, By ID takes any model. Whatever the shape of the
 * saved value (list, ID, a plain string from before, an AI tool's $fromAI), the same string goes
 * to ModelsLab, and a bad ID is refused before anything is sent.
 */
import type { FromAIArgument, IDataObject, INodeProperties, INodePropertyMode } from 'n8n-workflow';
import { traverseNodeParameters } from 'n8n-workflow';

import { ModelsLabInpaint } from '../nodes/ModelsLabInpaint/ModelsLabInpaint.node';
import { INPAINT_ENDPOINTS } from '../nodes/ModelsLabInpaint/endpoints';
import { INPAINT_CATEGORIES, MODEL_PAGE_SIZE } from '../nodes/ModelsLabInpaint/modelSearch';
import { runListSearch } from '../harness/listSearch';
import { PACKAGE } from '../harness/engine';
import { publicModels } from '../simulator';
import {
	API_KEY,
	ENTERPRISE_KEY,
	expectRefusedBeforeSending,
	minimalParameters,
	useSimulator,
} from './support/simulator';

const { simulator, credentials, inpaint, requestsTo } = useSimulator();

const PUBLIC_LIST = '/api/v4/dreambooth/model_list';
const ENTERPRISE_LIST = '/api/v1/enterprise/pony/get_all_models';

const { properties, usableAsTool } = new ModelsLabInpaint().description;
const node = new ModelsLabInpaint();
const locator = (name: string) => properties.find((property) => property.name === name)!;
const byId = (property: INodeProperties) =>
	property.modes!.find((mode) => mode.name === 'id') as INodePropertyMode;

const search = (method: string, filter?: string, paginationToken?: string, overrides = {}) =>
	runListSearch({ method, filter, paginationToken, credentials: credentials(overrides) });

const rl = (mode: 'list' | 'id', value: string) => ({ __rl: true, mode, value });

describe('the editor field', () => {
	it.each([
		['communityModelId', 'searchCommunityModels', 'pony-realism'],
		['enterpriseModelId', 'searchEnterpriseModels', ''],
	])('%s: From List (%s) or By ID, required', (name, method, value) => {
		const property = locator(name);
		expect(property.type).toBe('resourceLocator');
		expect(property.required).toBe(true);
		expect(property.default).toEqual({ mode: 'list', value });
		expect(property.modes!.map((mode) => [mode.name, mode.displayName, mode.type])).toEqual([
			['list', 'From List', 'list'],
			['id', 'By ID', 'string'],
		]);
		expect(property.modes![0].typeOptions).toEqual({ searchListMethod: method, searchable: true });
		expect(typeof node.methods.listSearch[method]).toBe('function');
		expect(byId(property).placeholder).toMatch(/^e\.g\. /);
	});

	it("By ID's editor check and the run's check agree on what a model ID is", () => {
		const { regex } = (
			byId(locator('communityModelId')).validation![0] as unknown as {
				properties: { regex: string };
			}
		).properties;
		const schema = INPAINT_ENDPOINTS.community.schema.shape.model_id;
		const samples = [
			'pony-realism',
			'stable-diffusion-xl-1.0-inpainting-0.1',
			'more_details',
			'KcRpgyVlTzKyYzoY1fS7',
			'x'.repeat(100),
			'x'.repeat(101),
			'Pony Realism',
			'https://modelslab.com/models/pony-realism',
			'-pony',
			'.hidden',
			'pony"realism',
			'pony/realism',
		];
		for (const sample of samples) {
			expect({ sample, ok: new RegExp(`^${regex}$`).test(sample) }).toEqual({
				sample,
				ok: schema.safeParse(sample).success,
			});
		}
	});

	it('the AI tool description still says what the tool needs', () => {
		expect(JSON.stringify(usableAsTool)).toContain('prompt');
	});
});

describe('From List: the public models that can inpaint (Community Models)', () => {
	it('loads the list with the API key and offers the checkpoints, in ModelsLab’s order', async () => {
		const { results, paginationToken } = await search('searchCommunityModels');
		expect(paginationToken).toBeUndefined();
		expect(requestsTo(PUBLIC_LIST)).toHaveLength(1);
		expect(requestsTo(PUBLIC_LIST)[0].body).toEqual({ key: API_KEY });
		const offered = publicModels(simulator.baseUrl).filter(
			(entry) =>
				entry.model_category === undefined ||
				INPAINT_CATEGORIES.includes(entry.model_category as string),
		);
		expect(results).toEqual(
			offered.map((entry) => ({
				name: entry.model_name,
				value: entry.model_id,
				url: `https://modelslab.com/models/${entry.model_id as string}`,
			})),
		);
		const values = results.map((result) => result.value);
		// The docs' own example entries (no category) are offered.
		expect(values.slice(0, 3)).toEqual(['midjourney', 'anything-v3', 'wifu-diffusion']);
		expect(values).toEqual(expect.arrayContaining(['pony-realism', 'sdxl', 'flux']));
		// LoRAs, embeddings and ControlNets are not, not even the ControlNet called "inpaint".
		for (const addOn of ['more_details', 'easynegative', 'canny', 'inpaint', 'flux-realism-lora'])
			expect(values).not.toContain(addOn);
		expect(JSON.stringify(results)).not.toContain(API_KEY);
	});

	it.each([
		['by ID, any case', 'PONY', ['pony-realism', 'ponydiffusion-v6-xl', 'autismmix-pony']],
		['by name', 'Vision', ['realistic-vision-v51']],
		['by name or ID', 'realism', ['pony-realism', 'epicrealism-v5']],
		['with spaces around it', '  sdxl ', ['sdxl', 'stable-diffusion-xl-1.0-inpainting-0.1']],
		['with nothing that can inpaint', 'controlnet', []],
	])('filters %s', async (_, filter, expected) => {
		const { results } = await search('searchCommunityModels', filter);
		expect(results.map((result) => result.value)).toEqual(expected);
	});

	it('pages a long list, the search applied before paging', async () => {
		const many = Array.from({ length: 260 }, (_, index) => ({
			model_id: `model-${String(index).padStart(3, '0')}`,
			model_name: `Model ${index}`,
			model_category: index % 5 === 4 ? 'lora' : 'stable_diffusion',
		}));
		const pages: string[][] = [];
		let token: string | undefined;
		do {
			simulator.respondOnce({ path: PUBLIC_LIST }, { body: many });
			const page = await search('searchCommunityModels', undefined, token);
			pages.push(page.results.map((result) => result.value as string));
			token = page.paginationToken;
		} while (token && pages.length < 5);
		// 260 models, every fifth a LoRA: 208 offered.
		expect(pages.map((page) => page.length)).toEqual([MODEL_PAGE_SIZE, MODEL_PAGE_SIZE, 8]);
		const all = pages.flat();
		expect(new Set(all).size).toBe(208);
		expect(all).not.toContain('model-004');

		simulator.respondOnce({ path: PUBLIC_LIST }, { body: many });
		const filtered = await search('searchCommunityModels', 'model-1');
		expect(filtered.results).toHaveLength(80);
		expect(filtered.paginationToken).toBeUndefined();
	});

	it('reads an unknown page token as the first page', async () => {
		const first = await search('searchCommunityModels', undefined, 'garbage');
		expect(first.results[0].value).toBe('midjourney');
	});
});

describe('From List: the enterprise server’s models', () => {
	it('loads them with the Enterprise API Key; LoRAs and embeddings are not offered', async () => {
		const { results } = await search('searchEnterpriseModels');
		expect(requestsTo(ENTERPRISE_LIST)[0].body).toEqual({ key: ENTERPRISE_KEY });
		expect(results).toEqual(
			['pony-realism', 'ponydiffusion-v6-xl', 'autismmix-pony', 'my-pony', 'realvisxl-v40'].map(
				(id) => ({ name: id, value: id }),
			),
		);
		expect((await search('searchEnterpriseModels', 'MY-')).results).toEqual([
			{ name: 'my-pony', value: 'my-pony' },
		]);
	});

	it('reads a bare list of IDs too (the answer is not documented)', async () => {
		simulator.respondOnce({ path: ENTERPRISE_LIST }, { body: ['a-model', 'b-model'] });
		const { results } = await search('searchEnterpriseModels');
		expect(results.map((result) => result.value)).toEqual(['a-model', 'b-model']);
	});
});

describe('a list that cannot be loaded shows a readable error, never the key', () => {
	const failure = async (method: string, overrides: IDataObject = {}) => {
		try {
			await search(method, undefined, undefined, overrides);
		} catch (error) {
			return error as Error & { description?: string };
		}
		throw new Error('expected the list to fail');
	};

	it('a wrong API key: ModelsLab’s words', async () => {
		const error = await failure('searchCommunityModels', { apiKey: 'wrong-key-1234' });
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('ModelsLab: Invalid Api Key');
		expect(JSON.stringify({ ...error, message: error.message })).not.toContain('wrong-key-1234');
	});

	it('an answer that repeats the key: masked', async () => {
		simulator.respondOnce(
			{ path: PUBLIC_LIST },
			{ body: { status: 'error', message: `Key ${API_KEY} is suspended` } },
		);
		const error = await failure('searchCommunityModels');
		expect(error.message).toBe('ModelsLab: Key *** is suspended');
		expect(JSON.stringify({ ...error, message: error.message })).not.toContain(API_KEY);
	});

	it('no Enterprise API Key in the credential: says which key is missing, sends nothing', async () => {
		const error = await failure('searchEnterpriseModels', { enterpriseApiKey: '' });
		expect(error.message).toMatch(/needs an Enterprise API Key/);
		expect(simulator.requests).toHaveLength(0);
	});

	it('an answer without a list', async () => {
		simulator.respondOnce({ path: PUBLIC_LIST }, { body: { status: 'success', message: 'ok' } });
		const error = await failure('searchCommunityModels');
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe('ModelsLab answered without a list of models');
		expect(error.description).toMatch(/By ID/);
	});

	it('ModelsLab unreachable', async () => {
		simulator.respondOnce({ path: PUBLIC_LIST }, { fault: 'reset' });
		const error = await failure('searchCommunityModels');
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toMatch(/^Could not reach ModelsLab at 127\.0\.0\.1:\d+: /);
	});
});

describe('every shape of the value sends the same model_id', () => {
	const sent = () => (requestsTo('/api/v6/images/inpaint')[0]?.body as IDataObject)?.model_id;
	const sentEnterprise = () =>
		(requestsTo('/api/v1/enterprise/pony/inpaint')[0]?.body as IDataObject)?.model_id;

	it.each([
		['From List', rl('list', 'sdxl')],
		['From List with the name n8n keeps', { ...rl('list', 'sdxl'), cachedResultName: 'SDXL 1.0' }],
		['By ID', rl('id', 'sdxl')],
		['a plain string saved before (legacy)', 'sdxl'],
		['a plain string with spaces around it (legacy)', ' sdxl '],
		['an expression in By ID', rl('id', '={{ "sd" + "xl" }}')],
		['an expression saved before (legacy)', '={{ $json.model }}'],
	])('Community Models, %s', async (_, value) => {
		const result = await inpaint(
			{ ...minimalParameters.community, communityModelId: value },
			{ items: [{ json: { model: 'sdxl' } }] },
		);
		expect(result.error).toBeUndefined();
		expect(sent()).toBe('sdxl');
	});

	it('Community Models, the default: pony-realism from the list', async () => {
		const result = await inpaint(minimalParameters.community);
		expect(result.error).toBeUndefined();
		expect(sent()).toBe('pony-realism');
	});

	it.each([
		['From List', rl('list', 'my-pony')],
		['By ID', rl('id', 'my-pony')],
		['a plain string saved before (legacy)', 'my-pony'],
	])('Enterprise, %s', async (_, value) => {
		const result = await inpaint({ ...minimalParameters.enterprise, enterpriseModelId: value });
		expect(result.error).toBeUndefined();
		expect(sentEnterprise()).toBe('my-pony');
	});

	it.each([
		['By ID', rl('id', "={{ $fromAI('model_id', 'The ModelsLab model', 'string') }}")],
		['From List', rl('list', "={{ $fromAI('model_id', 'The ModelsLab model', 'string') }}")],
	])('as an AI tool, the model given by the agent ($fromAI in %s)', async (_, value) => {
		const result = await inpaint(
			{ ...minimalParameters.community, communityModelId: value },
			{
				nodeType: `${PACKAGE}.modelsLabInpaintTool`,
				items: [{ json: { model_id: 'realistic-vision-v51' } }],
			},
		);
		expect(result.error).toBeUndefined();
		expect(sent()).toBe('realistic-vision-v51');
		// n8n finds the $fromAI call inside the locator's value, so the agent is asked for it.
		const calls: FromAIArgument[] = [];
		traverseNodeParameters({ communityModelId: value }, calls);
		expect(calls.map((call) => [call.key, call.type])).toEqual([['model_id', 'string']]);
	});
});

describe('a bad model ID is refused before any request', () => {
	it.each([
		['a display name', 'Pony Realism'],
		['a link', 'https://modelslab.com/models/pony-realism'],
		['101 characters', 'x'.repeat(101)],
	])('typed By ID, %s: n8n itself refuses to run the node', async (_, value) => {
		const { error } = await inpaint({
			...minimalParameters.community,
			communityModelId: rl('id', value),
		});
		expect(error?.message).toContain('has issues');
		expect(JSON.stringify(error)).toContain('Enter a model ID: letters, digits');
		expect(simulator.requests).toHaveLength(0);
	});

	it.each([
		['From List, nothing picked', rl('list', '')],
		['By ID, empty', rl('id', '')],
	])('%s: n8n itself says Model ID is required', async (_, value) => {
		const { error } = await inpaint({ ...minimalParameters.enterprise, enterpriseModelId: value });
		expect(error?.message).toContain('has issues');
		expect(JSON.stringify(error)).toContain('Parameter \\"Model ID\\" is required');
		expect(simulator.requests).toHaveLength(0);
	});

	const rule =
		'may only contain letters, digits, ".", "_" and "-", and start with a letter or digit';
	const community = (value: IDataObject[string]) => ({
		...minimalParameters.community,
		communityModelId: value,
	});
	const enterprise = (value: IDataObject[string]) => ({
		...minimalParameters.enterprise,
		enterpriseModelId: value,
	});

	it.each([
		[
			'an expression giving a display name',
			community(rl('id', '={{ "Pony Realism" }}')),
			`"Model ID" ${rule} (got "Pony Realism") [item 0]`,
		],
		[
			'a legacy string giving a link',
			community('={{ "https://modelslab.com/models/sdxl" }}'),
			`"Model ID" ${rule} (got "https://modelslab.com/models/sdxl") [item 0]`,
		],
		[
			'an expression giving 101 characters',
			community(rl('list', `={{ "${'x'.repeat(101)}" }}`)),
			`"Model ID" must be at most 100 characters (got "${'x'.repeat(76)}...) [item 0]`,
		],
		[
			'an expression giving nothing (Enterprise: no default)',
			enterprise(rl('id', '={{ $json.missing }}')),
			'"Model ID" is required [item 0]',
		],
		[
			'an expression giving a list',
			community(rl('id', '={{ ["sdxl"] }}')),
			'"Model ID" must be text (got ["sdxl"]) [item 0]',
		],
	])('%s: names the field and the item', async (_, parameters, message) => {
		expectRefusedBeforeSending(await inpaint(parameters), message, simulator);
	});

	it('Community Models: an expression giving nothing takes the default, as before', async () => {
		const result = await inpaint(community(rl('id', '={{ $json.missing }}')));
		expect(result.error).toBeUndefined();
		expect(requestsTo('/api/v6/images/inpaint')[0].body).toMatchObject({
			model_id: 'pony-realism',
		});
	});

	it('the item named is the one that is wrong', async () => {
		const result = await inpaint(
			{ ...minimalParameters.enterprise, enterpriseModelId: rl('id', '={{ $json.model }}') },
			{ items: [{ json: { model: 'my-pony' } }, { json: { model: 'my pony' } }] },
		);
		expect(result.error?.message).toBe(`"Model ID" ${rule} (got "my pony") [item 1]`);
		// Items are sent one by one: the first was fine and went out before the second was read.
		expect(requestsTo('/api/v1/enterprise/pony/inpaint')).toHaveLength(1);
	});
});
