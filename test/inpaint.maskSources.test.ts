/**
 * Masks from words: Mask Source › Describe It, Subject and Background run a ModelsLab mask job
 * (mask_creator, removebg_mask) before the inpaint job, in the same engine; the picture it returns,
 * in whichever undocumented form the simulator is switched to, becomes a grayscale mask of the
 * photo's exact size, adjusted as asked, checked, and sent. Completion › Mask Only stops with the
 * mask. The masks ModelsLab received are decoded here and compared pixel by pixel with the
 * simulator's own idea of where "the object" is.
 */
import type { IDataObject } from 'n8n-workflow';

import { decodePng, makeMask, makePhoto } from '../simulator/png';
import { decodePicture, expectedObjectMask } from '../simulator';
import {
	expectRefusedBeforeSending,
	minimalParameters,
	PHOTO_URL,
	pngBinary,
	useSimulator,
} from './support/simulator';

const { simulator, inpaint } = useSimulator();

const MASK_CREATOR = '/api/v6/image_editing/mask_creator';
const REMOVEBG = '/api/v6/image_editing/removebg_mask';
const INPAINT = '/api/v6/image_editing/inpaint';
const OBJECT_REMOVAL = '/api/v6/image_editing/object_removal';

const photoLink = (width = 640, height = 480) =>
	`${simulator.baseUrl}/samples/photo-${width}x${height}.png`;

const describe_ = (extra: IDataObject = {}, width = 640, height = 480): IDataObject => ({
	...minimalParameters.imageEditing,
	initImageUrl: photoLink(width, height),
	maskImageSource: 'describe',
	maskDescription: 'the ball',
	...extra,
});

/**
 * The mask ModelsLab received with the job: its mask_image link, read back from the simulator (an
 * upload of the node's own PNG, or the mask job's picture sent as it came), as gray levels.
 */
async function sentMask() {
	const job = simulator.requests.filter((request) =>
		[INPAINT, OBJECT_REMOVAL].includes(request.path),
	);
	const link = String((job[job.length - 1].body as IDataObject).mask_image);
	const picture = decodePicture(Buffer.from(await (await fetch(link)).arrayBuffer()))!;
	const gray = new Uint8Array(picture.width * picture.height);
	for (let i = 0; i < gray.length; i++) gray[i] = picture.rgba[i * 4];
	return { width: picture.width, height: picture.height, gray, link };
}

/** Pixels where two masks differ by more than `tolerance` levels. */
function differing(a: Uint8Array, b: Uint8Array, tolerance = 0) {
	let count = 0;
	for (let i = 0; i < a.length; i++) if (Math.abs(a[i] - b[i]) > tolerance) count++;
	return count;
}

const whiteCount = (gray: Uint8Array) =>
	gray.reduce((sum, value) => sum + (value >= 128 ? 1 : 0), 0);

