import { z } from 'zod/v3';

import { asNumber, asNumericString, asYesNo, oneOf } from '../../shared/schema/wire';
import * as common from './common';
import { defineEndpoint, field } from './endpoint';

const SCHEDULERS = [
	'EulerDiscreteScheduler',
	'EulerAncestralDiscreteScheduler',
	'LMSDiscreteScheduler',
	'HeunDiscreteScheduler',
	'KDPM2DiscreteScheduler',
	'KDPM2AncestralDiscreteScheduler',
	'DPMSolverMultistepScheduler',
	'DPMSolverSinglestepScheduler',
	'DDIMScheduler',
	'DDPMScheduler',
	'PNDMScheduler',
	'UniPCMultistepScheduler',
	'DEISMultistepScheduler',
	'LCMScheduler',
	'IPNDMScheduler',
] as const;

/** v1 Enterprise Pony inpaint: `POST /api/v1/enterprise/pony/inpaint` with the enterprise key.
 *  Sizes, samples and steps go as numeric strings, flags as "yes"/"no" (the doc's example). */
export const enterprise = defineEndpoint({
	id: 'enterprise',
	fields: {
		model_id: common.modelId('enterprise', {
			name: 'enterpriseModelId',
			description:
				'A model loaded on your enterprise server, from its list, or By ID a public model or one trained on the server',
			placeholder: 'e.g. pony-realism-v2',
		}),
		prompt: common.prompt,
		negative_prompt: common.negativePrompt,
		init_image: common.initImage,
		mask_image: common.maskImage,
		...common.numericStringSizes(),
		// The doc: "The value accepts 21,31,41."
		num_inference_steps: field(oneOf(['21', '31', '41']).default('31'), common.describe.steps),
		safety_checker: field(asYesNo().default(true), common.describe.safetyChecker),
		safety_checker_type: field(
			oneOf(['blur', 'sensitive_content_text', 'pixelate', 'black']).default(
				'sensitive_content_text',
			),
			common.describe.safetyCheckerType,
		),
		enhance_prompt: field(asYesNo().default(true), common.describe.enhancePrompt),
		guidance_scale: field(
			asNumber(z.number().min(1).max(20)).default(7.5),
			common.describe.guidanceScale,
		),
		strength: field(asNumber(z.number().min(0).max(1)).default(0.7), common.describe.strength),
		scheduler: field(oneOf([...SCHEDULERS]).default('PNDMScheduler'), common.describe.scheduler),
		tomesd: field(asYesNo().default(true), {
			displayName: 'ToMe SD',
			description: 'Whether to use token merging, which gives much faster results',
			placement: 'advanced',
		}),
		use_karras_sigmas: field(asYesNo().default(true), common.describe.useKarrasSigmas),
		algorithm_type: field(
			oneOf(['none', 'dpmsolver+++']).default('none'),
			common.describe.algorithmType,
		),
		clip_skip: field(asNumericString(z.number().int().min(1).max(8)).optional(), {
			...common.describe.clipSkip,
			editorDefault: 1,
		}),
		lora_model: common.loraModel,
		lora_strength: common.loraStrength,
		vae: common.vae,
		base64: field(asYesNo().default(false), common.describe.base64WithInlineInput),
		temp: field(asYesNo().default(false), common.describe.temp),
		seed: common.seed,
		webhook: common.webhook,
		track_id: common.textTrackId,
	},
	// "pass init_image, mask_image as base64 string, to get base64 response" (enterprise doc).
	acceptsInlineImages: (body) => body.base64 === 'yes',
});
