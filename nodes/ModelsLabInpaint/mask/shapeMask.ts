import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ImageSize } from '../size/imageSize';
import type { MaskShape, MaskSpec } from './shapes';
import { checkMaskSpec, drawMask, MAX_FEATHER_PIXELS } from './shapes';
import { inTurnWithOtherMasks } from './maskLimits';
import { TimeSlice } from '../../shared/pacing/timeSlice';
import { checkParameter, readParameter } from '../../shared/run/parameters';
import { refuseValue } from '../../shared/schema/validate';

/** Mask Source › Shapes: no mask file, the node draws it from boxes the user or an upstream step gives. */
const drawn = { show: { maskImageSource: ['shapes'] } };

const SHAPE_FIELDS: INodeProperties[] = [
	{
		displayName: 'Height',
		name: 'height',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 0 },
		description: 'Height of the shape, in the chosen unit',
	},
	{
		displayName: 'Kind',
		name: 'kind',
		type: 'options',
		options: [
			{ name: 'Ellipse', value: 'ellipse', description: 'The ellipse that fits in the box' },
			{ name: 'Rectangle', value: 'rectangle' },
		],
		default: 'rectangle',
	},
	{
		displayName: 'Left',
		name: 'left',
		type: 'number',
		default: 25,
		typeOptions: { minValue: 0 },
		description: 'Distance of the shape from the left edge of the image, in the chosen unit',
	},
	{
		displayName: 'Top',
		name: 'top',
		type: 'number',
		default: 25,
		typeOptions: { minValue: 0 },
		description: 'Distance of the shape from the top edge of the image, in the chosen unit',
	},
	{
		displayName: 'Unit',
		name: 'unit',
		type: 'options',
		options: [
			{ name: 'Percent of the Image', value: 'percent' },
			{ name: 'Pixels', value: 'pixels' },
		],
		default: 'percent',
	},
	{
		displayName: 'Width',
		name: 'width',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 0 },
		description: 'Width of the shape, in the chosen unit',
	},
];

export const shapeMaskProperties: INodeProperties[] = [
	{
		displayName: 'Shapes',
		name: 'maskShapes',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Shape',
		default: {
			shape: [{ kind: 'rectangle', unit: 'percent', left: 25, top: 25, width: 50, height: 50 }],
		},
		description:
			'Boxes measured from the top-left corner of the image (at most 20). Expressions work in every field, so an earlier step can give the box.',
		options: [{ displayName: 'Shape', name: 'shape', values: SHAPE_FIELDS }],
		displayOptions: drawn,
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

const [shapesProperty, repaintProperty, featherProperty] = shapeMaskProperties;

/** The shapes of one item, each field checked for its type like every other parameter. */
function readShapes(ctx: IExecuteFunctions, itemIndex: number): MaskShape[] {
	const given = ctx.getNodeParameter(shapesProperty.name, itemIndex, {}) as IDataObject;
	const list = given?.shape ?? [];
	if (!Array.isArray(list)) {
		const problem = '"Shapes" must be a list of shapes';
		return refuseValue(ctx.getNode(), problem, itemIndex, ctx.getNode().name);
	}
	return list.map(
		(shape, index) =>
			Object.fromEntries(
				SHAPE_FIELDS.map((field) => [
					field.name,
					checkParameter(
						ctx,
						field,
						(shape as IDataObject)?.[field.name] ?? field.default,
						itemIndex,
						{
							label: `Shapes › Shape ${index + 1} › ${field.displayName}`,
						},
					),
				]),
			) as unknown as MaskShape,
	);
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
