/**
 * A mask picture's file read as a mask (nodes/ModelsLabInpaint/mask/maskPicture.ts): a PNG surveyed
 * row by row as it unpacks, never decoded to RGBA, must give the mask the picture decoded gives,
 * byte for byte, in each of the three kinds and every PNG layout; and both must match a plain
 * reading of rules 1 and 2 (maskFromPicture.ts) written here pixel by pixel, in two passes, as the
 * rules say, so the one-pass survey and its row repeats are checked against the rules themselves.
 */
import { encodeJpeg } from '../nodes/ModelsLabInpaint/codecs/jpeg/jpegEncode';
import { decodePng } from '../nodes/ModelsLabInpaint/codecs/png/pngDecode';
import type { Raster } from '../nodes/ModelsLabInpaint/codecs/raster';
import { maskFromPicture } from '../nodes/ModelsLabInpaint/mask/maskFromPicture';
import { maskFromFile } from '../nodes/ModelsLabInpaint/mask/maskPicture';
import { slice } from './support/codecCorpus';
import { encodePng, type PngSpec } from './support/pngEncoder';
import { seeded } from './support/masks';

const [width, height] = [203, 150];
const MAX = 50_000_000;

/** Rules 1 and 2 as maskFromPicture.ts states them, pixel by pixel; undefined for rule 3. */
function plainRules({ rgba, hasAlpha }: Raster): { form: string; gray: number[] } | undefined {
	const pixels = rgba.length / 4;
	const at = (p: number) => [...rgba.subarray(p * 4, p * 4 + 4)];
	const lum = (p: number) => (77 * rgba[p * 4] + 150 * rgba[p * 4 + 1] + 29 * rgba[p * 4 + 2]) >> 8;
	let [translucent, coloured, bright, mid] = [0, 0, 0, 0];
	const alphas: number[] = [];
	for (let p = 0; p < pixels; p++) {
		const [r, g, b, a] = at(p);
		alphas.push(a);
		if (a < 255) translucent++;
		if (Math.max(r, g, b) - Math.min(r, g, b) > 32) coloured++;
		if (lum(p) >= 192) bright++;
		else if (lum(p) >= 64) mid++;
	}
	const span = Math.max(...alphas) - Math.min(...alphas);
	if (hasAlpha && translucent >= 0.005 * pixels && span >= 128)
		return { form: 'cutout', gray: alphas };
	if (coloured > 0.01 * pixels || bright < mid) return undefined;
	const ramp = (v: number) =>
		v <= 16 ? 0 : v >= 239 ? 255 : Math.floor(((v - 16) * 255) / 223 + 0.5);
	return { form: 'mask', gray: Array.from({ length: pixels }, (_, p) => ramp(lum(p))) };
}

/** Pixels drawn by `colour`, rows repeating in runs (as masks do), some rows noisy. */
function drawn(colour: (x: number, y: number, noise: number) => number[]): number[][] {
	const next = seeded(width);
	const rows: number[][] = [];
	for (let y = 0; y < height; y++) {
		if (y % 7 > 2 && y > 0) rows.push(rows[y - 1]);
		else rows.push(Array.from({ length: width }, (_, x) => colour(x, y, next())).flat());
	}
	return rows;
}

const inDisc = (x: number, y: number) => (x - 120) ** 2 + (y - 80) ** 2 < 45 ** 2;
const softMask = (x: number, y: number, noise: number) => {
	const d = Math.sqrt((x - 120) ** 2 + (y - 80) ** 2);
	// White at the right edge too: a row repeat must copy every pixel.
	const edge = x >= width - 3 ? 255 : 0;
	const level = Math.max(edge, Math.min(255, Math.round((50 - d) * 40 + noise * 12)));
	return [level, level, level];
};

/** Each case: the PNG's layout and its samples, drawn a row at a time. */
const CASES: Array<
	[string, Omit<PngSpec, 'samples'>, (x: number, y: number, n: number) => number[]]
