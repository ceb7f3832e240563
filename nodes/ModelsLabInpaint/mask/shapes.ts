/**
 * Masks drawn from shapes: rectangles and ellipses, in pixels or in percent of the init image,
 * repainting inside or outside them, with an optional soft edge. The mask is a grayscale PNG
 * exactly the size of the init image, white (255) where the image is repainted.
 *
 * Everything here is plain TypeScript: n8n Cloud does not let community nodes import zlib, so the
 * PNG is compressed by the small deflate encoder at the end of this file (see encodeGrayPng).
 */

export interface MaskShape {
	kind: 'rectangle' | 'ellipse';
	left: number;
	top: number;
	width: number;
	height: number;
	unit: 'pixels' | 'percent';
}

export interface MaskSpec {
	shapes: MaskShape[];
	/** 'inside': the shapes are repainted; 'outside': the shapes are kept and the rest is repainted. */
	repaint: 'inside' | 'outside';
	/** Width of the soft edge in pixels, centred on the shapes' outlines; 0 draws a hard edge. */
	featherPixels: number;
}

export interface ImageSize {
	width: number;
	height: number;
}

export const MAX_SHAPES = 20;
export const MAX_FEATHER_PIXELS = 256;
/** A shape may reach past the image, but not absurdly far (it would only cost time). */
export const MAX_SHAPE_PIXELS = 1_000_000;
/** The largest image a mask is drawn for: 4096 × 4096 (the mask is built in memory, 1 byte a pixel). */
export const MAX_MASK_PIXELS = 4096 * 4096;

const FIELDS = [
	['left', 'Left'],
	['top', 'Top'],
	['width', 'Width'],
	['height', 'Height'],
] as const;

const shown = (value: unknown) =>
	typeof value === 'string' ? JSON.stringify(value) : String(value as number);

const isWholeSize = (value: unknown) =>
	typeof value === 'number' && Number.isInteger(value) && value >= 1;

/** A shape's box in pixels of `image` (percent values are of the image's width or height). */
export function shapeInPixels(shape: MaskShape, image: ImageSize) {
	const percent = shape.unit === 'percent';
	const x = (value: number) => (percent ? (value * image.width) / 100 : value);
	const y = (value: number) => (percent ? (value * image.height) / 100 : value);
	return { left: x(shape.left), top: y(shape.top), width: x(shape.width), height: y(shape.height) };
}

function checkShape(shape: MaskShape, name: string, image: ImageSize): string | undefined {
	if (typeof shape !== 'object' || shape === null) {
		return `${name} is not a shape (got ${shown(shape)})`;
	}
	if (shape.kind !== 'rectangle' && shape.kind !== 'ellipse') {
		return `${name}: "Kind" must be rectangle or ellipse (got ${shown(shape.kind)})`;
	}
	if (shape.unit !== 'pixels' && shape.unit !== 'percent') {
		return `${name}: "Unit" must be pixels or percent (got ${shown(shape.unit)})`;
	}
	const unit = shape.unit === 'percent' ? ' %' : ' pixels';
	for (const [key, label] of FIELDS) {
		const value: unknown = shape[key];
		if (typeof value !== 'number' || !Number.isFinite(value)) {
			return `${name}: "${label}" must be a number (got ${shown(value)})`;
		}
		if (value < 0) return `${name}: "${label}" must not be negative (got ${value}${unit})`;
		if (shape.unit === 'percent' && value > 100) {
			return `${name}: "${label}" must be at most 100 % (got ${value} %)`;
		}
		if (shape.unit === 'pixels' && value > MAX_SHAPE_PIXELS) {
			return `${name}: "${label}" must be at most ${MAX_SHAPE_PIXELS} pixels (got ${value} pixels)`;
		}
	}
	for (const [key, label] of [FIELDS[2], FIELDS[3]]) {
		if (shape[key] === 0) return `${name}: "${label}" is 0${unit}, so the shape has no area`;
	}
	const box = shapeInPixels(shape, image);
	const size = `${image.width}×${image.height}`;
	if (box.left >= image.width) {
		return `${name}: "Left" (${shape.left}${unit}) is at or past the right edge of the ${size} image, so the shape lies entirely outside it`;
	}
	if (box.top >= image.height) {
		return `${name}: "Top" (${shape.top}${unit}) is at or past the bottom edge of the ${size} image, so the shape lies entirely outside it`;
	}
	return undefined;
}

