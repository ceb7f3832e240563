import type { IncomingMessage } from 'http';
import type { IDataObject } from 'n8n-workflow';

/** What the stand-ins for n8n's webhook routes (trigger, waiting execution) read of a request. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** A JSON object, or {} for anything else (n8n hands a webhook an empty body the same way). */
export function parseJson(text: string): IDataObject {
	try {
		const value = JSON.parse(text) as unknown;
		return value && typeof value === 'object' && !Array.isArray(value)
			? (value as IDataObject)
			: {};
	} catch {
		return {};
	}
}
