import { existsSync, readFileSync } from 'fs';
import { join } from 'path';

import { decodePng, isPng, pngDimensions, type RecordedRequest } from '../../simulator';
import type { ExecutedItem } from './execution';

/**
 * The bytes of a binary field from execution data. In n8n's `default` binary mode they are inline
 * (base64); in `filesystem` mode (2.x's default) the field holds an id like
 * `filesystem-v2:workflows/…/binary_data/<uuid>`, a path under `.n8n/storage/` (2.x) or
 * `.n8n/binaryData/` (1.x) of the user folder.
 */
export function binaryBytes(item: ExecutedItem, field: string, userFolder: string): Buffer {
	const binary = item.binary?.[field];
	if (!binary)
		throw new Error(
			`item has no binary field "${field}" (has: ${Object.keys(item.binary ?? {}).join(', ') || 'none'})`,
		);
	const stored = /^filesystem(?:-v2)?:(.+)$/.exec(binary.id ?? '');
	if (stored) {
		const candidates = ['storage', 'binaryData'].map((folder) =>
			join(userFolder, '.n8n', folder, stored[1]),
		);
		const file = candidates.find((candidate) => existsSync(candidate));
		if (!file)
			throw new Error(
				`binary field "${field}" is stored as ${binary.id}, but none of ${candidates.join(', ')} exists`,
			);
		return readFileSync(file);
	}
	if (!binary.data) throw new Error(`binary field "${field}" has neither data nor a filesystem id`);
	return Buffer.from(binary.data, 'base64');
}

/** Checks the PNG signature and returns the picture's size, so a test can compare it to what was asked. */
export function pngSize(bytes: Buffer): { width: number; height: number } {
	if (!isPng(bytes))
		throw new Error(`not a PNG: starts with ${bytes.subarray(0, 8).toString('hex')}`);
	return pngDimensions(bytes);
}

/** The picture a `base64_to_url` upload carried, decoded, with a reader of its gray level at (x, y). */
export function uploadedPicture(upload: RecordedRequest) {
	const dataUri = String((upload.body as { base64_string?: unknown }).base64_string);
	const picture = decodePng(Buffer.from(dataUri.split(',')[1], 'base64'));
	const gray = (x: number, y: number) => picture.rgba[(y * picture.width + x) * 4];
	return { width: picture.width, height: picture.height, gray };
}

/** A picture at a link (the simulator's own), decoded as `uploadedPicture` decodes an upload. */
export async function linkedPicture(link: string) {
	const picture = decodePng(Buffer.from(await (await fetch(link)).arrayBuffer()));
	const gray = (x: number, y: number) => picture.rgba[(y * picture.width + x) * 4];
	return { width: picture.width, height: picture.height, gray };
}
