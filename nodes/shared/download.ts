import type {
	IBinaryData,
	IBinaryKeyData,
	IExecuteFunctions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { Failure } from './failures';
import { markFailure } from './failures';
import { sniffImageType } from './images';
import type { FileEnds } from './wholeImage';
import {
	expectedImageType,
	fileEndsOf,
	fileEndsOfBase64,
	fileEndsOfStream,
	imageIsComplete,
	wholeImageRule,
} from './wholeImage';
import { ConcurrencyLimit } from './pool';
import { withRetries } from './retry';
import { DEFAULT_REQUEST_TIMEOUT_SECONDS, networkFailureOf, retryAfterHeader } from './transport';

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

/** Cancelling the execution, or the timeout, whichever comes first, stops the download. */
function deadlineSignals(ctx: Context, timeoutMs: number) {
	const cancel = 'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;
	const timeout = AbortSignal.timeout(timeoutMs);
	return { timeout, either: cancel ? AbortSignal.any([cancel, timeout]) : timeout };
}

async function downloadOne(ctx: Context, url: string, itemIndex: number, limits: DownloadLimits) {
	const timeoutMs = limits.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_SECONDS * 1000;
	const job = limits.requestId ? ` (request id ${limits.requestId})` : '';
	const fail = (problem: string, httpCode?: number, retryAfterSeconds?: number) => {
		const error = new NodeApiError(
			ctx.getNode(),
			{ message: problem, url },
			{
				message: `Could not download the image ${url}: ${problem}`,
				description:
					httpCode === 404 || httpCode === 410
						? `ModelsLab result links expire (temporary and base64 links after 24 hours). Run the job again, or fetch it again with the ModelsLab Fetch node while its links are valid${job}.`
						: `The job itself succeeded${job}: get its images later with the ModelsLab Fetch node, or turn off Download Images and use the links.`,
				httpCode: httpCode ? String(httpCode) : undefined,
				itemIndex,
			},
		);
		// The same words as API requests, so that only passing faults are tried again.
		const failure: Failure =
			httpCode === 429
				? { kind: 'rate-limited', retryAfterSeconds }
				: httpCode
					? { kind: 'rejected', httpCode }
					: { kind: 'answer-lost' };
		return markFailure(error, failure, { requestId: limits.requestId });
	};
	// HTTP cannot see a file that a cache stored cut short and serves with a matching
	// content-length. Such a file is a passing fault like a dropped connection ('answer-lost', no HTTP
	// code), so withRetries downloads it again; if it stays cut, this is the error.
	const refuseCutShort = (ends: FileEnds, declaredType: string | undefined) => {
		const type = expectedImageType(ends, declaredType);
		if (imageIsComplete(ends, type)) return;
		throw fail(
			`the file ended early, so the picture is incomplete (got ${ends.size} bytes; ${wholeImageRule(ends, type)})`,
		);
	};
	const signals = deadlineSignals(ctx, timeoutMs);
	// The same words for a failure as API requests get, on n8n 1.x and 2.x alike.
	const reason = (error: unknown) =>
		signals.timeout.aborted
			? `not complete within the request timeout of ${Math.round(timeoutMs / 1000)} s`
			: networkFailureOf(error, timeoutMs).reason;
	let response: IN8nHttpFullResponse;
	try {
		// `timeout` covers a silent connection; the signal also ends one that trickles.
		response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url,
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: timeoutMs,
			abortSignal: signals.either,
		})) as IN8nHttpFullResponse;
	} catch (error) {
		throw fail(reason(error));
	}
	const body = response.body as Parameters<IExecuteFunctions['helpers']['binaryToBuffer']>[0] & {
		destroy?: () => void;
	};
	if (response.statusCode >= 400) {
		body.destroy?.();
		throw fail(
			`HTTP ${response.statusCode}`,
			response.statusCode,
			retryAfterHeader(response.headers),
		);
	}
	const contentType = String(response.headers['content-type'] ?? '')
		.split(';')[0]
		.trim()
		.toLowerCase();
	const fileName = fileNameOf(url);
	// A login page, a CDN challenge or an API error is not a picture, even when it says 200.
	if (/json|html|xml/.test(contentType) && !/svg/.test(contentType)) {
		body.destroy?.();
		throw fail(`the link answered with ${contentType} instead of an image`, response.statusCode);
	}
	// Reading the body can still fail: the connection drops half-way, or the deadline passes.
	const brokeOff = (error: unknown) => {
		body.destroy?.();
		return fail(`the download broke off: ${reason(error)}`);
	};
	if (isBase64File(url, contentType)) {
		const text = (
			await ctx.helpers.binaryToBuffer(body).catch((error) => Promise.reject(brokeOff(error)))
		)
			.toString('utf8')
			.trim();
		const bytes = Buffer.from(text.replace(/^data:[^,]*;base64,/i, ''), 'base64');
		refuseCutShort(fileEndsOf(bytes), dataUriType(text));
		const mimeType = sniffImageType(bytes);
		if (!mimeType) throw fail('the base64 file does not hold an image');
		const extension = mimeType.split('/')[1].replace('jpeg', 'jpg');
		return await ctx.helpers.prepareBinaryData(
			bytes,
			fileName.replace(/\.base64$/i, `.${extension}`),
			mimeType,
		);
	}
	const extension = fileName.split('.').pop()?.toLowerCase() ?? '';
	const mimeType = contentType.startsWith('image/')
		? contentType
		: (EXTENSION_TYPES[extension] ?? 'image/png');
	let binary: IBinaryData;
	try {
		// A stream, so that a large picture goes to n8n's binary storage without being held in memory.
		binary = await ctx.helpers.prepareBinaryData(body, fileName, mimeType);
	} catch (error) {
		throw brokeOff(error);
	}
	refuseCutShort(await storedEnds(ctx, binary), mimeType);
	return binary;
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
