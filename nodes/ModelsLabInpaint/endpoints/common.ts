import { z } from 'zod/v3';

import type { FieldUi } from '../../shared/schema/fields';
import type { EndpointId } from '../../shared/transport/endpoints';
import { modelListMethod } from '../../shared/transport/modelList';
import {
	asNumericString,
	identifierText,
	imageReference,
	numberList,
	optionalHttpUrl,
	optionalInteger,
	optionalText,
	requiredText,
} from '../../shared/schema/wire';
import { field } from './endpoint';

/**
 * Fields whose meaning, range and wire format are the same in every endpoint that has them, and
 * the editor wording of fields whose ranges differ per endpoint.
 */

export const prompt = field(requiredText(), {
	displayName: 'Prompt',
	description:
		'What to paint into the masked area, for example "a red vintage car parked on the street"',
	placement: 'main',
	typeOptions: { rows: 2 },
});

/** The community endpoint generates from the model and the image alone when no prompt is given. */
export const optionalPrompt = field(optionalText(), { ...prompt.ui, required: false });

export const negativePrompt = field(optionalText(), {
	displayName: 'Negative Prompt',
	description: 'Things you do not want to see in the result, for example "blurry, text, watermark"',
	placement: 'option',
	typeOptions: { rows: 2 },
});

export const initImage = field(imageReference(), {
	displayName: 'Image',
	description: 'The picture to edit',
	placement: 'image',
});

export const maskImage = field(imageReference(), {
	displayName: 'Mask',
	description:
		'Black-and-white picture of the same size: white marks the area to repaint, black is kept',
	placement: 'image',
});

export const seed = field(optionalInteger(z.number().min(0)), {
	displayName: 'Seed',
	description:
		'Makes results reproducible: the same seed and settings give the same picture. Leave the option out for a random seed.',
	placement: 'option',
	editorDefault: 12345,
});

export const webhook = field(optionalHttpUrl(), {
	displayName: 'Webhook URL',
	description:
		"ModelsLab calls this URL when the job is done. A ModelsLab Trigger's Production URL is signed with the credential's API key before it is sent.",
	placement: 'advanced',
	placeholder: 'e.g. https://your-n8n.example.com/webhook/...',
});

const trackIdUi: FieldUi = {
	displayName: 'Track ID',
	description: 'Your own reference, sent back in the webhook call so you can tell jobs apart',
	placement: 'advanced',
};

/** v6 image editing types the track id as an integer; the other endpoints take any text. */
export const numericTrackId = field(optionalInteger(z.number().min(0)), {
	...trackIdUi,
	description: `${trackIdUi.description} (a whole number for this endpoint)`,
	editorDefault: 1,
});

export const textTrackId = field(optionalText(), trackIdUi);

/**
 * What a Model ID may be. ModelsLab documents no rule; every ID in its docs and lists is letters,
 * digits, ".", "_" and "-" ("pony-realism", "stable-diffusion-xl-1.0-inpainting-0.1"), trained
 * models get random letters and digits. So a link, a display name ("Pony Realism") or a stray
 * quote is refused before anything is sent. 100 characters is our own limit, well above any ID seen.
 */
const MODEL_ID = { first: '[A-Za-z0-9]', rest: '[A-Za-z0-9._-]', most: 100 };
const MODEL_ID_RULE =
	'may only contain letters, digits, ".", "_" and "-", and start with a letter or digit';

/** The model: picked From List (the endpoint's model list) or typed By ID (private and trained models). */
export const modelId = (
	endpoint: EndpointId,
	ui: Pick<FieldUi, 'name' | 'description' | 'placeholder'>,
	fallback?: string,
) => {
	const schema = identifierText(`${MODEL_ID.first}${MODEL_ID.rest}*`, MODEL_ID.most, MODEL_ID_RULE);
	return field(fallback ? schema.default(fallback) : schema, {
		displayName: 'Model ID',
		placement: 'main',
		...ui,
		locator: {
			searchListMethod: modelListMethod(endpoint),
			listPlaceholder: 'Select a model...',
			pattern: `${MODEL_ID.first}${MODEL_ID.rest}{0,${MODEL_ID.most - 1}}`,
			patternMessage: `Enter a model ID: letters, digits, ".", "_" and "-", at most ${MODEL_ID.most} characters`,
			allowed: `From List, or By ID: letters, digits, ".", "_" and "-", at most ${MODEL_ID.most} characters`,
		},
	});
};

