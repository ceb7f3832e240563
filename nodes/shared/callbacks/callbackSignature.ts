import { createHmac, timingSafeEqual } from 'crypto';

/**
 * ModelsLab signs nothing it sends, so the callback URL itself carries the proof. The Inpaint node
 * signs a ModelsLab Trigger's URL with the credential's key; the trigger recomputes the signature
 * from its own credential. Only the trigger's own path is signed (`<webhookId>/callback`), so the
 * host, a reverse-proxy prefix and the test/production prefix do not matter, and rotating the key
 * rotates every signature.
 */
export const SIGNATURE_PARAMETER = 'signature';
/**
 * The endpoint the job was sent to, added by the Inpaint node and signed with the path, so that
 * one trigger serves jobs of every endpoint and verifies each where it was sent.
 */
export const ENDPOINT_PARAMETER = 'endpoint';

/** `/<webhook id>/callback` at the end of a path: a ModelsLab Trigger's production or test URL. */
const TRIGGER_PATH =
	/\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/callback\/?$/i;

/** The key that signs: the API Key, or the Enterprise API Key of a credential that has only that. */
export function signingKeyOf(credentials: {
	apiKey?: unknown;
	enterpriseApiKey?: unknown;
}): string | undefined {
	for (const key of [credentials.apiKey, credentials.enterpriseApiKey]) {
		if (typeof key === 'string' && key !== '') return key;
	}
	return undefined;
}

export function callbackSignature(key: string, webhookId: string, endpoint?: string): string {
	const signed = `${webhookId}/callback${endpoint === undefined ? '' : `?${ENDPOINT_PARAMETER}=${endpoint}`}`;
	return createHmac('sha256', key).update(signed).digest('base64url');
}

function parse(url: string): URL | undefined {
	try {
		return new URL(url);
	} catch {
		return undefined;
	}
}

/**
 * A trigger URL with the job's endpoint and their signature added (other query parameters kept);
 * any other URL unchanged.
 */
export function signedCallbackUrl(url: string, key: string, endpoint?: string): string {
	const parsed = parse(url);
	const webhookId = parsed && TRIGGER_PATH.exec(parsed.pathname)?.[1];
	if (!parsed || !webhookId) return url;
	if (endpoint === undefined) parsed.searchParams.delete(ENDPOINT_PARAMETER);
	else parsed.searchParams.set(ENDPOINT_PARAMETER, endpoint);
	parsed.searchParams.set(SIGNATURE_PARAMETER, callbackSignature(key, webhookId, endpoint));
	return parsed.toString();
}

/** A trigger URL as the user gave it (no signature, no endpoint), for echoes in output items. */
export function withoutSignature(url: string): string {
	const parsed = parse(url);
	if (!parsed || !TRIGGER_PATH.test(parsed.pathname)) return url;
	if (!parsed.searchParams.has(SIGNATURE_PARAMETER)) return url;
	parsed.searchParams.delete(SIGNATURE_PARAMETER);
	parsed.searchParams.delete(ENDPOINT_PARAMETER);
	return parsed.toString();
}

/** The signature a trigger URL carries, as a list of zero or one. */
export function signatureIn(url: unknown): string[] {
	const parsed = typeof url === 'string' ? parse(url) : undefined;
	const signature = parsed?.searchParams.get(SIGNATURE_PARAMETER);
	return parsed && signature && TRIGGER_PATH.test(parsed.pathname) ? [signature] : [];
}

/** Whether `given` is the signature of this trigger's path under `key`, compared in constant time. */
export function isValidSignature(
	given: unknown,
	key: string | undefined,
	webhookId: string | undefined,
	/** The endpoint the URL names, signed with it (URLs signed before it was added name none). */
	endpoint?: string,
): boolean {
	if (typeof given !== 'string' || !key || !webhookId) return false;
	const expected = Buffer.from(callbackSignature(key, webhookId, endpoint));
	const actual = Buffer.from(given);
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}
