/**
 * Faults on the upload of binary images (base64_to_url). An upload is free and creates no job, so
 * a lost or refused one is simply made again; only then is the job submitted, exactly once.
 */
import { allLogs, useLogCapture } from './support/capture-logs';

import type { FaultCase } from './support/faults';
import {
	FAST_LIMITS,
	expectFaultOutcome,
	htmlErrorPage,
	keysIn,
	timed,
	withOwnSimulator,
} from './support/faults';
import {
	binaryImages,
	minimalParameters,
	photoAndMaskItem,
	useSimulator,
} from './support/simulator';

const { simulator, inpaint } = useSimulator();
const logs = useLogCapture();
afterAll(() => expect(keysIn(allLogs())).toEqual([]));

const UPLOAD = '/api/v6/base64_to_url';
const html = (status: number, title: string) => (sim: typeof simulator) =>
	sim.respondOnce(
		{ path: UPLOAD },
		{ status, raw: htmlErrorPage(status, title), headers: { 'content-type': 'text/html' } },
	);
const json =
	(status: number, body: unknown, headers?: Record<string, string>) => (sim: typeof simulator) =>
		sim.respondOnce({ path: UPLOAD }, { status, body, headers });

/** Survived: two good uploads (plus the failed ones), one submit, one job. */
const survived = (
	fault: string,
	inject: FaultCase['inject'],
	extra: Partial<FaultCase> = {},
): FaultCase => ({
	fault,
	inject,
	submits: 1,
	jobs: 1,
	...extra,
});

const cases: FaultCase[] = [
	survived('HTTP 500 with an HTML page', html(500, 'Internal Server Error')),
	survived('HTTP 502 with an HTML page', html(502, 'Bad Gateway')),
	survived('HTTP 503 with an HTML page', html(503, 'Service Unavailable')),
	survived(
		'HTTP 429 with Retry-After: 1',
		json(429, { message: 'Too Many Attempts.' }, { 'retry-after': '1' }),
		{ minMs: 1000 },
	),
	survived('HTTP 429 without Retry-After', json(429, { message: 'Too Many Attempts.' })),
	survived(
		'HTTP 200 "Rate limit exceeded"',
		json(200, { status: 'error', message: 'Rate limit exceeded' }),
	),
	survived(
		'HTTP 200 spam filter, wait 1 s',
		json(200, {
			status: 'error',
			messege: 'Rate limit exceeded',
			tips: 'Spam filter is enabled, please wait for 1 seconds and try again',
		}),
		{ minMs: 1000 },
	),
	survived('truncated JSON', (sim) =>
		sim.respondOnce(
			{ path: UPLOAD },
			{
				raw: '{"status":"success","id":5000001,"output":["http://127.0.0.1/upl',
				headers: { 'content-type': 'application/json' },
			},
		),
	),
	survived('HTTP 200 with a non-JSON body', (sim) =>
		sim.respondOnce(
			{ path: UPLOAD },
			{
				raw: 'upstream connect error or disconnect/reset before headers',
				headers: { 'content-type': 'text/plain' },
			},
		),
	),
	survived(
		'connection accepted, never answered',
		(sim) => sim.respondOnce({ path: UPLOAD }, { fault: 'hang' }),
		{ minMs: 900 },
	),
	survived('connection reset mid-response', (sim) =>
		sim.respondOnce({ path: UPLOAD }, { fault: 'reset', passThrough: true }),
	),
	{
		fault: 'HTTP 502 four times in a row',
		inject: (sim) => [1, 2, 3, 4].forEach(() => html(502, 'Bad Gateway')(sim)),
		error:
			/^ModelsLab answered \/api\/v6\/base64_to_url with HTTP 502 and a body that is not JSON$/,
		description: /Bad Gateway.*\(Tried 4 times\.\)/s,
		submits: 0,
		jobs: 0,
	},
	{
		fault: 'invalid key, HTTP 200 style',
		inject: () => {},
		credentials: { apiKey: 'revoked-key-0000' },
		error: /^ModelsLab: Invalid Api Key$/,
		submits: 0,
		jobs: 0,
	},
	{
		fault: 'invalid key, HTTP 401 style',
		inject: (sim) => {
			sim.settings.invalidKeyStyle = 'http401';
		},
		credentials: { apiKey: 'revoked-key-0000' },
		error: /^ModelsLab: Invalid Api Key$/,
		submits: 0,
		jobs: 0,
	},
	{
		fault: 'image over the 5 MB limit (the API says so)',
		inject: json(200, { status: 'error', message: 'Maximum file size allowed is 5MB' }),
		error: /^ModelsLab: Maximum file size allowed is 5MB$/,
		submits: 0,
		jobs: 0,
	},
];

describe('a fault on the image upload (v6 Image Editing, binary image and mask)', () => {
	it.concurrent.each(cases.map((fault) => [fault.fault, fault] as const))('%s', async (_, fault) =>
		withOwnSimulator(async ({ simulator: own, run, credentials }) => {
			fault.inject(own);
			const result = await timed(() =>
				run(
					{
						...minimalParameters.imageEditing,
						...binaryImages,
						downloadImages: false,
						processingOptions: FAST_LIMITS,
					},
					{ items: [photoAndMaskItem(64)], credentials: credentials(fault.credentials) },
				),
			);
			expectFaultOutcome(fault, result, own, logs());
			if (!fault.error) {
				// The job got two working links, each to its own uploaded file.
				const body = own.requestsTo('/api/v6/image_editing/inpaint')[0].body as Record<
					string,
					string
				>;
				expect(body.init_image).toMatch(/\/uploads\//);
				expect(body.mask_image).toMatch(/\/uploads\//);
				expect(body.init_image).not.toBe(body.mask_image);
			}
		}),
	);

	it('a failed upload is made again with the same image', async () => {
		html(502, 'Bad Gateway')(simulator);
		await inpaint(
			{
				...minimalParameters.imageEditing,
				...binaryImages,
				downloadImages: false,
				processingOptions: FAST_LIMITS,
			},
			{ items: [photoAndMaskItem(64)] },
		);
		const [failed, again, mask] = simulator
			.requestsTo(UPLOAD)
			.map((request) => (request.body as { base64_string: string }).base64_string);
		expect(again).toBe(failed);
		expect(mask).not.toBe(failed);
	});
});