/**
 * What is wrong with a mask for an image of `image`'s size, said for a user and naming the shape
 * (1-based) and the field, or undefined when the mask can be drawn. The caller adds the item.
 * A shape partly outside the image is fine: it is clipped.
 */
export function checkMaskSpec(spec: MaskSpec, image: ImageSize): string | undefined {
	if (!isWholeSize(image?.width) || !isWholeSize(image?.height)) {
		return `The image's size must be whole pixels (got ${shown(image?.width)}×${shown(image?.height)})`;
	}
	if (image.width * image.height > MAX_MASK_PIXELS) {
		return `A mask can be drawn for images of up to ${MAX_MASK_PIXELS} pixels (4096×4096); the image is ${image.width}×${image.height}`;
	}
	const shapes: unknown = spec?.shapes;
	if (!Array.isArray(shapes) || shapes.length === 0) return 'The mask needs at least one shape';
	if (shapes.length > MAX_SHAPES) {
		return `The mask has ${shapes.length} shapes; at most ${MAX_SHAPES} are allowed`;
	}
	for (let index = 0; index < shapes.length; index++) {
		const problem = checkShape(shapes[index] as MaskShape, `Shape ${index + 1}`, image);
		if (problem) return problem;
	}
	if (spec.repaint !== 'inside' && spec.repaint !== 'outside') {
		return `"Repaint" must be inside or outside (got ${shown(spec.repaint)})`;
	}
	const feather: unknown = spec.featherPixels;
	if (
		typeof feather !== 'number' ||
		!Number.isFinite(feather) ||
		feather < 0 ||
		feather > MAX_FEATHER_PIXELS
	) {
		return `"Feather" must be 0 to ${MAX_FEATHER_PIXELS} pixels (got ${shown(feather)})`;
	}
	return undefined;
}

/**
 * How much of the shape a pixel centre is in, 0 to 255. Hard edges (feather 0): a rectangle holds
 * the centres with left <= x < left + width (and the same for y), an ellipse (the one inscribed
 * in the box) those with ((x - cx) / rx)² + ((y - cy) / ry)² <= 1.
 *
 * Soft edges: 255 × (0.5 + d / feather), clamped to 0..255, where d is the distance from the centre
 * to the outline, positive inside. The ramp is `feather` pixels wide, half inside the outline and
 * half outside. For rectangles d is exact. For ellipses it is the usual approximation
 * k0 (1 - k0) / k1 with k0 = |(px / rx, py / ry)| and k1 = |(px / rx², py / ry²)|: exact for
 * circles and along the axes, first-order exact near the outline (where the ramp is), and growing
 * steadily along every ray from the centre, so the edge is soft and monotonic.
 */
