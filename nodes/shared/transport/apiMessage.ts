import type { IDataObject } from 'n8n-workflow';

/**
 * The API's own words for what went wrong. Legacy endpoints spell the key `messege`, and
 * validation errors come as an object of field → messages.
 */
export function apiMessage(body: IDataObject): string {
	const raw = body.message ?? body.messege ?? body.error;
	if (typeof raw === 'string') return raw;
	if (raw && typeof raw === 'object') {
		return Object.entries(raw as IDataObject)
			.map(
				([field, messages]) =>
					`${field}: ${Array.isArray(messages) ? messages.join(' ') : String(messages)}`,
			)
			.join('; ');
	}
	return '';
}

/** Replaces every occurrence of the credential's keys, anywhere in a value, with a mask. */
export function redactSecrets<T>(value: T, secrets: string[]): T {
	if (secrets.length === 0) return value;
	if (typeof value === 'string') {
		return secrets.reduce((text, secret) => text.split(secret).join('***'), value as string) as T;
	}
	if (Array.isArray(value)) return value.map((entry) => redactSecrets(entry, secrets)) as T;
	if (value && typeof value === 'object') {
		return Object.fromEntries(
			Object.entries(value).map(([key, entry]) => [key, redactSecrets(entry, secrets)]),
		) as T;
	}
	return value;
}