describe('Mask Source › Describe It', () => {
	it('asks mask_creator for "the ball" on the photo link, then inpaints with exactly that mask', async () => {
		const { output, error } = await inpaint(describe_());
		expect(error).toBeUndefined();
		const [maskJob] = simulator.requestsTo(MASK_CREATOR);
		expect(maskJob.body).toMatchObject({ init_image: photoLink(), specific_object: 'the ball' });
		expect(maskJob.body).not.toHaveProperty('webhook');
		const mask = await sentMask();
		expect({ width: mask.width, height: mask.height }).toEqual({ width: 640, height: 480 });
		expect(differing(mask.gray, expectedObjectMask(640, 480))).toBe(0);
		// A black-and-white mask of the photo's size with nothing to adjust goes as it came: the mask
		// job's own link, nothing re-encoded or uploaded.
		const maskOutput = simulator.requests.find((request) =>
			request.path.startsWith('/generations/'),
		);
		expect(mask.link).toBe(`${simulator.baseUrl}${maskOutput!.path}`);
		expect(simulator.requestsTo('/api/v6/base64_to_url')).toHaveLength(0);
		const maskJobId = simulator.jobs.find((entry) => entry.endpoint === 'maskCreator')!.id;
		const inpaintJobId = simulator.jobs.find((entry) => entry.endpoint === 'imageEditing')!.id;
		expect(output[0].json).toMatchObject({
			status: 'success',
			requestId: String(inpaintJobId),
			maskRequestId: String(maskJobId),
		});
		expect(output[0].json.maskCoverage).toBeCloseTo(whiteCount(mask.gray) / (640 * 480), 3);
		// The mask used is on the item, the same picture ModelsLab got.
		const sentBytes = Buffer.from(await (await fetch(mask.link)).arrayBuffer());
		expect(Buffer.from(output[0].binary!.mask.data, 'base64').equals(sentBytes)).toBe(true);
		expect(output[0].binary!.mask.mimeType).toBe('image/png');
		expect(output[0].binary!.data.mimeType).toBe('image/png');
	});

	it.each([
		['a cut-out on transparency', { maskForm: 'cutout' }, 0],
		['a cut-out on black', { maskForm: 'cutoutOnBlack' }, 0],
		['a JPEG mask', { maskFormat: 'jpeg' }, 0.002],
		[
			'a mask of another size (512×512), stretched to the photo',
			{ maskSize: { width: 512, height: 512 } },
			0.01,
		],
	])('reads %s as the same mask', async (_, settings, share) => {
		Object.assign(simulator.settings, settings);
		const { error } = await inpaint(describe_());
		expect(error).toBeUndefined();
		const mask = await sentMask();
		expect({ width: mask.width, height: mask.height }).toEqual({ width: 640, height: 480 });
		// Edges may move by a pixel where the picture was scaled or JPEG-compressed, nowhere else.
		expect(differing(mask.gray, expectedObjectMask(640, 480), 100)).toBeLessThanOrEqual(
			Math.ceil(share * 640 * 480),
		);
	});

	it('waits for a queued mask job by its eta before sending the inpaint job', async () => {
		simulator.settings.jobDurationMs = 400;
		const { output, error } = await inpaint(describe_());
		expect(error).toBeUndefined();
		expect(output[0].json.status).toBe('success');
		const fetches = simulator.requests.filter((request) => request.path.includes('/fetch/'));
		expect(fetches.length).toBeGreaterThanOrEqual(2);
		const maskDone = simulator.jobs.find((job) => job.endpoint === 'maskCreator')!.readyAt;
		const [job] = simulator.requestsTo(INPAINT);
		expect(job.receivedAt).toBeGreaterThanOrEqual(maskDone);
	});

	it('a WebP mask stops the item, naming the step and the mask job; the inpaint job is not sent', async () => {
		simulator.settings.maskFormat = 'webp';
		const { error } = await inpaint(describe_());
		const maskJobId = simulator.jobs.find((job) => job.endpoint === 'maskCreator')!.id;
		expect(error?.message).toMatch(/^The mask of "the ball" could not be used: .*WebP/);
		expect(error?.message).toMatch(/PNG and JPEG/);
		expect(error?.description).toContain(`Mask job ${maskJobId} (billed)`);
		expect(simulator.requestsTo(INPAINT)).toHaveLength(0);
	});

	it('a mask job that fails stops the item before the inpaint job, naming the step', async () => {
		simulator.settings.failJobs = true;
		simulator.settings.jobDurationMs = 200;
		const { error } = await inpaint(describe_());
		const maskJobId = simulator.jobs.find((job) => job.endpoint === 'maskCreator')!.id;
		expect(error?.message).toMatch(/^The mask of "the ball": ModelsLab: Failed, Try Again/);
		expect(error?.description).toContain(`Request id ${maskJobId}`);
		expect(error?.description).toContain('The inpaint job was not sent');
		expect(simulator.requestsTo(INPAINT)).toHaveLength(0);
	});

	it('an empty mask (nothing found) is refused, not inpainted; Mask Only still shows it', async () => {
		simulator.settings.emptyMasks = true;
		const refused = await inpaint(describe_());
		expect(refused.error?.message).toMatch(
			/ModelsLab found nothing to mask: it would repaint nothing/,
		);
		expect(refused.error?.description).toMatch(/Describe the area in other words/);
		expect(simulator.requestsTo(INPAINT)).toHaveLength(0);

		simulator.reset();
		simulator.settings.emptyMasks = true;
		const shown = await inpaint(describe_({ completion: 'maskOnly' }));
		expect(shown.error).toBeUndefined();
		expect(shown.output[0].json).toMatchObject({ maskOnly: true, maskCoverage: 0, width: 640 });
		expect(shown.output[0].binary!.mask.mimeType).toBe('image/png');
		expect(simulator.requestsTo(INPAINT)).toHaveLength(0);
		expect(simulator.requestsTo(MASK_CREATOR)).toHaveLength(1);
	});

	it('Grow widens the mask, Soft Edge blends it, Invert repaints the rest', async () => {
		await inpaint(describe_());
		const plain = await sentMask();
		simulator.reset();
		await inpaint(describe_({ maskAdjustments: { growPixels: 10 } }));
		const grown = await sentMask();
		expect(grown.link).toContain('/uploads/'); // adjusted: the node's own PNG, uploaded
		expect(whiteCount(grown.gray)).toBeGreaterThan(whiteCount(plain.gray) * 1.1);
		// 10 px beyond the ellipse's left end (x = 192 at mid-height 288) is now white; 14 px is not.
		expect([grown.gray[288 * 640 + 183], grown.gray[288 * 640 + 177]]).toEqual([255, 0]);
		simulator.reset();
		await inpaint(describe_({ maskAdjustments: { softEdgePixels: 12 } }));
		const soft = await sentMask();
		expect(soft.gray.some((value) => value > 20 && value < 235)).toBe(true);
		simulator.reset();
		await inpaint(describe_({ maskAdjustments: { invert: true } }));
		const inverted = await sentMask();
		expect(
			differing(
				inverted.gray,
				plain.gray.map((value) => 255 - value),
			),
		).toBe(0);
	});

	it('Resume on Callback: the mask job is polled, only the inpaint job calls back', async () => {
		simulator.settings.jobDurationMs = 200;
		const { output, error } = await inpaint(describe_({ completion: 'callback' }), {
			webhookWaitingBaseUrl: 'http://127.0.0.1:1/webhook-waiting',
		});
		expect(error).toBeUndefined();
		expect(simulator.requestsTo(MASK_CREATOR)[0].body).not.toHaveProperty('webhook');
		expect(String((simulator.requestsTo(INPAINT)[0].body as IDataObject).webhook)).toContain(
			'webhook-waiting',
		);
		expect(output[0].json.maskRequestId).toBeTruthy();
	});
});

