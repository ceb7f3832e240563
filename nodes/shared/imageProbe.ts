import type { IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';

import { untrustedLinkProblem } from './addresses';
import type { ImageSize } from './imageSize';
import { imageSizeOf } from './imageSize';

/** Enough of a picture file for its size: a JPEG's header segments come before its frame header. */
export const IMAGE_HEAD_BYTES = 64 * 1024;

/** A size check is a nicety: it never holds an item up for long, whatever Request Timeout says. */
const LONGEST_PROBE_MS = 15_000;

export interface ProbeLimits {
	timeoutMs: number;
	/** Origins that may be private or local: the credential's own hosts (a proxy, a test server). */
	trustedOrigins: string[];
	/** Ends the read early (the run is over); the execution's own cancel signal always does. */
	signal?: AbortSignal;
}

/** An http(s) link on one of the credential's own hosts, which may be private (a proxy, a test server). */
function onTrustedOrigin(url: string, trustedOrigins: string[]): boolean {
	try {
		const parsed = new URL(url);
		return /^https?:$/.test(parsed.protocol) && trustedOrigins.includes(parsed.origin);
	} catch {
		return false;
	}
}

/**
 * The size of the picture at a link, from its first bytes: one GET with a Range header, at most
 * 64 KB read, no credential, no redirects followed (a redirect could lead to a private address),
 * http(s) only, and never to a private or local address unless it is one of the credential's
 * hosts. Undefined whenever the size can't be had: the caller falls back and says so.
 */
export async function probeImageSize(
	ctx: IExecuteFunctions,
	url: string,
	limits: ProbeLimits,
): Promise<ImageSize | undefined> {
	if (untrustedLinkProblem(url) && !onTrustedOrigin(url, limits.trustedOrigins)) return undefined;
	const timeoutMs = Math.min(limits.timeoutMs, LONGEST_PROBE_MS);
	const cancel = ctx.getExecutionCancelSignal?.();
	const deadline = AbortSignal.timeout(timeoutMs);
	let body: (AsyncIterable<Buffer> & { destroy?: () => void }) | undefined;
	try {
		const response = (await ctx.helpers.httpRequest({
			method: 'GET',
			url,
			headers: { Range: `bytes=0-${IMAGE_HEAD_BYTES - 1}` },
			encoding: 'stream',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
			timeout: timeoutMs,
			abortSignal: AbortSignal.any(
				[cancel, deadline, limits.signal].filter((signal) => signal !== undefined),
			),
		})) as IN8nHttpFullResponse;
		body = response.body as AsyncIterable<Buffer> & { destroy?: () => void };
		if (response.statusCode !== 200 && response.statusCode !== 206) return undefined;
		const chunks: Buffer[] = [];
		let received = 0;
		// A server that ignores Range sends the whole file: stop reading once there is enough.
		for await (const chunk of body) {
			chunks.push(chunk);
			received += chunk.length;
			if (received >= IMAGE_HEAD_BYTES) break;
		}
		return imageSizeOf(Buffer.concat(chunks).subarray(0, IMAGE_HEAD_BYTES));
	} catch {
		// Unreachable, too slow, refused: the size stays unknown, which the caller reports.
		return undefined;
	} finally {
		body?.destroy?.();
	}
}
