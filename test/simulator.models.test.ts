/**
 * The simulator's model lists (simulator/models.ts, README "Model lists"): the public list as a
 * bare array in the docs' shape, the enterprise server's models, and the same key and request
 * checks as every other route.
 */
import { ModelsLabSimulator, enterpriseModels, publicModels } from '../simulator';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form answers
type Json = any;

const KEY = 'sim-api-key';
const ENTERPRISE_KEY = 'sim-enterprise-key';
const PUBLIC = '/api/v4/dreambooth/model_list';
const ENTERPRISE = '/api/v1/enterprise/pony/get_all_models';

let sim: ModelsLabSimulator;
let base: string;

beforeAll(async () => {
	sim = new ModelsLabSimulator();
	base = await sim.start();
});
afterEach(() => sim.reset());
afterAll(async () => await sim.stop());

async function post(path: string, body: unknown, contentType = 'application/json') {
	const res = await fetch(`${base}${path}`, {
		method: 'POST',
		headers: { 'content-type': contentType },
		body: typeof body === 'string' ? body : JSON.stringify(body),
	});
	return { status: res.status, json: (await res.json()) as Json };
}

describe('the public model list', () => {
	it('is a bare array of every public model, the docs’ example entries first and exact', async () => {
		const { status, json } = await post(PUBLIC, { key: KEY });
		expect(status).toBe(200);
		expect(Array.isArray(json)).toBe(true);
		expect(json).toEqual(publicModels(base));
		expect(json.length).toBeGreaterThanOrEqual(30);
		expect(json[0]).toEqual({
			model_id: 'midjourney',
			status: 'model_ready',
			created_at: null,
			instance_prompt: 'mdjrny-v4 style',
			model_name: 'MidJourney V4',
			description:
				'Openjourney is an open source Stable Diffusion fine tuned model on Midjourney images, by PromptHero',
			screenshots: `${base}/samples/photo-512x512.png`,
		});
		expect(json.slice(0, 3).map((entry: Json) => entry.model_id)).toEqual([
			'midjourney',
			'anything-v3',
			'wifu-diffusion',
		]);
	});

	it('has the fields clients read, ids once each, and models that cannot inpaint among them', async () => {
		const { json } = await post(PUBLIC, { key: KEY });
		const ids = json.map((entry: Json) => entry.model_id);
		expect(new Set(ids).size).toBe(ids.length);
		for (const entry of json.slice(3)) {
			expect(entry).toEqual({
				model_id: expect.stringMatching(/^[a-z0-9][a-z0-9._-]*$/),
				status: 'model_ready',
				created_at: expect.any(String),
				instance_prompt: entry.instance_prompt === null ? null : expect.any(String),
				api_calls: expect.stringMatching(/^\d+$/),
				model_category: expect.any(String),
				is_nsfw: expect.stringMatching(/^(yes|no)$/),
				featured: expect.stringMatching(/^(yes|no)$/),
				model_name: expect.any(String),
				description: expect.any(String),
				screenshots: `${base}/samples/photo-512x512.png`,
			});
		}
		const categories = new Set(json.map((entry: Json) => entry.model_category));
		for (const category of ['stable_diffusion', 'stable_diffusion_xl', 'flux_checkpoint'])
			expect(categories).toContain(category);
		for (const category of ['lora', 'embeddings', 'controlnet', 'flux_lora'])
			expect(categories).toContain(category);
		// A ControlNet called "inpaint" is still no model to inpaint with.
		expect(json.find((entry: Json) => entry.model_id === 'inpaint').model_category).toBe(
			'controlnet',
		);
		expect(ids).toContain('pony-realism');
	});

	it('its screenshots are pictures the simulator serves', async () => {
		const { json } = await post(PUBLIC, { key: KEY });
		const res = await fetch(json[5].screenshots);
		expect(res.status).toBe(200);
		expect(res.headers.get('content-type')).toBe('image/png');
	});
});

describe('the enterprise server’s models', () => {
	it('lists the models loaded on the server, LoRAs and embeddings apart', async () => {
		const { status, json } = await post(ENTERPRISE, { key: ENTERPRISE_KEY });
		expect(status).toBe(200);
		expect(json).toEqual(enterpriseModels());
		expect(json.status).toBe('success');
		expect(json.models.map((entry: Json) => entry.model_id)).toEqual([
			'pony-realism',
			'ponydiffusion-v6-xl',
			'autismmix-pony',
			'my-pony',
			'realvisxl-v40',
		]);
		expect(json.models[0]).toEqual({ model_id: 'pony-realism', created_at: expect.any(String) });
		expect(json.lora_models.map((entry: Json) => entry.model_id)).toEqual(['add-detail-xl']);
		expect(json.embeddings_models.map((entry: Json) => entry.model_id)).toEqual(['negative-hands']);
	});
});

describe('keys and malformed requests on the model lists', () => {
	it.each([
		['no key', PUBLIC, {}],
		['a wrong key', PUBLIC, { key: 'nope' }],
		['the enterprise key on the public list', PUBLIC, { key: ENTERPRISE_KEY }],
		['the standard key on the enterprise list', ENTERPRISE, { key: KEY }],
	])('%s: Invalid Api Key with HTTP 200', async (_, path, body) => {
		const { status, json } = await post(path, body);
		expect(status).toBe(200);
		expect(json).toEqual({ status: 'error', message: 'Invalid Api Key', tip: expect.any(String) });
	});

	it('answers a wrong key with HTTP 401 when invalidKeyStyle says so', async () => {
		sim.settings.invalidKeyStyle = 'http401';
		const { status, json } = await post(PUBLIC, { key: 'nope' });
		expect(status).toBe(401);
		expect(json.message).toBe('Invalid Api Key');
	});

	it('refuses a body that is not JSON, and any method but POST', async () => {
		const notJson = await post(PUBLIC, `key=${KEY}`, 'application/x-www-form-urlencoded');
		expect(notJson.json).toMatchObject({ status: 'error', message: 'Invalid API Request' });
		const get = await fetch(`${base}${ENTERPRISE}`);
		expect(get.status).toBe(405);
	});

	it('records the requests, and lets respondOnce stand in for the list', async () => {
		sim.respondOnce({ path: PUBLIC }, { body: [{ model_id: 'only-one' }] });
		expect((await post(PUBLIC, { key: KEY })).json).toEqual([{ model_id: 'only-one' }]);
		expect((await post(PUBLIC, { key: KEY })).json).toHaveLength(publicModels(base).length);
		expect(sim.requestsTo(PUBLIC)).toHaveLength(2);
		expect(sim.requests[0].body).toEqual({ key: KEY });
	});
});