export const loraModel = field(optionalText(), {
	displayName: 'LoRA Models',
	description:
		'LoRA model IDs to apply, comma-separated, for example "contrast-fix,yae-miko-genshin"',
	placement: 'advanced',
});

export const loraStrength = field(numberList(0.1, 1), {
	displayName: 'LoRA Strengths',
	description:
		'Strength of each LoRA model, comma-separated in the same order, each from 0.1 to 1, for example "0.6,0.8"',
	placement: 'advanced',
});

export const vae = field(optionalText(), {
	displayName: 'VAE',
	description: "ID of a custom VAE to use; leave the option out for the model's own",
	placement: 'advanced',
});

/** Width and Height are used with Output Size › Custom only; otherwise the photo decides. */
const customSize = { show: { '/outputSize': ['custom'] } };

/** ModelsLab's price list, linked where a setting multiplies the cost (n8n shows the link). */
export const PRICING_LINK = '<a href="https://modelslab.com/pricing" target="_blank">pricing</a>';

/** Editor wording for fields every endpoint has, each with its own range. */
export const describe = {
	width: {
		displayName: 'Width',
		description: 'Width of the result in pixels',
		placement: 'option',
		displayOptions: customSize,
	},
	height: {
		displayName: 'Height',
		description: 'Height of the result in pixels',
		placement: 'option',
		displayOptions: customSize,
	},
	samples: {
		displayName: 'Number of Images',
		description: `How many pictures to generate. ModelsLab bills each one (see its ${PRICING_LINK}).`,
		placement: 'option',
	},
	steps: {
		displayName: 'Inference Steps',
		description: 'Number of denoising steps: more steps give finer detail but take longer',
		placement: 'option',
	},
	guidanceScale: {
		displayName: 'Guidance Scale',
		description: 'How closely to follow the prompt: higher values follow it more literally',
		placement: 'option',
	},
	strength: {
		displayName: 'Strength',
		description:
			'How much the masked area may change: 1 replaces it completely, lower values keep more of the original',
		placement: 'option',
	},
	safetyChecker: {
		displayName: 'Safety Checker',
		description: 'Whether to replace NSFW results with a blank image',
		placement: 'advanced',
	},
	safetyCheckerType: {
		displayName: 'Safety Checker Type',
		description: 'What to do with a picture the safety checker flags',
		placement: 'advanced',
		optionNames: {
			black: 'Black Out',
			blur: 'Blur',
			pixelate: 'Pixelate',
			sensitive_content_text: 'Sensitive Content Text',
		},
	},
	enhancePrompt: {
		displayName: 'Enhance Prompt',
		description: 'Whether ModelsLab may add detail to your prompt for better results',
		placement: 'advanced',
	},
	scheduler: {
		displayName: 'Scheduler',
		description: 'The sampling method used for denoising',
		placement: 'advanced',
	},
	useKarrasSigmas: {
		displayName: 'Use Karras Sigmas',
		description: 'Whether to use Karras noise sigmas, which often give cleaner results',
		placement: 'advanced',
	},
	algorithmType: {
		displayName: 'Algorithm Type',
		description: 'Solver algorithm, used with the DPMSolverMultistepScheduler scheduler',
		placement: 'advanced',
	},
	clipSkip: {
		displayName: 'CLIP Skip',
		description: "Number of last CLIP layers to skip; changes how the prompt's style is read",
		placement: 'advanced',
	},
	base64: {
		displayName: 'Base64 Output',
		description: 'Whether the results come as links to base64 text files instead of image links',
		placement: 'advanced',
	},
	base64WithInlineInput: {
		displayName: 'Base64 Output',
		description:
			'Whether the results come as links to base64 text files instead of image links. Binary input images are then sent inline instead of being uploaded.',
		placement: 'advanced',
	},
	temp: {
		displayName: 'Temporary Links',
		description: 'Whether to store results in temporary storage that is cleaned after 24 hours',
		placement: 'advanced',
	},
} satisfies Record<string, FieldUi>;

/**
 * Width, height and number of images as numeric strings, sizes 1 to 1024: how the v3 legacy and
 * the enterprise endpoints take them (their docs' examples).
 */
export const numericStringSizes = () => {
	const dimension = () => asNumericString(z.number().int().min(1).max(1024)).default(512);
	return {
		width: field(dimension(), {
			...describe.width,
			description: 'Width of the result in pixels, at most 1024',
		}),
		height: field(dimension(), {
			...describe.height,
			description: 'Height of the result in pixels, at most 1024',
		}),
		samples: field(asNumericString(z.number().int().min(1).max(4)).default(1), describe.samples),
	};
};
