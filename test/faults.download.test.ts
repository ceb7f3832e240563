/**
 * Faults while the result images are downloaded into binary data: output links that fail, answer
 * slowly or with something that is not a picture. A download is free, so passing faults are tried
 * again; a link that is gone is reported with the link and the request id. The job is never sent
 * twice, and no download outlives Request Timeout.
 */
import { allLogs, useLogCapture } from './support/capture-logs';

import { isPng } from '../simulator/png';
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
import { minimalParameters, useSimulator } from './support/simulator';

const { simulator, inpaint } = useSimulator();
const logs = useLogCapture();
afterAll(() => expect(keysIn(allLogs())).toEqual([]));

const IMAGE = /^\/generations\//;
/** The file as the simulator serves it without a fault (fetched after the run's downloads are counted). */
const wholeFile = async (url: string) => Buffer.from(await (await fetch(url)).arrayBuffer());
const canned = (response: Parameters<typeof simulator.respondOnce>[1]) => (sim: typeof simulator) =>
	sim.respondOnce({ method: 'GET', path: IMAGE }, response);
const html = (status: number, title: string) =>
	canned({ status, raw: htmlErrorPage(status, title), headers: { 'content-type': 'text/html' } });
const survived = (
	fault: string,
	inject: FaultCase['inject'],
	extra: Partial<FaultCase> = {},
): FaultCase => ({ fault, inject, submits: 1, jobs: 1, ...extra });
const LINK =
	/^Could not download the image http:\/\/127\.0\.0\.1:\d+\/generations\/[\w-]+-0\.png: /;
const BASE64_LINK = new RegExp(LINK.source.replace('png', 'base64'));
/** A file cut short (HTTP 200, a content-length that matches the cut): every time it is downloaded. */
const cutEveryTime = (truncateTo: number) => (sim: typeof simulator) =>
	[1, 2, 3, 4].forEach(() => canned({ passThrough: true, truncateTo })(sim));
const ENDED_EARLY =
	/the file ended early, so the picture is incomplete \(got \d+ bytes; a whole PNG ends with its IEND marker\)$/;
const BASE64_OUTPUT = { communityAdvancedOptions: { base64: true } };

