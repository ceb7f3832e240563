import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { forgetAccountQueues } from '../../nodes/shared/pacing/accountQueue';
import { ModelsLabSimulator } from '../../simulator/server';
import { makeMask, makePhoto } from '../../simulator/png';
import type { RunOptions, RunResult } from '../../harness/engine';
import { runNode } from '../../harness/engine';

export const API_KEY = 'sim-api-key';
export const ENTERPRISE_KEY = 'sim-enterprise-key';

/** One simulator per test file, fresh state for every test. */
export function useSimulator() {
	const simulator = new ModelsLabSimulator({
		apiKeys: [API_KEY],
		enterpriseKeys: [ENTERPRISE_KEY],
	});
	beforeAll(async () => {
		await simulator.start();
	});
	afterEach(() => {
		simulator.reset();
		// A refusal's wait holds for later runs of the same account; each test is a new account.
		forgetAccountQueues();
	});
	afterAll(async () => {
		await simulator.stop();
	});

	const credentials = (overrides: ICredentialDataDecryptedObject = {}) => ({
		apiKey: API_KEY,
		enterpriseApiKey: ENTERPRISE_KEY,
		baseUrl: simulator.baseUrl,
		legacyBaseUrl: simulator.baseUrl,
		...overrides,
	});

	/** Runs the Inpaint node against this simulator. */
	const inpaint = (parameters: IDataObject, options: Partial<RunOptions> = {}) =>
		runNode({ parameters, credentials: credentials(), ...options });

	/** Requests the simulator received on ModelsLab routes whose path starts with `prefix`. */
	const requestsTo = (prefix: string) => simulator.requestsTo(prefix);

	return { simulator, credentials, inpaint, requestsTo };
}

export const PHOTO_URL = 'https://images.example.com/photo.png';
export const MASK_URL = 'https://images.example.com/mask.png';

/** The minimal parameters of each endpoint, images by URL. */
export const minimalParameters: Record<string, IDataObject> = {
	imageEditing: {
		endpoint: 'imageEditing',
		prompt: 'a red car',
		initImageUrl: PHOTO_URL,
		maskImageUrl: MASK_URL,
	},
	community: {
		endpoint: 'community',
		prompt: 'a red car',
		initImageUrl: PHOTO_URL,
		maskImageUrl: MASK_URL,
	},
	legacy: {
		endpoint: 'legacy',
		prompt: 'a red car',
		initImageUrl: PHOTO_URL,
		maskImageUrl: MASK_URL,
	},
	enterprise: {
		endpoint: 'enterprise',
		enterpriseModelId: 'my-pony',
		prompt: 'a red car',
		initImageUrl: PHOTO_URL,
		maskImageUrl: MASK_URL,
	},
	objectRemoval: {
		endpoint: 'objectRemoval',
		initImageUrl: PHOTO_URL,
		maskImageUrl: MASK_URL,
	},
};

export const pngBinary = (png: Buffer, fileName: string) => ({
	data: png.toString('base64'),
	mimeType: 'image/png',
	fileName,
	fileExtension: 'png',
});

/** An input item carrying a photo (`data`) and a mask (`mask`), as a Form Trigger upload would. */
export const photoAndMaskItem = (size = 512): INodeExecutionData => ({
	json: {},
	binary: {
		data: pngBinary(makePhoto(size, size), 'photo.png'),
		mask: pngBinary(makeMask(size, size), 'mask.png'),
	},
});

export const binaryImages = {
	initImageSource: 'binary',
	initImageBinaryProperty: 'data',
	maskImageSource: 'binary',
	maskImageBinaryProperty: 'mask',
};

/** A bad value was refused the way every bad value must be: named in the message, nothing sent. */
export function expectRefusedBeforeSending(
	result: RunResult,
	message: string,
	simulator: ModelsLabSimulator,
) {
	expect(result.error?.message).toBe(message);
	expect(result.error?.name).toBe('NodeOperationError');
	expect(result.error?.description).toContain('Nothing was sent to ModelsLab');
	expect(result.output).toEqual([]);
	expect(simulator.requests).toHaveLength(0);
}
