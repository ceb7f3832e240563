/**
 * Faults while a queued job is checked on: by the Inpaint node waiting for its result, and by the
 * ModelsLab Fetch node. A fetch is free and changes nothing, so lost or refused fetches are made
 * again; the job is never submitted twice, and every error names the request id.
 */
import { allLogs, useLogCapture } from './support/capture-logs';

import type { ModelsLabSimulator } from '../simulator/server';
import type { FaultCase } from './support/faults';
import {
	FAST_LIMITS,
	expectFaultOutcome,
	htmlErrorPage,
	keysIn,
	timed,
	withOwnSimulator,
} from './support/faults';
import { PACKAGE } from '../harness/engine';
import { minimalParameters } from './support/simulator';

const logs = useLogCapture();
afterAll(() => expect(keysIn(allLogs())).toEqual([]));
type Simulator = ModelsLabSimulator;

const FETCH = /^\/api\/v6\/images\/fetch\//;
const html = (status: number, title: string) => (sim: Simulator) =>
	sim.respondOnce(
		{ path: FETCH },
		{ status, raw: htmlErrorPage(status, title), headers: { 'content-type': 'text/html' } },
	);
const json =
	(status: number, body: unknown, headers?: Record<string, string>) => (sim: Simulator) =>
		sim.respondOnce({ path: FETCH }, { status, body, headers });
const canned = (response: Parameters<Simulator['respondOnce']>[1]) => (sim: Simulator) =>
	sim.respondOnce({ path: FETCH }, response);
const REQUEST_ID = /[Rr]equest id 9000000\d/;

/** Faults a fetch survives, for both nodes. */
const transient: Array<[string, FaultCase['inject'], Partial<FaultCase>?]> = [
	['HTTP 500 with an HTML page', html(500, 'Internal Server Error')],
	['HTTP 502 with an HTML page', html(502, 'Bad Gateway')],
	['HTTP 503 with an HTML page', html(503, 'Service Unavailable')],
	['HTTP 503 with a JSON error', json(503, { status: 'error', message: 'Server busy' })],
	[
		'HTTP 429 with Retry-After: 1',
		json(429, { message: 'Too Many Attempts.' }, { 'retry-after': '1' }),
		{ minMs: 1000 },
	],
	['HTTP 429 without Retry-After', json(429, { message: 'Too Many Attempts.' })],
	[
		'HTTP 200 "Rate limit exceeded"',
		json(200, { status: 'error', message: 'Rate limit exceeded' }),
	],
	[
		'HTTP 200 spam filter, wait 1 s',
		json(200, {
			status: 'error',
			messege: 'Rate limit exceeded',
			tips: 'Spam filter is enabled, please wait for 1 seconds and try again',
		}),
		{ minMs: 1000 },
	],
	[
		'truncated JSON',
		canned({
			raw: '{"status":"success","id":90000001,"output":["http://127.0',
			headers: { 'content-type': 'application/json' },
		}),
	],
	[
		'HTTP 200 with a non-JSON body',
		canned({
			raw: '<html><body>Checking your browser...</body></html>',
			headers: { 'content-type': 'text/html' },
		}),
	],
	['connection accepted, never answered', canned({ fault: 'hang' }), { minMs: 1000 }],
	['connection reset mid-response', canned({ fault: 'reset', passThrough: true })],
];

