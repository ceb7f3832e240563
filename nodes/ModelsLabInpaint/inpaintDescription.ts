import type { INodeProperties } from 'n8n-workflow';

import {
	downloadImagesProperties,
	downloadImagesProperty,
	processingOptionsProperty,
} from '../shared/run/completion';
import type { EndpointId } from '../shared/transport/endpoints';
import type { FieldUi } from '../shared/schema/fields';
import { COLLECTION_LABELS, fieldProperty } from '../shared/schema/fields';
import type { InpaintEndpoint } from './endpoints';
import { endpointIds, endpointOptions } from '../shared/transport/endpoints';
import { INPAINT_ENDPOINTS } from './endpoints';
import { PRICING_LINK } from './endpoints/common';
import { keepOriginalPixelsProperty, outputSizeProperty } from './size/outputSize';
import { shapeMaskProperties } from './mask/shapeMask';
import { maskJobSourceOptions, maskSourceProperties } from './mask/maskSource';

/** At the top of the panel: a test run costs as much as a real one, unless the output is pinned. */
export const pinDataNotice: INodeProperties = {
	displayName: `ModelsLab bills each job this node sends (${PRICING_LINK}): while you build the workflow, pin its output to test the next nodes without paying again.`,
	name: 'pinDataNotice',
	type: 'notice',
	default: '',
};

export const endpointProperty: INodeProperties = {
	displayName: 'Endpoint',
	name: 'endpoint',
	type: 'options',
	noDataExpression: true,
	options: endpointOptions(),
	default: 'imageEditing',
	description: 'Which ModelsLab inpainting endpoint to use. Each has its own settings.',
};

export type ImageRole = 'init' | 'mask';

export const imageRoles: Record<
	ImageRole,
	{ label: string; wireKey: 'init_image' | 'mask_image'; binaryDefault: string }
> = {
	init: { label: 'Image', wireKey: 'init_image', binaryDefault: 'data' },
	mask: { label: 'Mask', wireKey: 'mask_image', binaryDefault: 'mask' },
};

export const imageParameter = (role: ImageRole) => ({
	source: `${role}ImageSource`,
	url: `${role}ImageUrl`,
	binaryProperty: `${role}ImageBinaryProperty`,
});

function imageProperties(role: ImageRole): INodeProperties[] {
	const { label, binaryDefault } = imageRoles[role];
	const names = imageParameter(role);
	const what = role === 'init' ? 'the picture to edit' : 'the mask (white = repaint, black = keep)';
	return [
		{
			displayName: `${label} Source`,
			name: names.source,
			type: 'options',
			options: [
				{
					name: 'Binary File',
					value: 'binary',
					description:
						'A file from an earlier node, such as a form upload or a Google Drive download',
				},
				...(role === 'mask'
					? [
							...maskJobSourceOptions,
							{
								name: 'Shapes',
								value: 'shapes',
								description: 'Draw the mask from rectangles and ellipses: no mask file needed',
							},
						]
					: []),
				{ name: 'URL', value: 'url', description: 'A public link to the picture' },
			].sort((a, b) => a.name.localeCompare(b.name)),
			default: 'url',
			description: `Where ${what} comes from`,
		},
		{
			displayName: `${label} URL`,
			name: names.url,
			type: 'string',
			default: '',
			required: true,
			placeholder:
				role === 'init'
					? 'e.g. https://example.com/photo.jpg'
					: 'e.g. https://example.com/mask.png',
			description: `Public http(s) link to ${what}`,
			displayOptions: { show: { [names.source]: ['url'] } },
		},
		{
			displayName: `${label} Binary Field`,
			name: names.binaryProperty,
			type: 'string',
			default: binaryDefault,
			required: true,
			description: `Name of the input binary field that holds ${what}. It is uploaded to ModelsLab (max 5 MB), which keeps it for 24 hours.`,
			displayOptions: { show: { [names.source]: ['binary'] } },
		},
	];
}

/**
 * Shown for these endpoints, and hidden with Completion › Mask Only: no inpaint job is sent then,
 * so the prompt, model and options are neither asked for nor required.
 */
const showFor = (endpoints: EndpointId[]) => ({
	show: { endpoint: endpoints },
	hide: { completion: ['maskOnly'] },
});

/** The options collection of one endpoint; its own name keeps values from bleeding between endpoints. */
export const optionsParameter = (endpoint: EndpointId) => `${endpoint}Options`;

/** The endpoint's second collection: settings most users never touch. */
export const advancedOptionsParameter = (endpoint: EndpointId) => `${endpoint}AdvancedOptions`;