function shapeCoverage(shape: MaskShape, image: ImageSize, feather: number, out: Uint8Array): void {
	const box = shapeInPixels(shape, image);
	const x0 = box.left;
	const y0 = box.top;
	const x1 = box.left + box.width;
	const y1 = box.top + box.height;
	const half = feather / 2;
	const clampX = (value: number) => Math.min(image.width, Math.max(0, value));
	const clampY = (value: number) => Math.min(image.height, Math.max(0, value));
	const xStart = clampX(Math.floor(x0 - half));
	const xEnd = clampX(Math.ceil(x1 + half));
	const yStart = clampY(Math.floor(y0 - half));
	const yEnd = clampY(Math.ceil(y1 + half));
	// Tiny radii would overflow the ellipse's arithmetic; a thousandth of a pixel shows nothing anyway.
	const rx = Math.max(box.width / 2, 1e-3);
	const ry = Math.max(box.height / 2, 1e-3);
	const centreX = x0 + box.width / 2;
	const centreY = y0 + box.height / 2;
	const ramp = (distance: number) =>
		Math.round(255 * Math.min(1, Math.max(0, 0.5 + distance / feather)));
	for (let y = yStart; y < yEnd; y++) {
		const cy = y + 0.5;
		const row = y * image.width;
		for (let x = xStart; x < xEnd; x++) {
			const cx = x + 0.5;
			let value: number;
			if (shape.kind === 'rectangle') {
				if (feather === 0) {
					value = cx >= x0 && cx < x1 && cy >= y0 && cy < y1 ? 255 : 0;
				} else {
					const dx = Math.max(x0 - cx, cx - x1);
					const dy = Math.max(y0 - cy, cy - y1);
					const ox = Math.max(dx, 0);
					const oy = Math.max(dy, 0);
					const outside = Math.sqrt(ox * ox + oy * oy);
					value = ramp(-(outside + Math.min(Math.max(dx, dy), 0)));
				}
			} else {
				const nx = (cx - centreX) / rx;
				const ny = (cy - centreY) / ry;
				if (feather === 0) {
					value = nx * nx + ny * ny <= 1 ? 255 : 0;
				} else {
					// sqrt rather than Math.hypot, which is several times slower; the terms cannot overflow.
					const k0 = Math.sqrt(nx * nx + ny * ny);
					const k1 = Math.sqrt((nx * nx) / (rx * rx) + (ny * ny) / (ry * ry));
					value = ramp(k1 > 0 ? (k0 * (1 - k0)) / k1 : Math.min(rx, ry));
				}
			}
			if (value > out[row + x]) out[row + x] = value;
		}
	}
}

/**
 * The mask's gray levels, row by row (width × height bytes), 255 where the image is repainted.
 * Several shapes make their union (the largest value at each pixel). Throws when checkMaskSpec
 * finds a problem.
 */
export function maskPixels(spec: MaskSpec, image: ImageSize): Uint8Array {
	const problem = checkMaskSpec(spec, image);
	if (problem) throw new Error(problem);
	const pixels = new Uint8Array(image.width * image.height);
	for (const shape of spec.shapes) shapeCoverage(shape, image, spec.featherPixels, pixels);
	if (spec.repaint === 'outside') {
		for (let i = 0; i < pixels.length; i++) pixels[i] = 255 - pixels[i];
	}
	return pixels;
}

/** The mask as a grayscale 8-bit PNG of exactly the image's size; white (255) = repaint. */
export function drawMask(spec: MaskSpec, image: ImageSize): Buffer {
	return encodeGrayPng(image.width, image.height, maskPixels(spec, image));
}

// ---------------------------------------------------------------------------------------------
// PNG encoding without zlib.
//
// Each row gets the PNG filter (None, Sub or Up) that leaves the fewest changes between
// neighbouring bytes: rows equal to the row above become zeros (Up), linear ramps become constant
// (Sub). The filtered bytes are then compressed as one deflate block with the fixed Huffman codes
// (RFC 1951 §3.2.6), by greedy matching of two kinds only: a run of the byte just written
// (distance 1) and a copy of the bytes one row up (distance = row length). That is all a mask
// needs: a 1024 × 1024 mask takes a few kilobytes, and no input can make the output more than
// 9/8 of the filtered bytes (every literal costs at most 9 bits, every match less than its bytes
// as literals). The block is wrapped in a zlib stream (header 78 01, Adler-32 at the end).
// ---------------------------------------------------------------------------------------------

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const CRC_TABLE = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(bytes: Uint8Array, start: number, end: number): number {
	let c = 0xffffffff;
	for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}