const waiting: FaultCase[] = [
	...transient.map(
		([fault, inject, extra]): FaultCase => ({ fault, inject, submits: 1, jobs: 1, ...extra }),
	),
	{
		fault: '"processing" sent with HTTP 400',
		inject: (sim) => {
			sim.settings.jobDurationMs = 800;
			sim.settings.etaFactor = 0.2;
			sim.respondOnce({ path: FETCH }, { status: 400, passThrough: true });
		},
		submits: 1,
		jobs: 1,
	},
	{
		fault: 'proxy_links as an object',
		inject: (sim) => {
			sim.settings.proxyLinksAsObject = true;
		},
		submits: 1,
		jobs: 1,
	},
	{
		fault: 'a job that never finishes',
		inject: (sim) => {
			sim.settings.jobDurationMs = 600_000;
		},
		parameters: { processingOptions: { ...FAST_LIMITS, maxWaitSeconds: 2 } },
		error: /^ModelsLab job 90000001 was still processing after 2 s$/,
		description:
			/ModelsLab Fetch node \(request id 90000001, fetch URL http:\/\/127\.0\.0\.1:\d+\/api\/v6\/images\/fetch\/90000001\)/,
		submits: 1,
		minMs: 2000,
	},
	{
		fault: 'a job that ends "failed"',
		inject: (sim) => {
			sim.settings.failJobs = true;
		},
		error: /^ModelsLab: Failed, Try Again$/,
		description: REQUEST_ID,
		submits: 1,
	},
	{
		fault: 'the API forgets the job ("Request not found")',
		inject: json(200, { status: 'failed', id: '', message: 'Request not found', output: '' }),
		error: /^ModelsLab: Request not found$/,
		description: REQUEST_ID,
		submits: 1,
	},
	{
		fault: 'the key is revoked while waiting (HTTP 401)',
		inject: json(401, { status: 'error', message: 'Invalid Api Key' }),
		error: /^ModelsLab: Invalid Api Key$/,
		description: REQUEST_ID,
		submits: 1,
	},
	{
		fault: 'HTTP 502 four times in a row',
		inject: (sim) => [1, 2, 3, 4].forEach(() => html(502, 'Bad Gateway')(sim)),
		error: /HTTP 502 and a body that is not JSON/,
		description: REQUEST_ID,
		submits: 1,
	},
];

describe('a fault while the Inpaint node waits for a queued job', () => {
	it.concurrent.each(waiting.map((fault) => [fault.fault, fault] as const))(
		'%s',
		async (_, fault) =>
			withOwnSimulator(async ({ simulator, run }) => {
				simulator.settings.jobDurationMs = 300;
				fault.inject(simulator);
				const result = await timed(() =>
					run({
						...minimalParameters.community,
						downloadImages: false,
						processingOptions: FAST_LIMITS,
						...fault.parameters,
					}),
				);
				expectFaultOutcome(fault, result, simulator, logs());
				if (!fault.error)
					expect(result.result.output[0].json).toMatchObject({
						requestId: '90000001',
						output: simulator.jobs[0].outputs,
					});
			}),
	);
});

const fetchCases: FaultCase[] = [
	...transient.map(
		([fault, inject, extra]): FaultCase => ({ fault, inject, submits: 1, jobs: 1, ...extra }),
	),
	{
		fault: 'an unknown request id',
		inject: () => {},
		parameters: { requestId: '123', endpoint: 'community' },
		error: /^ModelsLab: Request not found$/,
		description: /Request id 123/,
	},
	{
		fault: 'invalid key, HTTP 401 style',
		inject: (sim) => {
			sim.settings.invalidKeyStyle = 'http401';
		},
		credentials: { apiKey: 'revoked-key-0000' },
		error: /^ModelsLab: Invalid Api Key$/,
		description: REQUEST_ID,
	},
];

describe("a fault on the ModelsLab Fetch node's first look at a job", () => {
	it.concurrent.each(fetchCases.map((fault) => [fault.fault, fault] as const))(
		'%s',
		async (_, fault) =>
			withOwnSimulator(async ({ simulator, run, credentials }) => {
				simulator.settings.jobDurationMs = 200;
				const queued = await run({ ...minimalParameters.community, completion: 'immediate' });
				expect(queued.output[0].json.status).toBe('processing');
				fault.inject(simulator);
				const result = await timed(() =>
					run(
						{ downloadImages: false, processingOptions: FAST_LIMITS, ...fault.parameters },
						{
							nodeType: `${PACKAGE}.modelsLabFetch`,
							items: [{ json: queued.output[0].json }],
							credentials: credentials(fault.credentials),
						},
					),
				);
				expectFaultOutcome(fault, result, simulator, logs());
			}),
	);
});
