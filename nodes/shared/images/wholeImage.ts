import { sniffImageType } from './imageType';

/**
 * Telling a whole downloaded picture from one that was cut short. HTTP cannot: a cache or proxy
 * that stored a cut copy serves it with a matching content-length. Only the ends of a file and its
 * size are needed, so the picture never has to be held in memory.
 */

/** Bytes kept from each end of a file: enough for every signature above and every trailer below. */
export const END_BYTES = 16;

/**
 * A file's first and last bytes and its size: all that is needed to tell a whole picture from
 * one that was cut short, without holding the picture in memory.
 */
export interface FileEnds {
	head: Buffer;
	tail: Buffer;
	size: number;
}

export const fileEndsOf = (bytes: Buffer): FileEnds => ({
	head: bytes.subarray(0, END_BYTES),
	tail: bytes.subarray(Math.max(0, bytes.length - END_BYTES)),
	size: bytes.length,
});

/** Base64 characters that decode to at least `bytes` bytes, in whole 4-character groups. */
const base64CharsFor = (bytes: number) => Math.ceil((bytes + 2) / 3) * 4;

/** The ends of a file held as base64 text (n8n's in-memory binary data), decoding only those. */
export function fileEndsOfBase64(base64: string): FileEnds {
	const tailChars = base64CharsFor(END_BYTES);
	// Start at a group boundary counted from the front, so the slice decodes to the same bytes.
	const tailStart = Math.max(0, Math.floor((base64.length - tailChars) / 4) * 4);
	const tail = Buffer.from(base64.slice(tailStart), 'base64');
	return {
		head: Buffer.from(base64.slice(0, base64CharsFor(END_BYTES)), 'base64').subarray(0, END_BYTES),
		tail: tail.subarray(Math.max(0, tail.length - END_BYTES)),
		size: Buffer.byteLength(base64, 'base64'),
	};
}

/** The ends of a file read as a stream (n8n's binary storage), keeping only those bytes. */
export async function fileEndsOfStream(chunks: AsyncIterable<Buffer>): Promise<FileEnds> {
	let head = Buffer.alloc(0);
	let tail = Buffer.alloc(0);
	let size = 0;
	for await (const chunk of chunks) {
		if (head.length < END_BYTES)
			head = Buffer.concat([head, chunk.subarray(0, END_BYTES - head.length)]);
		// concat copies, so no chunk of the picture stays referenced.
		const joined = Buffer.concat([tail, chunk.subarray(Math.max(0, chunk.length - END_BYTES))]);
		tail = joined.subarray(Math.max(0, joined.length - END_BYTES));
		size += chunk.length;
	}
	return { head, tail, size };
}

const endsWith = (tail: Buffer, trailer: Buffer) =>
	tail.length >= trailer.length && tail.subarray(tail.length - trailer.length).equals(trailer);

/** The IEND chunk: length 0, type IEND, and its CRC, which is always the same. */
const PNG_END = Buffer.from('0000000049454e44ae426082', 'hex');
/** The end-of-image marker; inside the compressed data FF is always followed by 00 or a restart marker. */
const JPEG_END = Buffer.from('ffd9', 'hex');
/** The trailer 3B, after the zero-length block that ends the last image's data (a lone 3B byte is common in the data). */
const GIF_END = Buffer.from('003b', 'hex');

/** A WebP is a RIFF file: bytes 4 to 8 give the length of everything after the first 8 bytes. */
const declaredWebpSize = (head: Buffer) =>
	head.length >= 8 ? head.readUInt32LE(4) + 8 : undefined;

/** For each type that can be checked: whether the file is whole, and the rule, said for a user. */
const WHOLE_IMAGE: Record<
	string,
	{ isWhole: (ends: FileEnds) => boolean; rule: (ends: FileEnds) => string }
> = {
	'image/png': {
		isWhole: (ends) => endsWith(ends.tail, PNG_END),
		rule: () => 'a whole PNG ends with its IEND marker',
	},
	'image/jpeg': {
		isWhole: (ends) => ends.size >= 4 && endsWith(ends.tail, JPEG_END),
		rule: () => 'a whole JPEG ends with its end-of-image marker FF D9',
	},
	'image/gif': {
		isWhole: (ends) => ends.size >= 14 && endsWith(ends.tail, GIF_END),
		rule: () => 'a whole GIF ends with its trailer byte 3B',
	},
	'image/webp': {
		isWhole: (ends) => ends.size >= (declaredWebpSize(ends.head) ?? Infinity),
		rule: (ends) => {
			const declared = declaredWebpSize(ends.head);
			return declared === undefined
				? 'a whole WebP is as long as its RIFF header says'
				: `a whole WebP is ${declared} bytes long, as its RIFF header says`;
		},
	},
};

/**
 * The type a downloaded file must be whole as: what its bytes say, or, when it is too short to
 * tell, what the server declared (an empty or nearly empty PNG is a cut one, not a mystery file).
 */
export const expectedImageType = (ends: FileEnds, declaredType: string | undefined) =>
	sniffImageType(ends.head) ?? (ends.size < END_BYTES ? declaredType : undefined);

/**
 * Whether a picture is all there. HTTP cannot tell: a cache or proxy that stored a cut copy
 * serves it with a matching content-length. Types this cannot judge (BMP, TIFF, SVG) count as whole.
 */
export function imageIsComplete(
	bytesOrEnds: Buffer | FileEnds,
	mimeType: string | undefined,
): boolean {
	const ends = Buffer.isBuffer(bytesOrEnds) ? fileEndsOf(bytesOrEnds) : bytesOrEnds;
	const check = WHOLE_IMAGE[mimeType ?? ''];
	return check ? check.isWhole(ends) : true;
}

/** How a whole picture of this type ends, for the message about one that did not. */
export const wholeImageRule = (ends: FileEnds, mimeType: string | undefined) =>
	WHOLE_IMAGE[mimeType ?? '']?.rule(ends) ?? 'the file is shorter than it should be';
