import type {
	IBinaryData,
	IBinaryKeyData,
	IExecuteFunctions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import {
	downloadFailure,
	markFailure,
	networkFailureOf,
	retryAfterHeader,
} from '../transport/failures';
import { sniffImageType } from './imageType';
import type { FileEnds } from './wholeImage';
import {
	expectedImageType,
	fileEndsOf,
	fileEndsOfBase64,
	fileEndsOfStream,
	imageIsComplete,
	wholeImageRule,
} from './wholeImage';
import { ConcurrencyLimit } from '../pacing/pool';
import { cancelSignalOf } from '../pacing/pause';
import { withRetries } from '../pacing/retry';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS } from '../transport/transport';

export interface DownloadLimits {
	/** The whole download of one image, body included, must end within this. */
	timeoutMs?: number;
	/** Retries of a failed download stop once waiting for them would go past this. */
	maxWaitMs?: number;
	/** The job the images belong to, named in errors so it can be fetched again. */
	requestId?: string;
}

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

const fileNameOf = (url: string) =>
	decodeURIComponent(new URL(url).pathname.split('/').pop() || 'image');

/** In base64 mode ModelsLab's outputs are `.base64` text files, with or without a data-URI prefix. */
const isBase64File = (url: string, contentType: string) =>
	/\.base64$/i.test(new URL(url).pathname) || contentType.startsWith('text/');

type Context = IExecuteFunctions | IWebhookFunctions;

/** The image type a data URI prefix declares, if the base64 file has one. */
const dataUriType = (text: string) =>
	/^data:(image\/[\w.+-]+);base64,/i.exec(text)?.[1].toLowerCase();

/**
 * The ends of binary data n8n has just stored, read back without loading the picture. Why read it
 * back: the picture is streamed into n8n's storage so that it is never held whole in memory, and
 * runtime code may not import 'stream' (n8n Cloud's lint rules), so no Transform can watch the
 * bytes on the way. In n8n's in-memory mode the stored bytes are the item's base64 text, of which
 * only the ends are decoded; in filesystem or S3 mode they are read with getBinaryStream (n8n 1.x
 * and 2.x), keeping only the last bytes. A cut file read this way stays in the execution's storage
 * until n8n deletes that execution's binary data (nodes cannot delete it), but it is never handed
 * to the item.
 */
async function storedEnds(ctx: Context, binary: IBinaryData): Promise<FileEnds> {
	if (!binary.id) return fileEndsOfBase64(binary.data);
	return await fileEndsOfStream(await ctx.helpers.getBinaryStream(binary.id));
}

/** The execution's cancel signal or the timeout, whichever comes first. */
function deadlineSignals(ctx: Context, timeoutMs: number) {
	const cancel = cancelSignalOf(ctx);
	const timeout = AbortSignal.timeout(timeoutMs);
	return { timeout, either: cancel ? AbortSignal.any([cancel, timeout]) : timeout };
}

type DownloadBody = Parameters<IExecuteFunctions['helpers']['binaryToBuffer']>[0] & {
	destroy?: () => void;
};

/** One try at downloading one image: its steps, and what its failures say. */
class ImageDownload {
	private readonly timeoutMs: number;
	/** Cancelling the execution, or the timeout, whichever comes first, stops the download. */
	private readonly signals: ReturnType<typeof deadlineSignals>;
	private readonly fileName: string;

	constructor(
		private readonly ctx: Context,
		private readonly url: string,
		private readonly itemIndex: number,
		private readonly limits: DownloadLimits,
	) {
		this.timeoutMs = limits.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000;
		this.signals = deadlineSignals(ctx, this.timeoutMs);
		this.fileName = fileNameOf(url);
	}

