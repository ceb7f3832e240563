// Imported first by tests that read n8n's logs. n8n reads its log level when it loads, and its
// logger (winston) writes to console._stdout / console._stderr when they exist, else to the
// console.log it saw at start-up; all of these are redirected here, before n8n-core is loaded.
process.env.N8N_LOG_LEVEL = 'debug';

let captured: string[] = [];
/** Everything logged since the test file started; never cleared (for checks across concurrent tests). */
const everything: string[] = [];
const record = (chunk: unknown) => {
	const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString();
	captured.push(text);
	everything.push(text);
	return true;
};
const sink = { write: record };
for (const stream of ['_stdout', '_stderr']) {
	Object.defineProperty(console, stream, { value: sink, configurable: true, writable: true });
}
for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
	console[method] = (...args: unknown[]) => void record(args.map(String).join(' '));
}

/** Everything n8n logged during the current test. */
export function useLogCapture() {
	beforeEach(() => {
		captured = [];
	});
	return () => captured.join('\n');
}

/** Everything n8n logged in this test file so far, across tests (which may run concurrently). */
export const allLogs = () => everything.join('\n');
