/**
 * The credential puts the right key where ModelsLab reads it (the JSON body, nowhere else), its
 * test fails on a bad key, and the key never shows up in outputs, errors or logs.
 */
import { useLogCapture } from './support/capture-logs';

import type { IHttpRequestOptions } from 'n8n-workflow';

import { ModelsLabApi } from '../credentials/ModelsLabApi.credentials';
import { ENDPOINTS, fetchRequestFor } from '../nodes/shared/transport/endpoints';
import {
	API_KEY,
	ENTERPRISE_KEY,
	binaryImages,
	minimalParameters,
	photoAndMaskItem,
	useSimulator,
} from './support/simulator';

const { simulator, inpaint, credentials } = useSimulator();

const credentialType = new ModelsLabApi();
const logs = useLogCapture();

/** Every place of a recorded request other than its body's `key` field. */
const everywhereButBodyKey = (request: (typeof simulator.requests)[number]) => {
	const { key: _key, ...rest } = (request.body ?? {}) as Record<string, unknown>;
	return JSON.stringify({
		path: request.path,
		query: request.query,
		headers: request.headers,
		body: rest,
	});
};

describe('key placement', () => {
	it.each(['imageEditing', 'community', 'legacy'])(
		'%s: the API key goes in the JSON body only',
		async (endpoint) => {
			await inpaint(
				{ ...minimalParameters[endpoint], ...binaryImages },
				{ items: [photoAndMaskItem(64)] },
			);
			const apiCalls = simulator.requestsTo('/api/');
			expect(apiCalls.length).toBeGreaterThanOrEqual(3);
			for (const request of apiCalls) {
				expect(request.headers['content-type']).toMatch(/application\/json/);
				expect((request.body as { key: string }).key).toBe(API_KEY);
				expect(everywhereButBodyKey(request)).not.toContain(API_KEY);
				expect(everywhereButBodyKey(request)).not.toContain(ENTERPRISE_KEY);
			}
		},
	);

	it('enterprise: the enterprise key for the enterprise endpoint, the API key for uploads', async () => {
		await inpaint(
			{ ...minimalParameters.enterprise, ...binaryImages },
			{ items: [photoAndMaskItem(64)] },
		);
		const keys = simulator
			.requestsTo('/api/')
			.map((request) => [request.path, (request.body as { key: string }).key]);
		expect(keys).toEqual([
			['/api/v6/base64_to_url', API_KEY],
			['/api/v6/base64_to_url', API_KEY],
			['/api/v1/enterprise/pony/inpaint', ENTERPRISE_KEY],
		]);
		// Downloading the results needs no key at all.
		for (const request of simulator.requests) {
			expect(everywhereButBodyKey(request)).not.toMatch(new RegExp(`${API_KEY}|${ENTERPRISE_KEY}`));
		}
		expect(simulator.requestsTo('/generations/').length).toBeGreaterThan(0);
	});
});

