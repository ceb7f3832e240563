/**
 * Each endpoint sends exactly the body its doc describes (field names, defaults, wire
 * types), to the right route with the right key, and its answer becomes the documented result.
 */
import type { IDataObject } from 'n8n-workflow';

import { INPAINT_ENDPOINTS } from '../nodes/ModelsLabInpaint/endpoints';
import type { EndpointId } from '../nodes/shared/transport/endpoints';
import { parameterName } from '../nodes/shared/schema/fields';
import {
	API_KEY,
	ENTERPRISE_KEY,
	MASK_URL,
	PHOTO_URL,
	minimalParameters,
	useSimulator,
} from './support/simulator';

const { simulator, inpaint, requestsTo } = useSimulator();

const images = { init_image: PHOTO_URL, mask_image: MASK_URL };

/** Options as the editor holds them: the everyday ones under Options, the rest under Advanced Options. */
function inEditor(endpoint: EndpointId, options: IDataObject): IDataObject {
	const { fields } = INPAINT_ENDPOINTS[endpoint];
	const advanced = new Set(
		Object.entries(fields)
			.filter(([, ui]) => ui.placement === 'advanced')
			.map(([key, ui]) => parameterName(key, ui)),
	);
	const pick = (wanted: boolean) =>
		Object.fromEntries(Object.entries(options).filter(([name]) => advanced.has(name) === wanted));
	return { [`${endpoint}Options`]: pick(false), [`${endpoint}AdvancedOptions`]: pick(true) };
}

// What each doc says a request with nothing but the required fields carries, defaults included.
const defaultBodies = {
	imageEditing: {
		route: '/api/v6/image_editing/inpaint',
		body: {
			key: API_KEY,
			prompt: 'a red car',
			...images,
			// Output Size › Same as Image: ModelsLab gives the result the photo's size.
			samples: 1,
			num_inference_steps: 30,
			safety_checker: 'no',
			guidance_scale: 5,
			strength: 0.7,
			instant_response: 'false',
			base64: 'false',
		},
	},
	community: {
		route: '/api/v6/images/inpaint',
		body: {
			key: API_KEY,
			model_id: 'pony-realism',
			prompt: 'a red car',
			...images,
			width: 512,
			height: 512,
			samples: 1,
			steps: 21,
			guidance_scale: 7.5,
			strength: 0.7,
			scheduler: 'DPMSolverMultistepScheduler',
			use_karras_sigmas: 'yes',
			algorithm_type: 'sde-dpmsolver++',
			clip_skip: 2,
			safety_checker: 'yes',
			base64: false,
			temp: false,
		},
	},
	legacy: {
		route: '/api/v3/inpaint',
		body: {
			key: API_KEY,
			prompt: 'a red car',
			...images,
			width: '512',
			height: '512',
			samples: '1',
			num_inference_steps: '31',
			safety_checker: 'no',
			enhance_prompt: 'yes',
			guidance_scale: 7.5,
			strength: 0.7,
			base64: 'no',
		},
	},
	enterprise: {
		route: '/api/v1/enterprise/pony/inpaint',
		body: {
			key: ENTERPRISE_KEY,
			model_id: 'my-pony',
			prompt: 'a red car',
			...images,
			width: '512',
			height: '512',
			samples: '1',
			num_inference_steps: '31',
			safety_checker: 'yes',
			safety_checker_type: 'sensitive_content_text',
			enhance_prompt: 'yes',
			guidance_scale: 7.5,
			strength: 0.7,
			scheduler: 'PNDMScheduler',
			tomesd: 'yes',
			use_karras_sigmas: 'yes',
			algorithm_type: 'none',
			base64: 'no',
			temp: 'no',
		},
	},
};

describe.each(Object.entries(defaultBodies))(
	'%s with only the required fields',
	(endpoint, expected) => {
		it('sends the documented defaults to its route and outputs the job', async () => {
			const { output, error } = await inpaint(minimalParameters[endpoint]);
			expect(error).toBeUndefined();

			const submits = requestsTo('/api/');
			expect(submits.map((request) => request.path)).toEqual([expected.route]);
			expect(submits[0].body).toEqual(expected.body);

			const [job] = simulator.jobs;
			expect(output).toHaveLength(1);
			expect(output[0].pairedItem).toEqual({ item: 0 });
			expect(output[0].json).toMatchObject({
				status: 'success',
				requestId: String(job.id),
				endpoint,
				output: job.outputs,
				proxyLinks: job.outputs.map((url) => expect.stringContaining(url.split('/').pop()!)),
				eta: null,
				fetchUrl: null,
				meta: job.meta,
			});
			expect(typeof output[0].json.generationTime).toBe('number');
		});
	},
);

