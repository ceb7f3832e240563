import { z } from 'zod/v3';

import { asNumber, asTrueFalseString, asYesNo } from '../../shared/schema/wire';
import * as common from './common';
import { defineEndpoint, field } from './endpoint';

/** v6 Image Editing inpaint: `POST /api/v6/image_editing/inpaint`. Numbers are JSON numbers,
 *  flags "yes"/"no" or "true"/"false" strings, the track id an integer (its OpenAPI schema). */
export const imageEditing = defineEndpoint({
	id: 'imageEditing',
	// "If not provided, the width of init_image is used" (the endpoint's parameter list).
	sizeFromInitImage: true,
	fields: {
		prompt: common.prompt,
		negative_prompt: common.negativePrompt,
		init_image: common.initImage,
		mask_image: common.maskImage,
		width: field(asNumber(z.number().int().min(1).max(1024)).default(512), {
			...common.describe.width,
			description: 'Width of the result in pixels, at most 1024',
		}),
		height: field(asNumber(z.number().int().min(1).max(1024)).default(512), {
			...common.describe.height,
			description: 'Height of the result in pixels, at most 1024',
		}),
		samples: field(asNumber(z.number().int().min(1).max(4)).default(1), common.describe.samples),
		num_inference_steps: field(
			asNumber(z.number().int().min(1)).default(30),
			common.describe.steps,
		),
		safety_checker: field(asYesNo().default(false), common.describe.safetyChecker),
		guidance_scale: field(
			asNumber(z.number().int().min(1).max(5)).default(5),
			common.describe.guidanceScale,
		),
		strength: field(asNumber(z.number().min(0).max(1)).default(0.7), common.describe.strength),
		instant_response: field(asTrueFalseString().default(false), {
			displayName: 'Instant Response',
			description:
				'Whether ModelsLab should queue the job and answer at once instead of waiting briefly for a fast result',
			placement: 'advanced',
		}),
		base64: field(asTrueFalseString().default(false), common.describe.base64),
		seed: common.seed,
		webhook: common.webhook,
		track_id: common.numericTrackId,
	},
});