describe('the key never leaks', () => {
	const secretKey = 'sk-live-never-show-me-0123456789abcdef';

	it('not in outputs, errors or logs, even when the API echoes it back', async () => {
		simulator.respondOnce(
			{ path: '/api/v3/inpaint' },
			{
				body: {
					status: 'error',
					message: `Invalid Api Key ${secretKey}`,
					tip: `You sent ${secretKey}`,
				},
			},
		);
		const result = await inpaint(minimalParameters.legacy, {
			credentials: credentials({ apiKey: secretKey }),
			items: [{ json: {} }, { json: {} }],
			continueOnFail: true,
		});
		const text = logs();
		// The key did reach the API...
		expect((simulator.requests[0].body as { key: string }).key).toBe(secretKey);
		// ...and the error the user sees is the API's, with the key masked (on whichever item's submit
		// came first: the items run side by side).
		expect(result.output.map((item) => item.json.error)).toContain(
			'ModelsLab: Invalid Api Key ***',
		);
		expect(JSON.stringify(result.run)).not.toContain(secretKey);
		expect(text).toContain('Running node "ModelsLab"');
		expect(text).not.toContain(secretKey);
	});

	it('not in a thrown error either', async () => {
		simulator.respondOnce(
			{ path: '/api/v3/inpaint' },
			{ status: 500, raw: `upstream rejected key=${secretKey}` },
		);
		const result = await inpaint(minimalParameters.legacy, {
			credentials: credentials({ apiKey: secretKey }),
		});
		const text = logs();
		expect(result.error?.description).toContain('upstream rejected key=***');
		expect(JSON.stringify(result.run)).not.toContain(secretKey);
		expect(JSON.stringify({ ...result.error, message: result.error?.message })).not.toContain(
			secretKey,
		);
		expect(text).toContain('HTTP 500');
		expect(text).not.toContain(secretKey);
	});

	it('not in the node description shown in the editor', () => {
		expect(JSON.stringify(credentialType)).not.toContain(API_KEY);
		expect(
			credentialType.properties
				.filter((property) => property.typeOptions?.password)
				.map((p) => p.name),
		).toEqual(['apiKey', 'enterpriseApiKey']);
	});
});

describe('which key a request carries', () => {
	it("the credential's rule agrees with the endpoint catalogue for every submit and fetch path", async () => {
		const keys = { apiKey: 'standard-key', enterpriseApiKey: 'enterprise-key' };
		for (const endpoint of Object.values(ENDPOINTS)) {
			const fetchPath = fetchRequestFor(endpoint.id, '90000001').path;
			for (const path of [endpoint.inpaintPath, fetchPath]) {
				const request = await credentialType.authenticate(keys, {
					url: path,
					baseURL: 'https://modelslab.com',
					body: {},
				});
				expect([path, (request.body as { key: string }).key]).toEqual([
					path,
					`${endpoint.key}-key`,
				]);
			}
		}
	});
});

describe('credential test', () => {
	// What n8n's credential tester does: the test request, the key applied by `authenticate`, and
	// a failure when a rule matches the answer body.
	async function testCredential(apiKey: string) {
		const request = await credentialType.authenticate(
			{ apiKey },
			{ ...(credentialType.test.request as IHttpRequestOptions), baseURL: simulator.baseUrl },
		);
		const response = await fetch(`${request.baseURL}${request.url}`, {
			method: request.method,
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(request.body),
		});
		const body = (await response.json()) as Record<string, unknown>;
		const failed = credentialType.test.rules?.find(
			(rule) =>
				rule.type === 'responseSuccessBody' && body[rule.properties.key] === rule.properties.value,
		);
		return {
			path: request.url,
			failed: failed && 'message' in failed.properties ? failed.properties.message : undefined,
		};
	}

	it('passes with a good key, using the free wallet balance endpoint', async () => {
		expect(await testCredential(API_KEY)).toEqual({
			path: '/api/wallet_balance',
			failed: undefined,
		});
		expect(simulator.jobs).toHaveLength(0);
	});

	it('fails with a bad key even though the API answers HTTP 200', async () => {
		const result = await testCredential('wrong-key-0000');
		expect(result.failed).toContain('ModelsLab rejected the API key');
		expect(simulator.requests[0].body).toEqual({ key: 'wrong-key-0000' });
	});
});

it('shows where the key is made, and marks the server addresses as advanced', () => {
	const { properties } = new ModelsLabApi();
	const names = properties.map((property) => property.name);
	const apiKey = properties.find((property) => property.name === 'apiKey')!;
	expect(apiKey.hint).toContain('href="https://modelslab.com/dashboard/api-keys"');
	const notice = properties[names.indexOf('baseUrl') - 1];
	expect(notice.type).toBe('notice');
	expect(notice.displayName).toMatch(/^Advanced: /);
	expect(names.indexOf('legacyBaseUrl')).toBe(names.indexOf('baseUrl') + 1);
});