describe('every option, set in the editor', () => {
	it('v6 Image Editing: JSON numbers, "yes"/"no" and "true"/"false" strings, integer track id', async () => {
		await inpaint({
			...minimalParameters.imageEditing,
			outputSize: 'custom',
			...inEditor('imageEditing', {
				negativePrompt: 'blurry',
				width: 768,
				height: 1024,
				samples: 2,
				numInferenceSteps: 40,
				safetyChecker: true,
				guidanceScale: 3,
				strength: 0.5,
				instantResponse: true,
				base64: true,
				seed: 42,
				webhook: 'https://hooks.example.com/done',
				trackId: 77,
			}),
		});
		expect(requestsTo('/api/v6/image_editing/inpaint')[0].body).toEqual({
			...defaultBodies.imageEditing.body,
			negative_prompt: 'blurry',
			width: 768,
			height: 1024,
			samples: 2,
			num_inference_steps: 40,
			safety_checker: 'yes',
			guidance_scale: 3,
			strength: 0.5,
			instant_response: 'true',
			base64: 'true',
			seed: 42,
			webhook: 'https://hooks.example.com/done',
			track_id: 77,
		});
	});

	it('v6 Community Models: JSON numbers and booleans, string track id', async () => {
		await inpaint({
			...minimalParameters.community,
			communityModelId: 'juggernaut-xl',
			outputSize: 'custom',
			...inEditor('community', {
				negativePrompt: 'text',
				width: 768,
				height: 1024,
				samples: 4,
				steps: 31,
				guidanceScale: 12.5,
				strength: 0.9,
				scheduler: 'EulerAncestralDiscreteScheduler',
				useKarrasSigmas: false,
				algorithmType: 'dpmsolver+++',
				clipSkip: 1,
				safetyChecker: false,
				safetyCheckerType: 'pixelate',
				base64: false,
				temp: true,
				seed: 7,
				webhook: 'https://hooks.example.com/done',
				trackId: 'order-991',
			}),
		});
		expect(requestsTo('/api/v6/images/inpaint')[0].body).toEqual({
			...defaultBodies.community.body,
			model_id: 'juggernaut-xl',
			negative_prompt: 'text',
			width: 768,
			height: 1024,
			samples: 4,
			steps: 31,
			guidance_scale: 12.5,
			strength: 0.9,
			scheduler: 'EulerAncestralDiscreteScheduler',
			use_karras_sigmas: 'no',
			algorithm_type: 'dpmsolver+++',
			clip_skip: 1,
			safety_checker: 'no',
			safety_checker_type: 'pixelate',
			temp: true,
			seed: 7,
			webhook: 'https://hooks.example.com/done',
			track_id: 'order-991',
		});
	});

	it('v3 Legacy: numeric strings and "yes"/"no"', async () => {
		await inpaint({
			...minimalParameters.legacy,
			outputSize: 'custom',
			...inEditor('legacy', {
				negativePrompt: 'ugly',
				width: 640,
				height: 480,
				samples: 3,
				numInferenceSteps: '51',
				safetyChecker: true,
				enhancePrompt: false,
				guidanceScale: 20,
				strength: 1,
				base64: true,
				seed: 0,
				webhook: 'http://hooks.example.com/legacy',
				trackId: 'legacy-1',
			}),
		});
		expect(requestsTo('/api/v3/inpaint')[0].body).toEqual({
			...defaultBodies.legacy.body,
			negative_prompt: 'ugly',
			width: '640',
			height: '480',
			samples: '3',
			num_inference_steps: '51',
			safety_checker: 'yes',
			enhance_prompt: 'no',
			guidance_scale: 20,
			strength: 1,
			base64: 'yes',
			seed: 0,
			webhook: 'http://hooks.example.com/legacy',
			track_id: 'legacy-1',
		});
	});

	it('v1 Enterprise: numeric strings, "yes"/"no", LoRA, VAE and CLIP skip, with the enterprise key', async () => {
		await inpaint({
			...minimalParameters.enterprise,
			outputSize: 'custom',
			...inEditor('enterprise', {
				negativePrompt: 'lowres',
				width: 1024,
				height: 768,
				samples: 2,
				numInferenceSteps: '41',
				safetyChecker: false,
				safetyCheckerType: 'black',
				enhancePrompt: false,
				guidanceScale: 9,
				strength: 0.3,
				scheduler: 'LCMScheduler',
				tomesd: false,
				useKarrasSigmas: false,
				algorithmType: 'dpmsolver+++',
				clipSkip: 8,
				loraModel: 'contrast-fix,yae-miko-genshin',
				loraStrength: '0.6,1',
				vae: 'sdxl-vae',
				base64: false,
				temp: true,
				seed: 123,
				webhook: 'https://hooks.example.com/ent',
				trackId: 'ent-5',
			}),
		});
		expect(requestsTo('/api/v1/enterprise/pony/inpaint')[0].body).toEqual({
			...defaultBodies.enterprise.body,
			negative_prompt: 'lowres',
			width: '1024',
			height: '768',
			samples: '2',
			num_inference_steps: '41',
			safety_checker: 'no',
			safety_checker_type: 'black',
			enhance_prompt: 'no',
			guidance_scale: 9,
			strength: 0.3,
			scheduler: 'LCMScheduler',
			tomesd: 'no',
			use_karras_sigmas: 'no',
			algorithm_type: 'dpmsolver+++',
			clip_skip: '8',
			lora_model: 'contrast-fix,yae-miko-genshin',
			lora_strength: '0.6,1',
			vae: 'sdxl-vae',
			temp: 'yes',
			seed: 123,
			webhook: 'https://hooks.example.com/ent',
			track_id: 'ent-5',
		});
	});
});

