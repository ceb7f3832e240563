/**
 * Tests of the ModelsLab simulator itself, over real HTTP with Node's global fetch. The node tests
 * trust this simulator to catch their bugs, so every documented behaviour and quirk is pinned here.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'http';
import { crc32, deflateSync } from 'zlib';
import {
	decodePng,
	encodePng,
	isPng,
	makeMask,
	makePhoto,
	MAX_UPLOAD_BYTES,
	ModelsLabSimulator,
	pngDimensions,
	type PngFilter,
	type Raster,
} from '../simulator';

/** Answers are free-form JSON; tests index into them directly. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form on purpose, see above
type Json = Record<string, any>;

const KEY = 'sim-api-key';
const ENTERPRISE_KEY = 'sim-enterprise-key';
const REMOTE_INIT = 'https://example.com/init.png';
const REMOTE_MASK = 'https://example.com/mask.png';

const IE = '/api/v6/image_editing/inpaint';
const COMMUNITY = '/api/v6/images/inpaint';
const LEGACY = '/api/v3/inpaint';
const ENTERPRISE = '/api/v1/enterprise/pony/inpaint';

let sim: ModelsLabSimulator;
let base: string;

beforeAll(async () => {
	sim = new ModelsLabSimulator();
	base = await sim.start();
});

afterEach(async () => {
	await sim.flushCallbacks();
	sim.reset();
});

afterAll(async () => {
	await sim.stop();
});

interface HttpAnswer {
	status: number;
	json: Json;
	text: string;
	headers: Headers;
}

async function request(
	method: string,
	path: string,
	body?: unknown,
	headers: Record<string, string> = {},
): Promise<HttpAnswer> {
	const res = await fetch(`${path.startsWith('http') ? '' : base}${path}`, {
		method,
		headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
		body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
	});
	const text = await res.text();
	let json: Json = {};
	try {
		json = JSON.parse(text) as Json;
	} catch {
		// not JSON; callers look at .text
	}
	return { status: res.status, json, text, headers: res.headers };
}

const post = (path: string, body: unknown, headers?: Record<string, string>) =>
	request('POST', path, body, headers);

async function download(
	url: string,
): Promise<{ status: number; bytes: Buffer; type: string | null }> {
	const res = await fetch(url);
	return {
		status: res.status,
		bytes: Buffer.from(await res.arrayBuffer()),
		type: res.headers.get('content-type'),
	};
}

async function upload(png: Buffer): Promise<string> {
	const { json } = await post('/api/v6/base64_to_url', {
		key: KEY,
		base64_string: `data:image/png;base64,${png.toString('base64')}`,
	});
	expect(json.status).toBe('success');
	return json.output[0] as string;
}

function pixel(raster: Raster, x: number, y: number): number[] {
	const o = (y * raster.width + x) * 4;
	return Array.from(raster.rgba.subarray(o, o + 4));
}

/** Polls a fetch route until the job leaves "processing" (short jobs only). */
async function fetchUntilDone(path: string, body: unknown, timeoutMs = 2000): Promise<Json> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { json } = await post(path, body);
		if (json.status !== 'processing' || Date.now() > deadline) return json;
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}

/**
 * Makes every queued job due now, so the next fetch finishes it. A test that must first see a job
 * "processing" gives it a long duration and ends it with this: a job of a few ms races the test's
 * own requests, which a loaded machine can make slower than that.
 */
const finishJobsNow = () =>
	sim.jobs.forEach((job) => (job.readyAt = Math.min(job.readyAt, Date.now())));

const ieBody = (extra: Json = {}): Json => ({
	key: KEY,
	prompt: 'a cat sitting on a bench',
	init_image: REMOTE_INIT,
	mask_image: REMOTE_MASK,
	...extra,
});
const communityBody = (extra: Json = {}): Json => ({
	key: KEY,
	model_id: 'pony-realism',
	prompt: 'a cat',
	init_image: REMOTE_INIT,
	mask_image: REMOTE_MASK,
	...extra,
});
const legacyBody = (extra: Json = {}): Json => ({
	key: KEY,
	prompt: 'a cat',
	init_image: REMOTE_INIT,
	mask_image: REMOTE_MASK,
	...extra,
});
const enterpriseBody = (extra: Json = {}): Json => ({
	key: ENTERPRISE_KEY,
	model_id: 'my-pony',
	prompt: 'a cat',
	init_image: REMOTE_INIT,
	mask_image: REMOTE_MASK,
	...extra,
});