describe('Mask Source › Subject and Background', () => {
	const subjectOf = (source: 'subject' | 'background', extra: IDataObject = {}): IDataObject => ({
		...minimalParameters.imageEditing,
		initImageSource: 'binary',
		initImageBinaryProperty: 'data',
		maskImageSource: source,
		...extra,
	});
	const photoItem = { json: {}, binary: { data: pngBinary(makePhoto(640, 480), 'photo.png') } };

	it("Subject: removebg_mask's only_mask on the uploaded photo", async () => {
		const { error } = await inpaint(subjectOf('subject'), { items: [photoItem] });
		expect(error).toBeUndefined();
		const [maskJob] = simulator.requestsTo(REMOVEBG);
		expect(maskJob.body).toMatchObject({ only_mask: true });
		expect(String((maskJob.body as IDataObject).image)).toContain('/uploads/');
		expect(differing((await sentMask()).gray, expectedObjectMask(640, 480))).toBe(0);
	});

	it('Background: the same mask inverted by the node (the docs leave inverse_mask open)', async () => {
		const { error } = await inpaint(subjectOf('background'), { items: [photoItem] });
		expect(error).toBeUndefined();
		expect(simulator.requestsTo(REMOVEBG)[0].body).not.toHaveProperty('inverse_mask');
		expect(differing((await sentMask()).gray, expectedObjectMask(640, 480, {}, true))).toBe(0);
	});
});

