/**
 * The orientation a camera recorded in a JPEG's Exif data (APP1, TIFF tag 0x0112): how the
 * picture must be turned to stand upright. Only read here; turning it is a later step's job.
 * Every offset is checked against the segment, so a damaged Exif block just means "upright" (1).
 */

/** Orientation values 1..8 (1: as stored; 6: turn 90° clockwise; ...). */
export const UPRIGHT = 1;

const ORIENTATION_TAG = 0x0112;
const SHORT = 3;

const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0, 0]; // "Exif\0\0"

/** Whether an APP1 segment's body is Exif data (and not, say, XMP). */
export const isExif = (segment: Uint8Array) =>
	segment.length >= 14 && EXIF_HEADER.every((byte, i) => segment[i] === byte);

const ICC_HEADER = [...'ICC_PROFILE'].map((ch) => ch.charCodeAt(0)).concat(0);

/** Whether an APP2 segment's body is (a chunk of) an ICC colour profile. */
export const isIcc = (body: Uint8Array) =>
	body.length > ICC_HEADER.length && ICC_HEADER.every((byte, i) => body[i] === byte);

/** The orientation in an APP1 segment's body, or undefined when it is not Exif or names none. */
export function exifOrientation(segment: Uint8Array): number | undefined {
	if (!isExif(segment)) return undefined;
	const tiff = segment.subarray(6);
	const little = tiff[0] === 0x49 && tiff[1] === 0x49;
	if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return undefined;
	const u16 = (i: number) => (little ? tiff[i] | (tiff[i + 1] << 8) : (tiff[i] << 8) | tiff[i + 1]);
	const u32 = (i: number) =>
		little ? (u16(i) | (u16(i + 2) << 16)) >>> 0 : ((u16(i) << 16) | u16(i + 2)) >>> 0;
	if (u16(2) !== 42) return undefined;
	const directory = u32(4);
	if (directory + 2 > tiff.length) return undefined;
	const entries = u16(directory);
	for (let i = 0; i < entries; i++) {
		const entry = directory + 2 + i * 12;
		if (entry + 12 > tiff.length) return undefined;
		if (u16(entry) !== ORIENTATION_TAG) continue;
		const value = u16(entry) === ORIENTATION_TAG && u16(entry + 2) === SHORT ? u16(entry + 8) : 0;
		return value >= 1 && value <= 8 ? value : undefined;
	}
	return undefined;
}