> = [
	[
		'a black-and-white RGB mask, soft edges (rule 2)',
		{ width, height, colourType: 2, bitDepth: 8 },
		softMask,
	],
	[
		'an opaque RGBA mask, every row Up (rule 2)',
		{ width, height, colourType: 6, bitDepth: 8, filterOf: () => 2 },
		(x, y, n) => [...softMask(x, y, n), 255],
	],
	[
		'a gray mask, no filter (rule 2)',
		{ width, height, colourType: 0, bitDepth: 8, filterOf: () => 0 },
		(x, y, n) => [softMask(x, y, n)[0]],
	],
	[
		'a 16-bit gray and alpha cutout, opaque in its first rows (rule 1)',
		{ width, height, colourType: 4, bitDepth: 16 },
		(x, y) => [40 * 257, y < 20 || inDisc(x, y) ? 65535 : 0],
	],
	[
		'an RGBA cutout of a colourful object (rule 1)',
		{ width, height, colourType: 6, bitDepth: 8 },
		(x, y) => [x, y, 200, inDisc(x, y) ? 255 : 0],
	],
	[
		'an object on a plain background (rule 3)',
		{ width, height, colourType: 2, bitDepth: 8 },
		(x, y) => (inDisc(x, y) ? [200, 40 + (x % 50), 30] : [20, 90, 200]),
	],
	[
		'a gray object on black (rule 3)',
		{ width, height, colourType: 0, bitDepth: 8 },
		(x, y) => [inDisc(x, y) ? 128 : 0],
	],
	[
		'an interlaced mask (decoded, then read)',
		{ width, height, colourType: 2, bitDepth: 8, interlaced: true },
		softMask,
	],
];

describe('a PNG read as it unpacks gives the mask of the PNG decoded', () => {
	it.each(CASES)('%s', async (_name, layout, colour) => {
		const samples = drawn(colour).flat();
		const file = encodePng({ ...layout, samples });
		const raster = await decodePng(file, MAX, slice());
		const decoded = await maskFromPicture(raster, slice());
		const read = await maskFromFile(file, MAX, slice());
		expect([read.form, read.format, read.size]).toEqual([decoded.form, 'png', { width, height }]);
		expect(Buffer.from(read.gray).equals(Buffer.from(decoded.gray))).toBe(true);
		const plain = plainRules(raster);
		expect(plain?.form ?? 'cutoutOnSolid').toBe(read.form);
		if (plain) expect(Array.from(read.gray)).toEqual(plain.gray);
	});

	it('a gray PNG whose tRNS key draws a cutout (rule 1)', async () => {
		const samples = drawn((x, y) => [inDisc(x, y) ? 90 : 7]).flat();
		const file = encodePng({ width, height, colourType: 0, bitDepth: 8, samples, trns: [0, 7] });
		const read = await maskFromFile(file, MAX, slice());
		const raster = await decodePng(file, MAX, slice());
		expect(read.form).toBe('cutout');
		expect(Array.from(read.gray)).toEqual(plainRules(raster)?.gray);
	});

	it('refuses a photo as a picture decoded is refused, after its size is checked', async () => {
		const next = seeded(3);
		const samples = Array.from({ length: width * height * 3 }, () => Math.floor(next() * 256));
		const file = encodePng({ width, height, colourType: 2, bitDepth: 8, samples });
		await expect(maskFromFile(file, MAX, slice())).rejects.toThrow(/The picture is not a mask/);
		const check = () => {
			throw new Error('another size');
		};
		await expect(maskFromFile(file, MAX, slice(), check)).rejects.toThrow('another size');
		await expect(maskFromFile(file, 1000, slice())).rejects.toThrow(/more than the 1000 pixels/);
	});

	it('reads a JPEG mask decoded, as before', async () => {
		const rgba = new Uint8Array(drawn((x, y, n) => [...softMask(x, y, n), 255]).flat());
		const raster: Raster = { width, height, rgba, hasAlpha: false };
		const file = await encodeJpeg(raster, { quality: 90, subsampling: '4:2:0' }, slice());
		const read = await maskFromFile(file, MAX, slice());
		expect([read.form, read.format]).toEqual(['mask', 'jpeg']);
	});
});
