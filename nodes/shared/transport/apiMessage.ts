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
