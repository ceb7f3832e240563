/**
 * Large outputs (`settings.outputImageBytes`): real generations of 1024×1024 are 1.5–3+ MB PNGs,
 * far more than the simulator's flat drawings. This draws a picture of the job's size whose PNG is
 * about the asked number of bytes: a smooth sky-to-ground gradient, and
 * grainy film (strong noise) over as many rows from the top as it takes to reach the size. Each
 * size is drawn once and cached: drawing 3 MB of PNG takes about a second.
 */
import { encodePng } from './png-codec';

const cache = new Map<string, Buffer>();
const MOST_CACHED = 4;

/** A small, fast, deterministic generator, so the same size always gives the same file. */
function noiseFrom(seed: number) {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 0xffffffff;
	};
}

function draw(width: number, height: number, grainyRows: number): Buffer {
	const rgba = new Uint8Array(width * height * 4);
	const noise = noiseFrom(width * 7919 + height);
	const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
	for (let y = 0; y < height; y++) {
		const grainy = y < grainyRows;
		for (let x = 0; x < width; x++) {
			const o = (y * width + x) * 4;
			const t = y / height;
			const base = [70 + 150 * t, 130 + 60 * t, 220 - 150 * t];
			for (let c = 0; c < 3; c++) {
				const n = grainy ? (noise() - 0.5) * 255 : 0;
				rgba[o + c] = clamp(base[c] + (x / width) * 20 + n);
			}
			rgba[o + 3] = 255;
		}
	}
	return encodePng(width, height, rgba, { level: 6 });
}

/** A PNG of width × height of about `bytes` (smaller when even all-grainy cannot reach it). */
export function largeOutputPng(width: number, height: number, bytes: number): Buffer {
	const key = `${width}x${height}:${bytes}`;
	const cached = cache.get(key);
	if (cached) return cached;
	// What one row costs, grainy and smooth, from two 16-row strips.
	const strip = Math.min(16, height);
	const grainyRow = draw(width, strip, strip).length / strip;
	const smoothRow = draw(width, strip, 0).length / strip;
	const clampRows = (rows: number) => Math.max(0, Math.min(height, Math.round(rows)));
	let rows = clampRows((bytes - smoothRow * height) / Math.max(1, grainyRow - smoothRow));
	let png = draw(width, height, rows);
	// Strips misjudge deflate over a whole picture a little: one correction, in proportion.
	if (rows > 0 && rows < height && Math.abs(png.length - bytes) > bytes * 0.05) {
		rows = clampRows((rows * bytes) / png.length);
		png = draw(width, height, rows);
	}
	if (cache.size >= MOST_CACHED) cache.delete(cache.keys().next().value as string);
	cache.set(key, png);
	return png;
}
