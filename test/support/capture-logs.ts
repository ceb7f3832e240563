// Imported first by tests that read n8n's logs: n8n reads its log level once, when it loads.
process.env.N8N_LOG_LEVEL = 'debug';

/**
 * Captures everything written to stdout, stderr and the console during each test of the file
 * (and keeps it out of the test report). Returns a reader for the current test's text.
 */
export function useLogCapture() {
	let chunks: string[] = [];
	const record = (chunk: unknown) => {
		chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
		return true;
	};
	let spies: jest.SpyInstance[] = [];
	beforeEach(() => {
		chunks = [];
		spies = [
			jest.spyOn(process.stdout, 'write').mockImplementation(record),
			jest.spyOn(process.stderr, 'write').mockImplementation(record),
			...(['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
				jest.spyOn(console, method).mockImplementation((...args: unknown[]) => void record(args.map(String).join(' '))),
			),
		];
	});
	afterEach(() => spies.forEach((spy) => spy.mockRestore()));
	return () => chunks.join('');
}
