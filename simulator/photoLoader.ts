/**
 * Reads the photo (and object_removal's mask) a mask endpoint is given, as the real service must
 * to make a mask of the photo's size (modelslab-editing.md). Sources, in order:
 * - a data URI (removebg_mask `image` takes "link or base64"): decoded;
 * - this simulator's own links (`/uploads/…`, `/samples/…`, `/generations/…`): from its store;
 * - any other `http://127.0.0.1:<port>/…` or `http://localhost:<port>/…` link (a test's own photo
 *   server): fetched over HTTP.
 * Links to any other host are never fetched (the simulator must not reach the internet), so they
 * count as unreadable, like a photo the real service cannot load.
 */
import { request } from 'http';
import type { SimulatorContext } from './context';
import type { Raster } from './png-codec';
import { decodePicture } from './pictureFiles';
import { samplePng } from './samples';
import { decodeBase64Payload } from './uploads';
import { isImageDataUri } from './validation';

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);
const FETCH_TIMEOUT_MS = 5000;
/** Larger downloads are abandoned: no test photo is near this. */
const MAX_PHOTO_BYTES = 32 * 1024 * 1024;

/** The decoded picture at `ref`, or undefined when it cannot be read as a PNG or JPEG. */
export async function loadPicture(
	ctx: SimulatorContext,
	ref: unknown,
): Promise<Raster | undefined> {
	const bytes = await pictureBytes(ctx, ref);
	return bytes ? decodePicture(bytes) : undefined;
}

/**
 * The bytes at `ref` when the simulator has them itself: a data URI, or one of its own links read
 * from its store (no HTTP, so no photoHostDelayMs either).
 */
export function ownPictureBytes(ctx: SimulatorContext, ref: unknown): Buffer | undefined {
	const where = localUrl(ref);
	if (where === 'dataUri') {
		const decoded = decodeBase64Payload(ref as string);
		return decoded.ok ? decoded.bytes : undefined;
	}
	return where && Number(where.port) === ctx.port() ? ownFile(ctx, where.pathname) : undefined;
}

async function pictureBytes(ctx: SimulatorContext, ref: unknown): Promise<Buffer | undefined> {
	const where = localUrl(ref);
	if (where === 'dataUri' || (where && Number(where.port) === ctx.port()))
		return ownPictureBytes(ctx, ref);
	return where ? httpGet(where).catch(() => undefined) : undefined;
}

/** A data URI, a plain-HTTP link on this machine, or undefined for anything else. */
function localUrl(ref: unknown): 'dataUri' | URL | undefined {
	if (typeof ref !== 'string') return undefined;
	if (isImageDataUri(ref)) return 'dataUri';
	try {
		const url = new URL(ref);
		return url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname) ? url : undefined;
	} catch {
		return undefined;
	}
}

/** A file of this simulator, read from its store. */
function ownFile(ctx: SimulatorContext, pathname: string): Buffer | undefined {
	let name = pathname.slice(pathname.lastIndexOf('/') + 1);
	try {
		name = decodeURIComponent(name);
	} catch {
		return undefined;
	}
	if (pathname.startsWith('/uploads/')) return ctx.files.get(name)?.bytes;
	if (pathname.startsWith('/samples/')) return samplePng(name);
	if (pathname.startsWith('/generations/')) {
		ctx.jobs.finishDueJobs(Date.now());
		const file = ctx.jobs.lookupFile(name);
		// A future link is not a picture yet; `.base64` files are text, not pictures.
		if (!file || file.job.status !== 'success' || file.format === 'base64') return undefined;
		return ctx.jobs.renderFile(file.job, file.index, ctx.settings.outputImageBytes).bytes;
	}
	return undefined;
}

/** GET over plain HTTP with a fresh connection; rejects on a non-2xx answer, a timeout or too many bytes. */
function httpGet(url: URL): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const req = request(url, { method: 'GET', agent: false, timeout: FETCH_TIMEOUT_MS }, (res) => {
			const status = res.statusCode ?? 0;
			if (status < 200 || status > 299) {
				res.resume();
				reject(new Error(`HTTP ${status}`));
				return;
			}
			const parts: Buffer[] = [];
			let size = 0;
			res.on('data', (part: Buffer) => {
				size += part.length;
				if (size > MAX_PHOTO_BYTES) req.destroy(new Error('photo too large'));
				else parts.push(part);
			});
			res.on('end', () => resolve(Buffer.concat(parts)));
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error('timed out')));
		req.on('error', reject);
		req.end();
	});
}
