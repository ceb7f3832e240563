/**
 * What differs between the four inpaint endpoints: paths, key kind, field rules, defaults, and the
 * documented quirks of each answer. Sources are cited per rule (see README.md for the list).
 */
import { isTrueFlag, type FieldSpec } from './validation';
import type { Endpoint, InpaintEndpoint } from './types';

export type KeyKind = 'standard' | 'enterprise';

export interface EndpointSpec {
	endpoint: Endpoint;
	submitPath: string;
	keyKind: KeyKind;
	/** 'sentence': message is a plain string (v6). 'fieldMap': Laravel's {field: [messages]} (v3, enterprise). */
	errorStyle: 'sentence' | 'fieldMap';
	/** Legacy spelling `messege`, and `output: ""` while processing (SD-API v3 captures). */
	legacyWording: boolean;
	/** v6 image-editing OpenAPI types `eta` as integer; the others report float seconds. */
	integerEta: boolean;
	/** Honours instant_response: "true" (v6 image editing only). */
	supportsInstantResponse: boolean;
	/** Width/height default to the init image's size when it can be read (v6 image editing doc). */
	sizeFromInitImage: boolean;
	/** v3 meta carries the legacy W, H, n_samples and file_prefix keys. */
	legacyMeta: boolean;
	fields: readonly FieldSpec[];
	/** Parameter defaults from the doc, echoed in `meta` when not sent. */
	defaults: Readonly<Record<string, unknown>>;
	/** Where `fetch_result` points for job `id`. */
	fetchPath(id: number): string;
	wantsBase64Output(body: Record<string, unknown>): boolean;
	/** Data-URI init/mask images are only documented together with the base64 flag. */
	acceptsDataUriImages(body: Record<string, unknown>): boolean;
}

const YES_NO = ['yes', 'no'] as const;

/** D2-OA-CM scheduler enum (modelslab-api.md §2). */
const COMMUNITY_SCHEDULERS = [
	'DDPM',
	'DDIM',
	'PNDM',
	'LMSDiscrete',
	'EulerDiscrete',
	'EulerAncestralDiscrete',
	'DPMSolverMultistep',
	'HeunDiscrete',
	'KDPM2Discrete',
	'DPMSolverSinglestep',
	'KDPM2AncestralDiscrete',
	'UniPCMultistep',
	'DDIMInverse',
	'DEISMultistep',
	'IPNDM',
	'KarrasVe',
	'ScoreSdeVe',
	'LCM',
].map((name) => `${name}Scheduler`);

/** Scheduler list of the enterprise Pony inpaint page (seed doc v1-enterprise-pony-inpaint.txt). */
const ENTERPRISE_SCHEDULERS = [
	'EulerDiscrete',
	'EulerAncestralDiscrete',
	'LMSDiscrete',
	'HeunDiscrete',
	'KDPM2Discrete',
	'KDPM2AncestralDiscrete',
	'DPMSolverMultistep',
	'DPMSolverSinglestep',
	'DDIM',
	'DDPM',
	'PNDM',
	'UniPCMultistep',
	'DEISMultistep',
	'LCM',
	'IPNDM',
].map((name) => `${name}Scheduler`);

const SAFETY_CHECKER_TYPES = ['blur', 'sensitive_content_text', 'pixelate', 'black'] as const;

const webhookFields: readonly FieldSpec[] = [{ name: 'webhook', rule: { type: 'url' } }];

/** v6 image editing: seed doc v6-image-editing-inpaint*.txt + D2-OA-IE InpaintRequest. */
const imageEditing: EndpointSpec = {
	endpoint: 'imageEditing',
	submitPath: '/api/v6/image_editing/inpaint',
	keyKind: 'standard',
	errorStyle: 'sentence',
	legacyWording: false,
	integerEta: true,
	supportsInstantResponse: true,
	sizeFromInitImage: true,
	legacyMeta: false,
	fields: [
		{ name: 'prompt', rule: { type: 'text' }, required: true },
		{ name: 'negative_prompt', rule: { type: 'text' } },
		{ name: 'init_image', rule: { type: 'image' }, required: true },
		{ name: 'mask_image', rule: { type: 'image' }, required: true },
		{ name: 'width', rule: { type: 'integer', min: 1, max: 1024 } },
		{ name: 'height', rule: { type: 'integer', min: 1, max: 1024 } },
		{ name: 'samples', rule: { type: 'integer', min: 1, max: 4 } },
		{ name: 'num_inference_steps', rule: { type: 'integer', min: 1 } },
		{ name: 'safety_checker', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'guidance_scale', rule: { type: 'integer', min: 1, max: 5 } },
		{ name: 'strength', rule: { type: 'number', min: 0, max: 1 } },
		{ name: 'instant_response', rule: { type: 'flag' } },
		{ name: 'base64', rule: { type: 'flag' } },
		{ name: 'seed', rule: { type: 'integer' } },
		...webhookFields,
		{ name: 'track_id', rule: { type: 'integer' } },
	],
	defaults: {
		negative_prompt: null,
		samples: 1,
		num_inference_steps: 30,
		safety_checker: 'no',
		guidance_scale: 5,
		strength: 0.7,
		instant_response: 'false',
		base64: 'false',
		webhook: null,
		track_id: null,
	},
	fetchPath: (id) => `/api/v6/image_editing/fetch/${id}`,
	wantsBase64Output: (body) => isTrueFlag(body.base64),
	// D2-OA-IE types init/mask as URIs and documents base64 only as an output flag.
	acceptsDataUriImages: () => false,
};

