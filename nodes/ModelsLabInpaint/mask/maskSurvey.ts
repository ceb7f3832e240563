import type { TimeSlice } from '../../shared/pacing/timeSlice';
import { sameBytes, type Raster } from '../codecs/raster';

/**
 * The first look at a mask picture (maskFromPicture.ts has the rules), made in one pass over its
 * rows as they come, from a decoded picture or from a PNG as it unpacks: the counts the rules
 * decide the picture's kind by and, ready for the likely answer, each pixel's level as a
 * black-and-white mask (rule 2) and, when asked, its alpha (rule 1). A row equal to the row above
 * (most rows of a mask) repeats that row's levels and counts without its pixels being visited.
 *
 * Memory: the levels (1 byte a pixel); the alpha (1 byte a pixel) only when asked for and once a
 * pixel is not opaque.
 */

export const COLOUR_SPREAD = 32;
export const DARK_BELOW = 64;
export const BRIGHT_FROM = 192;
export const NOISE_BLACK = 16;
export const NOISE_WHITE = 239;

/** 0 up to `low`, 255 from `high`, a rounded ramp between. */
export const ramp = (value: number, low: number, high: number) =>
	value <= low ? 0 : value >= high ? 255 : (((value - low) * 255) / (high - low) + 0.5) | 0;

/** A luminance's level as a mask: the ends stretched, so JPEG noise leaves no faint repaint. */
const MASK_LEVEL = Uint8Array.from({ length: 256 }, (_, level) =>
	ramp(level, NOISE_BLACK, NOISE_WHITE),
);

/** What the rules count: pixels not opaque, the alpha span, coloured, bright and mid-tone pixels. */
export interface SurveyCounts {
	translucent: number;
	alphaMin: number;
	alphaMax: number;
	coloured: number;
	bright: number;
	midTones: number;
}

export class PictureSurvey {
	readonly counts: SurveyCounts = {
		translucent: 0,
		alphaMin: 255,
		alphaMax: 0,
		coloured: 0,
		bright: 0,
		midTones: 0,
	};
	/** Each pixel's level as a black-and-white mask: its BT.601 luminance, the ends stretched. */
	readonly levels: Uint8Array;
	/** Each pixel's alpha, once a pixel is not opaque (and only if asked for). */
	alpha: Uint8Array | undefined;
	/** The counts of the last row visited, which a repeat of it adds again. */
	private readonly last = { translucent: 0, coloured: 0, bright: 0, midTones: 0 };

	constructor(
		readonly width: number,
		readonly height: number,
		private readonly keepAlpha: boolean,
	) {
		this.levels = new Uint8Array(width * height);
	}

	/** Row `y`, from its RGBA pixels at rgba[at...]. */
	row(rgba: Uint8Array, at: number, y: number): void {
		const { width, levels, alpha, counts } = this;
		const maskLevel = MASK_LEVEL;
		const first = y * width;
		let translucent = 0;
		let coloured = 0;
		let bright = 0;
		let midTones = 0;
		let { alphaMin, alphaMax } = counts;
		// Per pixel: no Math.* nor helper calls (global lookups are slow in jest's vm context).
		for (let p = first, i = at, end = first + width; p < end; p++, i += 4) {
			const red = rgba[i];
			const green = rgba[i + 1];
			const blue = rgba[i + 2];
			const opacity = rgba[i + 3];
			if (opacity < 255) translucent++;
			if (opacity < alphaMin) alphaMin = opacity;
			if (opacity > alphaMax) alphaMax = opacity;
			const high = red > green ? (red > blue ? red : blue) : green > blue ? green : blue;
			const low = red < green ? (red < blue ? red : blue) : green < blue ? green : blue;
			if (high - low > COLOUR_SPREAD) coloured++;
			const level = (77 * red + 150 * green + 29 * blue) >> 8;
			if (level >= BRIGHT_FROM) bright++;
			else if (level >= DARK_BELOW) midTones++;
			levels[p] = maskLevel[level];
			if (alpha !== undefined) alpha[p] = opacity;
		}
		if (translucent > 0 && this.keepAlpha && alpha === undefined) {
			// The first pixel not opaque: every pixel before it was.
			const kept = new Uint8Array(width * this.height).fill(255, 0, first);
			for (let x = 0; x < width; x++) kept[first + x] = rgba[at + x * 4 + 3];
			this.alpha = kept;
		}
		Object.assign(counts, { alphaMin, alphaMax });
		Object.assign(this.last, { translucent, coloured, bright, midTones });
		this.addLast();
	}

	/** Row `y`, the same pixels as row y - 1. */
	repeat(y: number): void {
		const first = y * this.width;
		this.levels.copyWithin(first, first - this.width, first);
		this.alpha?.copyWithin(first, first - this.width, first);
		this.addLast();
	}

	private addLast(): void {
		const { counts, last } = this;
		counts.translucent += last.translucent;
		counts.coloured += last.coloured;
		counts.bright += last.bright;
		counts.midTones += last.midTones;
	}
}

/** A decoded picture surveyed row by row, rows equal to the row above found natively. */
export async function surveyRaster(
	{ width, height, rgba }: Raster,
	slice: TimeSlice,
): Promise<PictureSurvey> {
	const survey = new PictureSurvey(width, height, false);
	const rowBytes = width * 4;
	for (let y = 0, at = 0; y < height; y++, at += rowBytes) {
		if (y > 0 && sameBytes(rgba, at, rgba, at - rowBytes, rowBytes)) survey.repeat(y);
		else survey.row(rgba, at, y);
		if (slice.over) await slice.next();
	}
	return survey;
}
