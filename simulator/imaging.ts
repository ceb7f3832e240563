/**
 * Fake "inpainting": the output keeps the init image (scaled to the requested size) and paints a
 * striped pattern where the mask is white. The pattern colour comes from a hash of the prompt and
 * each sample is shifted slightly, so a person (or a test) can see that the masked area changed,
 * that the prompt mattered, and that samples differ.
 */
import { createHash } from 'crypto';
import { defaultMaskBox } from './drawing';
import { encodePng, type Raster } from './png-codec';

export interface RenderSource {
	init?: Raster;
	mask?: Raster;
	prompt: string;
	/** settings.outsideDrift when the job was submitted. */
	outsideDrift?: number;
}

/** Nearest-neighbour scaling, as the brief asks: fast and good enough to show the layout. */
export function scaleNearest(source: Raster, width: number, height: number): Raster {
	if (source.width === width && source.height === height) return source;
	const rgba = new Uint8Array(width * height * 4);
	for (let y = 0; y < height; y++) {
		const sy = Math.min(source.height - 1, Math.floor((y * source.height) / height));
		for (let x = 0; x < width; x++) {
			const sx = Math.min(source.width - 1, Math.floor((x * source.width) / width));
			const s = (sy * source.width + sx) * 4;
			const o = (y * width + x) * 4;
			rgba[o] = source.rgba[s];
			rgba[o + 1] = source.rgba[s + 1];
			rgba[o + 2] = source.rgba[s + 2];
			rgba[o + 3] = source.rgba[s + 3];
		}
	}
	return { width, height, rgba };
}

/** A bright colour derived from the prompt, so different prompts give visibly different patches. */
export function promptColour(prompt: string): [number, number, number] {
	const digest = createHash('sha256').update(prompt).digest();
	// Stretch to 64..255 so the colour never disappears into a dark background.
	return [64 + (digest[0] % 192), 64 + (digest[1] % 192), 64 + (digest[2] % 192)];
}

/** 1 where a mask picture is white (luminance > 127 after compositing onto black), as inpaint reads masks. */
export function whiteBits(mask: Raster, width: number, height: number): Uint8Array {
	const scaled = scaleNearest(mask, width, height);
	const bits = new Uint8Array(width * height);
	for (let i = 0; i < bits.length; i++) {
		const o = i * 4;
		const luminance =
			0.299 * scaled.rgba[o] + 0.587 * scaled.rgba[o + 1] + 0.114 * scaled.rgba[o + 2];
		bits[i] = (luminance * scaled.rgba[o + 3]) / 255 > 127 ? 1 : 0;
	}
	return bits;
}

/** 1 where the mask is white (> 127 after compositing onto black), else 0. */
function maskBits(mask: Raster | undefined, width: number, height: number): Uint8Array {
	const bits = new Uint8Array(width * height);
	if (!mask) {
		// Unknown mask (e.g. an external URL we must not fetch): mark the default central box.
		const box = defaultMaskBox(width, height);
		for (let y = box.y; y < Math.min(height, box.y + box.height); y++) {
			bits.fill(1, y * width + box.x, y * width + Math.min(width, box.x + box.width));
		}
		return bits;
	}
	return whiteBits(mask, width, height);
}

/** Used when there is no readable init image: a diagonal gradient tinted by the prompt. */
function gradient(width: number, height: number, prompt: string, sampleIndex: number): Raster {
	const [r, g, b] = promptColour(`${prompt}#background`);
	const rgba = new Uint8Array(width * height * 4);
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const t = (x / width + y / height) / 2;
			const o = (y * width + x) * 4;
			rgba[o] = r * (0.4 + 0.6 * t);
			rgba[o + 1] = g * (0.4 + 0.6 * (1 - t));
			rgba[o + 2] = (b + sampleIndex * 20) % 256;
			rgba[o + 3] = 255;
		}
	}
	return { width, height, rgba };
}

/** Renders output number `sampleIndex` (0-based) of a job as PNG bytes. */
export function renderOutput(
	source: RenderSource,
	width: number,
	height: number,
	sampleIndex: number,
): Buffer {
	const base = source.init
		? scaleNearest(source.init, width, height)
		: gradient(width, height, source.prompt, sampleIndex);
	const rgba = Uint8Array.from(base.rgba);
	const bits = maskBits(source.mask, width, height);
	const [r, g, b] = promptColour(source.prompt);
	const shade = sampleIndex * 18; // each sample a little different
	const period = 24;
	const drift = source.outsideDrift ?? 0;
	for (let y = 0; y < height; y++) {
		for (let x = 0; x < width; x++) {
			const i = y * width + x;
			if (!bits[i]) {
				if (drift > 0) driftPixel(rgba, i * 4, ((x * 7 + y * 13) % (2 * drift + 1)) - drift);
				continue;
			}
			const stripe = (x + y + sampleIndex * 6) % period < period / 2;
			const o = i * 4;
			const k = stripe ? 1 : 0.6;
			// 85 % pattern over 15 % original keeps a ghost of what was there, like a real inpaint blend.
			rgba[o] = 0.85 * Math.min(255, r * k + shade) + 0.15 * rgba[o];
			rgba[o + 1] = 0.85 * Math.max(0, g * k - shade) + 0.15 * rgba[o + 1];
			rgba[o + 2] = 0.85 * b * k + 0.15 * rgba[o + 2];
			rgba[o + 3] = 255;
		}
	}
	return encodePng(width, height, rgba, { level: 3 });
}

/** Moves a pixel's colour by `offset` levels, clamped to 0–255 (alpha kept). */
function driftPixel(rgba: Uint8Array, o: number, offset: number): void {
	for (let c = o; c < o + 3; c++) rgba[c] = Math.min(255, Math.max(0, rgba[c] + offset));
}