describe('Object Removal', () => {
	it('erases a described object: photo and mask, no prompt', async () => {
		const { output, error } = await inpaint({
			endpoint: 'objectRemoval',
			initImageUrl: photoLink(),
			maskImageSource: 'describe',
			maskDescription: 'the person',
		});
		expect(error).toBeUndefined();
		const [job] = simulator.requestsTo('/api/v6/image_editing/object_removal');
		expect(Object.keys(job.body as IDataObject).sort()).toEqual([
			'init_image',
			'key',
			'mask_image',
		]);
		expect(output[0].json).toMatchObject({ status: 'success', endpoint: 'objectRemoval' });
		expect(output[0].json.outputSize).toEqual({ width: 640, height: 480 });
	});
});

describe('Mask Only and adjusting a given mask', () => {
	it('Mask Only with Shapes sends nothing and outputs the drawn mask', async () => {
		const { output, error } = await inpaint(
			{
				...minimalParameters.imageEditing,
				initImageSource: 'binary',
				initImageBinaryProperty: 'data',
				maskImageSource: 'shapes',
				completion: 'maskOnly',
			},
			{ items: [{ json: {}, binary: { data: pngBinary(makePhoto(400, 300), 'photo.png') } }] },
		);
		expect(error).toBeUndefined();
		expect(simulator.requests).toHaveLength(0);
		const mask = decodePng(Buffer.from(output[0].binary!.mask.data, 'base64'));
		expect({ width: mask.width, height: mask.height }).toEqual({ width: 400, height: 300 });
		expect(output[0].json).toMatchObject({ maskOnly: true, width: 400, height: 300 });
	});

	it('Grow on a binary mask file: the grown mask is uploaded in its place', async () => {
		const item = {
			json: {},
			binary: {
				data: pngBinary(makePhoto(640, 480), 'photo.png'),
				mask: pngBinary(makeMask(640, 480), 'mask.png'),
			},
		};
		const { error } = await inpaint(
			{
				...minimalParameters.imageEditing,
				initImageSource: 'binary',
				initImageBinaryProperty: 'data',
				maskImageSource: 'binary',
				maskImageBinaryProperty: 'mask',
				maskAdjustments: { growPixels: 8 },
			},
			{ items: [item] },
		);
		expect(error).toBeUndefined();
		const given = expectedObjectMask(640, 480);
		expect(whiteCount((await sentMask()).gray)).toBeGreaterThan(whiteCount(given));
	});

	it.each([
		[
			{ maskAdjustments: { growPixels: -10000 } },
			'"Mask Adjustments › Grow or Shrink (Pixels)" must be a whole number from -1024 to 1024 (got -10000) [item 0]',
		],
		[
			{ maskAdjustments: { softEdgePixels: 'abc' } },
			'"Mask Adjustments › Soft Edge (Pixels)" must be a whole number from 0 to 256 (got "abc") [item 0]',
		],
		[{ maskDescription: '  ' }, '"Describe the Area" is required [item 0]'],
	])('refuses %j before anything is sent', async (extra, message) => {
		expectRefusedBeforeSending(
			await inpaint(describe_({ ...extra, initImageUrl: PHOTO_URL })),
			message,
			simulator,
		);
	});
});