/** Builds a PNG of any colour type with zlib's CRC, independent of the simulator's encoder. */
function handMadePng(
	width: number,
	height: number,
	colourType: number,
	rows: number[][],
	extra: Array<[string, Buffer]> = [],
	rowsCarryFilterByte = false,
): Buffer {
	const chunk = (type: string, data: Buffer) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
		const crc = Buffer.alloc(4);
		crc.writeUInt32BE(crc32(td));
		return Buffer.concat([len, td, crc]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8;
	ihdr[9] = colourType;
	const raw = Buffer.from(rows.flatMap((row) => (rowsCarryFilterByte ? row : [0, ...row])));
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		...extra.map(([type, data]) => chunk(type, data)),
		chunk('IDAT', deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

describe('PNG helpers', () => {
	const noise = (w: number, h: number) =>
		Uint8Array.from({ length: w * h * 4 }, (_, i) => (i * 37 + (i >> 3) * 11) & 0xff);

	it.each<PngFilter>(['none', 'sub', 'up', 'average', 'paeth', 'cycle'])(
		'round-trips RGBA with the %s filter',
		(filter) => {
			const rgba = noise(13, 7);
			const png = encodePng(13, 7, rgba, { filter });
			expect(isPng(png)).toBe(true);
			expect(pngDimensions(png)).toEqual({ width: 13, height: 7 });
			const decoded = decodePng(png);
			expect(decoded.width).toBe(13);
			expect(decoded.height).toBe(7);
			expect(Buffer.from(decoded.rgba).equals(Buffer.from(rgba))).toBe(true);
		},
	);

	it('writes CRCs that zlib agrees with', () => {
		const png = encodePng(2, 2, new Uint8Array(16).fill(200));
		const ihdrLength = png.readUInt32BE(8);
		const crcAt = 8 + 8 + ihdrLength;
		expect(png.readUInt32BE(crcAt)).toBe(crc32(png.subarray(12, crcAt)));
	});

	it('decodes greyscale, grey+alpha, RGB and palette images', () => {
		expect(pixel(decodePng(handMadePng(2, 1, 0, [[10, 250]])), 1, 0)).toEqual([250, 250, 250, 255]);
		expect(pixel(decodePng(handMadePng(1, 1, 4, [[90, 7]])), 0, 0)).toEqual([90, 90, 90, 7]);
		expect(
			pixel(
				decodePng(
					handMadePng(1, 2, 2, [
						[1, 2, 3],
						[4, 5, 6],
					]),
				),
				0,
				1,
			),
		).toEqual([4, 5, 6, 255]);
		const palette: Array<[string, Buffer]> = [
			['PLTE', Buffer.from([255, 0, 0, 0, 0, 255])],
			['tRNS', Buffer.from([128])],
		];
		const decoded = decodePng(handMadePng(2, 1, 3, [[0, 1]], palette));
		expect(pixel(decoded, 0, 0)).toEqual([255, 0, 0, 128]);
		expect(pixel(decoded, 1, 0)).toEqual([0, 0, 255, 255]);
	});

	it('undoes each of the five row filters as the PNG spec defines them', () => {
		// Reference filtering written from the spec, independent of the simulator's encoder.
		const width = 5;
		const rows = [0, 1, 2, 3, 4, 1, 4].map((_, y) =>
			Array.from({ length: width * 3 }, (_, i) => (i * 53 + y * 97 + i * y * 7) & 0xff),
		);
		// A Paeth tie (pb == pc < pa, b != c) in the last row: the predictor must pick b (30), not c (50).
		rows[5].splice(0, 6, 50, 50, 50, 30, 30, 30);
		rows[6].splice(0, 3, 60, 60, 60);
		const predictors = [
			() => 0,
			(a: number) => a,
			(_a: number, b: number) => b,
			(a: number, b: number) => (a + b) >> 1,
			(a: number, b: number, c: number) => {
				const p = a + b - c;
				const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
				return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
			},
		];
		const filterTypes = [0, 1, 2, 3, 4, 1, 4];
		const filtered = rows.map((row, y) => [
			filterTypes[y],
			...row.map((value, x) => {
				const a = x >= 3 ? row[x - 3] : 0;
				const b = y > 0 ? rows[y - 1][x] : 0;
				const c = y > 0 && x >= 3 ? rows[y - 1][x - 3] : 0;
				return (value - predictors[filterTypes[y]](a, b, c)) & 0xff;
			}),
		]);
		const png = handMadePng(width, rows.length, 2, filtered, [], true);
		const decoded = decodePng(png);
		rows.forEach((row, y) => {
			for (let x = 0; x < width; x++)
				expect(pixel(decoded, x, y)).toEqual([...row.slice(x * 3, x * 3 + 3), 255]);
		});
	});

	it('rejects non-PNG data and corrupted chunks', () => {
		expect(isPng(Buffer.from('GIF89a....'))).toBe(false);
		expect(() => pngDimensions(Buffer.from('hello world, not a png'))).toThrow('Not a PNG');
		const png = encodePng(2, 2, new Uint8Array(16));
		png[20] ^= 0xff; // inside IHDR data
		expect(() => decodePng(png)).toThrow(/CRC/);
	});

	it('draws a recognisable photo and a mask', () => {
		const photo = decodePng(makePhoto(200, 100));
		expect(pixel(photo, 150, 22)).toEqual([255, 220, 80, 255]); // the sun
		expect(photo.rgba[(5 * 200 + 5) * 4 + 2]).toBeGreaterThan(190); // blue sky
		expect(pixel(photo, 10, 95)[1]).toBeGreaterThan(pixel(photo, 10, 95)[0]); // green ground
		const mask = decodePng(makeMask(200, 100));
		expect(pixel(mask, 100, 60)).toEqual([255, 255, 255, 255]);
		expect(pixel(mask, 2, 2)).toEqual([0, 0, 0, 255]);
		const rect = decodePng(
			makeMask(10, 10, { shape: 'rect', box: { x: 0, y: 0, width: 5, height: 10 } }),
		);
		expect(pixel(rect, 4, 9)[0]).toBe(255);
		expect(pixel(rect, 5, 9)[0]).toBe(0);
	});
});

describe('v6 image editing inpaint', () => {
	it('answers success with the documented shape and serves real PNGs', async () => {
		const { status, json } = await post(
			IE,
			ieBody({ width: '320', height: 256, samples: 2, track_id: 42 }),
		);
		expect(status).toBe(200);
		expect(json).toMatchObject({
			status: 'success',
			id: 90000001,
			nsfw_content_detected: false,
			webhook_status: '',
			tip: '',
			track_id: 42,
		});
		expect(typeof json.generationTime).toBe('number');
		expect(json.output).toHaveLength(2);
		expect(json.proxy_links).toEqual(json.output);
		expect(json.meta).not.toHaveProperty('key');
		expect(json.meta).toMatchObject({
			prompt: 'a cat sitting on a bench',
			width: 320,
			height: 256,
			guidance_scale: 5,
		});
		for (const url of json.output as string[]) {
			expect(url).toMatch(new RegExp(`^${base}/generations/[0-9a-f-]+-\\d\\.png$`));
			const file = await download(url);
			expect(file.status).toBe(200);
			expect(file.type).toBe('image/png');
			expect(pngDimensions(file.bytes)).toEqual({ width: 320, height: 256 });
		}
	});

	it('rejects out-of-range values with a plain string message naming the field', async () => {
		for (const [extra, field] of [
			[{ guidance_scale: 6 }, 'guidance_scale'],
			[{ width: 2048 }, 'width'],
			[{ samples: 5 }, 'samples'],
			[{ strength: 1.5 }, 'strength'],
			[{ base64: 'yes' }, 'base64'],
			[{ track_id: 'abc' }, 'track_id'],
		] as Array<[Json, string]>) {
			const { status, json } = await post(IE, ieBody(extra));
			expect(status).toBe(200);
			expect(json.status).toBe('error');
			expect(typeof json.message).toBe('string');
			expect(json.message).toContain(field);
		}
		const { json } = await post(IE, ieBody({ prompt: undefined }));
		expect(json).toEqual({ status: 'error', message: 'The prompt field is required.' });
		expect(sim.jobs).toHaveLength(0);
	});

	it('accepts types leniently: numeric strings and "true"/"false" or boolean flags', async () => {
		const { json } = await post(
			IE,
			ieBody({
				width: '512',
				samples: '1',
				guidance_scale: '5',
				base64: false,
				instant_response: 'false',
				seed: null,
				webhook: null,
				track_id: null,
			}),
		);
		expect(json.status).toBe('success');
		expect(json).not.toHaveProperty('track_id');
	});

	it('does not accept base64 data URIs as init_image (the OpenAPI types it as a URI)', async () => {
		const { json } = await post(
			IE,
			ieBody({ init_image: `data:image/png;base64,${makePhoto(8, 8).toString('base64')}` }),
		);
		expect(json.status).toBe('error');
		expect(json.message).toContain('init_image');
	});

	it('answers processing for instant_response "true" with an integer eta, and the job can be fetched', async () => {
		const { json } = await post(IE, ieBody({ instant_response: 'true' }));
		expect(json.status).toBe('processing');
		expect(Number.isInteger(json.eta)).toBe(true);
		expect(json.output).toEqual([]);
		expect(json.fetch_result).toBe(`${base}/api/v6/image_editing/fetch/${json.id}`);
		const fetched = await post(`/api/v6/image_editing/fetch/${json.id}`, { key: KEY });
		expect(fetched.json.status).toBe('success');
		expect(fetched.json.output).toEqual(json.future_links);
	});

	it('uses the init image size when width/height are not sent', async () => {
		const init = await upload(makePhoto(300, 200));
		const mask = await upload(makeMask(300, 200));
		const { json } = await post(IE, ieBody({ init_image: init, mask_image: mask }));
		expect(json.meta).toMatchObject({ width: 300, height: 200 });
		expect(pngDimensions((await download(json.output[0])).bytes)).toEqual({
			width: 300,
			height: 200,
		});
	});
});

describe('v6 community inpaint', () => {
	it('answers success for the documented example body', async () => {
		const { json } = await post(
			COMMUNITY,
			communityBody({
				width: '512',
				height: '512',
				samples: '1',
				steps: '21',
				safety_checker: 'no',
				guidance_scale: 7.5,
				strength: 0.7,
				scheduler: 'DPMSolverMultistepScheduler',
				use_karras_sigmas: 'yes',
				algorithm_type: 'sde-dpmsolver++',
				clip_skip: '2',
				seed: null,
				webhook: null,
				track_id: null,
			}),
		);
		expect(json.status).toBe('success');
		expect(json.meta.model_id).toBe('pony-realism');
	});

	it.each([
		['width below 512', { width: 504 }, 'width'],
		['height not divisible by 8', { height: 516 }, 'height'],
		['width above 1024', { width: 1032 }, 'width'],
		['guidance_scale above 20', { guidance_scale: 21 }, 'guidance_scale'],
		['a scheduler without the Scheduler suffix', { scheduler: 'DPMSolverMultistep' }, 'scheduler'],
		['clip_skip above 4', { clip_skip: 5 }, 'clip_skip'],
		['an unknown safety_checker_type', { safety_checker_type: 'censor' }, 'safety_checker_type'],
		['a boolean where "yes"/"no" is documented', { use_karras_sigmas: true }, 'use_karras_sigmas'],
		['a missing model_id', { model_id: undefined }, 'model_id'],
	] as Array<[string, Json, string]>)('rejects %s', async (_label, extra, field) => {
		const { json } = await post(COMMUNITY, communityBody(extra));
		expect(json.status).toBe('error');
		expect(json.message).toContain(field);
	});

	it('accepts data URI images only together with base64: true, and then answers .base64 outputs', async () => {
		const dataUri = `data:image/png;base64,${makePhoto(64, 64).toString('base64')}`;
		const refused = await post(COMMUNITY, communityBody({ init_image: dataUri }));
		expect(refused.json.status).toBe('error');
		const { json } = await post(COMMUNITY, communityBody({ init_image: dataUri, base64: true }));
		expect(json.status).toBe('success');
		expect(json.output[0]).toMatch(/\.base64$/);
	});
});

describe('legacy v3 inpaint', () => {
	it('answers success with legacy meta keys', async () => {
		const { json } = await post(
			LEGACY,
			legacyBody({
				width: '512',
				height: '512',
				samples: '2',
				num_inference_steps: '31',
				enhance_prompt: 'yes',
				base64: 'no',
			}),
		);
		expect(json.status).toBe('success');
		expect(json.meta).toMatchObject({ W: 512, H: 512, n_samples: 2 });
		expect(json.output[0]).toContain(json.meta.file_prefix);
	});

	it('answers field errors as {field: [messages]}', async () => {
		const steps = await post(LEGACY, legacyBody({ num_inference_steps: 30 }));
		expect(steps.json).toEqual({
			status: 'error',
			message: { num_inference_steps: ['The selected num_inference_steps is invalid.'] },
		});
		const missing = await post(LEGACY, legacyBody({ mask_image: undefined, guidance_scale: 25 }));
		expect(missing.json.message).toEqual({
			mask_image: ['The mask_image field is required.'],
			guidance_scale: ['The guidance_scale must not be greater than 20.'],
		});
	});

	it('uses the legacy spelling "messege" and output "" while processing', async () => {
		sim.settings.jobDurationMs = 60_000;
		const { json } = await post(LEGACY, legacyBody());
		expect(json).toMatchObject({
			status: 'processing',
			messege: 'Try to fetch request after seconds estimated',
			output: '',
		});
		expect(json).not.toHaveProperty('message');
		expect(json.fetch_result).toBe(`${base}/api/v3/fetch/${json.id}`);
		const fetched = await post(`/api/v3/fetch/${json.id}`, { key: KEY });
		expect(fetched.json).toMatchObject({ status: 'processing', output: '' });
		expect(fetched.json).toHaveProperty('messege');
		finishJobsNow();
		expect((await fetchUntilDone(`/api/v3/fetch/${json.id}`, { key: KEY })).status).toBe('success');
	});
});

describe('enterprise Pony inpaint', () => {
	it('answers success with an enterprise key and refuses a standard key (and vice versa)', async () => {
		expect(
			(
				await post(
					ENTERPRISE,
					enterpriseBody({
						num_inference_steps: 31,
						scheduler: 'PNDMScheduler',
						lora_strength: '0.5,1',
					}),
				)
			).json.status,
		).toBe('success');
		expect((await post(ENTERPRISE, enterpriseBody({ key: KEY }))).json.message).toBe(
			'Invalid Api Key',
		);
		expect((await post(IE, ieBody({ key: ENTERPRISE_KEY }))).json.message).toBe('Invalid Api Key');
	});

	it('validates the enterprise ranges with field-map errors', async () => {
		const { json } = await post(
			ENTERPRISE,
			enterpriseBody({
				clip_skip: 9,
				num_inference_steps: 51,
				lora_strength: '0.5,1.2',
				algorithm_type: 'sde-dpmsolver++',
				tomesd: true,
			}),
		);
		expect(Object.keys(json.message).sort()).toEqual([
			'algorithm_type',
			'clip_skip',
			'lora_strength',
			'num_inference_steps',
			'tomesd',
		]);
	});

	it('accepts data URI images with base64 "yes" and fetches by request_id in the body', async () => {
		sim.settings.jobDurationMs = 80;
		const dataUri = `data:image/png;base64,${makePhoto(32, 32).toString('base64')}`;
		const refused = await post(ENTERPRISE, enterpriseBody({ init_image: dataUri }));
		expect(refused.json.message).toHaveProperty('init_image');
		const { json } = await post(
			ENTERPRISE,
			enterpriseBody({ init_image: dataUri, mask_image: dataUri, base64: 'yes' }),
		);
		expect(json.status).toBe('processing');
		expect(json.fetch_result).toBe(`${base}/api/v1/enterprise/pony/fetch`);
		const noId = await post('/api/v1/enterprise/pony/fetch', { key: ENTERPRISE_KEY });
		expect(noId.json.message).toEqual({ request_id: ['The request_id field is required.'] });
		const wrongKey = await post('/api/v1/enterprise/pony/fetch', { key: KEY, request_id: json.id });
		expect(wrongKey.json.message).toBe('Invalid Api Key');
		const done = await fetchUntilDone('/api/v1/enterprise/pony/fetch', {
			key: ENTERPRISE_KEY,
			request_id: String(json.id),
		});
		expect(done.status).toBe('success');
		expect(done.output[0]).toMatch(/\.base64$/);
	});
});

describe('queued jobs', () => {
	it('goes processing → success, with future links served only once done', async () => {
		sim.settings.jobDurationMs = 1_500;
		sim.settings.etaFactor = 10;
		const { json } = await post(COMMUNITY, communityBody({ samples: 2, track_id: 'abc' }));
		expect(json).toMatchObject({
			status: 'processing',
			message: 'Try to fetch request after seconds estimated',
			webhook_status: '',
			output: [],
		});
		expect(json.eta).toBeCloseTo(15, 0); // 1.5 s × 10 = 15 s, float
		expect(json.fetch_result).toBe(`${base}/api/v6/images/fetch/${json.id}`);
		expect(json.future_links).toHaveLength(2);
		expect(typeof json.tip).toBe('string');
		expect(typeof json.tip_1).toBe('string');
		expect((await download(json.future_links[0])).status).toBe(404);

		const early = await post(`/api/v6/images/fetch/${json.id}`, { key: KEY });
		expect(early.json).toMatchObject({ status: 'processing', id: json.id, output: '' });
		expect(early.json.eta).toBeGreaterThan(0);
		expect(early.json.eta).toBeLessThanOrEqual(json.eta);

		finishJobsNow();
		const done = await fetchUntilDone(`/api/v6/images/fetch/${json.id}`, { key: KEY });
		expect(done).toMatchObject({
			status: 'success',
			id: json.id,
			output: json.future_links,
			track_id: 'abc',
		});
		expect(sim.jobs[0].status).toBe('success');
		expect((await download(json.future_links[1])).status).toBe(200);
		// The body-style community fetch finds the same job.
		expect(
			(await post('/api/v6/images/fetch', { key: KEY, request_id: json.id })).json.status,
		).toBe('success');
		expect((await post('/api/v6/images/fetch', { key: KEY })).json).toEqual({
			status: 'error',
			message: 'The request_id field is required.',
		});
	});

	it('finishes jobs as failed when failJobs is on', async () => {
		sim.settings.failJobs = true;
		expect((await post(IE, ieBody())).json).toMatchObject({
			status: 'failed',
			message: 'Failed, Try Again',
		});
		sim.settings.jobDurationMs = 50;
		const { json } = await post(IE, ieBody());
		expect(json.status).toBe('processing');
		const done = await fetchUntilDone(`/api/v6/image_editing/fetch/${json.id}`, { key: KEY });
		expect(done).toEqual({ status: 'failed', id: '', message: 'Failed, Try Again', output: '' });
	});

	it('answers "Request not found" for unknown ids, other families and other accounts', async () => {
		const unknown = await post('/api/v6/image_editing/fetch/12345', { key: KEY });
		expect(unknown.status).toBe(200);
		expect(unknown.json).toMatchObject({
			status: 'failed',
			id: '',
			message: 'Request not found',
			output: '',
		});
		expect(typeof unknown.json.tip).toBe('string');
		const { json } = await post(IE, ieBody());
		expect((await post(`/api/v6/images/fetch/${json.id}`, { key: KEY })).json.message).toBe(
			'Request not found',
		);
		expect((await post(`/api/v6/image_editing/fetch/${json.id}`, { key: KEY })).json.status).toBe(
			'success',
		);
	});

	it('rejects a submit with HTTP 429 once the queue limit is reached', async () => {
		// Long enough for three submits on a loaded machine: the first two jobs must still be queued.
		sim.settings.jobDurationMs = 1_000;
		sim.settings.queueLimit = 2;
		sim.settings.retryAfterSeconds = 7;
		expect((await post(IE, ieBody())).json.status).toBe('processing');
		expect((await post(LEGACY, legacyBody())).json.status).toBe('processing');
		const full = await post(COMMUNITY, communityBody());
		expect(full.status).toBe(429);
		expect(full.json).toEqual({
			status: 'error',
			message: 'Rate limit exceeded. Maximum 2 queued requests allowed.',
			retry_after: 7,
		});
		expect(sim.jobs).toHaveLength(2);
		// Until both have finished (their own timers, which are due first).
		await new Promise((resolve) =>
			setTimeout(resolve, Math.max(...sim.jobs.map((job) => job.readyAt)) - Date.now() + 30),
		);
		expect((await post(COMMUNITY, communityBody())).json.status).toBe('processing');
	});

	it('serves a 1024×1024 × 4 job as four full-size PNGs', async () => {
		const init = await upload(makePhoto(1024, 1024));
		const mask = await upload(makeMask(1024, 1024));
		const { json } = await post(
			IE,
			ieBody({ init_image: init, mask_image: mask, width: 1024, height: 1024, samples: 4 }),
		);
		const files = await Promise.all((json.output as string[]).map(download));
		expect(files.map((f) => pngDimensions(f.bytes))).toEqual(
			Array(4).fill({ width: 1024, height: 1024 }),
		);
	});
});

describe('generated images', () => {
	it('keeps the init image outside the mask and paints a prompt-coloured pattern inside it', async () => {
		const init = await upload(makePhoto(128, 96));
		const mask = await upload(makeMask(128, 96));
		const cat = await post(
			IE,
			ieBody({ init_image: init, mask_image: mask, samples: 2, width: 256, height: 192 }),
		);
		const dog = await post(
			IE,
			ieBody({ init_image: init, mask_image: mask, prompt: 'a dog', width: 256, height: 192 }),
		);
		const original = decodePng(makePhoto(256, 192));
		const [first, second] = await Promise.all(
			(cat.json.output as string[]).map(async (url) => decodePng((await download(url)).bytes)),
		);
		const dogImage = decodePng((await download(dog.json.output[0])).bytes);
		expect(pixel(first, 4, 4)).toEqual(pixel(original, 4, 4)); // sky untouched
		expect(pixel(first, 250, 188)).toEqual(pixel(original, 250, 188)); // ground corner untouched
		expect(pixel(first, 128, 115)).not.toEqual(pixel(original, 128, 115)); // mask centre changed
		expect(Buffer.from(first.rgba).equals(Buffer.from(second.rgba))).toBe(false); // samples differ
		expect(pixel(dogImage, 128, 115)).not.toEqual(pixel(first, 128, 115)); // prompt matters
	});

	it('serves .base64 outputs with or without the data-URI prefix', async () => {
		const { json } = await post(IE, ieBody({ base64: 'true', width: 64, height: 64 }));
		const withPrefix = await download(json.output[0]);
		expect(withPrefix.type).toMatch(/^text\/plain/);
		const text = withPrefix.bytes.toString('utf8');
		expect(text.startsWith('data:image/png;base64,')).toBe(true);
		expect(pngDimensions(Buffer.from(text.split(',')[1], 'base64'))).toEqual({
			width: 64,
			height: 64,
		});
		sim.settings.base64Prefix = false;
		const raw = (await download(json.output[0])).bytes.toString('utf8');
		expect(isPng(Buffer.from(raw, 'base64'))).toBe(true);
	});

	it('returns proxy_links as an object map when asked', async () => {
		sim.settings.proxyLinksAsObject = true;
		const { json } = await post(IE, ieBody({ samples: 2 }));
		expect(json.proxy_links).toEqual({ 0: json.output[0], 1: json.output[1] });
	});
});

describe('sample pictures at fixed links', () => {
	it('serves a photo and a mask of the size the name asks for, and 404 for anything else', async () => {
		for (const [name, size] of [
			['photo-1024x768.png', { width: 1024, height: 768 }],
			['mask-40x30.png', { width: 40, height: 30 }],
		] as const) {
			const res = await fetch(`${base}/samples/${name}`);
			expect(res.headers.get('content-type')).toBe('image/png');
			expect(pngDimensions(Buffer.from(await res.arrayBuffer()))).toEqual(size);
		}
		for (const name of [
			'photo-0x10.png',
			'photo-4096x10.png',
			'cat-10x10.png',
			'photo-10x10.jpg',
		]) {
			expect((await fetch(`${base}/samples/${name}`)).status).toBe(404);
		}
		sim.reset();
		expect((await fetch(`${base}/samples/photo-8x8.png`)).status).toBe(200);
	});
});

describe('uploads', () => {
	it('stores data URIs and raw base64 and serves the same bytes back', async () => {
		const png = makePhoto(20, 10);
		const url = await upload(png);
		expect(url).toMatch(new RegExp(`^${base}/uploads/[0-9a-f-]+\\.png$`));
		const served = await download(url);
		expect(served.type).toBe('image/png');
		expect(served.bytes.equals(png)).toBe(true);

		const raw = await post('/api/v6/base64_to_url', {
			key: KEY,
			base64_string: png.toString('base64'),
		});
		expect(raw.json).toMatchObject({
			status: 'success',
			output: [expect.stringMatching(/\.png$/)],
		});
		expect(typeof raw.json.id).toBe('number');

		const ie = await post('/api/v6/image_editing/base64_to_url', {
			key: KEY,
			init_image: `data:image/jpeg;base64,${Buffer.from([0xff, 0xd8, 0xff, 0]).toString('base64')}`,
		});
		expect(ie.json.output[0]).toMatch(/\.jpg$/);
		expect((await download(ie.json.output[0])).type).toBe('image/jpeg');
	});

	it('rejects undecodable and missing payloads, and unknown files are 404', async () => {
		expect(
			(await post('/api/v6/base64_to_url', { key: KEY, base64_string: 'not base64 at all!' })).json
				.status,
		).toBe('error');
		expect((await post('/api/v6/base64_to_url', { key: KEY })).json).toEqual({
			status: 'error',
			message: 'The base64_string field is required.',
		});
		expect(
			(await post('/api/v6/image_editing/base64_to_url', { key: KEY, base64_string: 'AAAA' })).json
				.message,
		).toContain('init_image');
		expect((await download(`${base}/uploads/nope.png`)).status).toBe(404);
		expect((await download(`${base}/generations/nope-0.png`)).status).toBe(404);
	});

	it('enforces the 5 MB limit on decoded bytes', async () => {
		const atLimit = Buffer.alloc(MAX_UPLOAD_BYTES, 1);
		const accepted = await post('/api/v6/base64_to_url', {
			key: KEY,
			base64_string: atLimit.toString('base64'),
		});
		// The answer's text, so a failure on a busy machine says what the simulator refused.
		expect(`${accepted.status} ${accepted.text.slice(0, 300)}`).toMatch(
			/^200 \{"status":"success"/,
		);
		const over = Buffer.alloc(MAX_UPLOAD_BYTES + 1, 1);
		const { json } = await post('/api/v6/base64_to_url', {
			key: KEY,
			base64_string: `data:image/png;base64,${over.toString('base64')}`,
		});
		expect(json).toEqual({ status: 'error', message: 'Maximum file size allowed is 5MB' });
	});
});

describe('keys and malformed requests', () => {
	it('answers an invalid key with HTTP 200 by default and HTTP 401 when configured', async () => {
		const legacyStyle = await post(IE, ieBody({ key: 'wrong' }));
		expect(legacyStyle.status).toBe(200);
		expect(legacyStyle.json).toMatchObject({ status: 'error', message: 'Invalid Api Key' });
		expect(typeof legacyStyle.json.tip).toBe('string');
		sim.settings.invalidKeyStyle = 'http401';
		const strict = await post('/api/wallet_balance', { key: 'wrong' });
		expect(strict.status).toBe(401);
		expect(strict.json.message).toBe('Invalid Api Key');
	});

	it('reports the wallet balance', async () => {
		sim.settings.balance = 12.5;
		expect((await post('/api/wallet_balance', { key: KEY })).json).toEqual({
			status: 'success',
			data: { balance: 12.5, currency: 'USD' },
		});
	});

	it('answers "Invalid API Request" for bodies that are not a JSON object sent as JSON', async () => {
		for (const answer of [
			await post(IE, '{"key": "sim-api-key",}'),
			await post(IE, '[1, 2]'),
			await post(IE, ''),
			await request('POST', IE, JSON.stringify(ieBody()), { 'content-type': 'text/plain' }),
		]) {
			expect(answer.json).toMatchObject({ status: 'error', message: 'Invalid API Request' });
		}
		expect(sim.requests[0].body).toBe('{"key": "sim-api-key",}');
		expect(sim.jobs).toHaveLength(0);
	});

	it('refuses GET on API routes and answers 404 for unknown routes', async () => {
		expect((await request('GET', IE)).status).toBe(405);
		expect((await post('/api/v6/nothing_here', { key: KEY })).status).toBe(404);
	});
});

describe('webhook callbacks', () => {
	let receiver: Server;
	let receiverUrl: string;
	let received: Array<{ headers: IncomingHttpHeaders; body: Json; url: string }>;
	let receiverStatus = 200;

	beforeAll(async () => {
		receiver = createServer((req, res) => {
			let data = '';
			req.on('data', (part: Buffer) => (data += part.toString()));
			req.on('end', () => {
				received.push({ headers: req.headers, body: JSON.parse(data) as Json, url: req.url ?? '' });
				res.writeHead(receiverStatus).end('ok');
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const address = receiver.address();
		receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
	});

	beforeEach(() => {
		received = [];
		receiverStatus = 200;
	});

	afterAll(async () => {
		receiver.closeAllConnections();
		await new Promise((resolve) => receiver.close(resolve));
	});

	it('POSTs the success payload with track_id when a queued job finishes', async () => {
		sim.settings.jobDurationMs = 60;
		const { json } = await post(IE, ieBody({ webhook: `${receiverUrl}?token=t1`, track_id: 77 }));
		expect(json.status).toBe('processing');
		expect(received).toHaveLength(0);
		await fetchUntilDone(`/api/v6/image_editing/fetch/${json.id}`, { key: KEY });
		await sim.flushCallbacks();
		expect(received).toHaveLength(1);
		expect(received[0].url).toBe('/hook?token=t1');
		expect(received[0].headers['content-type']).toBe('application/json');
		expect(received[0].body).toMatchObject({
			status: 'success',
			id: json.id,
			output: json.future_links,
			track_id: 77,
		});
		expect(sim.callbacks).toEqual([
			expect.objectContaining({ jobId: json.id, status: 200, url: `${receiverUrl}?token=t1` }),
		]);
	});

	it('POSTs the failed payload, records the receiver status, and never calls non-local hosts', async () => {
		sim.settings.failJobs = true;
		receiverStatus = 500;
		const failed = await post(COMMUNITY, communityBody({ webhook: receiverUrl, track_id: 'x1' }));
		await sim.flushCallbacks();
		expect(received[0].body).toEqual({
			status: 'failed',
			id: sim.jobs[0].id,
			message: 'Failed, Try Again',
			track_id: 'x1',
		});
		expect(failed.json.status).toBe('failed');
		expect(sim.callbacks[0].status).toBe(500);

		await post(IE, ieBody({ webhook: 'https://example.com/hook' }));
		await sim.flushCallbacks();
		expect(received).toHaveLength(1);
		expect(sim.callbacks[1]).toMatchObject({
			status: 0,
			url: 'https://example.com/hook',
			error: expect.stringContaining('127.0.0.1'),
		});
	});

	it('re-delivers or forges a callback on demand (API and control endpoint)', async () => {
		const { json } = await post(IE, ieBody());
		const delivery = await sim.deliverCallback(json.id, receiverUrl);
		expect(delivery.status).toBe(200);
		expect(received[0].body).toMatchObject({ status: 'success', id: json.id, track_id: null });
		await sim.deliverCallback(json.id, receiverUrl, { forged: true });
		expect(received[1].body).toEqual({ forged: true });
		const viaHttp = await post('/__sim/deliver-callback', {
			jobId: json.id,
			url: receiverUrl,
			body: { again: 1 },
		});
		expect(viaHttp.json).toMatchObject({ status: 200, body: { again: 1 } });
		expect(received[2].body).toEqual({ again: 1 });
		await expect(sim.deliverCallback(json.id)).rejects.toThrow(/no webhook/);
	});
});

describe('respondOnce', () => {
	it('answers the next matching request once with the canned response, still recording it', async () => {
		sim.respondOnce(
			{ method: 'POST', path: IE },
			{
				status: 503,
				body: { status: 'error', message: 'Server busy' },
				headers: { 'x-test': '1' },
			},
		);
		sim.respondOnce({ path: /\/fetch\// }, { raw: '<html>gateway timeout</html>', status: 504 });
		const canned = await post(IE, ieBody());
		expect(canned.status).toBe(503);
		expect(canned.json).toEqual({ status: 'error', message: 'Server busy' });
		expect(canned.headers.get('x-test')).toBe('1');
		expect(sim.jobs).toHaveLength(0);
		const normal = await post(IE, ieBody());
		expect(normal.json.status).toBe('success');
		const raw = await post(`/api/v6/image_editing/fetch/${normal.json.id}`, { key: KEY });
		expect(raw.status).toBe(504);
		expect(raw.text).toBe('<html>gateway timeout</html>');
		expect(
			(await post(`/api/v6/image_editing/fetch/${normal.json.id}`, { key: KEY })).json.status,
		).toBe('success');
		expect(sim.requestsTo('/api/v6/image_editing/')).toHaveLength(4);
	});

	it('skips canned answers whose method does not match', async () => {
		sim.respondOnce({ method: 'GET', path: IE }, { status: 500 });
		expect((await post(IE, ieBody())).json.status).toBe('success');
		expect((await request('GET', IE)).status).toBe(500);
	});
});

describe('fault injection', () => {
	it('hang: the request is recorded and never answered; the next one is answered normally', async () => {
		sim.respondOnce({ path: IE }, { fault: 'hang' });
		const started = Date.now();
		const pending = fetch(`${base}${IE}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(ieBody()),
			signal: AbortSignal.timeout(300),
		});
		await expect(pending).rejects.toThrow(/timeout|aborted/i);
		expect(Date.now() - started).toBeGreaterThanOrEqual(250);
		expect(sim.requests[0].answer?.fault).toBe('hang');
		expect(sim.jobs).toHaveLength(0);
		expect((await post(IE, ieBody())).json.status).toBe('success');
	});

	it('hang and reset apply to the next matching request only; passThrough still runs the route', async () => {
		sim.respondOnce({ path: IE }, { fault: 'hang', passThrough: true });
		const hung = fetch(`${base}${IE}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(ieBody()),
		});
		// Until the simulator has decided its answer (no fixed sleep: a loaded machine may need longer).
		while (!sim.requests[0]?.answer) await new Promise((resolve) => setTimeout(resolve, 10));
		// The job exists although its answer never arrives.
		expect(sim.jobs).toHaveLength(1);
		expect(sim.requests[0].answer).toMatchObject({
			status: 200,
			fault: 'hang',
			body: expect.objectContaining({ status: 'success' }),
		});
		sim.reset();
		await expect(hung).rejects.toThrow();

		sim.respondOnce({ path: IE }, { fault: 'reset', passThrough: true });
		const reset = fetch(`${base}${IE}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(ieBody()),
		});
		await expect(reset.then((res) => res.text())).rejects.toThrow();
		expect(sim.jobs).toHaveLength(1);
		expect((await post(IE, ieBody())).json.status).toBe('success');
	});

	it('delayMs answers late; dripMs sends the body in pieces', async () => {
		sim.respondOnce({ path: IE }, { delayMs: 200, status: 503, raw: '<html>busy</html>' });
		const started = Date.now();
		const late = await post(IE, ieBody());
		expect(late.status).toBe(503);
		expect(Date.now() - started).toBeGreaterThanOrEqual(190);

		const { json } = await post(IE, ieBody());
		sim.respondOnce(
			{ path: /^\/generations\// },
			{ passThrough: true, dripMs: 20, dripBytes: 4096 },
		);
		const slowStart = Date.now();
		const slow = await download(json.output[0]);
		expect(isPng(slow.bytes)).toBe(true);
		expect(Date.now() - slowStart).toBeGreaterThanOrEqual(
			20 * Math.floor(slow.bytes.length / 4096),
		);
	});

	it('truncateTo serves a cut file whose content-length matches it, so HTTP sees a whole answer', async () => {
		const { json } = await post(IE, ieBody({ width: 64, height: 64 }));
		const whole = await download(json.output[0]);
		const cutTo = async (truncateTo: number) => {
			sim.respondOnce({ path: /^\/generations\// }, { passThrough: true, truncateTo });
			const res = await fetch(json.output[0]);
			const bytes = Buffer.from(await res.arrayBuffer());
			return {
				status: res.status,
				bytes,
				length: res.headers.get('content-length'),
				type: res.headers.get('content-type'),
			};
		};
		const first100 = await cutTo(100);
		expect(first100).toMatchObject({ status: 200, length: '100', type: 'image/png' });
		expect(first100.bytes.equals(whole.bytes.subarray(0, 100))).toBe(true);
		expect(whole.bytes.subarray(-12).toString('hex')).toBe('0000000049454e44ae426082'); // IEND
		// A negative number drops that many bytes from the end: here the IEND chunk's CRC.
		const allButCrc = await cutTo(-4);
		expect(allButCrc).toMatchObject({
			status: 200,
			length: String(whole.bytes.length - 4),
			type: 'image/png',
		});
		expect(allButCrc.bytes.equals(whole.bytes.subarray(0, -4))).toBe(true);
		// Once only: the next download is whole again.
		expect((await download(json.output[0])).bytes.equals(whole.bytes)).toBe(true);

		// A .base64 output, steered over the control route.
		const { json: base64Job } = await post(IE, ieBody({ base64: 'true', width: 64, height: 64 }));
		const path = new URL(base64Job.output[0]).pathname;
		expect(
			(
				await post('/__sim/respond-once', {
					match: { path },
					response: { passThrough: true, truncateTo: 'x' },
				})
			).status,
		).toBe(400);
		expect(
			(
				await post('/__sim/respond-once', {
					match: { path },
					response: { passThrough: true, truncateTo: 50 },
				})
			).status,
		).toBe(200);
		const cutText = await fetch(base64Job.output[0]);
		expect(cutText.headers.get('content-length')).toBe('50');
		expect(cutText.headers.get('content-type')).toMatch(/^text\/plain/);
		expect((await cutText.text()).startsWith('data:image/png;base64,')).toBe(true);
		expect(sim.requestsTo('/generations/').map((request) => request.answer?.status)).toEqual([
			200, 200, 200, 200, 200,
		]);
	});

	it('records the answer given, and the control route checks fault settings', async () => {
		sim.settings.queueLimit = 0;
		await post(IE, ieBody());
		expect(sim.requests[0].answer).toMatchObject({
			status: 429,
			body: expect.objectContaining({ message: expect.stringMatching(/Rate limit/) }),
		});
		expect(
			(await post('/__sim/respond-once', { match: { path: IE }, response: { fault: 'explode' } }))
				.status,
		).toBe(400);
		expect(
			(await post('/__sim/respond-once', { match: { path: IE }, response: { delayMs: '5' } }))
				.status,
		).toBe(400);
		expect(
			(await post('/__sim/respond-once', { match: { path: IE }, response: { fault: 'reset' } }))
				.status,
		).toBe(200);
		await expect(
			fetch(`${base}${IE}`, { method: 'POST' }).then((res) => res.text()),
		).rejects.toThrow();
	});
});

describe('request recording and control endpoints', () => {
	it('records method, path, query, headers and parsed body, but not control calls', async () => {
		const before = Date.now();
		await post(`${IE}?debug=1`, ieBody(), { 'x-requested-with': 'n8n' });
		await request('GET', '/__sim/requests');
		expect(sim.requests).toHaveLength(1);
		const [recorded] = sim.requests;
		expect(recorded).toMatchObject({
			method: 'POST',
			path: IE,
			query: { debug: '1' },
			body: ieBody(),
		});
		expect(recorded.headers['x-requested-with']).toBe('n8n');
		expect(recorded.receivedAt).toBeGreaterThanOrEqual(before);
		expect(recorded.receivedAt).toBeLessThanOrEqual(Date.now());
	});

	it('exposes requests, jobs, callbacks and settings over HTTP, and resets', async () => {
		// A job that is still queued when /__sim/jobs is read, however loaded the machine.
		expect(
			(await post('/__sim/settings', { jobDurationMs: 60_000, queueLimit: 3 })).json,
		).toMatchObject({ jobDurationMs: 60_000, queueLimit: 3 });
		expect(sim.settings.jobDurationMs).toBe(60_000);
		expect((await post('/__sim/settings', { jobDurationMS: 1 })).status).toBe(400);
		expect((await post('/__sim/settings', { failJobs: 'yes' })).status).toBe(400);
		const { json } = await post(IE, ieBody());
		expect(json.status).toBe('processing');
		expect((await request('GET', '/__sim/requests')).json).toEqual([
			expect.objectContaining({ path: IE }),
		]);
		expect((await request('GET', '/__sim/jobs')).json).toEqual([
			expect.objectContaining({ id: json.id, endpoint: 'imageEditing', status: 'processing' }),
		]);
		expect((await request('GET', '/__sim/callbacks')).json).toEqual([]);

		expect(
			(
				await post('/__sim/respond-once', {
					match: { method: 'POST', path: '/api/wallet_balance' },
					response: { body: { status: 'error', message: 'canned' } },
				})
			).status,
		).toBe(200);
		expect((await post('/api/wallet_balance', { key: KEY })).json.message).toBe('canned');

		expect((await post('/__sim/reset', {})).json).toEqual({ ok: true });
		expect(sim.requests).toHaveLength(0);
		expect(sim.jobs).toHaveLength(0);
		expect(sim.settings.jobDurationMs).toBe(0);
		expect(sim.settings.queueLimit).toBeNull();
		expect((await post(IE, ieBody())).json).toMatchObject({ status: 'success', id: 90000001 });
	});
});

describe('lifecycle', () => {
	it('stops even with keep-alive connections open, and can take options', async () => {
		const own = new ModelsLabSimulator({
			apiKeys: ['k1'],
			enterpriseKeys: ['e1'],
			jobDurationMs: 5000,
		});
		const url = await own.start();
		expect(url).toBe(own.baseUrl);
		const res = await fetch(`${url}${IE}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(ieBody({ key: 'k1' })),
		});
		expect(((await res.json()) as Json).status).toBe('processing');
		await own.stop();
		expect(() => own.baseUrl).toThrow(/not started/);
		await expect(fetch(`${url}${IE}`, { method: 'POST', body: '{}' })).rejects.toThrow();
	});
});