function fieldsWith(endpoint: InpaintEndpoint, placement: FieldUi['placement']) {
	return (Object.entries(endpoint.fields) as Array<[string, FieldUi]>)
		.filter(([, ui]) => ui.placement === placement)
		.map(([wireKey, ui]) => fieldProperty(wireKey, endpoint.schema.shape[wireKey], ui));
}

/** Main fields that are the same in several endpoints are shown once, for all of them. */
function mainProperties(): INodeProperties[] {
	const merged = new Map<string, { property: INodeProperties; endpoints: EndpointId[] }>();
	for (const id of endpointIds) {
		for (const property of fieldsWith(INPAINT_ENDPOINTS[id], 'main')) {
			const identity = JSON.stringify(property);
			const entry = merged.get(identity) ?? { property, endpoints: [] };
			entry.endpoints.push(id);
			merged.set(identity, entry);
		}
	}
	// The model is picked before the prompt is written.
	const rank = (property: INodeProperties) => (property.name.endsWith('ModelId') ? 0 : 1);
	return [...merged.values()]
		.map(({ property, endpoints }) => ({ ...property, displayOptions: showFor(endpoints) }))
		.sort((a, b) => rank(a) - rank(b));
}

/**
 * The endpoint's everyday settings under Options, the rest under Advanced Options (n8n's lint wants
 * a collection's options sorted, so the split is what puts the everyday ones first).
 */
function optionsProperties(id: EndpointId): INodeProperties[] {
	const collection = (placement: 'option' | 'advanced', name: string): INodeProperties => ({
		displayName: COLLECTION_LABELS[placement],
		name,
		type: 'collection',
		placeholder: placement === 'option' ? 'Add Option' : 'Add Advanced Option',
		default: {},
		displayOptions: showFor([id]),
		options: fieldsWith(INPAINT_ENDPOINTS[id], placement).sort((a, b) =>
			a.displayName.localeCompare(b.displayName),
		),
	});
	// An endpoint with no everyday settings (Object Removal) shows no empty Options.
	return [
		collection('option', optionsParameter(id)),
		collection('advanced', advancedOptionsParameter(id)),
	].filter((property) => (property.options ?? []).length > 0);
}

/** The default first; each description short enough to read whole in the dropdown. */
export const completionProperty: INodeProperties = {
	displayName: 'Completion',
	name: 'completion',
	type: 'options',
	noDataExpression: true,
	options: [
		{
			name: 'Wait for Result',
			value: 'wait',
			description: 'Wait until the images are ready and output them (the usual choice)',
		},
		{
			name: 'Return Immediately',
			value: 'immediate',
			description: 'Output the request ID at once; get the images later with ModelsLab Fetch',
		},
		{
			name: 'Resume on Callback',
			value: 'callback',
			description: 'Pause this execution until ModelsLab calls back (for long jobs)',
		},
		{
			name: 'Mask Only',
			value: 'maskOnly',
			description: 'Output only the mask, to check it before paying for the inpaint',
		},
	],
	default: 'wait',
	description: 'When the node outputs its item, and what it holds',
};

/** What a Completion mode needs next, shown under the field while it is chosen. */
const completionNotice = (mode: string, name: string, text: string): INodeProperties => ({
	displayName: text,
	name,
	type: 'notice',
	default: '',
	displayOptions: { show: { completion: [mode] } },
});

export const completionNotices: INodeProperties[] = [
	completionNotice(
		'immediate',
		'immediateNotice',
		'Each item holds the request ID and fetch URL. Get the images with a ModelsLab Fetch node (Get Result), or in another workflow with the ModelsLab Trigger: set Advanced Options › Webhook URL to its URL.',
	),
	completionNotice(
		'callback',
		'callbackNotice',
		'Add a ModelsLab Fetch node with Wait for Callbacks right after this one: it pauses the execution until ModelsLab calls back. ModelsLab must reach this n8n on the internet: set WEBHOOK_URL to its public address.',
	),
	completionNotice(
		'maskOnly',
		'maskOnlyNotice',
		'No inpaint job is sent: the mask is output as binary "mask" (Execute step to see it). Shapes, links and files cost nothing; Describe It, Subject and Background pay only for their mask job.',
	),
];

const waiting = { show: { completion: ['wait'] } };
export const downloadImagesWhenWaiting = downloadImagesProperty(waiting);

export const properties: INodeProperties[] = [
	pinDataNotice,
	endpointProperty,
	...mainProperties(),
	...imageProperties('init'),
	...imageProperties('mask'),
	...shapeMaskProperties,
	...maskSourceProperties,
	completionProperty,
	...completionNotices,
	...downloadImagesProperties(waiting),
	outputSizeProperty,
	keepOriginalPixelsProperty,
	...endpointIds.flatMap(optionsProperties),
	processingOptionsProperty(),
];
