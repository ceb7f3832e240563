import { randomBytes, timingSafeEqual } from 'crypto';
import type { INode } from 'n8n-workflow';

import { untrustedLinkProblem } from '../transport/linkSafety';

/**
 * "Resume on Callback": ModelsLab calls this execution's resume URL (`$execution.resumeUrl`) when a
 * job finishes, and the ModelsLab Fetch node's Wait for Callbacks, waiting in that execution, checks
 * the jobs at ModelsLab and resumes it once all are done.
 *
 * - The path suffix: n8n hands a call to `/webhook-waiting/<execution>` to whatever node waits *now*;
 *   with the suffix only a node that declares it (Wait for Callbacks) can take the call, so a late
 *   ModelsLab callback gets 404 instead of resuming a later Wait node.
 * - The query is kept as n8n made it: on n8n 2.x `signature=<token>` is what lets the call in at all.
 * - The nonce: n8n 1.x checks nothing on its own (execution ids are sequential), so the waiting node
 *   refuses a call without this run's random nonce before asking ModelsLab anything.
 */
export const CALLBACK_PATH = 'modelslab-callback';
export const NONCE_PARAMETER = 'mlcb';

/** One per Inpaint node run: 128 random bits. */
export const newNonce = () => randomBytes(16).toString('hex');

/** `…/webhook-waiting/<id>?signature=…` → `…/webhook-waiting/<id>/modelslab-callback?signature=…&mlcb=<nonce>`. */
export function callbackUrl(resumeUrl: string, nonce: string): string {
	const url = new URL(resumeUrl);
	url.pathname = `${url.pathname.replace(/\/+$/, '')}/${CALLBACK_PATH}`;
	url.searchParams.set(NONCE_PARAMETER, nonce);
	return url.toString();
}

const NONCE_PATTERN = /^[0-9a-f]{32}$/;

export const isNonce = (value: unknown): value is string =>
	typeof value === 'string' && NONCE_PATTERN.test(value);

/** Whether a call carries one of the nonces its jobs were submitted with (constant-time compare). */
export function nonceMatches(given: unknown, expected: Iterable<string>): boolean {
	const text = Array.isArray(given) ? given[0] : given;
	if (!isNonce(text)) return false;
	const bytes = Buffer.from(text);
	let matched = false;
	for (const nonce of expected) {
		if (isNonce(nonce) && timingSafeEqual(bytes, Buffer.from(nonce))) matched = true;
	}
	return matched;
}

/** ModelsLab's own hosts: a job sent there calls back from the internet. */
const REAL_API_HOSTS = /(^|\.)(modelslab\.com|stablediffusionapi\.com)$/i;

const hostOf = (url: string) => {
	try {
		return new URL(url).hostname;
	} catch {
		return '';
	}
};

/**
 * Why ModelsLab could not call `callback` back, or undefined. Only judged when the credential points
 * at the real API: a local test server (or a proxy on the same network) can reach a private address.
 */
export function unreachableCallbackProblem(
	callback: string,
	apiBaseUrls: string[],
): string | undefined {
	if (!apiBaseUrls.some((base) => REAL_API_HOSTS.test(hostOf(base)))) return undefined;
	const problem = untrustedLinkProblem(callback);
	if (!problem) return undefined;
	return `n8n's webhook URL ${new URL(callback).origin} is a local or private address that ModelsLab cannot call`;
}

/** n8n runs a node as an AI Agent's tool under a type of its own, ending in "Tool". */
export const runsAsTool = (node: INode) => node.type.endsWith('Tool');
