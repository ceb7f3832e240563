/**
 * A mask read from a picture a ModelsLab job returned (a mask of "the sofa", of the subject, of
 * the background). What such jobs return is not documented, so the picture's kind is guessed by
 * three rules, tried in order; the thresholds are heuristics, chosen with room for JPEG noise:
 *
 * 1. Cutout: the picture has transparency that is used: at least 0.5 % of its pixels are not fully
 *    opaque and the alpha levels span at least 128 (a uniform alpha draws no shape). The alpha
 *    channel is the mask.
 * 2. Mask: the picture is gray and two-toned: at most 1 % of its pixels have a colour (channels
 *    more than 32 apart; JPEG noise on gray stays far below), and among the pixels that are not
 *    dark (luminance 64 and up) the near-white ones (192 and up) are at least as many as the
 *    mid-tones (a soft edge is a thin band; a gray object on black fills an area with them). The
 *    luminance is the mask, soft edges kept; the ends are stretched (16 and under → 0, 239 and up
 *    → 255) so JPEG noise on black and white does not leave a faint repaint everywhere.
 * 3. Cutout on a solid background: anything else. The background is the colour most common on the
 *    picture's border, found in a 16-level-per-channel histogram over 3 × 3 × 3 neighbouring
 *    bins (so JPEG noise across a bin's edge still counts), then averaged over the border pixels
 *    near it; it must cover at least 40 % of the border, or the picture is refused as a photo
 *    rather than a mask. A pixel is the object by how far its colour is from the background (the
 *    largest channel difference): 0 up to 24, 255 from 48, a ramp between (the anti-aliased edge).
 *    Then pixels the background cannot reach from the border (dark shadows inside the object) are
 *    the object too, so a black sofa on black leaves no holes; an enclosed gap (a mug's handle)
 *    is filled the same way.
 *
 * The counts the rules need and the levels of rule 2 come from one pass (maskSurvey.ts); rules 1
 * and 3 read the picture again. Every loop pauses between rows once the time slice is used up.
 * Memory: besides the picture (4 N bytes for N pixels), the survey's levels, which become the mask
 * (N bytes), and, for rule 3 only, a mark per pixel (N bytes) and a stack of fill seeds (4 N
 * bytes): at most 6 N bytes more. (maskPicture.ts reads a PNG without the picture: the survey
 * then keeps the alpha too, N bytes, and only rule 3 decodes the picture.)
 */

import type { TimeSlice } from '../../shared/pacing/timeSlice';
import type { Raster } from '../codecs/raster';
import { PictureSurvey, ramp, surveyRaster } from './maskSurvey';

export type MaskForm = 'mask' | 'cutout' | 'cutoutOnSolid';

export interface PictureMask {
	/** width × height gray levels, 255 = the object. */
	gray: Uint8Array;
	form: MaskForm;
}

const MIN_TRANSLUCENT_SHARE = 0.005;
const MIN_ALPHA_SPAN = 128;
const MAX_COLOURED_SHARE = 0.01;
const MIN_BACKGROUND_BORDER_SHARE = 0.4;
const BACKGROUND_UP_TO = 24;
const OBJECT_FROM = 48;

/* A per-pixel helper avoids Math.*: global lookups are slow in hot loops in jest's vm context. */

/** The largest of three channel differences, each taken without its sign. */
function farthest(red: number, green: number, blue: number): number {
	const r = red < 0 ? -red : red;
	const g = green < 0 ? -green : green;
	const b = blue < 0 ? -blue : blue;
	return r > g ? (r > b ? r : b) : g > b ? g : b;
}

/** Each pixel's mask level from its RGBA bytes (at offset `i`), written row by row into `gray`. */
async function mapPixels(
	{ width, height }: Raster,
	level: (i: number) => number,
	gray: Uint8Array,
	slice: TimeSlice,
): Promise<Uint8Array> {
	for (let y = 0; y < height; y++) {
		for (let p = y * width, end = p + width; p < end; p++) gray[p] = level(p * 4);
		if (slice.over) await slice.next();
	}
	return gray;
}

/** The indices (× 4, into rgba) of the border pixels, each once. */
function borderOffsets(width: number, height: number): number[] {
	const offsets: number[] = [];
	for (let x = 0; x < width; x++) offsets.push(x * 4);
	for (let x = 0; height > 1 && x < width; x++) offsets.push(((height - 1) * width + x) * 4);
	for (let y = 1; y < height - 1; y++) offsets.push(y * width * 4);
	for (let y = 1; width > 1 && y < height - 1; y++) offsets.push((y * width + width - 1) * 4);
	return offsets;
}

/** The 27 bins around a bin, itself included, as channel steps. */
const NEIGHBOURS = [-1, 0, 1].flatMap((r) =>
	[-1, 0, 1].flatMap((g) => [-1, 0, 1].map((b) => [r, g, b])),
);

