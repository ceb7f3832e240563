/**
 * The simulator's mask endpoints (mask_creator, removebg_mask, object_removal), over real HTTP:
 * answers, the pictures they output, validation, queue limits, webhooks, and every switchable
 * undocumented mask behaviour (maskForm, maskFormat, maskPolarity, maskSize, emptyMasks, objectBox).
 */
import { createServer, type Server } from 'http';
import * as jpeg from 'jpeg-js';
import {
	decodePng,
	expectedObjectMask,
	fillColour,
	makeMask,
	makePhoto,
	ModelsLabSimulator,
	whiteBits,
	type Raster,
} from '../simulator';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form answers, indexed directly
type Json = Record<string, any>;

const KEY = 'sim-api-key';
const MASK_CREATOR = '/api/v6/image_editing/mask_creator';
const REMOVE_BG = '/api/v6/image_editing/removebg_mask';
const OBJECT_REMOVAL = '/api/v6/image_editing/object_removal';
const IE = '/api/v6/image_editing/inpaint';
const [W, H] = [96, 64];

let sim: ModelsLabSimulator;
let base: string;
let host: Server;
let hostUrl: string;
const hooks: Json[] = [];
const photoJpeg = jpegOf(decodePng(makePhoto(W, H)));

beforeAll(async () => {
	sim = new ModelsLabSimulator();
	base = await sim.start();
	// A test's own server: photos the simulator must fetch over HTTP, and a webhook receiver.
	host = createServer((req, res) => {
		if (req.method === 'POST') {
			let data = '';
			req.on('data', (part: Buffer) => (data += part.toString()));
			req.on('end', () => {
				hooks.push(JSON.parse(data) as Json);
				res.end('ok');
			});
			return;
		}
		if (req.url === '/photo.png')
			res.writeHead(200, { 'content-type': 'image/png' }).end(makePhoto(W, H));
		else if (req.url === '/photo.jpg')
			res.writeHead(200, { 'content-type': 'image/jpeg' }).end(photoJpeg);
		else if (req.url === '/text.png') res.writeHead(200).end('not a picture');
		else res.writeHead(404).end('Not Found');
	});
	await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve));
	const address = host.address();
	hostUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

afterEach(async () => {
	await sim.flushCallbacks();
	sim.reset();
	hooks.length = 0;
});

afterAll(async () => {
	await sim.stop();
	await new Promise((resolve) => host.close(resolve));
});

function jpegOf(raster: Raster): Buffer {
	return Buffer.from(jpeg.encode({ ...raster, data: raster.rgba }, 95).data);
}

