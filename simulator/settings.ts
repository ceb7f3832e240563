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
	/**
	 * Inpaint outputs change every pixel outside the mask by up to this many levels (a fixed
	 * pattern), as real inpainting models do when they redraw the whole picture. 0: the pixels
	 * outside the mask are the photo's (scaled to the job's size).
	 */
	outsideDrift: number;
	// ---- Mask endpoints (mask_creator, removebg_mask with only_mask, object_removal). ----
	// NOT DOCUMENTED by ModelsLab (modelslab-editing.md "Not documented"): what the mask output looks
	// like. Each possibility is switchable so the node can be tested against all of them.
	/** 'mask': black and white; 'cutout': the object's pixels on transparency; 'cutoutOnBlack': on black, no alpha. */
	maskForm: 'mask' | 'cutout' | 'cutoutOnBlack';
	/** File type of mask outputs: PNG, JPEG (`.jpg`), or WebP (`.webp`, header only: the node must refuse it). */
	maskFormat: 'png' | 'jpeg' | 'webp';
	/** Which colour the object is in a mask; `inverse_mask` flips relative to this. */
	maskPolarity: 'white-object' | 'black-object';
	/** 'photo': masks are the photo's size; otherwise this size (another size and aspect). */
	maskSize: 'photo' | { width: number; height: number };
	/** true: the object is never found (all-background mask, fully transparent cutout). */
	emptyMasks: boolean;
	/** Where "the object" / "the subject" is, as fractions of the picture: an ellipse filling this box. */
	objectBox: { left: number; top: number; width: number; height: number };
}

/** Default object box: the same box as drawing.ts defaultMaskBox() (and so makeMask()). */
export const DEFAULT_OBJECT_BOX = { left: 0.3, top: 0.4, width: 0.4, height: 0.4 } as const;

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
		outsideDrift: 0,
		maskForm: 'mask',
		maskFormat: 'png',
		maskPolarity: 'white-object',
		maskSize: 'photo',
		emptyMasks: false,
		objectBox: { ...DEFAULT_OBJECT_BOX },
	};
}

const isObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const oneOf =
	(name: string, allowed: readonly string[]) =>
	(value: unknown): string | undefined =>
		allowed.includes(value as string)
			? undefined
			: `${name} must be ${allowed.map((a) => `"${a}"`).join(' or ')}`;

const MAX_MASK_SIDE = 4096;
const isSide = (value: unknown) =>
	typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_MASK_SIDE;
const isFraction = (value: unknown) => typeof value === 'number' && value >= 0 && value <= 1;

/** Settings whose values are not checked by their default's type alone. */
const CHECKS: Record<string, (value: unknown) => string | undefined> = {
	invalidKeyStyle: oneOf('invalidKeyStyle', ['http200', 'http401']),
	maskForm: oneOf('maskForm', ['mask', 'cutout', 'cutoutOnBlack']),
	maskFormat: oneOf('maskFormat', ['png', 'jpeg', 'webp']),
	maskPolarity: oneOf('maskPolarity', ['white-object', 'black-object']),
	maskSize: (value) =>
		value === 'photo' || (isObject(value) && isSide(value.width) && isSide(value.height))
			? undefined
			: `maskSize must be "photo" or {width, height} (integers 1–${MAX_MASK_SIDE})`,
	outsideDrift: (value) =>
		typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 64
			? undefined
			: 'outsideDrift must be an integer 0–64',
	objectBox: (value) =>
		isObject(value) &&
		['left', 'top', 'width', 'height'].every((key) => isFraction(value[key])) &&
		(value.width as number) > 0 &&
		(value.height as number) > 0
			? undefined
			: 'objectBox must be {left, top, width, height}: fractions 0–1, width and height > 0',
};

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
		if (CHECKS[name]) {
			const problem = CHECKS[name](value);
			if (problem) return problem;
			continue;
		}
		const expected = typeof defaults[name as keyof SimulatorSettings];
		const nullableNumber = name === 'queueLimit' && value === null;
		if (!nullableNumber && typeof value !== (expected === 'object' ? 'number' : expected)) {
			return `setting "${name}" must be a ${expected === 'object' ? 'number or null' : expected}`;
		}
	}
	Object.assign(target, patch);
	// Copies, so that a later change to the caller's object does not reach into the settings.
	if (isObject(target.objectBox)) target.objectBox = { ...target.objectBox };
	if (isObject(target.maskSize)) target.maskSize = { ...target.maskSize };
	return undefined;
}
