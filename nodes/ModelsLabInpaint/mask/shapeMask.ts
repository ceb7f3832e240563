import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';

import type { ImageSize } from '../size/imageSize';
import type { MaskShape, MaskSpec } from './shapes';
import { checkMaskSpec, drawMask, MAX_FEATHER_PIXELS } from './shapes';
import { inTurnWithOtherMasks } from './maskLimits';
import { TimeSlice } from '../../shared/pacing/timeSlice';
import { checkParameter, readParameter } from '../../shared/run/parameters';
import { refuseValue } from '../../shared/schema/validate';

/** Mask Source › Shapes: no mask file, the node draws it from boxes the user or an upstream step gives. */
const drawn = { show: { maskImageSource: ['shapes'] } };
/** Version 1.1 gave Shapes its reading order: the kind chosen first, its box, one unit per node. */
const SHAPES_BY_KIND_SINCE = 1.1;
const onVersion = (version: IDisplayOptions['show']) => ({ show: { ...drawn.show, ...version } });
const byKind = onVersion({ '@version': [{ _cnd: { gte: SHAPES_BY_KIND_SINCE } }] });
const oneKindEach = onVersion({ '@version': [1] });

const KINDS = [
	{ name: 'Rectangle', value: 'rectangle' },
	{ name: 'Ellipse', value: 'ellipse', description: 'The ellipse that fits in the box' },
] as const;
const UNIT: INodeProperties = {
	displayName: 'Unit',
	name: 'unit',
	type: 'options',
	options: [
		{ name: 'Percent of the Image', value: 'percent' },
		{ name: 'Pixels', value: 'pixels' },
	],
	default: 'percent',
};

/** One number of a shape's box; every one is measured in the Shape Unit. */
const boxField = (name: string, displayName: string, what: string, value: number) =>
	({
		displayName,
		name,
		type: 'number',
		default: value,
		typeOptions: { minValue: 0 },
		description: `${what}, in the unit chosen under Shape Unit`,
	}) satisfies INodeProperties;

/** A shape's box, in the order people read one: where it starts, then how big it is. */
const BOX_FIELDS: INodeProperties[] = [
	boxField('left', 'Left', 'Distance of the shape from the left edge of the image', 25),
	boxField('top', 'Top', 'Distance of the shape from the top edge of the image', 25),
	boxField('width', 'Width', 'Width of the shape', 50),
	boxField('height', 'Height', 'Height of the shape', 50),
];

/** Version 1: each shape says its kind and unit (the lint sorts a section of 5 fields or more). */
const SHAPE_FIELDS_V1: INodeProperties[] = [
	{ ...BOX_FIELDS[3], description: 'Height of the shape, in the chosen unit' },
	{
		displayName: 'Kind',
		name: 'kind',
		type: 'options',
		options: [KINDS[1], KINDS[0]],
		default: 'rectangle',
	},
	{ ...BOX_FIELDS[0], description: 'Distance of the shape from the left edge, in the chosen unit' },
	{ ...BOX_FIELDS[1], description: 'Distance of the shape from the top edge, in the chosen unit' },
	UNIT,
	{ ...BOX_FIELDS[2], description: 'Width of the shape, in the chosen unit' },
];

const SHAPES_DESCRIPTION =
	'Boxes measured from the top-left corner of the image (at most 20). Expressions work in every field, so an earlier step can give the box.';

