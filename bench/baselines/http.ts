/**
 * A JSON POST as the HTTP Request node or an SDK sends it. An HTTP status of 400 or more rejects,
 * as in n8n's HTTP Request node with its default settings ("Never Error" off).
 */
export class HttpStatusError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
	) {
		super(`HTTP ${status}`);
	}
}

export async function postJson(url: string, body: unknown): Promise<Record<string, unknown>> {
	const response = await fetch(url, {
		method: 'POST',
		headers: { 'content-type': 'application/json', accept: 'application/json' },
		body: JSON.stringify(body),
	});
	const text = await response.text();
	const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
	if (response.status >= 400) throw new HttpStatusError(response.status, json);
	return json;
}