/** v6 community / Pony: seed doc v6-community-pony-inpaint.txt + D2-OA-CM (modelslab-api.md §2). */
const community: EndpointSpec = {
	endpoint: 'community',
	submitPath: '/api/v6/images/inpaint',
	keyKind: 'standard',
	errorStyle: 'sentence',
	legacyWording: false,
	integerEta: false,
	supportsInstantResponse: false,
	sizeFromInitImage: false,
	legacyMeta: false,
	fields: [
		{ name: 'model_id', rule: { type: 'text' }, required: true },
		{ name: 'prompt', rule: { type: 'text' } },
		{ name: 'negative_prompt', rule: { type: 'text' } },
		{ name: 'init_image', rule: { type: 'image' }, required: true },
		{ name: 'mask_image', rule: { type: 'image' }, required: true },
		{ name: 'width', rule: { type: 'integer', min: 512, max: 1024, multipleOf: 8 } },
		{ name: 'height', rule: { type: 'integer', min: 512, max: 1024, multipleOf: 8 } },
		{ name: 'samples', rule: { type: 'integer', min: 1, max: 4 } },
		{ name: 'steps', rule: { type: 'integer', min: 1 } },
		{ name: 'guidance_scale', rule: { type: 'number', min: 1, max: 20 } },
		{ name: 'strength', rule: { type: 'number', min: 0, max: 1 } },
		{ name: 'scheduler', rule: { type: 'choice', allowed: COMMUNITY_SCHEDULERS } },
		{ name: 'use_karras_sigmas', rule: { type: 'choice', allowed: YES_NO } },
		// The Pony page's example uses "sde-dpmsolver++", D2-OA-CM lists none / dpmsolver+++: accept all three.
		{
			name: 'algorithm_type',
			rule: { type: 'choice', allowed: ['none', 'dpmsolver+++', 'sde-dpmsolver++'] },
		},
		{ name: 'clip_skip', rule: { type: 'integer', min: 1, max: 4 } },
		{ name: 'safety_checker', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'safety_checker_type', rule: { type: 'choice', allowed: SAFETY_CHECKER_TYPES } },
		{ name: 'base64', rule: { type: 'flag' } },
		{ name: 'temp', rule: { type: 'flag' } },
		{ name: 'seed', rule: { type: 'integer' } },
		...webhookFields,
		{ name: 'track_id', rule: { type: 'identifier' } },
	],
	defaults: {
		prompt: null,
		negative_prompt: null,
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
		webhook: null,
		track_id: null,
	},
	fetchPath: (id) => `/api/v6/images/fetch/${id}`,
	wantsBase64Output: (body) => isTrueFlag(body.base64),
	// D2-OA-CM: "response output is base64 string. Input images can also be base64".
	acceptsDataUriImages: (body) => isTrueFlag(body.base64),
};

