import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { z } from 'zod/v3';

import { readCollection, readParameter } from '../../shared/run/parameters';
import type { MaskAdjustments } from './maskAdjust';
import { MAX_GROW_PIXELS, MAX_SOFT_EDGE_PIXELS } from './maskAdjust';

/**
 * Mask sources beyond a file or Shapes: a mask ModelsLab makes from the photo (Describe It,
 * Subject, Background), and the adjustments every decoded mask can get (Grow or Shrink, Soft
 * Edge, Invert). The editor fields live here, and so does reading them for an item: checked,
 * before anything is sent.
 */

/** Mask sources that are a ModelsLab mask job: paid, made from the photo, waited for like any job. */
export type MaskJobKind = 'describe' | 'subject' | 'background';
export const MASK_JOB_KINDS: readonly MaskJobKind[] = ['describe', 'subject', 'background'];

/** Every Mask Source whose mask the node decodes and can adjust (Shapes draws its own). */
const ADJUSTABLE = ['background', 'binary', 'describe', 'subject', 'url'];

/** mask_creator's `specific_object`: a few words; a paragraph is a mistake, not a description. */
const MAX_DESCRIPTION_LENGTH = 500;

/** The Mask Source choices that come from ModelsLab (sorted with the others in the editor). */
export const maskJobSourceOptions = [
	{
		name: 'Background',
		value: 'background',
		description:
			"Everything but the photo's main subject, e.g. to put a product on a new background (a paid mask job first)",
	},
	{
		name: 'Describe It',
		value: 'describe',
		description:
			'Name what to repaint in words, e.g. "the sofa": ModelsLab finds it on each photo (a paid mask job first)',
	},
	{
		name: 'Subject',
		value: 'subject',
		description: "The photo's main subject, e.g. a person or a product (a paid mask job first)",
	},
];

const DESCRIPTION_RULE = {
	maskDescription: z.preprocess(
		(value) => (typeof value === 'number' ? String(value) : (value ?? '')),
		z
			.string({ invalid_type_error: 'must be text' })
			.trim()
			.min(1, 'is required')
			.max(
				MAX_DESCRIPTION_LENGTH,
				`must be at most ${MAX_DESCRIPTION_LENGTH} characters: a few words, e.g. "the sofa"`,
			),
	),
};

const describeProperty: INodeProperties = {
	displayName: 'Describe the Area',
	name: 'maskDescription',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. the sofa',
	description:
		'What to repaint (or remove), in a few words. ModelsLab finds it on the photo and makes its mask, so the same words work for every photo.',
	displayOptions: { show: { maskImageSource: ['describe'] } },
};

const adjustmentsProperty: INodeProperties = {
	displayName: 'Mask Adjustments',
	name: 'maskAdjustments',
	type: 'collection',
	placeholder: 'Add Adjustment',
	default: {},
	displayOptions: { show: { maskImageSource: ADJUSTABLE } },
	options: [
		{
			displayName: 'Grow or Shrink (Pixels)',
			name: 'growPixels',
			type: 'number',
			default: 0,
			typeOptions: {
				minValue: -MAX_GROW_PIXELS,
				maxValue: MAX_GROW_PIXELS,
				numberPrecision: 0,
			},
			description:
				'Widens the repainted area by this many pixels all round; a negative number narrows it. A little wider than the object (e.g. 10) helps the repainted part blend in.',
		},
		{
			displayName: 'Invert',
			name: 'invert',
			type: 'boolean',
			default: false,
			description:
				'Whether to repaint everything except the masked area (applied before Grow or Shrink)',
		},
		{
			displayName: 'Soft Edge (Pixels)',
			name: 'softEdgePixels',
			type: 'number',
			default: 0,
			typeOptions: { minValue: 0, maxValue: MAX_SOFT_EDGE_PIXELS, numberPrecision: 0 },
			description:
				"Width of a gradual edge along the mask's outline, so the repainted area blends in; 0 keeps the edge as it is",
		},
	],
};

export const maskSourceProperties: INodeProperties[] = [describeProperty, adjustmentsProperty];

/** What the item's mask needs beyond its source: a mask job's words, and the adjustments. */
export interface MaskPlan {
	/** The mask job to run first, if the mask comes from ModelsLab. */
	job?: { kind: MaskJobKind; description?: string };
	/** Undefined when nothing is to be changed (the given mask is sent as it is). */
	adjustments?: MaskAdjustments;
}

export const isMaskJob = (source: string): source is MaskJobKind =>
	(MASK_JOB_KINDS as readonly string[]).includes(source);

/** The mask plan of one item, every value checked (nothing read or sent yet). */
export function readMaskPlan(ctx: IExecuteFunctions, itemIndex: number, source: string): MaskPlan {
	if (!ADJUSTABLE.includes(source)) return {};
	const chosen = readCollection(ctx, adjustmentsProperty, itemIndex) as unknown as MaskAdjustments;
	const changes = chosen.invert || chosen.growPixels !== 0 || chosen.softEdgePixels !== 0;
	// Background is the subject's mask inverted here: the docs leave `inverse_mask`'s polarity open.
	const adjustments =
		source === 'background' ? { ...chosen, invert: !chosen.invert } : changes ? chosen : undefined;
	if (!isMaskJob(source)) return { adjustments };
	const description =
		source === 'describe'
			? readParameter<string>(ctx, describeProperty, itemIndex, DESCRIPTION_RULE)
			: undefined;
	return { job: { kind: source, description }, adjustments };
}