const cases: FaultCase[] = [
	survived('HTTP 500 with an HTML page', html(500, 'Internal Server Error')),
	survived('HTTP 502 with an HTML page', html(502, 'Bad Gateway')),
	survived('HTTP 503 with an HTML page', html(503, 'Service Unavailable')),
	survived(
		'HTTP 429 with Retry-After: 1',
		canned({ status: 429, raw: 'Too Many Requests', headers: { 'retry-after': '1' } }),
		{ minMs: 1000 },
	),
	survived('HTTP 429 without Retry-After', canned({ status: 429, raw: 'Too Many Requests' })),
	survived('connection accepted, never answered', canned({ fault: 'hang' }), { minMs: 1000 }),
	survived('connection reset mid-body', canned({ fault: 'reset', passThrough: true })),
	survived(
		'a slow download within Request Timeout',
		canned({ passThrough: true, dripMs: 20, dripBytes: 2048 }),
	),
	survived(
		'a download slower than Request Timeout, once',
		canned({ passThrough: true, dripMs: 400, dripBytes: 64 }),
		{ minMs: 1000 },
	),
	{
		fault: 'a download slower than Request Timeout, every time',
		inject: (sim) =>
			[1, 2, 3, 4].forEach(() => canned({ passThrough: true, dripMs: 400, dripBytes: 64 })(sim)),
		parameters: { processingOptions: { ...FAST_LIMITS, maxWaitSeconds: 1 } },
		// "broke off" once the headers came; on a loaded machine the 1 s can pass before they do.
		error: new RegExp(
			`${LINK.source}(the download broke off: )?not complete within the request timeout of 1 s$`,
		),
		description: /The job itself succeeded \(request id 90000001\)/,
		submits: 1,
		minMs: 1000,
	},
	// Cut-short files: downloaded again (see the request counts below), within the same no-hang bound as every case.
	survived(
		'a result PNG cut short once (HTTP 200, matching content-length, no IEND CRC)',
		canned({ passThrough: true, truncateTo: -4 }),
	),
	survived(
		'a result PNG cut to its first 1000 bytes once',
		canned({ passThrough: true, truncateTo: 1000 }),
	),
	survived(
		'a result PNG served empty (HTTP 200, content-length 0) once',
		canned({ passThrough: true, truncateTo: 0 }),
	),
	survived('a .base64 result cut short once', canned({ passThrough: true, truncateTo: -10 }), {
		parameters: BASE64_OUTPUT,
	}),
	{
		fault: 'a result PNG cut short every time',
		inject: cutEveryTime(-4),
		error: new RegExp(`${LINK.source}${ENDED_EARLY.source}`),
		description: /The job itself succeeded \(request id 90000001\).*\(Tried 4 times\.\)$/s,
		submits: 1,
		jobs: 1,
	},
	{
		fault: 'a .base64 result cut short every time',
		inject: cutEveryTime(-10),
		parameters: BASE64_OUTPUT,
		error: new RegExp(`${BASE64_LINK.source}${ENDED_EARLY.source}`),
		description: /The job itself succeeded \(request id 90000001\).*\(Tried 4 times\.\)$/s,
		submits: 1,
		jobs: 1,
	},
	{
		fault: 'output link answers 404',
		inject: canned({ status: 404, raw: 'Not Found' }),
		error: new RegExp(`${LINK.source}HTTP 404$`),
		description: /links expire.*\(request id 90000001\)/s,
		submits: 1,
	},
	{
		fault: 'HTTP 200 with an HTML page instead of the image',
		inject: canned({
			raw: '<html>Sign in</html>',
			headers: { 'content-type': 'text/html; charset=utf-8' },
		}),
		error: new RegExp(`${LINK.source}the link answered with text/html instead of an image$`),
		description: /request id 90000001/,
		submits: 1,
	},
	{
		fault: 'HTTP 200 with a JSON "Rate limit exceeded" instead of the image',
		inject: canned({ body: { status: 'error', message: 'Rate limit exceeded' } }),
		error: new RegExp(`${LINK.source}the link answered with application/json instead of an image$`),
		submits: 1,
	},
];

describe('a fault on the download of a result image (v6 Community Models)', () => {
	it.concurrent.each(cases.map((fault) => [fault.fault, fault] as const))('%s', async (_, fault) =>
		withOwnSimulator(async ({ simulator: own, run }) => {
			fault.inject(own);
			const result = await timed(() =>
				run({
					...minimalParameters.community,
					processingOptions: FAST_LIMITS,
					...fault.parameters,
				}),
			);
			expectFaultOutcome(fault, result, own, logs());
			const link = own.jobs[0].outputs[0];
			if (/cut short|cut to|served empty/.test(fault.fault)) {
				// Once cut: downloaded again; cut every time: tried 4 times (3 retries), then reported.
				expect(own.requestsTo('/generations/')).toHaveLength(fault.error ? 4 : 2);
			}
			if (!fault.error) {
				const data = result.result.output[0].binary!.data;
				const bytes = Buffer.from(data.data, 'base64');
				expect(isPng(bytes)).toBe(true);
				// The whole picture, byte for byte: not a cut copy that happens to start like a PNG.
				const whole = await wholeFile(link);
				expect(
					bytes.equals(
						own.jobs[0].base64Output
							? Buffer.from(whole.toString('utf8').split(',').pop()!, 'base64')
							: whole,
					),
				).toBe(true);
				expect(data.fileName).toBe(
					link
						.split('/')
						.pop()!
						.replace(/\.base64$/, '.png'),
				);
			}
		}),
	);

	it('the ModelsLab Fetch node survives a reset download too', async () => {
		const queued = await inpaint({ ...minimalParameters.community, completion: 'immediate' });
		canned({ fault: 'reset', passThrough: true })(simulator);
		const { output, error } = await inpaint(
			{ processingOptions: FAST_LIMITS },
			{ nodeType: `${PACKAGE}.modelsLabFetch`, items: [{ json: queued.output[0].json }] },
		);
		expect(error).toBeUndefined();
		expect(isPng(Buffer.from(output[0].binary!.data.data, 'base64'))).toBe(true);
		expect(simulator.requestsTo('/generations/')).toHaveLength(2);
	});
});
