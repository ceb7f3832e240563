/**
 * Faults on the paid path: the job submission. A refused submit (rate limit, full queue) is sent
 * again after the wait asked for; anything that may have created the job (lost answer, gateway
 * error, cut-off body) is reported, never re-sent. Nothing hangs past Request Timeout, and the key
 * never shows up in what the user or the logs see.
 */
import { createServer } from 'net';

import { ModelsLabSimulator } from '../simulator/server';
import { allLogs, useLogCapture } from './support/capture-logs';
import { failureOf } from '../nodes/shared/transport/failures';
import { runNode } from '../harness/engine';

import type { FaultCase } from './support/faults';
import {
	FAST_LIMITS,
	expectFaultOutcome,
	htmlErrorPage,
	keysIn,
	noHangBoundMs,
	timed,
	withOwnSimulator,
} from './support/faults';
import { API_KEY, minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();
const logs = useLogCapture();
afterAll(() => expect(keysIn(allLogs())).toEqual([]));

const SUBMIT = '/api/v6/images/inpaint';
const html = (status: number, title: string) => (sim: typeof simulator) =>
	sim.respondOnce(
		{ path: SUBMIT },
		{ status, raw: htmlErrorPage(status, title), headers: { 'content-type': 'text/html' } },
	);
const json =
	(status: number, body: unknown, headers?: Record<string, string>) => (sim: typeof simulator) =>
		sim.respondOnce({ path: SUBMIT }, { status, body, headers });
const LOST =
	/ModelsLab may have created this job \(and billed it\) even though its answer was lost, so it was not sent again/;

const cases: FaultCase[] = [
	{
		fault: 'HTTP 500 with an HTML page',
		inject: html(500, 'Internal Server Error'),
		error: /answered \/api\/v6\/images\/inpaint with HTTP 500 and a body that is not JSON/,
		description: LOST,
		submits: 1,
	},
	{
		fault: 'HTTP 502 with an HTML page',
		inject: html(502, 'Bad Gateway'),
		error: /HTTP 502 and a body that is not JSON/,
		description: /Bad Gateway.*may have created this job/s,
		submits: 1,
	},
	{
		fault: 'HTTP 503 with an HTML page',
		inject: html(503, 'Service Unavailable'),
		error: /HTTP 503 and a body that is not JSON/,
		description: LOST,
		submits: 1,
	},
	{
		fault: 'HTTP 429 with Retry-After: 1',
		inject: json(429, { message: 'Too Many Attempts.' }, { 'retry-after': '1' }),
		submits: 2,
		jobs: 1,
		minMs: 1000,
	},
	{
		fault: 'HTTP 429 without Retry-After',
		inject: json(429, { message: 'Too Many Attempts.' }),
		submits: 2,
		jobs: 1,
		minMs: 2000,
	},
	{
		fault: 'HTTP 429 full queue with retry_after in the body',
		inject: json(429, {
			status: 'error',
			message: 'Rate limit exceeded. Maximum 5 queued requests allowed.',
			retry_after: 0.3,
		}),
		submits: 2,
		jobs: 1,
		minMs: 300,
	},
	{
		fault: 'HTTP 200 "Rate limit exceeded"',
		inject: json(200, { status: 'error', message: 'Rate limit exceeded' }),
		submits: 2,
		jobs: 1,
		minMs: 2000,
	},
	{
		fault: 'HTTP 200 spam filter, wait 1 s',
		inject: json(200, {
			status: 'error',
			messege: 'Rate limit exceeded',
			tips: 'Spam filter is enabled, please wait for 1 seconds and try again',
		}),
		submits: 2,
		jobs: 1,
		minMs: 1000,
	},
	{
		fault: 'HTTP 200 spam filter, wait 30 s (more than Max Wait)',
		inject: json(200, {
			status: 'error',
			messege: 'Rate limit exceeded',
			tips: 'Spam filter is enabled, please wait for 30 seconds and try again',
		}),
		error: /^ModelsLab: Rate limit exceeded$/,
		description:
			/asked to wait 30 s before sending the job again, longer than Max Wait allows; the job was not created/,
		submits: 1,
		jobs: 0,
	},
	{
		fault: 'truncated JSON that names the job',
		inject: (sim) =>
			sim.respondOnce(
				{ path: SUBMIT },
				{
					raw: '{"status":"processing","id":90000777,"eta":12.5,"fetch_result":"http://127.0.0.1/api/v6/ima',
					headers: { 'content-type': 'application/json' },
				},
			),
		error: /HTTP 200 and a body that is not JSON/,
		description: /request id 90000777.*may have created this job/s,
		submits: 1,
	},
	{
		fault: 'HTTP 200 with a non-JSON body',
		inject: (sim) =>
			sim.respondOnce(
				{ path: SUBMIT },
				{
					raw: '<html><body>Checking your browser...</body></html>',
					headers: { 'content-type': 'text/html' },
				},
			),
		error: /HTTP 200 and a body that is not JSON/,
		description: /Checking your browser.*may have created this job/s,
		submits: 1,
	},
	{
		fault: 'connection accepted, never answered (the job was created)',
		inject: (sim) => sim.respondOnce({ path: SUBMIT }, { fault: 'hang', passThrough: true }),
		error:
			/^Could not reach ModelsLab at 127\.0\.0\.1:\d+: no answer within the request timeout of 1 s$/,
		description: /was sent, but no answer arrived.*may have created this job/s,
		submits: 1,
		jobs: 1,
		minMs: 900,
	},
	{
		fault: 'connection reset mid-response (the job was created)',
		inject: (sim) => sim.respondOnce({ path: SUBMIT }, { fault: 'reset', passThrough: true }),
		error: /^Could not reach ModelsLab at 127\.0\.0\.1:\d+: /,
		description: /was sent, but no answer arrived.*may have created this job/s,
		submits: 1,
		jobs: 1,
	},
	{
		fault: '"processing" sent with HTTP 400',
		inject: (sim) => {
			sim.settings.jobDurationMs = 300;
			sim.respondOnce({ path: SUBMIT }, { status: 400, passThrough: true });
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
		fault: 'invalid key, HTTP 200 style',
		inject: () => {},
		credentials: { apiKey: 'revoked-key-0000' },
		error: /^ModelsLab: Invalid Api Key$/,
		submits: 1,
		jobs: 0,
	},
	{
		fault: 'invalid key, HTTP 401 style',
		inject: (sim) => {
			sim.settings.invalidKeyStyle = 'http401';
		},
		credentials: { apiKey: 'revoked-key-0000' },
		error: /^ModelsLab: Invalid Api Key$/,
		submits: 1,
		jobs: 0,
	},
	{
		fault: 'insufficient credits (HTTP 402)',
		inject: json(402, {
			status: 'error',
			message: 'Insufficient credits. Please add more credits to continue.',
		}),
		error: /^ModelsLab: Insufficient credits/,
		submits: 1,
		jobs: 0,
	},
	{
		fault: 'unknown model id',
		inject: json(200, { status: 'error', message: 'Model id not found' }),
		error: /^ModelsLab: Model id not found$/,
		submits: 1,
		jobs: 0,
	},
	{
		fault: 'the job fails at once',
		inject: json(200, { status: 'failed', id: '', message: 'Failed, Try Again', output: '' }),
		error: /^ModelsLab: Failed, Try Again$/,
		submits: 1,
	},
];

describe('a fault on the job submission (v6 Community Models)', () => {
	it.concurrent.each(cases.map((fault) => [fault.fault, fault] as const))('%s', async (_, fault) =>
		withOwnSimulator(async ({ simulator: own, run, credentials }) => {
			fault.inject(own);
			const result = await timed(() =>
				run(
					{
						...minimalParameters.community,
						downloadImages: false,
						processingOptions: FAST_LIMITS,
						...fault.parameters,
					},
					{ credentials: credentials(fault.credentials) },
				),
			);
			expectFaultOutcome(fault, result, own, logs());
			if (!fault.error) expect(result.result.output[0].json.requestId).toBe(String(own.jobs[0].id));
		}),
	);

	it('a retried submit sends the very same job, after the Retry-After the API asked for', async () => {
		json(429, { message: 'Too Many Attempts.' }, { 'retry-after': '3' })(simulator);
		await inpaint({
			...minimalParameters.community,
			downloadImages: false,
			processingOptions: FAST_LIMITS,
		});
		const [refused, accepted] = simulator.requestsTo(SUBMIT);
		expect(accepted.body).toEqual(refused.body);
		// The header's 3 s, longer than the 2 s the node waits when the API gives no hint, so a gap of
		// 3 s or more (load only lengthens it) can only come from the header. No upper bound: the wait
		// varies by up to 25 % on purpose, and a busy machine stretches any timer.
		// Timed by the simulator's records, which leave out the engine's start-up.
		expect(accepted.receivedAt - refused.receivedAt).toBeGreaterThanOrEqual(3000);
	});

	it('proxy_links as an object still becomes a list', async () => {
		simulator.settings.proxyLinksAsObject = true;
		const { output } = await inpaint({ ...minimalParameters.community, downloadImages: false });
		expect(output[0].json.proxyLinks).toEqual([
			expect.stringContaining(String(simulator.jobs[0].outputs[0].split('/').pop())),
		]);
	});

	it('On Error: Continue: a lost submit becomes an error item, the next item is still sent once', async () => {
		simulator.respondOnce({ path: SUBMIT }, { fault: 'reset', passThrough: true });
		const { output } = await inpaint(
			{
				...minimalParameters.community,
				prompt: '={{ $json.prompt }}',
				downloadImages: false,
				processingOptions: { ...FAST_LIMITS, maxConcurrentJobs: 1 },
			},
			{ items: [{ json: { prompt: 'one' } }, { json: { prompt: 'two' } }], continueOnFail: true },
		);
		expect(output[0].json.error).toMatch(/Could not reach ModelsLab/);
		expect(output[1].json.status).toBe('success');
		expect(simulator.requestsTo(SUBMIT)).toHaveLength(2);
		expect(simulator.jobs).toHaveLength(2);
	});
});

/** A 127.0.0.1 port nothing listens on (it was free a moment ago): connecting to it is refused. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

const pointedAt = (baseUrl: string) => ({ apiKey: API_KEY, baseUrl, legacyBaseUrl: baseUrl });
// Max Wait 3 s leaves room for one retry of a submit that was not sent (after 2 s), not for a second (4 s more).
const ONE_RETRY = { requestTimeoutSeconds: 1, maxWaitSeconds: 3 };
const NOT_SENT =
	/was not sent: no connection to .* could be made.*\(Tried 2 times\.\) No job was created, so running this item again is safe\.$/s;

describe('a submit that never left this machine (nothing was sent, so no job exists)', () => {
	const parameters = {
		...minimalParameters.community,
		downloadImages: false,
		processingOptions: ONE_RETRY,
	};

	it('connection refused: tried again after a pause, then reported as not sent, without the "may have created" warning', async () => {
		const port = await closedPort();
		const { result, ms } = await timed(() =>
			runNode({ parameters, credentials: pointedAt(`http://127.0.0.1:${port}`) }),
		);
		expect(result.error?.message).toBe(
			`Could not reach ModelsLab at 127.0.0.1:${port}: the server refused the connection`,
		);
		expect(result.error?.description).toMatch(NOT_SENT);
		expect(result.error?.description).not.toMatch(/may have created/);
		expect(failureOf(result.error)).toEqual({ kind: 'not-sent' });
		expect(ms).toBeGreaterThanOrEqual(2000);
		expect(ms).toBeLessThan(noHangBoundMs(ONE_RETRY));
	});

	it('a host name that does not resolve (reserved .invalid): reported as not sent', async () => {
		const { result } = await timed(() =>
			runNode({ parameters, credentials: pointedAt('http://modelslab.invalid') }),
		);
		// EAI_AGAIN instead of ENOTFOUND where no DNS server answers at all. (In the unit suite the
		// reserved name is answered at once by test/support/reservedNames.ts, as every resolver must.)
		expect(result.error?.message).toMatch(
			/^Could not reach ModelsLab at modelslab\.invalid: the host name could not be (found|looked up)$/,
		);
		expect(result.error?.description).toMatch(NOT_SENT);
		expect(result.error?.description).not.toMatch(/may have created/);
		expect(failureOf(result.error)).toEqual({ kind: 'not-sent' });
	});

	it('refused, then the server is back for the retry: the job is sent and created once', async () => {
		const port = await closedPort();
		const late = new ModelsLabSimulator({ apiKeys: [API_KEY], port });
		const started = new Promise((resolve) =>
			setTimeout(() => void late.start().then(resolve, resolve), 500),
		);
		try {
			const { result } = await timed(() =>
				runNode({ parameters, credentials: pointedAt(`http://127.0.0.1:${port}`) }),
			);
			expect(result.error).toBeUndefined();
			expect(result.output[0].json.status).toBe('success');
			expect(late.requestsTo(SUBMIT)).toHaveLength(1);
			expect(late.jobs).toHaveLength(1);
		} finally {
			// Stopped only once started: a run that ended early must not leave a server keeping jest alive.
			await started;
			await late.stop();
		}
	});

	it('a hang is not "not sent": the request timeout is named and the job is not sent again', async () => {
		await withOwnSimulator(async ({ simulator: own, run }) => {
			own.respondOnce({ path: SUBMIT }, { fault: 'hang' });
			const { result } = await timed(() => run(parameters));
			expect(result.error?.message).toMatch(/: no answer within the request timeout of 1 s$/);
			expect(result.error?.description).toMatch(LOST);
			expect(failureOf(result.error)).toEqual({ kind: 'answer-lost' });
			expect(own.requestsTo(SUBMIT)).toHaveLength(1);
		});
	});
});
