import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * The suites call n8n and the simulator with Node's fetch, which reuses idle keep-alive sockets.
 * A server closes an idle socket after its keep-alive timeout (5 s in Node); a call that picks
 * that socket up in the same instant fails with "other side closed" (UND_ERR_SOCKET) or
 * ECONNRESET, on a loaded machine now and then.
 * - A call that reads (GET, HEAD, OPTIONS) or repeats safely (PUT, DELETE) is sent once more.
 * - Any other call (a form submission, a callback, a workflow run) may already have been acted on
 *   when the socket failed, so it is never sent twice: it goes out on a socket of its own instead,
 *   which no server can have closed beforehand.
 * This is the test harness's own traffic only: the node's requests go through n8n's HTTP client.
 */
const fetchOnce = globalThis.fetch;
const REPEATABLE = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const NO_BODY_STATUS = new Set([101, 204, 205, 304]);

const isStaleSocket = (error: unknown) => {
	const code = (error as { cause?: { code?: string } }).cause?.code;
	return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
};

/** Sends one request on a new connection that is closed after the answer. */
async function onNewSocket(call: Request): Promise<Response> {
	const url = new URL(call.url);
	const body = Buffer.from(await call.arrayBuffer());
	const headers: Record<string, string> = Object.fromEntries(call.headers);
	headers.connection = 'close';
	headers['content-length'] = String(body.length);
	const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
	return await new Promise<Response>((resolve, reject) => {
		const outgoing = send(url, { method: call.method, headers, agent: false }, (incoming) => {
			const chunks: Buffer[] = [];
			incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
			incoming.on('error', reject);
			incoming.on('end', () => {
				const answerHeaders = new Headers();
				const raw = incoming.rawHeaders;
				for (let index = 0; index < raw.length; index += 2)
					answerHeaders.append(raw[index], raw[index + 1]);
				const status = incoming.statusCode ?? 500;
				resolve(
					new Response(NO_BODY_STATUS.has(status) ? null : Buffer.concat(chunks), {
						status,
						statusText: incoming.statusMessage,
						headers: answerHeaders,
					}),
				);
			});
		});
		outgoing.on('error', reject);
		outgoing.end(body);
	});
}

globalThis.fetch = async (input, init) => {
	const call = new Request(input, init);
	if (!REPEATABLE.has(call.method)) return await onNewSocket(call);
	try {
		return await fetchOnce(call.clone());
	} catch (error) {
		if (!isStaleSocket(error)) throw error;
		return await fetchOnce(call);
	}
};
