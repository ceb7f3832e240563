import { ImageDecodeError, sameBytes } from '../raster';

/**
 * A PNG's rows, one at a time: the filter undone in place (PNG spec §9), then the samples of
 * every colour type and bit depth expanded to 8-bit RGBA pixels. Hot loops: typed arrays only,
 * no allocation and no global looked up per byte.
 */

/** Samples per pixel of each colour type, and the bit depths it allows. */
export const COLOUR_TYPES: Record<number, { channels: number; depths: number[] }> = {
	0: { channels: 1, depths: [1, 2, 4, 8, 16] },
	2: { channels: 3, depths: [8, 16] },
	3: { channels: 1, depths: [1, 2, 4, 8] },
	4: { channels: 2, depths: [8, 16] },
	6: { channels: 4, depths: [8, 16] },
};

export interface PngHeader {
	width: number;
	height: number;
	bitDepth: number;
	colourType: number;
	interlaced: boolean;
}

export interface PngParts {
	compressed: Uint8Array;
	/** 256 RGBA entries; entries the file leaves out are opaque black. */
	palette: Uint8Array;
	paletteSize: number;
	/** The transparent gray or RGB value (raw samples), when tRNS gives one. */
	transparent: number[] | undefined;
	hasTrns: boolean;
}

/** Up rows are looked at in blocks of this many bytes for parts that do not change. */
const ZERO_BLOCK = 512;
const ZEROS = new Uint8Array(ZERO_BLOCK);

const damaged = (why: string) => new ImageDecodeError(`The PNG picture is damaged: ${why}.`);

let wordToByte: Uint8Array | undefined;
/** 16-bit sample → 8 bits, rounded (v / 257): a 64 KB table made on first use. */
function sixteenToEight(): Uint8Array {
	if (!wordToByte) {
		wordToByte = new Uint8Array(65536);
		for (let v = 0; v < 65536; v++) wordToByte[v] = Math.round(v / 257);
	}
	return wordToByte;
}

/** Undoes one row's filter in place; `prior` holds the row above (zeros for a pass's first). */
export function unfilter(
	data: Uint8Array,
	at: number,
	rowBytes: number,
	prior: Uint8Array,
	priorAt: number,
	bpp: number,
): void {
	const filter = data[at - 1];
	const end = at + rowBytes;
	if (filter === 0) return;
	if (filter === 1) {
		for (let i = at + bpp; i < end; i++) data[i] += data[i - bpp];
	} else if (filter === 2) {
		for (let block = at; block < end; block += ZERO_BLOCK) {
			const stop = block + ZERO_BLOCK < end ? block + ZERO_BLOCK : end;
			const from = priorAt + block - at;
			// A block unchanged from the row above (most of a mask's row) is copied natively; its
			// ends are looked at first, so other rows are rarely compared.
			const same =
				data[block] === 0 && data[stop - 1] === 0 && sameBytes(data, block, ZEROS, 0, stop - block);
			if (same) data.set(prior.subarray(from, from + stop - block), block);
			else for (let i = block, p = from; i < stop; i++, p++) data[i] += prior[p];
		}
	} else if (filter === 3) {
		for (let i = at, p = priorAt; i < end; i++, p++) {
			const left = i - at >= bpp ? data[i - bpp] : 0;
			data[i] += (left + prior[p]) >> 1;
		}
	} else if (filter === 4) {
		for (let i = at, p = priorAt; i < at + bpp && i < end; i++, p++) data[i] += prior[p];
		for (let i = at + bpp, p = priorAt + bpp; i < end; i++, p++) {
			const a = data[i - bpp];
			const b = prior[p];
			const c = prior[p - bpp];
			// Absolute values by hand: no global (Math) looked up per byte.
			let pa = b - c;
			let pb = a - c;
			let pc = pa + pb;
			if (pa < 0) pa = -pa;
			if (pb < 0) pb = -pb;
			if (pc < 0) pc = -pc;
			data[i] += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
		}
	} else {
		throw damaged(`a row uses an unknown filter (${filter})`);
	}
}

/** One unfiltered row → RGBA pixels at `out[o]`, `step` bytes apart. */
export function expandRow(
	h: PngHeader,
	parts: PngParts,
	row: Uint8Array,
	at: number,
	count: number,
	out: Uint8Array,
	o: number,
	step: number,
): void {
	const depth = h.bitDepth;
	const t = parts.transparent;
	const wide = depth === 16 ? sixteenToEight() : undefined;
	if (h.colourType === 0 || h.colourType === 3) {
		const palette = h.colourType === 3 ? parts.palette : undefined;
		const mask = (1 << depth) - 1;
		const scale = 255 / mask;
		const key = t ? t[0] : -1;
		for (let x = 0; x < count; x++, o += step) {
			let v: number;
			if (depth === 8) v = row[at + x];
			else if (depth === 16) v = (row[at + 2 * x] << 8) | row[at + 2 * x + 1];
			else {
				const bit = x * depth;
				v = (row[at + (bit >> 3)] >> (8 - depth - (bit & 7))) & mask;
			}
			if (palette) {
				const p = v * 4;
				out[o] = palette[p];
				out[o + 1] = palette[p + 1];
				out[o + 2] = palette[p + 2];
				out[o + 3] = palette[p + 3];
			} else {
				const gray = wide ? wide[v] : depth === 8 ? v : v * scale;
				out[o] = out[o + 1] = out[o + 2] = gray;
				out[o + 3] = v === key ? 0 : 255;
			}
		}
		return;
	}
	const channels = COLOUR_TYPES[h.colourType].channels;
	const bytesPerPixel = (channels * depth) >> 3;
	// 8-bit RGBA, not interlaced: the row is already the pixels.
	if (channels === 4 && !wide && step === 4) {
		out.set(row.subarray(at, at + count * 4), o);
		return;
	}
	for (let x = 0, i = at; x < count; x++, o += step, i += bytesPerPixel) {
		if (wide) {
			const s0 = (row[i] << 8) | row[i + 1];
			const s1 = (row[i + 2] << 8) | row[i + 3];
			if (channels === 2) {
				out[o] = out[o + 1] = out[o + 2] = wide[s0];
				out[o + 3] = wide[s1];
				continue;
			}
			const s2 = (row[i + 4] << 8) | row[i + 5];
			out[o] = wide[s0];
			out[o + 1] = wide[s1];
			out[o + 2] = wide[s2];
			if (channels === 4) out[o + 3] = wide[(row[i + 6] << 8) | row[i + 7]];
			else out[o + 3] = t && s0 === t[0] && s1 === t[1] && s2 === t[2] ? 0 : 255;
		} else if (channels === 2) {
			out[o] = out[o + 1] = out[o + 2] = row[i];
			out[o + 3] = row[i + 1];
		} else {
			out[o] = row[i];
			out[o + 1] = row[i + 1];
			out[o + 2] = row[i + 2];
			if (channels === 4) out[o + 3] = row[i + 3];
			else
				out[o + 3] = t && row[i] === t[0] && row[i + 1] === t[1] && row[i + 2] === t[2] ? 0 : 255;
		}
	}
}