export const shapeMaskProperties: INodeProperties[] = [
	{
		displayName: 'Shapes',
		name: 'maskShapes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Shape',
		default: { rectangle: [{ left: 25, top: 25, width: 50, height: 50 }] },
		description: SHAPES_DESCRIPTION,
		options: KINDS.map((kind) => ({
			displayName: kind.name,
			name: kind.value,
			values: BOX_FIELDS,
		})),
		displayOptions: byKind,
	},
	{
		...UNIT,
		displayName: 'Shape Unit',
		name: 'maskShapeUnit',
		description: 'What Left, Top, Width and Height of every shape are measured in',
		displayOptions: byKind,
	},
	{
		displayName: 'Shapes',
		name: 'maskShapes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Shape',
		default: {
			shape: [{ kind: 'rectangle', unit: 'percent', left: 25, top: 25, width: 50, height: 50 }],
		},
		description: SHAPES_DESCRIPTION,
		options: [{ displayName: 'Shape', name: 'shape', values: SHAPE_FIELDS_V1 }],
		displayOptions: oneKindEach,
	},
	{
		displayName: 'Repaint',
		name: 'maskRepaint',
		type: 'options',
		options: [
			{ name: 'Inside the Shapes', value: 'inside', description: 'Repaint what the shapes cover' },
			{
				name: 'Outside the Shapes',
				value: 'outside',
				description:
					'Keep what the shapes cover and repaint the rest, e.g. to replace the background',
			},
		],
		default: 'inside',
		displayOptions: drawn,
	},
	{
		displayName: 'Soft Edge (Pixels)',
		name: 'maskFeather',
		type: 'number',
		default: 0,
		typeOptions: { minValue: 0, maxValue: MAX_FEATHER_PIXELS, numberPrecision: 0 },
		description:
			"Width of a gradual edge along the shapes' outlines, so the repainted area blends in; 0 draws a hard edge",
		displayOptions: drawn,
	},
];

const [, unitProperty, , repaintProperty, featherProperty] = shapeMaskProperties;

/** Each listed shape's fields, checked for their type like every other parameter. */
function readShapeList(
	ctx: IExecuteFunctions,
	itemIndex: number,
	list: unknown,
	fields: INodeProperties[],
	nameOf: (index: number) => string,
): Array<Record<string, unknown>> {
	if (list === undefined) return [];
	if (!Array.isArray(list)) {
		const problem = '"Shapes" must be a list of shapes';
		return refuseValue(ctx.getNode(), problem, itemIndex, ctx.getNode().name);
	}
	return list.map((shape, index) =>
		Object.fromEntries(
			fields.map((field) => [
				field.name,
				checkParameter(
					ctx,
					field,
					(shape as IDataObject)?.[field.name] ?? field.default,
					itemIndex,
					{ label: `Shapes › ${nameOf(index)} › ${field.displayName}` },
				),
			]),
		),
	);
}

/**
 * The shapes of one item. Version 1 lists shapes that each carry a kind and a unit; later
 * versions list rectangles and ellipses apart, with one unit for all of them.
 */
function readShapes(ctx: IExecuteFunctions, itemIndex: number): MaskShape[] {
	const given = (ctx.getNodeParameter('maskShapes', itemIndex, {}) as IDataObject) ?? {};
	if (ctx.getNode().typeVersion < SHAPES_BY_KIND_SINCE) {
		const nameOf = (index: number) => `Shape ${index + 1}`;
		return readShapeList(ctx, itemIndex, given.shape, SHAPE_FIELDS_V1, nameOf).map(
			(shape, index) => ({ ...shape, name: nameOf(index) }) as unknown as MaskShape,
		);
	}
	const unit = readParameter(ctx, unitProperty, itemIndex) as MaskShape['unit'];
	return KINDS.flatMap((kind) => {
		const nameOf = (index: number) => `${kind.name} ${index + 1}`;
		return readShapeList(ctx, itemIndex, given[kind.value], BOX_FIELDS, nameOf).map(
			(box, index) => ({ ...box, kind: kind.value, unit, name: nameOf(index) }) as MaskShape,
		);
	});
}

/**
 * The mask drawn from the item's shapes, as a grayscale PNG of exactly the image's size (white =
 * repaint), in time slices and in turn with the other masks this process makes. Bad shapes stop
 * the item before anything is sent, naming the shape and the field.
 */
export async function drawShapeMask(
	ctx: IExecuteFunctions,
	itemIndex: number,
	image: ImageSize,
): Promise<{ file: Buffer; gray: Uint8Array }> {
	const spec: MaskSpec = {
		shapes: readShapes(ctx, itemIndex),
		repaint: readParameter(ctx, repaintProperty, itemIndex),
		featherPixels: readParameter(ctx, featherProperty, itemIndex),
	};
	const problem = checkMaskSpec(spec, image);
	if (problem) {
		refuseValue(ctx.getNode(), `"Shapes": ${problem}`, itemIndex, ctx.getNode().name);
	}
	return await inTurnWithOtherMasks(async () => await drawMask(spec, image, new TimeSlice()));
}
