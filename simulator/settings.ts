/** Runtime knobs of the simulator. Tests mutate `simulator.settings` directly (or POST /__sim/settings). */
export interface SimulatorSettings {
	/** 0: a submit answers `success` at once. >0: it answers `processing` and the job finishes after this many ms. */
	jobDurationMs: number;
	/** Each job submitted takes this many ms longer than the one before (since reset): spread-out callbacks. */
	jobDurationStepMs: number;
	/** Reported eta = job duration × etaFactor (in seconds). Lets tests fake long etas with short jobs. */
	etaFactor: number;
	/** null: unlimited. Otherwise a submit while this many of the account's jobs are unfinished gets HTTP 429. */
	queueLimit: number | null;
	/** `retry_after` (seconds) in the 429 queue-limit answer. */
	retryAfterSeconds: number;
	/** How an invalid key is answered: HTTP 200 + status "error" (legacy, default) or HTTP 401 with the same body. */
	invalidKeyStyle: 'http200' | 'http401';
	/** true: `proxy_links` is an object map {"0": url} instead of an array (seen in some D2 pages). */
	proxyLinksAsObject: boolean;
	/** true: `.base64` output files start with `data:image/png;base64,`; false: raw base64. */
	base64Prefix: boolean;
	/** true: jobs submitted from now on end `failed` with "Failed, Try Again". */
	failJobs: boolean;
	/** Balance reported by /api/wallet_balance. */
	balance: number;
	/**
	 * 0: output PNGs are drawn from the job (init image, mask, prompt). >0: every PNG output is a
	 * photo-like picture of the job's size whose file is about this many bytes (a real PNG, drawn
	 * once per size and cached), as large real generations are.
	 */
	outputImageBytes: number;
	/**
	 * Uploaded and sample pictures (the photo and mask links) are answered this many ms late: a slow
	 * photo host. Generated outputs are not delayed.
	 */
	photoHostDelayMs: number;
}

export function defaultSettings(jobDurationMs = 0): SimulatorSettings {
	return {
		jobDurationMs,
		jobDurationStepMs: 0,
		etaFactor: 1,
		queueLimit: null,
		retryAfterSeconds: 30,
		invalidKeyStyle: 'http200',
		proxyLinksAsObject: false,
		base64Prefix: true,
		failJobs: false,
		balance: 43.6,
		outputImageBytes: 0,
		photoHostDelayMs: 0,
	};
}

/**
 * Merges untrusted JSON (from POST /__sim/settings) into settings. Unknown names and wrong types are
 * rejected so that a typo in a test fails loudly instead of silently testing the defaults.
 */
export function mergeSettings(target: SimulatorSettings, patch: unknown): string | undefined {
	if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
		return 'settings must be a JSON object';
	}
	const defaults = defaultSettings();
	const entries = Object.entries(patch as Record<string, unknown>);
	for (const [name, value] of entries) {
		if (!(name in defaults)) return `unknown setting "${name}"`;
		const expected = typeof defaults[name as keyof SimulatorSettings];
		const nullableNumber = name === 'queueLimit' && value === null;
		if (!nullableNumber && typeof value !== (expected === 'object' ? 'number' : expected)) {
			return `setting "${name}" must be a ${expected === 'object' ? 'number or null' : expected}`;
		}
		if (name === 'invalidKeyStyle' && value !== 'http200' && value !== 'http401') {
			return 'invalidKeyStyle must be "http200" or "http401"';
		}
	}
	Object.assign(target, patch);
	return undefined;
}
