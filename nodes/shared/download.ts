import type { IBinaryKeyData, IExecuteFunctions, IN8nHttpFullResponse, IWebhookFunctions } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { sniffImageType } from './images';

const DOWNLOAD_TIMEOUT_MS = 120_000;

const EXTENSION_TYPES: Record<string, string> = {
	png: 'image/png',
	jpg: 'image/jpeg',
	jpeg: 'image/jpeg',
	webp: 'image/webp',
	gif: 'image/gif',
};

/** The binary field of the n-th image: `data`, then `data_1`, `data_2`, ... */
export const binaryFieldFor = (baseName: string, index: number) =>
	index === 0 ? baseName : `${baseName}_${index}`;

const fileNameOf = (url: string) => decodeURIComponent(new URL(url).pathname.split('/').pop() || 'image');

/** In base64 mode ModelsLab's outputs are `.base64` text files, with or without a data-URI prefix. */
const isBase64File = (url: string, contentType: string) =>
	/\.base64$/i.test(new URL(url).pathname) || contentType.startsWith('text/');

async function downloadOne(ctx: IExecuteFunctions | IWebhookFunctions, url: string, itemIndex: number) {
	const fail = (problem: string, httpCode?: number) =>
		new NodeApiError(ctx.getNode(), { message: problem, url }, {
			message: `Could not download the image ${url}: ${problem}`,
			description:
				'ModelsLab result links expire (temporary and base64 links after 24 hours). Run the job again, or fetch it again with the ModelsLab Fetch node while its links are valid.',
			httpCode: httpCode ? String(httpCode) : undefined,
			itemIndex,
		});
	let response: IN8nHttpFullResponse;
	try {
		// A stream, so that a large picture goes to n8n's binary storage without being held in memory.
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: DOWNLOAD_TIMEOUT_MS,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw fail((error as Error).message);
	}
	const body = response.body as Parameters<IExecuteFunctions['helpers']['binaryToBuffer']>[0] & {
		destroy?: () => void;
	};
	if (response.statusCode >= 400) {
		body.destroy?.();
		throw fail(`HTTP ${response.statusCode}`, response.statusCode);
	}
	const contentType = String(response.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
	const fileName = fileNameOf(url);
	if (isBase64File(url, contentType)) {
		const text = (await ctx.helpers.binaryToBuffer(body)).toString('utf8').trim();
		const bytes = Buffer.from(text.replace(/^data:[^,]*;base64,/i, ''), 'base64');
		const mimeType = sniffImageType(bytes);
		if (!mimeType) throw fail('the base64 file does not hold an image');
		const extension = mimeType.split('/')[1].replace('jpeg', 'jpg');
		return ctx.helpers.prepareBinaryData(bytes, fileName.replace(/\.base64$/i, `.${extension}`), mimeType);
	}
	const extension = fileName.split('.').pop()?.toLowerCase() ?? '';
	const mimeType = contentType.startsWith('image/') ? contentType : EXTENSION_TYPES[extension] ?? 'image/png';
	return await ctx.helpers.prepareBinaryData(body, fileName, mimeType);
}

/** Every output image of a job as binary data of the item, in output order. */
export async function downloadImages(
	ctx: IExecuteFunctions | IWebhookFunctions,
	urls: string[],
	baseName: string,
	itemIndex: number,
): Promise<IBinaryKeyData> {
	const binary: IBinaryKeyData = {};
	for (const [index, url] of urls.entries()) {
		binary[binaryFieldFor(baseName, index)] = await downloadOne(ctx, url, itemIndex);
	}
	return binary;
}