async function post(path: string, body: Json): Promise<{ status: number; json: Json }> {
	const res = await fetch(`${base}${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ key: KEY, ...body }),
	});
	return { status: res.status, json: (await res.json()) as Json };
}

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

const photo = (w = W, h = H) => `${base}/samples/photo-${w}x${h}.png`;
const maskOf = (extra: Json = {}) =>
	post(MASK_CREATOR, { init_image: photo(), specific_object: 'the ball', ...extra });

/** Where two byte arrays differ: [] when they are equal (jest's toEqual on big typed arrays is slow). */
function differences(actual: Uint8Array, expected: Uint8Array): string[] {
	if (actual.length !== expected.length) return [`length ${actual.length} ≠ ${expected.length}`];
	const found: string[] = [];
	for (let i = 0; i < actual.length && found.length < 5; i++)
		if (actual[i] !== expected[i]) found.push(`[${i}] ${actual[i]} ≠ ${expected[i]}`);
	return found;
}

/** The single output of a successful answer, decoded as PNG. */
async function outputPng(json: Json): Promise<Raster> {
	expect(json.status).toBe('success');
	const file = await download(json.output[0] as string);
	expect(file.status).toBe(200);
	expect(file.type).toBe('image/png');
	return decodePng(file.bytes);
}

/** Channel `c` (0 red … 3 alpha) of every pixel. */
const channel = (raster: Raster, c: number) =>
	Uint8Array.from({ length: raster.width * raster.height }, (_, i) => raster.rgba[i * 4 + c]);
/** The PNG colour type byte of the IHDR chunk (0 grey, 2 RGB, 6 RGBA). */
const colourType = (png: Buffer) => png[25];

describe('mask_creator', () => {
	test('answers success with a PNG mask of the photo: white ellipse in the object box, exactly', async () => {
		const { status, json } = await maskOf({ track_id: 7 });
		expect(status).toBe(200);
		expect(json).toMatchObject({
			status: 'success',
			id: 90000001,
			nsfw_content_detected: false,
			track_id: 7,
		});
		expect(json.output).toEqual([
			expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/generations\/[\w-]+-0\.png$/),
		]);
		expect(json.proxy_links).toEqual(json.output);
		expect(json.meta).toMatchObject({ specific_object: 'the ball', base64: false });
		expect(json.meta.key).toBeUndefined();
		const mask = await outputPng(json);
		expect([mask.width, mask.height]).toEqual([W, H]);
		expect(differences(channel(mask, 0), expectedObjectMask(W, H))).toEqual([]);
		// The default object box is makeMask()'s box.
		expect(differences(channel(mask, 0), channel(decodePng(makeMask(W, H)), 0))).toEqual([]);
		expect(sim.jobs.map((job) => job.endpoint)).toEqual(['maskCreator']);
	});

	test('requires init_image (although their OpenAPI omits it) and a non-empty specific_object', async () => {
		expect((await post(MASK_CREATOR, { specific_object: 'the ball' })).json).toEqual({
			status: 'error',
			message: 'The init_image field is required.',
		});
		expect((await maskOf({ specific_object: undefined })).json.message).toBe(
			'The specific_object field is required.',
		);
		expect((await maskOf({ specific_object: '   ' })).json.message).toBe(
			'The specific_object field is required.',
		);
		expect((await maskOf({ base64: 'yes' })).json.message).toBe(
			'The base64 field must be true or false.',
		);
		expect((await maskOf({ track_id: 'abc' })).json.message).toBe(
			'The track_id must be an integer.',
		);
		expect(
			(await maskOf({ init_image: `data:image/png;base64,${makePhoto(8, 8).toString('base64')}` }))
				.json.message,
		).toBe('The init_image must be a valid URL.');
		expect(
			(await post(MASK_CREATOR, { key: 'wrong', init_image: photo(), specific_object: 'x' })).json
				.message,
		).toBe('Invalid Api Key');
		expect(sim.jobs).toHaveLength(0);
	});

	test('an unreadable photo is an error answer: another host, a 404, not a picture', async () => {
		for (const link of [
			'https://images.example.com/photo.png',
			`${hostUrl}/missing.png`,
			`${hostUrl}/text.png`,
		]) {
			const { status, json } = await maskOf({ init_image: link });
			expect(status).toBe(200);
			expect(json.status).toBe('error');
			expect(json.message).toMatch(/^Could not load image from init_image/);
		}
		expect(sim.jobs).toHaveLength(0);
	});

	test("reads photos from a JPEG upload and from a test's own HTTP server (PNG and JPEG)", async () => {
		const upload = await post('/api/v6/base64_to_url', {
			base64_string: `data:image/jpeg;base64,${photoJpeg.toString('base64')}`,
		});
		expect(upload.json.output[0]).toMatch(/\.jpg$/);
		for (const link of [
			upload.json.output[0] as string,
			`${hostUrl}/photo.png`,
			`${hostUrl}/photo.jpg`,
		]) {
			const mask = await outputPng((await maskOf({ init_image: link })).json);
			expect(differences(channel(mask, 0), expectedObjectMask(W, H))).toEqual([]);
		}
	});

	test('processing → fetch → success, with an integer eta and future links that 404 until done', async () => {
		sim.settings.jobDurationMs = 60_000;
		sim.settings.etaFactor = 0.5;
		const { json } = await maskOf();
		expect(json).toMatchObject({
			status: 'processing',
			id: 90000001,
			output: [],
			webhook_status: '',
		});
		expect(json.eta).toBe(30);
		expect(json.fetch_result).toBe(`${base}/api/v6/image_editing/fetch/90000001`);
		expect(json.future_links).toEqual([expect.stringMatching(/-0\.png$/)]);
		expect((await download(json.future_links[0] as string)).status).toBe(404);
		const queued = await post('/api/v6/image_editing/fetch/90000001', {});
		expect(queued.json).toMatchObject({ status: 'processing', id: 90000001, output: '' });
		expect(Number.isInteger(queued.json.eta)).toBe(true);
		// Another fetch route does not know the job.
		expect((await post('/api/v6/images/fetch/90000001', {})).json.message).toBe(
			'Request not found',
		);
		sim.jobs[0].readyAt = Date.now();
		const done = await post('/api/v6/image_editing/fetch/90000001', {});
		expect(done.json.output).toEqual(json.future_links);
		expect(differences(channel(await outputPng(done.json), 0), expectedObjectMask(W, H))).toEqual(
			[],
		);
	});

	test('failJobs: failed at once, or on fetch when queued', async () => {
		sim.settings.failJobs = true;
		expect((await maskOf()).json).toEqual({
			status: 'failed',
			id: '',
			message: 'Failed, Try Again',
			output: '',
		});
		sim.settings.jobDurationMs = 60_000;
		const { json } = await post(OBJECT_REMOVAL, {
			init_image: photo(),
			mask_image: `${base}/samples/mask-${W}x${H}.png`,
		});
		expect(json.status).toBe('processing');
		sim.jobs[1].readyAt = Date.now();
		expect((await post(`/api/v6/image_editing/fetch/${json.id}`, {})).json.message).toBe(
			'Failed, Try Again',
		);
	});

	test('base64: a .base64 text file whose data URI names the real type', async () => {
		sim.settings.maskFormat = 'jpeg';
		const file = await download((await maskOf({ base64: true })).json.output[0] as string);
		expect(file.type).toMatch(/^text\/plain/);
		expect(file.bytes.toString()).toMatch(/^data:image\/jpeg;base64,\/9j\//);
		sim.settings.base64Prefix = false;
		expect(
			(
				await download((await maskOf({ base64: 'true' })).json.output[0] as string)
			).bytes.toString(),
		).toMatch(/^\/9j\//);
	});
});

describe('removebg_mask', () => {
	const removeBg = (extra: Json = {}) => post(REMOVE_BG, { image: photo(), ...extra });

	test('only_mask: the subject mask; inverse_mask flips it', async () => {
		const { json } = await removeBg({
			only_mask: true,
			seed: 3,
			alpha_matting: 'true',
			alpha_matting_erode_size: 0,
		});
		expect(json.meta).toMatchObject({
			only_mask: true,
			alpha_matting_foreground_threshold: 240,
			alpha_matting_erode_size: 0,
		});
		expect(differences(channel(await outputPng(json), 0), expectedObjectMask(W, H))).toEqual([]);
		const inverse = await outputPng((await removeBg({ only_mask: true, inverse_mask: true })).json);
		expect(differences(channel(inverse, 0), expectedObjectMask(W, H, {}, true))).toEqual([]);
		expect(sim.jobs.map((job) => job.endpoint)).toEqual(['removeBgMask', 'removeBgMask']);
	});

	test('without only_mask: the photo with a transparent background (RGBA PNG); accepts a data URI', async () => {
		const image = `data:image/png;base64,${makePhoto(W, H).toString('base64')}`;
		const { json } = await removeBg({ image });
		const file = await download(json.output[0] as string);
		expect(colourType(file.bytes)).toBe(6);
		const cut = decodePng(file.bytes);
		const inside = expectedObjectMask(W, H);
		const expected = Uint8Array.from(decodePng(makePhoto(W, H)).rgba);
		inside.forEach((v, i) => v || expected.fill(0, i * 4, i * 4 + 4));
		expect(differences(cut.rgba, expected)).toEqual([]);
	});

	test('checks types and ranges like the other v6 routes', async () => {
		expect((await post(REMOVE_BG, {})).json.message).toBe('The image field is required.');
		expect((await removeBg({ only_mask: 'yes' })).json.message).toBe(
			'The only_mask field must be true or false.',
		);
		expect((await removeBg({ alpha_matting_foreground_threshold: 241 })).json.message).toBe(
			'The alpha_matting_foreground_threshold must not be greater than 240.',
		);
		expect((await removeBg({ alpha_matting_background_threshold: -1 })).json.message).toBe(
			'The alpha_matting_background_threshold must be at least 0.',
		);
		expect((await removeBg({ alpha_matting_erode_size: 'big' })).json.message).toBe(
			'The alpha_matting_erode_size must be a number.',
		);
		expect((await removeBg({ seed: 1.5 })).json.message).toBe('The seed must be an integer.');
		expect((await removeBg({ image: 'data:image/png;base64,@@@' })).json.message).toMatch(
			/^Could not load image from image/,
		);
		expect(sim.jobs).toHaveLength(0);
	});
});

describe('object_removal', () => {
	test("the photo at its own size, the mask's white area filled with one colour from around it", async () => {
		const maskLink = `${base}/samples/mask-48x32.png`; // another size: scaled to the photo
		const { json } = await post(OBJECT_REMOVAL, { init_image: photo(), mask_image: maskLink });
		const file = await download(json.output[0] as string);
		expect(colourType(file.bytes)).toBe(2);
		const out = decodePng(file.bytes);
		const original = decodePng(makePhoto(W, H));
		const bits = whiteBits(decodePng(makeMask(48, 32)), W, H);
		const fill = fillColour(original, bits);
		const expected = Uint8Array.from(original.rgba);
		bits.forEach((v, i) => v && expected.set(fill, i * 4));
		expect(differences(out.rgba, expected)).toEqual([]);
		expect(sim.jobs[0].endpoint).toBe('objectRemoval');
	});

	test('requires both links; data URIs refused; an unreadable mask is an error', async () => {
		expect((await post(OBJECT_REMOVAL, { mask_image: photo() })).json.message).toBe(
			'The init_image field is required.',
		);
		expect((await post(OBJECT_REMOVAL, { init_image: photo() })).json.message).toBe(
			'The mask_image field is required.',
		);
		const dataUri = `data:image/png;base64,${makeMask(8, 8).toString('base64')}`;
		expect(
			(await post(OBJECT_REMOVAL, { init_image: photo(), mask_image: dataUri })).json.message,
		).toBe('The mask_image must be a valid URL.');
		expect(
			(await post(OBJECT_REMOVAL, { init_image: photo(), mask_image: `${hostUrl}/nope.png` })).json
				.message,
		).toMatch(/^Could not load image from mask_image/);
	});

	test('takes a mask made by mask_creator, as a workflow chains them', async () => {
		const made = (await maskOf()).json.output[0] as string;
		const { json } = await post(OBJECT_REMOVAL, { init_image: photo(), mask_image: made });
		expect(json.status).toBe('success');
		// Inpaint reads it as its mask too (its output is the photo's size, from init_image).
		expect(
			(await post(IE, { prompt: 'grass', init_image: photo(), mask_image: made })).json.meta,
		).toMatchObject({ width: W, height: H });
	});
});

describe('undocumented mask behaviour, switchable', () => {
	test("maskForm 'cutout': the object's photo pixels on transparency; 'cutoutOnBlack': on black, no alpha", async () => {
		const original = decodePng(makePhoto(W, H));
		const inside = expectedObjectMask(W, H);
		sim.settings.maskForm = 'cutout';
		const cutFile = await download((await maskOf()).json.output[0] as string);
		expect(colourType(cutFile.bytes)).toBe(6);
		const cut = decodePng(cutFile.bytes);
		expect(differences(channel(cut, 3), inside)).toEqual([]);
		await fetch(`${base}/__sim/settings`, {
			method: 'POST',
			body: JSON.stringify({ maskForm: 'cutoutOnBlack' }),
		});
		const blackFile = await download((await maskOf()).json.output[0] as string);
		expect(colourType(blackFile.bytes)).toBe(2);
		const black = decodePng(blackFile.bytes);
		const expected = Uint8Array.from(original.rgba);
		inside.forEach((v, i) => v || expected.set([0, 0, 0, 255], i * 4));
		expect(differences(black.rgba, expected)).toEqual([]);
	});

	test("maskFormat 'jpeg': a real JPEG behind a .jpg link, close to the exact mask", async () => {
		sim.settings.maskFormat = 'jpeg';
		const { json } = await maskOf();
		expect(json.output[0]).toMatch(/-0\.jpg$/);
		const file = await download(json.output[0] as string);
		expect(file.type).toBe('image/jpeg');
		const decoded = jpeg.decode(file.bytes, { useTArray: true });
		expect([decoded.width, decoded.height]).toEqual([W, H]);
		const want = expectedObjectMask(W, H);
		let off = 0;
		for (let i = 0; i < want.length; i++) if (Math.abs(decoded.data[i * 4] - want[i]) > 127) off++;
		expect(off).toBeLessThan(want.length * 0.01);
	});

	test("maskFormat 'webp': a .webp link whose file is a WebP container by its header", async () => {
		sim.settings.maskFormat = 'webp';
		const { json } = await maskOf();
		expect(json.output[0]).toMatch(/-0\.webp$/);
		const { bytes, type } = await download(json.output[0] as string);
		expect(type).toBe('image/webp');
		expect(bytes.toString('latin1', 0, 4)).toBe('RIFF');
		expect(bytes.readUInt32LE(4)).toBe(bytes.length - 8);
		expect(bytes.toString('latin1', 8, 16)).toBe('WEBPVP8 ');
		expect(bytes.readUInt32LE(16)).toBe(bytes.length - 20);
		expect([bytes.readUInt16LE(26) & 0x3fff, bytes.readUInt16LE(28) & 0x3fff]).toEqual([W, H]);
	});

	test("maskPolarity 'black-object' (inverse_mask flips relative to it), maskSize, objectBox, emptyMasks", async () => {
		sim.settings.maskPolarity = 'black-object';
		expect(
			differences(
				channel(await outputPng((await maskOf()).json), 0),
				expectedObjectMask(W, H, { maskPolarity: 'black-object' }),
			),
		).toEqual([]);
		const flipped = await outputPng(
			(await post(REMOVE_BG, { image: photo(), only_mask: true, inverse_mask: true })).json,
		);
		expect(differences(channel(flipped, 0), expectedObjectMask(W, H))).toEqual([]);

		sim.reset();
		const objectBox = { left: 0.1, top: 0.05, width: 0.5, height: 0.3 };
		Object.assign(sim.settings, { maskSize: { width: 40, height: 40 }, objectBox });
		const sized = await outputPng((await maskOf()).json);
		expect([sized.width, sized.height]).toEqual([40, 40]);
		expect(differences(channel(sized, 0), expectedObjectMask(40, 40, { objectBox }))).toEqual([]);
		expect(sim.jobs[0]).toMatchObject({ width: 40, height: 40 });

		sim.reset();
		sim.settings.emptyMasks = true;
		expect(channel(await outputPng((await maskOf()).json), 0).every((v) => v === 0)).toBe(true);
		const noSubject = await outputPng((await post(REMOVE_BG, { image: photo() })).json);
		expect(channel(noSubject, 3).every((v) => v === 0)).toBe(true);
	});

	test('a job keeps the look it was submitted with', async () => {
		sim.settings.jobDurationMs = 60_000;
		const { json } = await maskOf();
		sim.settings.maskPolarity = 'black-object';
		sim.jobs[0].readyAt = Date.now();
		const done = await post(`/api/v6/image_editing/fetch/${json.id}`, {});
		expect(differences(channel(await outputPng(done.json), 0), expectedObjectMask(W, H))).toEqual(
			[],
		);
	});

	test('POST /__sim/settings checks the mask settings', async () => {
		const set = (patch: Json) =>
			fetch(`${base}/__sim/settings`, { method: 'POST', body: JSON.stringify(patch) });
		for (const bad of [
			{ maskForm: 'outline' },
			{ maskFormat: 'gif' },
			{ maskPolarity: 'white' },
			{ maskSize: { width: 0, height: 5 } },
			{ maskSize: 'full' },
			{ objectBox: { left: 0.1, top: 0.1, width: 2, height: 0.1 } },
			{ emptyMasks: 'yes' },
		]) {
			const res = await set(bad);
			expect(res.status).toBe(400);
		}
		const good = {
			maskForm: 'cutout',
			maskFormat: 'jpeg',
			maskPolarity: 'black-object',
			maskSize: { width: 512, height: 512 },
			emptyMasks: true,
			objectBox: { left: 0, top: 0, width: 1, height: 1 },
		};
		expect((await set(good)).status).toBe(200);
		expect(sim.settings).toMatchObject(good);
		sim.reset();
		expect(sim.settings).toMatchObject({
			maskForm: 'mask',
			maskFormat: 'png',
			maskPolarity: 'white-object',
			maskSize: 'photo',
			emptyMasks: false,
			objectBox: { left: 0.3, top: 0.4, width: 0.4, height: 0.4 },
		});
	});
});

describe('shared with inpaint: queue limit and webhooks', () => {
	test("the queue limit counts all of a key's unfinished jobs, mask and inpaint together", async () => {
		Object.assign(sim.settings, { queueLimit: 1, jobDurationMs: 60_000, retryAfterSeconds: 12 });
		expect((await maskOf()).json.status).toBe('processing');
		const inpaint = await post(IE, {
			prompt: 'grass',
			init_image: photo(),
			mask_image: `${base}/samples/mask-${W}x${H}.png`,
		});
		expect(inpaint.status).toBe(429);
		expect(inpaint.json).toEqual({
			status: 'error',
			message: 'Rate limit exceeded. Maximum 1 queued requests allowed.',
			retry_after: 12,
		});
		sim.reset();
		Object.assign(sim.settings, { queueLimit: 1, jobDurationMs: 60_000 });
		expect(
			(await post(IE, { prompt: 'grass', init_image: photo(), mask_image: photo() })).json.status,
		).toBe('processing');
		expect((await post(REMOVE_BG, { image: photo() })).status).toBe(429);
		expect(sim.jobs.map((job) => job.endpoint)).toEqual(['imageEditing']);
	});

	test('a finished mask job calls its webhook with the fetch-success body and track_id', async () => {
		const { json } = await maskOf({ webhook: `${hostUrl}/hook`, track_id: 42 });
		await sim.flushCallbacks();
		expect(sim.callbacks).toHaveLength(1);
		expect(sim.callbacks[0]).toMatchObject({ jobId: json.id, status: 200 });
		expect(hooks).toEqual([
			expect.objectContaining({
				status: 'success',
				id: json.id,
				output: json.output,
				track_id: 42,
			}),
		]);
	});

	test('respondOnce faults apply to the mask routes (the job is still made on passThrough)', async () => {
		sim.respondOnce({ path: MASK_CREATOR }, { passThrough: true, status: 502 });
		const { status, json } = await maskOf();
		expect([status, json.status]).toEqual([502, 'success']);
		expect(sim.requestsTo(MASK_CREATOR)[0].answer).toMatchObject({ status: 502 });
		expect(sim.jobs).toHaveLength(1);
	});
});
