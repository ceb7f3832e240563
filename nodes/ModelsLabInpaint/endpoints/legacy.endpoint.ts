import { z } from 'zod/v3';

import { asNumber, asYesNo, oneOf } from '../../shared/schema/wire';
import * as common from './common';
import { defineEndpoint, field } from './endpoint';

/** v3 legacy Stable Diffusion API inpaint: `POST <legacy host>/api/v3/inpaint`. Sizes, samples
 *  and steps go as numeric strings, flags as "yes"/"no" (the doc's examples). */
export const legacy = defineEndpoint({
	id: 'legacy',
	fields: {
		prompt: common.prompt,
		negative_prompt: common.negativePrompt,
		init_image: common.initImage,
		mask_image: common.maskImage,
		...common.numericStringSizes(),
		// The doc lists 21, 31, 41 and 51 as the available values.
		num_inference_steps: field(
			oneOf(['21', '31', '41', '51']).default('31'),
			common.describe.steps,
		),
		safety_checker: field(asYesNo().default(false), common.describe.safetyChecker),
		enhance_prompt: field(asYesNo().default(true), common.describe.enhancePrompt),
		guidance_scale: field(
			asNumber(z.number().min(1).max(20)).default(7.5),
			common.describe.guidanceScale,
		),
		strength: field(asNumber(z.number().min(0).max(1)).default(0.7), common.describe.strength),
		base64: field(asYesNo().default(false), common.describe.base64),
		seed: common.seed,
		webhook: common.webhook,
		track_id: common.textTrackId,
	},
});