	/** The request, refused unless it answers with a picture: an HTTP error or a page is not one. */
	async open(): Promise<{ body: DownloadBody; contentType: string }> {
		let response: IN8nHttpFullResponse;
		try {
			// `timeout` covers a silent connection; the signal also ends one that trickles.
			response = (await this.ctx.helpers.httpRequest({
				method: 'GET',
				url: this.url,
				encoding: 'stream',
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				timeout: this.timeoutMs,
				abortSignal: this.signals.either,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			throw this.fail(this.reason(error));
		}
		const body = response.body as DownloadBody;
		if (response.statusCode >= 400) {
			body.destroy?.();
			throw this.fail(
				`HTTP ${response.statusCode}`,
				response.statusCode,
				retryAfterHeader(response.headers),
			);
		}
		const contentType = String(response.headers['content-type'] ?? '')
			.split(';')[0]
			.trim()
			.toLowerCase();
		// A login page, a CDN challenge or an API error is not a picture, even when it says 200.
		if (/json|html|xml/.test(contentType) && !/svg/.test(contentType)) {
			body.destroy?.();
			throw this.fail(
				`the link answered with ${contentType} instead of an image`,
				response.statusCode,
			);
		}
		return { body, contentType };
	}

	/** A `.base64` output: its text is read (it is small), decoded and checked whole. */
	async storeBase64(body: DownloadBody): Promise<IBinaryData> {
		const read = await this.ctx.helpers
			.binaryToBuffer(body)
			.catch((error) => Promise.reject(this.brokeOff(body, error)));
		const text = read.toString('utf8').trim();
		const bytes = Buffer.from(text.replace(/^data:[^,]*;base64,/i, ''), 'base64');
		this.refuseCutShort(fileEndsOf(bytes), dataUriType(text));
		const mimeType = sniffImageType(bytes);
		if (!mimeType) throw this.fail('the base64 file does not hold an image');
		const extension = mimeType.split('/')[1].replace('jpeg', 'jpg');
		return await this.ctx.helpers.prepareBinaryData(
			bytes,
			this.fileName.replace(/\.base64$/i, `.${extension}`),
			mimeType,
		);
	}

	/**
	 * A picture held in memory rather than stored (a mask to decode), checked whole; refused past
	 * `mostBytes` before more is read.
	 */
	async readBytes(body: DownloadBody, contentType: string, mostBytes: number): Promise<Buffer> {
		const chunks: Buffer[] = [];
		let size = 0;
		// Base64 text is a third longer than the picture it holds.
		const mostRead = isBase64File(this.url, contentType) ? Math.ceil(mostBytes * 1.34) : mostBytes;
		try {
			for await (const chunk of body as unknown as AsyncIterable<Buffer>) {
				size += chunk.length;
				if (size > mostRead) break;
				chunks.push(chunk);
			}
		} catch (error) {
			throw this.brokeOff(body, error);
		}
		if (size > mostRead) {
			body.destroy?.();
			throw this.fail(`the file is larger than ${Math.round(mostBytes / 1048576)} MB`);
		}
		const read = Buffer.concat(chunks);
		if (!isBase64File(this.url, contentType)) {
			this.refuseCutShort(fileEndsOf(read), contentType);
			return read;
		}
		const text = read.toString('utf8').trim();
		const bytes = Buffer.from(text.replace(/^data:[^,]*;base64,/i, ''), 'base64');
		this.refuseCutShort(fileEndsOf(bytes), dataUriType(text));
		return bytes;
	}

	/** A picture, streamed into n8n's binary storage so that it is never held whole, then checked whole. */
	async storeStream(body: DownloadBody, contentType: string): Promise<IBinaryData> {
		const extension = this.fileName.split('.').pop()?.toLowerCase() ?? '';
		const mimeType = contentType.startsWith('image/')
			? contentType
			: (EXTENSION_TYPES[extension] ?? 'image/png');
		let binary: IBinaryData;
		try {
			binary = await this.ctx.helpers.prepareBinaryData(body, this.fileName, mimeType);
		} catch (error) {
			throw this.brokeOff(body, error);
		}
		this.refuseCutShort(await storedEnds(this.ctx, binary), mimeType);
		return binary;
	}

	/** A failure of this download, in the same words and kinds as API requests get. */
	private fail(problem: string, httpCode?: number, retryAfterSeconds?: number) {
		const job = this.limits.requestId ? ` (request id ${this.limits.requestId})` : '';
		const error = new NodeApiError(
			this.ctx.getNode(),
			{ message: problem, url: this.url },
			{
				message: `Could not download the image ${this.url}: ${problem}`,
				description:
					httpCode === 404 || httpCode === 410
						? `ModelsLab result links expire (temporary and base64 links after 24 hours). Run the job again, or fetch it again with the ModelsLab Fetch node while its links are valid${job}.`
						: `The job itself succeeded${job}: get its images later with the ModelsLab Fetch node, or turn off Download Images and use the links.`,
				httpCode: httpCode ? String(httpCode) : undefined,
				itemIndex: this.itemIndex,
			},
		);
		return markFailure(error, downloadFailure(httpCode, retryAfterSeconds), {
			requestId: this.limits.requestId,
		});
	}

	/** Why a request failed, the same on n8n 1.x and 2.x; the timeout named as such. */
	private reason(error: unknown): string {
		return this.signals.timeout.aborted
			? `not complete within the request timeout of ${Math.round(this.timeoutMs / 1000)} s`
			: networkFailureOf(error, this.timeoutMs).reason;
	}

	/** Reading the body failed: the connection dropped half-way, or the deadline passed. */
	private brokeOff(body: DownloadBody, error: unknown) {
		body.destroy?.();
		return this.fail(`the download broke off: ${this.reason(error)}`);
	}

	/**
	 * HTTP cannot see a file that a cache stored cut short and serves with a matching
	 * content-length. Such a file is a passing fault like a dropped connection ('answer-lost', no
	 * HTTP code), so withRetries downloads it again; if it stays cut, this is the error.
	 */
	private refuseCutShort(ends: FileEnds, declaredType: string | undefined): void {
		const type = expectedImageType(ends, declaredType);
		if (imageIsComplete(ends, type)) return;
		throw this.fail(
			`the file ended early, so the picture is incomplete (got ${ends.size} bytes; ${wholeImageRule(ends, type)})`,
		);
	}
}

async function downloadOne(ctx: Context, url: string, itemIndex: number, limits: DownloadLimits) {
	const download = new ImageDownload(ctx, url, itemIndex, limits);
	const { body, contentType } = await download.open();
	return isBase64File(url, contentType)
		? await download.storeBase64(body)
		: await download.storeStream(body, contentType);
}

/**
 * Images downloaded at the same time by this n8n process, whatever Max Concurrent Jobs says and
 * however many executions run: each one streams through n8n's memory on its way to binary storage,
 * and many at once also slow the event loop that notices other jobs finishing. Memory for
 * downloads stays about this many images' worth, flat in the number of items.
 */
export const IMAGES_IN_FLIGHT = 4;
const imagesInFlight = new ConcurrencyLimit(IMAGES_IN_FLIGHT);

/** Every output image of a job as binary data of the item, in output order. */
export async function downloadImages(
	ctx: IExecuteFunctions | IWebhookFunctions,
	urls: string[],
	baseName: string,
	itemIndex: number,
	limits: DownloadLimits = {},
): Promise<IBinaryKeyData> {
	const binary: IBinaryKeyData = {};
	const budget = {
		itemIndex,
		maxWaitMs: limits.maxWaitMs ?? DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000,
	};
	for (const [index, url] of urls.entries()) {
		binary[binaryFieldFor(baseName, index)] = await withRetries(
			ctx,
			`the download of ${url}`,
			async () =>
				await imagesInFlight.run(async () => await downloadOne(ctx, url, itemIndex, limits)),
			budget,
		);
	}
	return binary;
}

/**
 * One picture's bytes in memory (a mask to decode), with the same checks, retries and per-process
 * limit as downloadImages. `mostBytes` bounds what is held.
 */
export async function downloadImageBytes(
	ctx: IExecuteFunctions,
	url: string,
	itemIndex: number,
	limits: DownloadLimits & { mostBytes: number },
): Promise<Buffer> {
	return await withRetries(
		ctx,
		`the download of ${url}`,
		async () =>
			await imagesInFlight.run(async () => {
				const download = new ImageDownload(ctx, url, itemIndex, limits);
				const { body, contentType } = await download.open();
				return await download.readBytes(body, contentType, limits.mostBytes);
			}),
		{ itemIndex, maxWaitMs: limits.maxWaitMs ?? DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000 },
	);
}