function adler32(bytes: Uint8Array): number {
	let a = 1;
	let b = 0;
	// 5552 bytes is the most that can be summed before b could pass 2³² (zlib's NMAX).
	for (let start = 0; start < bytes.length; start += 5552) {
		const end = Math.min(bytes.length, start + 5552);
		for (let i = start; i < end; i++) {
			a += bytes[i];
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return ((b << 16) | a) >>> 0;
}

function reverseBits(code: number, length: number): number {
	let reversed = 0;
	for (let i = 0; i < length; i++) reversed |= ((code >>> i) & 1) << (length - 1 - i);
	return reversed;
}

/** Fixed Huffman codes for literal/length symbols 0..287, bit-reversed for LSB-first output. */
const LITERAL_CODES = new Uint16Array(288);
const LITERAL_LENGTHS = new Uint8Array(288);
for (let symbol = 0; symbol < 288; symbol++) {
	let code: number;
	let length: number;
	if (symbol < 144) [code, length] = [0x30 + symbol, 8];
	else if (symbol < 256) [code, length] = [0x190 + symbol - 144, 9];
	else if (symbol < 280) [code, length] = [symbol - 256, 7];
	else [code, length] = [0xc0 + symbol - 280, 8];
	LITERAL_CODES[symbol] = reverseBits(code, length);
	LITERAL_LENGTHS[symbol] = length;
}

const LENGTH_BASE = [
	3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
	163, 195, 227, 258,
];
const LENGTH_EXTRA = [
	0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DISTANCE_BASE = [
	1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049,
	3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DISTANCE_EXTRA = [
	0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
];
const MIN_MATCH = 3;
const MAX_MATCH = 258;
const MAX_DISTANCE = 32768;
/** A row-up match costs up to 31 bits, so it only pays from 4 bytes; 8 leaves a margin. */
const MIN_ROW_MATCH = 8;

/** The last table index whose base is at most `value`. */
function codeIndex(bases: number[], value: number): number {
	let index = 0;
	for (let i = 0; i < bases.length; i++) if (bases[i] <= value) index = i;
	return index;
}

/** Deflate symbols per match length 3..258: index into LENGTH_BASE. */
const LENGTH_INDEX = new Uint8Array(MAX_MATCH + 1);
for (let length = MIN_MATCH; length <= MAX_MATCH; length++) {
	LENGTH_INDEX[length] = codeIndex(LENGTH_BASE, length);
}

class BitWriter {
	readonly bytes: Uint8Array;
	length = 0;
	private buffer = 0;
	private count = 0;

	constructor(capacity: number) {
		this.bytes = new Uint8Array(capacity);
	}

	/** Writes the `count` (at most 16) low bits of `value`, least significant first. */
	write(value: number, count: number): void {
		this.buffer |= value << this.count;
		this.count += count;
		for (let i = 0; i < 3 && this.count >= 8; i++) {
			this.bytes[this.length++] = this.buffer & 0xff;
			this.buffer >>>= 8;
			this.count -= 8;
		}
	}

	flush(): void {
		if (this.count > 0) this.bytes[this.length++] = this.buffer & 0xff;
		this.buffer = 0;
		this.count = 0;
	}
}

function writeLiteral(out: BitWriter, symbol: number): void {
	out.write(LITERAL_CODES[symbol], LITERAL_LENGTHS[symbol]);
}

function writeMatch(out: BitWriter, length: number, distance: number): void {
	const lengthIndex = LENGTH_INDEX[length];
	writeLiteral(out, 257 + lengthIndex);
	if (LENGTH_EXTRA[lengthIndex] > 0) {
		out.write(length - LENGTH_BASE[lengthIndex], LENGTH_EXTRA[lengthIndex]);
	}
	const distanceIndex = codeIndex(DISTANCE_BASE, distance);
	out.write(reverseBits(distanceIndex, 5), 5);
	if (DISTANCE_EXTRA[distanceIndex] > 0) {
		out.write(distance - DISTANCE_BASE[distanceIndex], DISTANCE_EXTRA[distanceIndex]);
	}
}

/** How many bytes from `at` repeat the bytes `distance` before them, at most MAX_MATCH. */
function matchLength(data: Uint8Array, at: number, distance: number): number {
	const limit = Math.min(MAX_MATCH, data.length - at);
	let length = 0;
	for (; length < limit; length++) if (data[at + length] !== data[at + length - distance]) break;
	return length;
}

/**
 * A zlib stream (RFC 1950) of `data`: one final deflate block with fixed Huffman codes, matching
 * runs (distance 1) and, when `rowLength` is given, copies of the bytes one row up.
 */
export function zlibCompress(data: Uint8Array, rowLength = 0): Uint8Array {
	// Header 3 bits, at most 9 bits per byte, end of block 7 bits, then the 2 + 4 bytes around it.
	const out = new BitWriter(Math.ceil((data.length * 9 + 10) / 8) + 8);
	out.write(0x78, 8);
	out.write(0x01, 8);
	out.write(1, 1); // BFINAL: the only block
	out.write(1, 2); // BTYPE 01: fixed Huffman codes
	const rowDistance = rowLength > 0 && rowLength <= MAX_DISTANCE ? rowLength : 0;
	for (let at = 0; at < data.length; ) {
		const run = at >= 1 ? matchLength(data, at, 1) : 0;
		const up = rowDistance > 0 && at >= rowDistance ? matchLength(data, at, rowDistance) : 0;
		if (up >= MIN_ROW_MATCH && up > run) {
			writeMatch(out, up, rowDistance);
			at += up;
		} else if (run >= MIN_MATCH) {
			writeMatch(out, run, 1);
			at += run;
		} else {
			writeLiteral(out, data[at]);
			at += 1;
		}
	}
	writeLiteral(out, 256); // end of block
	out.flush();
	const checksum = adler32(data);
	for (let shift = 24; shift >= 0; shift -= 8) out.write((checksum >>> shift) & 0xff, 8);
	return out.bytes.subarray(0, out.length);
}

/** Filters each row (filter byte + bytes) with whichever of None, Sub and Up changes least often. */
function filterRows(width: number, height: number, pixels: Uint8Array): Uint8Array {
	const stride = width + 1;
	const filtered = new Uint8Array(stride * height);
	const predict = [
		() => 0,
		(row: number, x: number) => (x > 0 ? pixels[row + x - 1] : 0),
		(row: number, x: number) => (row > 0 ? pixels[row + x - width] : 0),
	];
	for (let y = 0; y < height; y++) {
		const row = y * width;
		let best = 2;
		let bestChanges = Infinity;
		for (const filter of [2, 1, 0]) {
			let changes = 0;
			let previous = -1;
			for (let x = 0; x < width; x++) {
				const value = (pixels[row + x] - predict[filter](row, x)) & 0xff;
				if (value !== previous) changes++;
				previous = value;
			}
			if (changes < bestChanges) [best, bestChanges] = [filter, changes];
		}
		const start = y * stride;
		filtered[start] = best;
		for (let x = 0; x < width; x++) {
			filtered[start + 1 + x] = (pixels[row + x] - predict[best](row, x)) & 0xff;
		}
	}
	return filtered;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
	const chunk = Buffer.alloc(12 + data.length);
	chunk.writeUInt32BE(data.length, 0);
	chunk.write(type, 4, 'latin1');
	chunk.set(data, 8);
	chunk.writeUInt32BE(crc32(chunk, 4, 8 + data.length), 8 + data.length);
	return chunk;
}

/** An 8-bit grayscale PNG (colour type 0) of `pixels`, width × height bytes row by row. */
export function encodeGrayPng(width: number, height: number, pixels: Uint8Array): Buffer {
	if (!isWholeSize(width) || !isWholeSize(height) || width * height > MAX_MASK_PIXELS) {
		throw new Error(`Cannot encode a ${width}×${height} mask`);
	}
	if (pixels.length !== width * height) {
		throw new Error(`Expected ${width * height} gray levels, got ${pixels.length}`);
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bit depth
	header[9] = 0; // colour type: grayscale
	// Compression 0 (deflate), filter method 0, no interlace: bytes 10 to 12 stay 0.
	return Buffer.concat([
		Buffer.from(PNG_SIGNATURE),
		pngChunk('IHDR', header),
		pngChunk('IDAT', zlibCompress(filterRows(width, height, pixels), width + 1)),
		pngChunk('IEND', new Uint8Array(0)),
	]);
}
