/**
 * The three v6 image-editing endpoints that make or use masks, from modelslab-editing.md (below:
 * **ED**, with its section names): mask_creator, removebg_mask and object_removal. They share the
 * v6 image-editing conventions (ED intro): the key in the body, sentence-style errors, the three
 * answer shapes of inpaint, and fetch at POST /api/v6/image_editing/fetch/{id}.
 */
import { ENDPOINTS, type EndpointSpec } from './endpoints';
import type { EditingEndpoint, Endpoint } from './types';
import { isTrueFlag, type FieldSpec } from './validation';

export interface EditingSpec extends EndpointSpec {
	endpoint: EditingEndpoint;
	/** The body field that carries the photo. */
	photoField: string;
	/** object_removal's mask field (white = remove). */
	maskField?: string;
}

/** What every v6 image-editing endpoint shares with image-editing inpaint (ED intro, IE OpenAPI). */
const V6_EDITING = {
	keyKind: 'standard',
	errorStyle: 'sentence',
	legacyWording: false,
	// IE OpenAPI types eta as an integer; ED: "the same three shapes as Image Editing inpaint".
	integerEta: true,
	supportsInstantResponse: false,
	sizeFromInitImage: false,
	legacyMeta: false,
	fetchPath: (id: number) => `/api/v6/image_editing/fetch/${id}`,
} as const;

/** ED intro: "Each accepts `webhook` and `track_id` (integer)". */
const CALLBACK_FIELDS: readonly FieldSpec[] = [
	{ name: 'webhook', rule: { type: 'url' } },
	{ name: 'track_id', rule: { type: 'integer' } },
];

/**
 * ED "mask_creator". init_image is required here although their OpenAPI lists only
 * specific_object (ED: "a gap in their schema, not a reason to leave the photo out"). The photo is
 * a link: like image-editing inpaint, data URIs are refused (`base64` is documented as an output flag).
 */
const maskCreator: EditingSpec = {
	...V6_EDITING,
	endpoint: 'maskCreator',
	submitPath: '/api/v6/image_editing/mask_creator',
	photoField: 'init_image',
	fields: [
		{ name: 'init_image', rule: { type: 'image' }, required: true },
		{ name: 'specific_object', rule: { type: 'text' }, required: true },
		{ name: 'base64', rule: { type: 'flag' } },
		...CALLBACK_FIELDS,
	],
	defaults: { base64: false, webhook: null, track_id: null },
	wantsBase64Output: (body) => isTrueFlag(body.base64),
	acceptsDataUriImages: () => false,
};

/** ED "removebg_mask": `image` (not init_image) is a link or base64; flags and ranges as listed. */
const removeBgMask: EditingSpec = {
	...V6_EDITING,
	endpoint: 'removeBgMask',
	submitPath: '/api/v6/image_editing/removebg_mask',
	photoField: 'image',
	fields: [
		{ name: 'image', rule: { type: 'image' }, required: true },
		{ name: 'only_mask', rule: { type: 'flag' } },
		{ name: 'inverse_mask', rule: { type: 'flag' } },
		{ name: 'post_process_mask', rule: { type: 'flag' } },
		{ name: 'alpha_matting', rule: { type: 'flag' } },
		{ name: 'alpha_matting_foreground_threshold', rule: { type: 'number', min: 0, max: 240 } },
		{ name: 'alpha_matting_background_threshold', rule: { type: 'number', min: 0, max: 20 } },
		{ name: 'alpha_matting_erode_size', rule: { type: 'number', min: 0, max: 5 } },
		{ name: 'seed', rule: { type: 'integer' } },
		{ name: 'base64', rule: { type: 'flag' } },
		...CALLBACK_FIELDS,
	],
	defaults: {
		only_mask: false,
		inverse_mask: false,
		post_process_mask: false,
		alpha_matting: false,
		alpha_matting_foreground_threshold: 240,
		alpha_matting_background_threshold: 20,
		alpha_matting_erode_size: 5,
		base64: false,
		webhook: null,
		track_id: null,
	},
	wantsBase64Output: (body) => isTrueFlag(body.base64),
	// ED: "`image` (link or base64 of the photo)".
	acceptsDataUriImages: () => true,
};

/** ED "object_removal": init_image and mask_image links (white = remove), no prompt, no base64. */
const objectRemoval: EditingSpec = {
	...V6_EDITING,
	endpoint: 'objectRemoval',
	submitPath: '/api/v6/image_editing/object_removal',
	photoField: 'init_image',
	maskField: 'mask_image',
	fields: [
		{ name: 'init_image', rule: { type: 'image' }, required: true },
		{ name: 'mask_image', rule: { type: 'image' }, required: true },
		...CALLBACK_FIELDS,
	],
	defaults: { webhook: null, track_id: null },
	wantsBase64Output: () => false,
	acceptsDataUriImages: () => false,
};

export const EDITING_ENDPOINTS: Readonly<Record<EditingEndpoint, EditingSpec>> = {
	maskCreator,
	removeBgMask,
	objectRemoval,
};

export function isEditingEndpoint(endpoint: Endpoint): endpoint is EditingEndpoint {
	return endpoint in EDITING_ENDPOINTS;
}

/** The spec of any endpoint, inpaint or editing (answers, callbacks and fetch use it). */
export function specFor(endpoint: Endpoint): EndpointSpec {
	return isEditingEndpoint(endpoint) ? EDITING_ENDPOINTS[endpoint] : ENDPOINTS[endpoint];
}
