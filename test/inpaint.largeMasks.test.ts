/**
 * Masks the node makes for photos larger than 4096 × 4096: made at the photo's full size (Shapes
 * drawn, a given mask stretched and adjusted), up to 40 megapixels, the full-resolution limit. A
 * larger photo is refused before anything is sent, naming the Mask Source and the limit.
 *
 * Completion › Mask Only keeps these fast: the node makes the mask and outputs it, nothing goes to
 * ModelsLab, so neither the node nor the simulator decodes the 24-megapixel photo. The masks are
 * read back with Node's zlib, unfiltered here.
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import { crc32, deflateSync, inflateSync } from 'zlib';

import { makeMask } from '../simulator/png';
import {
	expectRefusedBeforeSending,
	minimalParameters,
	pngBinary,
	useSimulator,
} from './support/simulator';

const { simulator, inpaint } = useSimulator();

// 24-megapixel masks are drawn, adjusted and read back here: slow under jest on a loaded machine.
jest.setTimeout(120_000);

const WIDTH = 6000;
const HEIGHT = 4000;

function chunk(type: string, data: Buffer): Buffer {
	const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
	const framed = Buffer.alloc(typed.length + 8);
	framed.writeUInt32BE(data.length, 0);
	typed.copy(framed, 4);
	framed.writeUInt32BE(crc32(typed), typed.length + 4);
	return framed;
}

/**
 * A plain mid-gray photo of width × height as an 8-bit grayscale PNG, or only its header (no
 * pixels: enough where the node reads the size and stops).
 */
function grayPhoto(width: number, height: number, headerOnly = false): Buffer {
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth; colour type 0 (gray), deflate, no filter method, no interlace
	const rows = Buffer.alloc((width + 1) * height, 128);
	for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter None
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		...(headerOnly ? [] : [chunk('IDAT', deflateSync(rows, { level: 1 }))]),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/** A grayscale PNG the node made (filters None, Sub, Up), read back as its size and gray levels. */
function readMask(png: Buffer) {
	const width = png.readUInt32BE(16);
	const height = png.readUInt32BE(20);
	expect([png[24], png[25]]).toEqual([8, 0]); // 8-bit gray
	const idat: Buffer[] = [];
	for (let at = 8; at < png.length; ) {
		const length = png.readUInt32BE(at);
		if (png.toString('latin1', at + 4, at + 8) === 'IDAT')
			idat.push(png.subarray(at + 8, at + 8 + length));
		at += length + 12;
	}
	const raw = inflateSync(Buffer.concat(idat));
	expect(raw.length).toBe((width + 1) * height);
	const gray = new Uint8Array(width * height);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (width + 1)];
		const from = y * (width + 1) + 1;
		const row = y * width;
		for (let x = 0; x < width; x++) {
			const predicted =
				filter === 1 && x > 0
					? gray[row + x - 1]
					: filter === 2 && y > 0
						? gray[row - width + x]
						: 0;
			gray[row + x] = (raw[from + x] + predicted) & 0xff;
		}
	}
	return { width, height, at: (x: number, y: number) => gray[y * width + x] };
}

const photoItem = (photo: Buffer, mask?: Buffer): INodeExecutionData => ({
	json: {},
	binary: {
		data: pngBinary(photo, 'photo.png'),
		...(mask ? { mask: pngBinary(mask, 'mask.png') } : {}),
	},
});

const maskOnly = (extra: IDataObject): IDataObject => ({
	...minimalParameters.imageEditing,
	initImageSource: 'binary',
	initImageBinaryProperty: 'data',
	completion: 'maskOnly',
	...extra,
});

const shapes = (extra: IDataObject = {}): IDataObject =>
	maskOnly({
		maskImageSource: 'shapes',
		maskShapes: {
			ellipse: [{ left: 25, top: 25, width: 50, height: 50 }],
		},
		maskFeather: 20,
		...extra,
	});

describe('a photo larger than 4096 × 4096 (6000 × 4000, 24 megapixels)', () => {
	const photo = grayPhoto(WIDTH, HEIGHT);

	it('Shapes: the mask is drawn at the photo’s full size, soft edge and all', async () => {
		const { output, error } = await inpaint(shapes(), { items: [photoItem(photo)] });
		expect(error).toBeUndefined();
		expect(simulator.requests).toHaveLength(0);
		const mask = readMask(Buffer.from(output[0].binary!.mask.data, 'base64'));
		expect([mask.width, mask.height]).toEqual([WIDTH, HEIGHT]);
		// The ellipse: centre (3000, 2000), radii 1500 and 1000; its left end at x = 1500 on row 2000,
		// a 20-pixel ramp centred there.
		expect([mask.at(3000, 2000), mask.at(0, 0), mask.at(WIDTH - 1, HEIGHT - 1)]).toEqual([
			255, 0, 0,
		]);
		expect([mask.at(1488, 2000), mask.at(1511, 2000)]).toEqual([0, 255]);
		expect(Math.abs(mask.at(1500, 2000) - 134)).toBeLessThanOrEqual(2);
		expect(mask.at(3000, 985)).toBe(0);
		expect(mask.at(3000, 1015)).toBe(255);
	});

	it('Mask Adjustments: a 600 × 400 mask is stretched to the photo and grown at its full size', async () => {
		const { output, error } = await inpaint(
			maskOnly({
				maskImageSource: 'binary',
				maskImageBinaryProperty: 'mask',
				maskAdjustments: { growPixels: 4 },
			}),
			{ items: [photoItem(photo, makeMask(600, 400))] },
		);
		expect(error).toBeUndefined();
		expect(simulator.requests).toHaveLength(0);
		const mask = readMask(Buffer.from(output[0].binary!.mask.data, 'base64'));
		expect([mask.width, mask.height]).toEqual([WIDTH, HEIGHT]);
		// makeMask's ellipse fills the box 180..420 × 160..320: ×10, centre (3000, 2400), radii
		// 1200 and 800, grown by 4 (the edge may move a pixel where the mask was stretched).
		expect([mask.at(3000, 2400), mask.at(0, 0), mask.at(1794, 2400)]).toEqual([255, 0, 0]);
		expect([mask.at(1798, 2400), mask.at(4201, 2400), mask.at(3000, 3202)]).toEqual([
			255, 255, 255,
		]);
		const grown = (Math.PI * 1204 * 804) / (WIDTH * HEIGHT);
		expect(Math.abs(Number(output[0].json.maskCoverage) - grown)).toBeLessThan(0.002);
	});
});

describe('a photo over 40 megapixels', () => {
	// 8000 × 6000 = 48 MP: refused from its header, before any pixel is read or anything is sent.
	const photo = grayPhoto(8000, 6000, true);
	const limit = 'the image is 8000×6000 pixels; masks are made for images up to 40 megapixels';

	it('Shapes: refused before anything is sent, naming the Mask Source and the limit', async () => {
		expectRefusedBeforeSending(
			await inpaint(shapes({ completion: 'wait' }), { items: [photoItem(photo)] }),
			`"Mask Source" Shapes: ${limit} [item 0]`,
			simulator,
		);
	});

	it('Mask Adjustments on a given mask: refused the same way', async () => {
		expectRefusedBeforeSending(
			await inpaint(
				maskOnly({
					maskImageSource: 'binary',
					maskImageBinaryProperty: 'mask',
					maskAdjustments: { invert: true },
				}),
				{ items: [photoItem(photo, makeMask(80, 60))] },
			),
			`"Mask Source" Binary File: ${limit} [item 0]`,
			simulator,
		);
	});
});
