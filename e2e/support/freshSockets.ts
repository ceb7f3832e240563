/**
 * The suites call n8n and the simulator with Node's fetch, which reuses idle keep-alive sockets.
 * A server closes an idle socket after its keep-alive timeout (5 s in Node); a call that picks
 * that socket up in the same instant fails with "other side closed" (UND_ERR_SOCKET) or
 * ECONNRESET, on a loaded machine now and then. Such a call is sent once more, on a new socket.
 * This is the test harness's own traffic only: the node's requests go through n8n's HTTP client.
 */
const fetchOnce = globalThis.fetch;

const isStaleSocket = (error: unknown) => {
	const code = (error as { cause?: { code?: string } }).cause?.code;
	return code === 'ECONNRESET' || code === 'UND_ERR_SOCKET';
};

globalThis.fetch = async (input, init) => {
	try {
		return await fetchOnce(input, init);
	} catch (error) {
		if (!isStaleSocket(error)) throw error;
		return await fetchOnce(input, init);
	}
};