/** The border's most common colour (within JPEG noise), or undefined when no colour dominates it. */
function backgroundColour({ width, height, rgba }: Raster): number[] | undefined {
	const bin = (i: number) => ((rgba[i] >> 4) << 8) | ((rgba[i + 1] >> 4) << 4) | (rgba[i + 2] >> 4);
	const border = borderOffsets(width, height);
	const histogram = new Uint32Array(4096);
	for (const i of border) histogram[bin(i)]++;
	const near = (a: number, b: number) =>
		Math.abs((a >> 8) - (b >> 8)) <= 1 &&
		Math.abs(((a >> 4) & 15) - ((b >> 4) & 15)) <= 1 &&
		Math.abs((a & 15) - (b & 15)) <= 1;
	let best = 0;
	let bestCount = -1;
	for (let centre = 0; centre < 4096; centre++) {
		if (histogram[centre] === 0) continue;
		let count = 0;
		for (const [r, g, b] of NEIGHBOURS) {
			const [cr, cg, cb] = [(centre >> 8) + r, ((centre >> 4) & 15) + g, (centre & 15) + b];
			if (cr >= 0 && cr < 16 && cg >= 0 && cg < 16 && cb >= 0 && cb < 16) {
				count += histogram[(cr << 8) | (cg << 4) | cb];
			}
		}
		if (count > bestCount) [best, bestCount] = [centre, count];
	}
	if (bestCount < MIN_BACKGROUND_BORDER_SHARE * border.length) return undefined;
	const sum = [0, 0, 0];
	for (const i of border) {
		if (!near(bin(i), best)) continue;
		for (let c = 0; c < 3; c++) sum[c] += rgba[i + c];
	}
	return sum.map((total) => total / bestCount);
}

/**
 * Marks as the object (255) every pixel the background cannot reach from the border, moving
 * through pixels below 255. A scanline fill: each seed fills its run along the row, and pushes one
 * seed per open run of the rows above and below, so pixels are read mostly in order.
 */
async function fillEnclosed(gray: Uint8Array, width: number, height: number, slice: TimeSlice) {
	const reached = new Uint8Array(width * height);
	const seeds = new Int32Array(width * height);
	let count = 0;
	const open = (p: number) => reached[p] === 0 && gray[p] < 255;
	const seed = (p: number) => {
		reached[p] = 1;
		seeds[count++] = p;
	};
	/** Seeds one pixel of each open run of the row starting at `start`, from x = left to right. */
	const seedRuns = (start: number, left: number, right: number) => {
		for (let x = left; x <= right; x++) {
			if (!open(start + x)) continue;
			seed(start + x);
			while (x < right && open(start + x + 1)) x++;
		}
	};
	for (const offset of borderOffsets(width, height)) if (open(offset / 4)) seed(offset / 4);
	for (let filled = 0; count > 0; filled++) {
		const p = seeds[--count];
		const start = p - (p % width);
		let left = p - start;
		let right = left;
		while (left > 0 && open(start + left - 1)) reached[start + --left] = 1;
		while (right < width - 1 && open(start + right + 1)) reached[start + ++right] = 1;
		if (start > 0) seedRuns(start - width, left, right);
		if (start + width < gray.length) seedRuns(start + width, left, right);
		if (filled % 64 === 0 && slice.over) await slice.next();
	}
	for (let y = 0; y < height; y++) {
		for (let p = y * width, end = p + width; p < end; p++) if (reached[p] === 0) gray[p] = 255;
		if (slice.over) await slice.next();
	}
}

/** The mask a picture holds, and which of the three kinds it was taken to be. */
export async function maskFromPicture(raster: Raster, slice: TimeSlice): Promise<PictureMask> {
	const { width, height, rgba } = raster;
	const whole = (value: number) => Number.isInteger(value) && value >= 1;
	if (!whole(width) || !whole(height) || rgba.length !== width * height * 4) {
		throw new Error(`A ${width}×${height} picture cannot have ${rgba.length} bytes of pixels`);
	}
	const survey = await surveyRaster(raster, slice);
	return await maskFromSurvey(survey, raster.hasAlpha, async () => raster, slice);
}

/**
 * The mask of a surveyed picture, by the rules: its alpha (kept by the survey, or read from the
 * picture), its levels as the survey made them, or (rule 3) read from the picture's pixels; the
 * survey's levels are the mask's memory in the last two cases.
 */
export async function maskFromSurvey(
	survey: PictureSurvey,
	hasAlpha: boolean,
	picture: () => Promise<Raster>,
	slice: TimeSlice,
): Promise<PictureMask> {
	const { counts, levels } = survey;
	const pixels = survey.width * survey.height;
	if (
		hasAlpha &&
		counts.translucent >= MIN_TRANSLUCENT_SHARE * pixels &&
		counts.alphaMax - counts.alphaMin >= MIN_ALPHA_SPAN
	) {
		if (survey.alpha) return { gray: survey.alpha, form: 'cutout' };
		const raster = await picture();
		const gray = await mapPixels(raster, (i) => raster.rgba[i + 3], levels, slice);
		return { gray, form: 'cutout' };
	}
	if (counts.coloured <= MAX_COLOURED_SHARE * pixels && counts.bright >= counts.midTones) {
		return { gray: levels, form: 'mask' };
	}
	const raster = await picture();
	const background = backgroundColour(raster);
	if (!background) {
		throw new Error(
			'The picture is not a mask: it is neither black and white, nor a cutout on transparency, nor an object on a plain background',
		);
	}
	const { rgba } = raster;
	const [red, green, blue] = background;
	const distance = (i: number) => farthest(rgba[i] - red, rgba[i + 1] - green, rgba[i + 2] - blue);
	const level = (i: number) => ramp(distance(i), BACKGROUND_UP_TO, OBJECT_FROM);
	const gray = await mapPixels(raster, level, levels, slice);
	await fillEnclosed(gray, raster.width, raster.height, slice);
	return { gray, form: 'cutoutOnSolid' };
}
