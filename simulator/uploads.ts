/**
 * The base64_to_url upload store: decodes base64 / data-URI payloads and serves the bytes back under
 * /uploads/<uuid>.<ext>, like ModelsLab's temporary upload links.
 */
import { randomUUID } from 'crypto';

/** Documented limit of /api/v6/base64_to_url (D2 general-api/base64-to-url.mdx): 5 MB decoded. */
export const MAX_UPLOAD_BYTES = 5 * 1024 * 1024;

export interface StoredFile {
	bytes: Buffer;
	contentType: string;
}

export type DecodedBase64 = { ok: true; bytes: Buffer; mime: string | undefined } | { ok: false };

const DATA_URI = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)?((?:;[a-z0-9-]+=[^;,]*)*);base64,(.*)$/is;

/** Accepts `data:<mime>;base64,<data>` or raw base64. Rejects anything that is not strict base64. */
export function decodeBase64Payload(payload: string): DecodedBase64 {
	const dataUri = DATA_URI.exec(payload);
	const mime = dataUri?.[1]?.toLowerCase();
	const text = (dataUri ? dataUri[3] : payload).replace(/\s+/g, '');
	// Buffer.from(…, 'base64') silently skips junk, so check the alphabet and padding ourselves.
	// Padding counted by hand, then one search for a character outside the alphabet.
	let end = text.length;
	while (end > 0 && text.charCodeAt(end - 1) === 0x3d /* = */) end--;
	if (end === 0 || text.length - end > 2 || text.length % 4 === 1) return { ok: false };
	if (/[^A-Za-z0-9+/]/.test(text.slice(0, end))) return { ok: false };
	return { ok: true, bytes: Buffer.from(text, 'base64'), mime };
}

/** Content type from the magic bytes, for raw base64 uploads that carry no MIME type. */
export function sniffContentType(bytes: Buffer): string {
	if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) return 'image/png';
	if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
		return 'image/jpeg';
	if (bytes.toString('latin1', 0, 4) === 'GIF8') return 'image/gif';
	if (bytes.toString('latin1', 0, 4) === 'RIFF' && bytes.toString('latin1', 8, 12) === 'WEBP')
		return 'image/webp';
	return 'application/octet-stream';
}

const EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/jpg': 'jpg',
	'image/gif': 'gif',
	'image/webp': 'webp',
	'audio/mpeg': 'mp3',
	'audio/wav': 'wav',
	'video/mp4': 'mp4',
	'application/octet-stream': 'bin',
};

const CONTENT_TYPES: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	gif: 'image/gif',
	webp: 'image/webp',
	mp3: 'audio/mpeg',
	wav: 'audio/wav',
	mp4: 'video/mp4',
	base64: 'text/plain; charset=utf-8',
};

export function extensionFor(contentType: string): string {
	return EXTENSIONS[contentType] ?? (contentType.split('/')[1]?.replace(/[^a-z0-9]/g, '') || 'bin');
}

export function contentTypeForName(name: string): string {
	const ext = name.slice(name.lastIndexOf('.') + 1).toLowerCase();
	return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

export class FileStore {
	private readonly files = new Map<string, StoredFile>();

	/** Stores bytes and returns the file name `<uuid>.<ext>` to serve under /uploads/. */
	put(bytes: Buffer, contentType: string): string {
		const name = `${randomUUID()}.${extensionFor(contentType)}`;
		this.files.set(name, { bytes, contentType });
		return name;
	}

	get(name: string): StoredFile | undefined {
		return this.files.get(name);
	}

	clear(): void {
		this.files.clear();
	}
}

/**
 * The client side of the same endpoint, for the tests and the bench: `bytes` put on a running
 * simulator at `baseUrl` through base64_to_url, as a link the node can download (at most 5 MB;
 * kept until the next reset, served with Range requests honoured). Throws when it is not taken.
 */
export async function uploadPicture(
	baseUrl: string,
	bytes: Buffer,
	mimeType: string,
	key: string,
): Promise<string> {
	const response = await fetch(`${baseUrl}/api/v6/base64_to_url`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({
			key,
			base64_string: `data:${mimeType};base64,${bytes.toString('base64')}`,
		}),
	});
	const answer = (await response.json()) as { status?: string; output?: string[] };
	const link = answer.output?.[0];
	if (answer.status !== 'success' || !link)
		throw new Error(`The simulator did not take the picture: ${JSON.stringify(answer)}`);
	return link;
}