/** Legacy SD-API v3: seed doc v3-legacy-inpaint.txt. */
const legacy: EndpointSpec = {
	endpoint: 'legacy',
	submitPath: '/api/v3/inpaint',
	keyKind: 'standard',
	errorStyle: 'fieldMap',
	legacyWording: true,
	integerEta: false,
	supportsInstantResponse: false,
	sizeFromInitImage: false,
	legacyMeta: true,
	fields: [
		{ name: 'prompt', rule: { type: 'text' }, required: true },
		{ name: 'negative_prompt', rule: { type: 'text' } },
		{ name: 'init_image', rule: { type: 'image' }, required: true },
		{ name: 'mask_image', rule: { type: 'image' }, required: true },
		{ name: 'width', rule: { type: 'integer', min: 1, max: 1024 } },
		{ name: 'height', rule: { type: 'integer', min: 1, max: 1024 } },
		{ name: 'samples', rule: { type: 'integer', min: 1, max: 4 } },
		{ name: 'num_inference_steps', rule: { type: 'integer', allowed: [21, 31, 41, 51] } },
		{ name: 'safety_checker', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'enhance_prompt', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'guidance_scale', rule: { type: 'number', min: 1, max: 20 } },
		{ name: 'strength', rule: { type: 'number', min: 0, max: 1 } },
		{ name: 'base64', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'seed', rule: { type: 'integer' } },
		...webhookFields,
		{ name: 'track_id', rule: { type: 'identifier' } },
	],
	defaults: {
		negative_prompt: null,
		samples: 1,
		safety_checker: 'no',
		enhance_prompt: 'yes',
		guidance_scale: 7.5,
		strength: 0.7,
		base64: 'no',
		webhook: null,
		track_id: null,
	},
	fetchPath: (id) => `/api/v3/fetch/${id}`,
	wantsBase64Output: (body) => body.base64 === 'yes',
	// SD-API docs: "send publicly accessible links".
	acceptsDataUriImages: () => false,
};

/** Enterprise Pony: seed doc v1-enterprise-pony-inpaint.txt; fetch per LIVE fetch-queue-image page. */
const enterprise: EndpointSpec = {
	endpoint: 'enterprise',
	submitPath: '/api/v1/enterprise/pony/inpaint',
	keyKind: 'enterprise',
	errorStyle: 'fieldMap',
	legacyWording: false,
	integerEta: false,
	supportsInstantResponse: false,
	sizeFromInitImage: false,
	legacyMeta: false,
	fields: [
		{ name: 'model_id', rule: { type: 'text' }, required: true },
		{ name: 'prompt', rule: { type: 'text' } },
		{ name: 'negative_prompt', rule: { type: 'text' } },
		{ name: 'init_image', rule: { type: 'image' }, required: true },
		{ name: 'mask_image', rule: { type: 'image' }, required: true },
		{ name: 'width', rule: { type: 'integer', min: 1, max: 1024 } },
		{ name: 'height', rule: { type: 'integer', min: 1, max: 1024 } },
		{ name: 'samples', rule: { type: 'integer', min: 1, max: 4 } },
		{ name: 'num_inference_steps', rule: { type: 'integer', allowed: [21, 31, 41] } },
		{ name: 'safety_checker', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'safety_checker_type', rule: { type: 'choice', allowed: SAFETY_CHECKER_TYPES } },
		{ name: 'enhance_prompt', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'guidance_scale', rule: { type: 'number', min: 1, max: 20 } },
		{ name: 'strength', rule: { type: 'number', min: 0, max: 1 } },
		{ name: 'scheduler', rule: { type: 'choice', allowed: ENTERPRISE_SCHEDULERS } },
		{ name: 'tomesd', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'use_karras_sigmas', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'algorithm_type', rule: { type: 'choice', allowed: ['none', 'dpmsolver+++'] } },
		{ name: 'vae', rule: { type: 'text' } },
		{ name: 'lora_model', rule: { type: 'text' } },
		{ name: 'lora_strength', rule: { type: 'loraStrength' } },
		{ name: 'clip_skip', rule: { type: 'integer', min: 1, max: 8 } },
		{ name: 'base64', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'temp', rule: { type: 'choice', allowed: YES_NO } },
		{ name: 'seed', rule: { type: 'integer' } },
		...webhookFields,
		{ name: 'track_id', rule: { type: 'identifier' } },
	],
	defaults: {
		prompt: null,
		negative_prompt: null,
		samples: 1,
		safety_checker: 'yes',
		safety_checker_type: 'sensitive_content_text',
		enhance_prompt: 'yes',
		guidance_scale: 7.5,
		strength: 0.7,
		tomesd: 'yes',
		use_karras_sigmas: 'yes',
		algorithm_type: 'none',
		vae: null,
		lora_model: null,
		lora_strength: null,
		base64: 'no',
		temp: 'no',
		webhook: null,
		track_id: null,
	},
	// The documented enterprise Pony fetch is body style (request_id in the body), so the URL has no id.
	fetchPath: () => '/api/v1/enterprise/pony/fetch',
	wantsBase64Output: (body) => body.base64 === 'yes',
	// Enterprise inpaint doc: "pass init_image, mask_image as base64 string" with base64: yes.
	acceptsDataUriImages: (body) => body.base64 === 'yes',
};

export const ENDPOINTS: Readonly<Record<InpaintEndpoint, EndpointSpec>> = {
	imageEditing,
	community,
	legacy,
	enterprise,
};
