/**
 * ModelsLab's model lists, for the Inpaint node's Model ID › From List.
 *
 * - `POST /api/v4/dreambooth/model_list` ("Get Public Models List", docs-v2
 *   image-generation/model-operation, **ML**): a bare JSON array, one object per public model. The
 *   docs' example entries carry `model_id`, `status`, `created_at`, `instance_prompt`, `model_name`,
 *   `description` and `screenshots`; clients of the API also read `api_calls` (digits as text),
 *   `model_category`, `is_nsfw` and `featured` ("yes"/"no"), so the other entries carry those too.
 *   Categories are those the upload endpoint takes (`stable_diffusion`, `stable_diffusion_xl`,
 *   `controlnet`, `lora`, `embeddings`, `flux_lora`, `flux_embeddings`, `flux_checkpoint`).
 * - `POST /api/v1/enterprise/pony/get_all_models` ("Get All Models", **GAM**): "models' IDs and the
 *   date/time they have been loaded on your server"; the answer's shape is not documented. This one
 *   follows what clients of the general enterprise server read: `models`, `lora_models` and
 *   `embeddings_models` arrays of `{model_id, created_at}`.
 */
import type { SimulatorContext } from './context';
import type { Reply } from './types';

type Category =
	| 'stable_diffusion'
	| 'stable_diffusion_xl'
	| 'flux_checkpoint'
	| 'lora'
	| 'flux_lora'
	| 'embeddings'
	| 'controlnet';

/** [model_id, model_name, model_category, is_nsfw, instance_prompt] */
type Entry = [string, string, Category, boolean?, string?];

const CATALOGUE: Entry[] = [
	['pony-realism', 'Pony Realism', 'stable_diffusion_xl'],
	[
		'ponydiffusion-v6-xl',
		'Pony Diffusion V6 XL',
		'stable_diffusion_xl',
		true,
		'score_9, score_8_up',
	],
	['realistic-vision-v51', 'Realistic Vision V5.1', 'stable_diffusion'],
	['sdxl', 'SDXL 1.0', 'stable_diffusion_xl'],
	['flux', 'Flux.1 Dev', 'flux_checkpoint'],
	['canny', 'ControlNet Canny', 'controlnet'],
	['juggernaut-xl-v5', 'Juggernaut XL V5', 'stable_diffusion_xl'],
	['dreamshaper-8', 'DreamShaper 8', 'stable_diffusion'],
	['more_details', 'More Details', 'lora'],
	['stable-diffusion-xl-1.0-inpainting-0.1', 'SDXL 1.0 Inpainting 0.1', 'stable_diffusion_xl'],
	['sd-1.5-inpainting', 'Stable Diffusion 1.5 Inpainting', 'stable_diffusion'],
	['inpaint', 'ControlNet Inpaint', 'controlnet'],
	['realvisxl-v40', 'RealVisXL V4.0', 'stable_diffusion_xl'],
	['majicmix-realistic', 'MajicMix Realistic', 'stable_diffusion'],
	['easynegative', 'EasyNegative', 'embeddings'],
	['deliberate-v2', 'Deliberate V2', 'stable_diffusion'],
	['omnigenxl-nsfw-sfw', 'OmniGenXL NSFW & SFW', 'stable_diffusion_xl', true],
	['add-detail-xl', 'Add Detail XL', 'lora'],
	['epicrealism-v5', 'epiCRealism V5', 'stable_diffusion'],
	['autismmix-pony', 'AutismMix Pony', 'stable_diffusion_xl', true],
	['flux-schnell', 'Flux.1 Schnell', 'flux_checkpoint'],
	['depth', 'ControlNet Depth', 'controlnet'],
	['revanimated', 'ReV Animated', 'stable_diffusion'],
	['meinamix', 'MeinaMix', 'stable_diffusion'],
	['yae-miko-genshin', 'Yae Miko Genshin', 'lora', false, 'yae miko'],
	['counterfeit-v30', 'Counterfeit V3.0', 'stable_diffusion'],
	['absolute-reality-v1.8.1', 'Absolute Reality V1.8.1', 'stable_diffusion'],
	['flux-realism-lora', 'Flux Realism LoRA', 'flux_lora'],
	['cyberrealistic-v3', 'CyberRealistic V3', 'stable_diffusion'],
	['openpose', 'ControlNet OpenPose', 'controlnet'],
	['copax-timelessxl', 'Copax TimeLessXL', 'stable_diffusion_xl'],
	['negative-hands', 'Bad Hands Embedding', 'embeddings'],
	['contrast-fix', 'Contrast Fix', 'lora'],
	['dreamshaper-xl', 'DreamShaper XL', 'stable_diffusion_xl'],
];

