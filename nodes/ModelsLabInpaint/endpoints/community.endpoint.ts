import { z } from 'zod/v3';

import { asBoolean, asNumber, asYesNo, oneOf } from '../../shared/schema/wire';
import * as common from './common';
import { defineEndpoint, field } from './endpoint';

const SCHEDULERS = [
	'DDPMScheduler',
	'DDIMScheduler',
	'PNDMScheduler',
	'LMSDiscreteScheduler',
	'EulerDiscreteScheduler',
	'EulerAncestralDiscreteScheduler',
	'DPMSolverMultistepScheduler',
	'HeunDiscreteScheduler',
	'KDPM2DiscreteScheduler',
	'DPMSolverSinglestepScheduler',
	'KDPM2AncestralDiscreteScheduler',
	'UniPCMultistepScheduler',
	'DDIMInverseScheduler',
	'DEISMultistepScheduler',
	'IPNDMScheduler',
	'KarrasVeScheduler',
	'ScoreSdeVeScheduler',
	'LCMScheduler',
] as const;

const dimension = () => asNumber(z.number().int().min(512).max(1024).multipleOf(8)).default(512);

/** v6 Community Models inpaint (Pony and other public or trained models): `POST /api/v6/images/inpaint`.
 *  JSON numbers and booleans, "yes"/"no" for the safety checker and Karras sigmas (its OpenAPI schema). */
export const community = defineEndpoint({
	id: 'community',
	fields: {
		model_id: common.modelId(
			'community',
			{
				name: 'communityModelId',
				description:
					'A public model from the list (models that can inpaint), or By ID your own trained or private model, as on <a href="https://modelslab.com/models" target="_blank">modelslab.com/models</a>, for example "pony-realism"',
				placeholder: 'e.g. pony-realism',
			},
			'pony-realism',
		),
		prompt: common.optionalPrompt,
		negative_prompt: common.negativePrompt,
		init_image: common.initImage,
		mask_image: common.maskImage,
		width: field(dimension(), {
			...common.describe.width,
			description: 'Width of the result in pixels: 512 to 1024, divisible by 8',
		}),
		height: field(dimension(), {
			...common.describe.height,
			description: 'Height of the result in pixels: 512 to 1024, divisible by 8',
		}),
		samples: field(asNumber(z.number().int().min(1).max(4)).default(1), common.describe.samples),
		steps: field(asNumber(z.number().int().min(1)).default(21), common.describe.steps),
		guidance_scale: field(
			asNumber(z.number().min(1).max(20)).default(7.5),
			common.describe.guidanceScale,
		),
		strength: field(asNumber(z.number().min(0).max(1)).default(0.7), common.describe.strength),
		scheduler: field(
			oneOf([...SCHEDULERS]).default('DPMSolverMultistepScheduler'),
			common.describe.scheduler,
		),
		use_karras_sigmas: field(asYesNo().default(true), common.describe.useKarrasSigmas),
		// The docs disagree on the spelling; every documented value is offered.
		algorithm_type: field(
			oneOf(['sde-dpmsolver++', 'dpmsolver+++', 'none']).default('sde-dpmsolver++'),
			common.describe.algorithmType,
		),
		clip_skip: field(asNumber(z.number().int().min(1).max(4)).default(2), common.describe.clipSkip),
		safety_checker: field(asYesNo().default(true), common.describe.safetyChecker),
		safety_checker_type: field(
			oneOf(['blur', 'sensitive_content_text', 'pixelate', 'black']).optional(),
			{ ...common.describe.safetyCheckerType, editorDefault: 'sensitive_content_text' },
		),
		base64: field(asBoolean().default(false), common.describe.base64WithInlineInput),
		temp: field(asBoolean().default(false), common.describe.temp),
		seed: common.seed,
		webhook: common.webhook,
		track_id: common.textTrackId,
	},
	// "Input images can also be base64" when base64 is on (community OpenAPI).
	acceptsInlineImages: (body) => body.base64 === true,
});
