/**
 * What kind of picture a file is, from its first bytes: the declared MIME type of binary data is
 * often generic, and a file labelled image/png may really be an HTML error page.
 */
const SIGNATURES: Array<{ mimeType: string; matches: (bytes: Buffer) => boolean }> = [
	{
		mimeType: 'image/png',
		matches: (b) => b.subarray(0, 8).equals(Buffer.from('89504e470d0a1a0a', 'hex')),
	},
	{ mimeType: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
	{ mimeType: 'image/gif', matches: (b) => b.subarray(0, 4).toString('latin1') === 'GIF8' },
	{
		mimeType: 'image/webp',
		matches: (b) =>
			b.subarray(0, 4).toString('latin1') === 'RIFF' &&
			b.subarray(8, 12).toString('latin1') === 'WEBP',
	},
	{ mimeType: 'image/bmp', matches: (b) => b.subarray(0, 2).toString('latin1') === 'BM' },
	{
		mimeType: 'image/tiff',
		matches: (b) => ['49492a00', '4d4d002a'].includes(b.subarray(0, 4).toString('hex')),
	},
];

/** The image type from the file's first bytes, undefined when it is none of these. */
export const sniffImageType = (bytes: Buffer) =>
	SIGNATURES.find((signature) => signature.matches(bytes))?.mimeType;