/** The three entries of ML's example, exactly as shown there (no category, NSFW or featured fields). */
const DOCS_EXAMPLE = [
	{
		model_id: 'midjourney',
		status: 'model_ready',
		created_at: null,
		instance_prompt: 'mdjrny-v4 style',
		model_name: 'MidJourney V4',
		description:
			'Openjourney is an open source Stable Diffusion fine tuned model on Midjourney images, by PromptHero',
	},
	{
		model_id: 'anything-v3',
		status: 'model_ready',
		created_at: null,
		instance_prompt: null,
		model_name: 'Anything V3',
		description:
			'This model is intended to produce high-quality, highly detailed anime style with just a few prompts.',
	},
	{
		model_id: 'wifu-diffusion',
		status: 'model_ready',
		created_at: null,
		instance_prompt: null,
		model_name: 'Wifu Diffusion',
		description:
			'waifu-diffusion is a latent text-to-image diffusion model that has been conditioned on high-quality anime images through fine-tuning.',
	},
];

const KIND: Record<Category, string> = {
	stable_diffusion: 'A Stable Diffusion 1.5 checkpoint',
	stable_diffusion_xl: 'An SDXL checkpoint',
	flux_checkpoint: 'A Flux checkpoint',
	lora: 'A LoRA',
	flux_lora: 'A Flux LoRA',
	embeddings: 'A textual inversion embedding',
	controlnet: 'A ControlNet model',
};

/** Every public model, as the public list answers: the docs' example first, then the rest. */
export function publicModels(baseUrl: string): Array<Record<string, unknown>> {
	const screenshot = `${baseUrl}/samples/photo-512x512.png`;
	return [
		...DOCS_EXAMPLE.map((entry) => ({ ...entry, screenshots: screenshot })),
		...CATALOGUE.map(([id, name, category, nsfw = false, prompt], index) => ({
			model_id: id,
			status: 'model_ready',
			created_at: `2024-0${1 + (index % 9)}-1${index % 10} 09:3${index % 10}:00`,
			instance_prompt: prompt ?? null,
			api_calls: String(1_690_106 - index * 37_411),
			model_category: category,
			is_nsfw: nsfw ? 'yes' : 'no',
			featured: index < 4 ? 'yes' : 'no',
			model_name: name,
			description: `${KIND[category]}: ${name}.`,
			screenshots: screenshot,
		})),
	];
}

/** What the simulated enterprise server has loaded (GAM), a trained model among them. */
const ENTERPRISE_SERVER = {
	models: ['pony-realism', 'ponydiffusion-v6-xl', 'autismmix-pony', 'my-pony', 'realvisxl-v40'],
	lora_models: ['add-detail-xl'],
	embeddings_models: ['negative-hands'],
};

export function enterpriseModels(): Record<string, unknown> {
	const loaded = (ids: string[], day: number) =>
		ids.map((id, index) => ({
			model_id: id,
			created_at: `2025-02-${day + index} 14:0${index}:00`,
		}));
	return {
		status: 'success',
		models: loaded(ENTERPRISE_SERVER.models, 10),
		lora_models: loaded(ENTERPRISE_SERVER.lora_models, 20),
		embeddings_models: loaded(ENTERPRISE_SERVER.embeddings_models, 25),
	};
}

/** ML: the whole list at once, with HTTP 200. */
export function publicModelListReply(ctx: SimulatorContext): Reply {
	return { status: 200, json: publicModels(ctx.baseUrl()) };
}

export function enterpriseModelsReply(): Reply {
	return { status: 200, json: enterpriseModels() };
}
