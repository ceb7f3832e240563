/**
 * Version 1.1 of the Inpaint node lists Shapes by kind (Rectangle, Ellipse), each with Left, Top,
 * Width and Height in reading order, and one Shape Unit for all of them. The masks ModelsLab
 * received are decoded with the simulator's PNG decoder and checked pixel by pixel.
 */
import type { IDataObject, INode, INodeProperties } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { newestVersion, PACKAGE } from '../harness/engine';
import { ModelsLabInpaint } from '../nodes/ModelsLabInpaint/ModelsLabInpaint.node';
import { decodePng, makePhoto } from '../simulator/png';
import { minimalParameters, pngBinary, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();
const { properties } = new ModelsLabInpaint().description;

const photoItem = () => ({
	json: {},
	binary: { data: pngBinary(makePhoto(640, 480), 'photo.png') },
});
const drawn = (extra: IDataObject = {}): IDataObject => ({
	...minimalParameters.community,
	initImageSource: 'binary',
	initImageBinaryProperty: 'data',
	maskImageSource: 'shapes',
	...extra,
});

function uploadedMask() {
	const uploads = simulator.requestsTo('/api/v6/base64_to_url');
	const dataUri = String((uploads[uploads.length - 1].body as IDataObject).base64_string);
	return decodePng(Buffer.from(dataUri.replace(/^data:image\/png;base64,/, ''), 'base64'));
}
const grayAt = (mask: ReturnType<typeof decodePng>) => (x: number, y: number) =>
	mask.rgba[(y * mask.width + x) * 4];

/** The parameters the editor shows a node of `typeVersion` with Mask Source › Shapes. */
function shownFor(typeVersion: number): INodeProperties[] {
	const node = { typeVersion, parameters: {} } as unknown as INode;
	const given = { endpoint: 'imageEditing', maskImageSource: 'shapes' };
	const values = NodeHelpers.getNodeParameters(properties, given, true, false, node, null) ?? {};
	return properties.filter((property) =>
		NodeHelpers.displayParameter(values, property, node, null),
	);
}

describe('Shapes listed by kind (version 1.1, what a node added now gets)', () => {
	it('is the version n8n gives a new Inpaint node', () => {
		expect(newestVersion(`${PACKAGE}.modelsLabInpaint`)).toBe(1.1);
	});

	it('the editor shows Rectangle and Ellipse, each with Left, Top, Width, Height, and one Shape Unit', () => {
		const shown = shownFor(1.1);
		const shapes = shown.filter((property) => property.name === 'maskShapes');
		expect(shapes).toHaveLength(1);
		const kinds = shapes[0].options as Array<{ displayName: string; values: INodeProperties[] }>;
		expect(kinds.map((kind) => kind.displayName)).toEqual(['Rectangle', 'Ellipse']);
		for (const kind of kinds) {
			expect(kind.values.map((field) => field.displayName)).toEqual([
				'Left',
				'Top',
				'Width',
				'Height',
			]);
		}
		expect(shown.map((property) => property.name)).toContain('maskShapeUnit');
		// A workflow saved with version 1 keeps its own Shapes, each with a kind and a unit.
		const old = shownFor(1).filter((property) => property.name.startsWith('maskShape'));
		expect(old.map((property) => property.name)).toEqual(['maskShapes']);
		expect((old[0].options as Array<{ name: string }>).map((option) => option.name)).toEqual([
			'shape',
		]);
	});

	it('with nothing set, draws the default: a rectangle over the middle half of the photo', async () => {
		const { error } = await inpaint(drawn(), { items: [photoItem()] });
		expect(error).toBeUndefined();
		const gray = grayAt(uploadedMask());
		expect([gray(320, 240), gray(160, 120), gray(479, 359)]).toEqual([255, 255, 255]);
		expect([gray(159, 240), gray(480, 240), gray(320, 119), gray(320, 360)]).toEqual([0, 0, 0, 0]);
	});

	it('rectangles and ellipses together, all in pixels through the one Shape Unit', async () => {
		const { error } = await inpaint(
			drawn({
				maskShapeUnit: 'pixels',
				maskShapes: {
					rectangle: [{ left: 10, top: 10, width: 40, height: 30 }],
					ellipse: [{ left: 300, top: 200, width: 200, height: 100 }],
				},
			}),
			{ items: [photoItem()] },
		);
		expect(error).toBeUndefined();
		const gray = grayAt(uploadedMask());
		expect([gray(10, 10), gray(49, 39), gray(50, 10), gray(10, 40)]).toEqual([255, 255, 0, 0]);
		// The ellipse's centre is in, its box's corner is not.
		expect([gray(400, 250), gray(302, 202), gray(250, 250)]).toEqual([255, 0, 0]);
	});

	it.each([
		[
			'a word in a rectangle',
			{ maskShapes: { rectangle: [{}, { left: '={{ "far" }}' }] } },
			'"Shapes › Rectangle 2 › Left" must be a number of at least 0 (got "far") [item 0]',
		],
		[
			'an ellipse 0 % wide',
			{ maskShapes: { ellipse: [{ left: 10, top: 10, width: 0, height: 10 }] } },
			'"Shapes": Ellipse 1: "Width" is 0 %, so the shape has no area [item 0]',
		],
		[
			'a rectangle past the right edge, in pixels',
			{ maskShapeUnit: 'pixels', maskShapes: { rectangle: [{ left: 700 }] } },
			'"Shapes": Rectangle 1: "Left" (700 pixels) is at or past the right edge of the 640×480 image, so the shape lies entirely outside it [item 0]',
		],
		[
			'a unit that is not one',
			{ maskShapeUnit: 'cm' },
			'"Shape Unit" must be one of: percent, pixels (got "cm") [item 0]',
		],
		[
			'no unit',
			{ maskShapeUnit: '' },
			'"Shape Unit" must be one of: percent, pixels (got nothing) [item 0]',
		],
		[
			'a negative height from an expression',
			{ maskShapes: { ellipse: [{ height: '={{ -3 }}' }] } },
			'"Shapes › Ellipse 1 › Height" must be a number of at least 0 (got -3) [item 0]',
		],
		[
			'21 shapes of two kinds',
			{ maskShapes: { rectangle: Array(11).fill({}), ellipse: Array(10).fill({}) } },
			'"Shapes": The mask has 21 shapes; at most 20 are allowed [item 0]',
		],
		['no shapes', { maskShapes: {} }, '"Shapes": The mask needs at least one shape [item 0]'],
	])('%s is refused before anything is sent', async (_, extra, message) => {
		const { error } = await inpaint(drawn(extra), { items: [photoItem()] });
		expect(error?.message).toBe(message);
		expect(simulator.requests).toHaveLength(0);
	});
});