describe('values from expressions', () => {
	it('accepts numbers and flags that arrive as strings, as expressions often produce', async () => {
		await inpaint(
			{
				...minimalParameters.legacy,
				prompt: '={{ $json.prompt }}',
				outputSize: 'custom',
				...inEditor('legacy', {
					width: '={{ "768" }}',
					safetyChecker: '={{ "yes" }}',
					seed: '={{ "99" }}',
				}),
			},
			{ items: [{ json: { prompt: 'a blue boat' } }] },
		);
		expect(requestsTo('/api/v3/inpaint')[0].body).toMatchObject({
			prompt: 'a blue boat',
			width: '768',
			safety_checker: 'yes',
			seed: 99,
		});
	});
});

describe('several items in one run', () => {
	it('submits one job per item, in order, each output paired with its item', async () => {
		const prompts = ['a red car', 'a green tree', 'a yellow bird'];
		const { output } = await inpaint(
			{ ...minimalParameters.imageEditing, prompt: '={{ $json.prompt }}' },
			{ items: prompts.map((prompt) => ({ json: { prompt } })) },
		);
		// Items run side by side (Max Concurrent Jobs, 5 by default), so the submits may arrive in any
		// order: each job is matched to its item by prompt.
		const bodies = requestsTo('/api/v6/image_editing/inpaint').map((request) => request.body);
		expect(bodies.map((body) => (body as { prompt: string }).prompt).sort()).toEqual(
			[...prompts].sort(),
		);
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const jobByPrompt = new Map(simulator.jobs.map((job) => [job.body.prompt, job]));
		expect(output.map((item) => item.json.requestId)).toEqual(
			prompts.map((prompt) => String(jobByPrompt.get(prompt)!.id)),
		);
	});
});

describe('a queued job, with Return Immediately', () => {
	it('is returned as processing with request id, eta and the fetch URL the API gave', async () => {
		simulator.settings.jobDurationMs = 60_000;
		const { output } = await inpaint({ ...minimalParameters.community, completion: 'immediate' });
		const [job] = simulator.jobs;
		expect(output[0].json).toMatchObject({
			status: 'processing',
			requestId: String(job.id),
			output: [],
			eta: expect.closeTo(60, 0), // the time left when the answer went: 59.99 s on a loaded machine
			fetchUrl: `${simulator.baseUrl}/api/v6/images/fetch/${job.id}`,
			futureLinks: job.outputs,
		});
	});

	it('instant response on v6 Image Editing queues even a fast job', async () => {
		const { output } = await inpaint({
			...minimalParameters.imageEditing,
			completion: 'immediate',
			imageEditingAdvancedOptions: { instantResponse: true },
		});
		expect(output[0].json.status).toBe('processing');
		expect(output[0].json.fetchUrl).toBe(
			`${simulator.baseUrl}/api/v6/image_editing/fetch/${simulator.jobs[0].id}`,
		);
	});
});