describe('faults of the mask job', () => {
	const FAST = { requestTimeoutSeconds: 1, maxWaitSeconds: 8 };

	it('a mask submit whose answer is lost is never sent again (it may be billed), and nothing more is sent', async () => {
		simulator.respondOnce({ path: MASK_CREATOR }, { fault: 'hang', passThrough: true });
		const { error } = await inpaint(describe_({ processingOptions: FAST }));
		expect(error?.message).toMatch(/^The mask of "the ball": /);
		expect(error?.description).toMatch(/may have created this job/);
		expect(error?.description).toContain('The inpaint job was not sent');
		expect(simulator.requestsTo(MASK_CREATOR)).toHaveLength(1);
		expect(simulator.requestsTo(INPAINT)).toHaveLength(0);
	});

	it('a mask submit refused for the rate limit is sent again after the wait asked, then inpainted', async () => {
		simulator.respondOnce(
			{ path: MASK_CREATOR },
			{
				status: 429,
				body: { status: 'error', message: 'Rate limit exceeded' },
				headers: { 'retry-after': '1' },
			},
		);
		const { output, error } = await inpaint(describe_({ processingOptions: FAST }));
		expect(error).toBeUndefined();
		expect(simulator.requestsTo(MASK_CREATOR)).toHaveLength(2);
		expect(simulator.jobs.filter((job) => job.endpoint === 'maskCreator')).toHaveLength(1);
		expect(output[0].json.status).toBe('success');
	});

	it('a mask picture whose download fails once is downloaded again; the mask job is not', async () => {
		simulator.respondOnce({ path: /^\/generations\// }, { status: 503, raw: 'busy' });
		const { output, error } = await inpaint(describe_({ processingOptions: FAST }));
		expect(error).toBeUndefined();
		expect(simulator.requestsTo(MASK_CREATOR)).toHaveLength(1);
		// The first download was the mask picture's, refused; the next one the same picture again.
		const downloads = simulator.requests.filter((request) =>
			request.path.startsWith('/generations/'),
		);
		expect(downloads[0].answer?.status).toBe(503);
		expect(downloads[1].path).toBe(downloads[0].path);
		expect(downloads[1].receivedAt).toBeLessThan(simulator.requestsTo(INPAINT)[0].receivedAt);
		expect(output[0].json.maskRequestId).toBeTruthy();
	});

	it("an error answer to the mask submit stops the item, naming the step and ModelsLab's words", async () => {
		simulator.respondOnce(
			{ path: MASK_CREATOR },
			{ status: 200, body: { status: 'error', message: 'specific_object is not valid' } },
		);
		const { error } = await inpaint(describe_());
		expect(error?.message).toBe('The mask of "the ball": ModelsLab: specific_object is not valid');
		expect(simulator.requestsTo(INPAINT)).toHaveLength(0);
	});
});

describe('mask jobs on the account queue', () => {
	it("mask and inpaint jobs share the plan's queue limit: every item once, no job sent twice", async () => {
		Object.assign(simulator.settings, { queueLimit: 2, jobDurationMs: 300, retryAfterSeconds: 1 });
		const items = Array.from({ length: 4 }, (_, index) => ({ json: { index } }));
		const { output, error } = await inpaint(
			describe_({
				prompt: "={{ 'item ' + $json.index }}",
				maskDescription: "={{ 'the ball ' + $json.index }}",
				processingOptions: { maxWaitSeconds: 60 },
			}),
			{ items },
		);
		expect(error).toBeUndefined();
		expect(output.map((item) => item.json.status)).toEqual([
			'success',
			'success',
			'success',
			'success',
		]);
		const maskJobs = simulator.jobs.filter((job) => job.endpoint === 'maskCreator');
		const inpaintJobs = simulator.jobs.filter((job) => job.endpoint === 'imageEditing');
		// One mask job and one inpaint job per item, whatever was refused on the way.
		expect(maskJobs.map((job) => String(job.body.specific_object)).sort()).toEqual(
			items.map((item) => `the ball ${item.json.index}`),
		);
		expect(inpaintJobs.map((job) => String(job.body.prompt)).sort()).toEqual(
			items.map((item) => `item ${item.json.index}`),
		);
		// Each item's inpaint job used its own mask job's mask (its id is on the item).
		expect(new Set(output.map((item) => item.json.maskRequestId)).size).toBe(4);
	});
});
