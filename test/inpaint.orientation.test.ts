/**
 * A JPEG with an Exif orientation (every portrait phone photo: 6) shows turned: n8n, browsers and
 * viewers display it upright, so the user's mask (a file, Shapes in percent or pixels, a mask the
 * node made) is drawn over the picture as shown. With Output Size › Same as Image the node crops,
 * sends and pastes back by that mask: the crop must go upright (ModelsLab gets no Exif with it),
 * and the result must land where the mask is in the photo as shown, every other pixel the
 * photo's. The checks turn the pictures upright with their own table (not the node's code).
 */
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';
import * as jpeg from 'jpeg-js';

import {
	decodePicture,
	encodePng,
	expectedObjectMask,
	makePhoto,
	uploadPicture,
} from '../simulator';
import { finishMask } from '../nodes/ModelsLabInpaint/mask/maskFile';
import { SEAM_REACH_PIXELS } from '../nodes/ModelsLabInpaint/stitch/seamPlan';
import { differenceAt, withExifOrientation } from './support/codecCorpus';
import { whiteBounds } from './support/masks';
import { API_KEY, pngBinary, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();

jest.setTimeout(180_000);

type Picture = { width: number; height: number; rgba: Uint8Array };

/** Where the stored pixel of shown pixel (x, y) is, for Exif orientation `o` (TIFF 6.0, 0x0112). */
function storedOf(o: number, x: number, y: number, width: number, height: number) {
	const table: Record<number, [number, number]> = {
		2: [width - 1 - x, y],
		3: [width - 1 - x, height - 1 - y],
		4: [x, height - 1 - y],
		5: [y, x],
		6: [y, height - 1 - x],
		7: [width - 1 - y, height - 1 - x],
		8: [width - 1 - y, x],
	};
	return table[o] ?? [x, y];
}

/** A picture as stored, turned the way it is shown. */
function upright(stored: Picture, o: number): Picture {
	const turned = o >= 5;
	const [width, height] = turned ? [stored.height, stored.width] : [stored.width, stored.height];
	const rgba = new Uint8Array(width * height * 4);
	for (let y = 0; y < height; y++)
		for (let x = 0; x < width; x++) {
			const [sx, sy] = storedOf(o, x, y, stored.width, stored.height);
			const from = (sy * stored.width + sx) * 4;
			rgba.set(stored.rgba.subarray(from, from + 4), (y * width + x) * 4);
		}
	return { width, height, rgba };
}

/** The Exif orientation a file says (its first APP1 "Exif" segment, IFD0 tag 0x0112), or 1. */
function orientationOf(file: Buffer): number {
	const exif = file.indexOf(Buffer.from('Exif\0\0', 'latin1'));
	if (exif < 0) return 1;
	const tiff = exif + 6;
	const little = file.toString('latin1', tiff, tiff + 2) === 'II';
	const u16 = (at: number) => (little ? file.readUInt16LE(at) : file.readUInt16BE(at));
	const ifd = tiff + (little ? file.readUInt32LE(tiff + 4) : file.readUInt32BE(tiff + 4));
	for (let entry = 0; entry < u16(ifd); entry++) {
		const at = ifd + 2 + entry * 12;
		if (u16(at) === 0x0112) return u16(at + 8);
	}
	return 1;
}

/** A camera-like JPEG of `width`×`height` stored pixels with orientation `o`, and its pixels. */
function turnedPhoto(width: number, height: number, o: number) {
	const raster = decodePicture(makePhoto(width, height))!;
	const file = Buffer.from(
		withExifOrientation(jpeg.encode({ data: Buffer.from(raster.rgba), width, height }, 92).data, o),
	);
	return { file, stored: decodePicture(file)! };
}

const photoItem = (file: Buffer): INodeExecutionData => ({
	json: {},
	binary: { data: { ...pngBinary(file, 'photo'), mimeType: 'image/jpeg', fileName: 'photo.jpg' } },
});

/** Image Editing (1024 px a side at most), Shapes: one ellipse in percent of the photo as shown. */
const withEllipse = (extra: IDataObject = {}): IDataObject => ({
	endpoint: 'imageEditing',
	prompt: 'a red apple',
	initImageSource: 'binary',
	initImageBinaryProperty: 'data',
	maskImageSource: 'shapes',
	maskShapes: { ellipse: [{ left: 12, top: 8, width: 22, height: 16 }] },
	...extra,
});

const fileOf = (item: INodeExecutionData, field: string) =>
	Buffer.from(item.binary![field].data, 'base64');

/** Pixels (RGBA offsets) more than the seam's reach from the mask's white, and fully white ones. */
function regions(mask: Picture) {
	const { width, height } = mask;
	const { left, top, right, bottom } = whiteBounds(mask);
	// The JPEG's blocks the seam touches may be written again: keep 16 px (an MCU) more away.
	const reach = SEAM_REACH_PIXELS + 16;
	const far: number[] = [];
	const core: number[] = [];
	for (let i = 0; i < width * height; i++) {
		const [x, y] = [i % width, Math.floor(i / width)];
		const near = x >= left - reach && x <= right + reach && y >= top - reach && y <= bottom + reach;
		if (!near) far.push(i * 4);
		else if (mask.rgba[i * 4] === 255) core.push(i * 4);
	}
	return { far, core };
}

/** The photo as shown, the result as shown: size, repaint under the mask, the photo elsewhere. */
function expectUprightRepaint(item: INodeExecutionData, photo: Picture, o: number) {
	const file = fileOf(item, 'data');
	expect(item.binary!.data.mimeType).toBe('image/jpeg');
	expect(orientationOf(file)).toBe(o);
	const shown = upright(photo, o);
	const result = upright(decodePicture(file)!, o);
	expect([result.width, result.height]).toEqual([shown.width, shown.height]);
	expect(item.json.outputSize).toEqual({ width: shown.width, height: shown.height });
	const mask = decodePicture(fileOf(item, 'mask'))!;
	expect([mask.width, mask.height]).toEqual([shown.width, shown.height]);
	const { far, core } = regions(mask);
	expect(far.length).toBeGreaterThan(shown.width * shown.height * 0.5);
	expect(core.length).toBeGreaterThan(1000);
	expect(differenceAt(result.rgba, shown.rgba, far).largest).toBe(0);
	expect(differenceAt(result.rgba, shown.rgba, core).mean).toBeGreaterThan(20);
}

describe('a JPEG with an Exif orientation, Output Size › Same as Image', () => {
	beforeEach(() => {
		// Real models redraw the whole picture a little: a paste-back that misses shows.
		simulator.settings.outsideDrift = 3;
	});

	it.each([3, 5, 6, 8])(
		'larger than the endpoint takes, orientation %i: the crop goes upright and the result lands under the mask as shown',
		async (o) => {
			const { file, stored } = turnedPhoto(1400, 1100, o);
			const { output, error } = await inpaint(withEllipse(), { items: [photoItem(file)] });
			expect(error).toBeUndefined();
			const item = output[0];
			expect(item.json.notice ?? null).toBeNull();
			// The box is said in the photo as shown, and was sent at its own size, upright.
			const { box, sentSize, scaled } = item.json.fullResolution as {
				box: { left: number; top: number; width: number; height: number };
				sentSize: { width: number; height: number };
				scaled: boolean;
			};
			expect(scaled).toBe(false);
			expect(sentSize).toEqual({ width: box.width, height: box.height });
			const [shownWidth, shownHeight] = o >= 5 ? [1100, 1400] : [1400, 1100];
			expect(box.left + box.width).toBeLessThanOrEqual(shownWidth);
			expect(box.top + box.height).toBeLessThanOrEqual(shownHeight);
			const sent = simulator.requestsTo('/api/v6/base64_to_url');
			const sentPhoto = Buffer.from(
				String((sent[0].body as IDataObject).base64_string).split(',')[1],
				'base64',
			);
			const sentPicture = decodePicture(sentPhoto)!;
			expect([sentPicture.width, sentPicture.height]).toEqual([box.width, box.height]);
			expect(orientationOf(sentPhoto)).toBe(1);
			expectUprightRepaint(item, stored, o);
		},
	);

	it.each([3, 6])(
		'within the endpoint, orientation %i, Keep Original Pixels on: the result lands under the mask as shown',
		async (o) => {
			const { file, stored } = turnedPhoto(640, 480, o);
			const { output, error } = await inpaint(withEllipse(), { items: [photoItem(file)] });
			expect(error).toBeUndefined();
			expect(output[0].json.notice ?? null).toBeNull();
			expectUprightRepaint(output[0], stored, o);
		},
	);
});

describe('a turned JPEG, Mask Source › Describe It', () => {
	/** The photo put on the simulator, as the link a mask job needs. */
	const linkTo = (file: Buffer) => uploadPicture(simulator.baseUrl, file, 'image/jpeg', API_KEY);

	it('a mask ModelsLab drew on the photo as stored (no Exif turn) is turned to the photo as shown', async () => {
		const { file } = turnedPhoto(1400, 1100, 6);
		const { output, error } = await inpaint({
			endpoint: 'imageEditing',
			prompt: 'a red apple',
			initImageUrl: await linkTo(file),
			maskImageSource: 'describe',
			maskDescription: 'the ball',
			completion: 'maskOnly',
		});
		expect(error).toBeUndefined();
		// The simulator reads the JPEG without its Exif, as a server may: its mask is 1400×1100.
		const drawn = expectedObjectMask(1400, 1100);
		const rgba = new Uint8Array(drawn.length * 4);
		drawn.forEach((level, i) => rgba.set([level, level, level, 255], i * 4));
		const expected = upright({ width: 1400, height: 1100, rgba }, 6);
		const mask = decodePicture(fileOf(output[0], 'mask'))!;
		expect([mask.width, mask.height]).toEqual([1100, 1400]);
		let differing = 0;
		for (let i = 0; i < mask.width * mask.height; i++)
			if (Math.abs(mask.rgba[i * 4] - expected.rgba[i * 4]) > 0) differing++;
		expect(differing).toBe(0);
	});
});

describe('finishMask, a photo shown turned a quarter (orientation 6, shown 300×400)', () => {
	const photo = { width: 300, height: 400, orientation: 6 };
	/** A gray PNG of `width`×`height`, white in the top-left quarter, and its gray levels. */
	function quarterMask(width: number, height: number) {
		const rgba = new Uint8Array(width * height * 4);
		for (let y = 0; y < height; y++)
			for (let x = 0; x < width; x++) {
				const level = x < width / 2 && y < height / 2 ? 255 : 0;
				rgba.set([level, level, level, 255], (y * width + x) * 4);
			}
		return { file: encodePng(width, height, rgba), picture: { width, height, rgba } };
	}
	const levels = (gray: Uint8Array) => Array.from(gray, (level) => (level > 127 ? 1 : 0));

	it('a mask of the photo as shown (300×400, or scaled: 150×200) is taken as it is', async () => {
		for (const [width, height] of [
			[300, 400],
			[150, 200],
		]) {
			const { file } = quarterMask(width, height);
			const finished = await finishMask(file, photo, undefined);
			const expected = quarterMask(300, 400).picture;
			expect(levels(finished.gray)).toEqual(levels(expected.rgba.filter((_, i) => i % 4 === 0)));
		}
	});

	it('a mask of the photo as stored (400×300, or scaled: 200×150) is turned as the photo is shown', async () => {
		for (const [width, height] of [
			[400, 300],
			[200, 150],
		]) {
			const { file } = quarterMask(width, height);
			const finished = await finishMask(file, photo, undefined);
			expect(finished.asIs).toBe(false);
			// Stored top-left shows at the top right once turned 90° clockwise.
			const expected = upright(quarterMask(400, 300).picture, 6);
			expect(levels(finished.gray)).toEqual(levels(expected.rgba.filter((_, i) => i % 4 === 0)));
		}
	});
});
