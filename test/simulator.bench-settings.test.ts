/**
 * The simulator settings the benchmarks rely on: large outputs (`outputImageBytes`), a slow photo
 * host (`photoHostDelayMs`) and Range requests on files, over real HTTP.
 */
import { decodePng, isPng, ModelsLabSimulator, pngDimensions } from '../simulator';

const KEY = 'sim-api-key';
let sim: ModelsLabSimulator;
let base: string;

beforeAll(async () => {
	sim = new ModelsLabSimulator();
	base = await sim.start();
});
afterAll(async () => await sim.stop());
beforeEach(() => sim.reset());

const submit = async (body: Record<string, unknown>) =>
	(await (
		await fetch(`${base}/api/v6/images/inpaint`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				key: KEY,
				model_id: 'pony-realism',
				prompt: 'a red car',
				init_image: `${base}/samples/photo-64x64.png`,
				mask_image: `${base}/samples/mask-64x64.png`,
				...body,
			}),
		})
	).json()) as { output: string[] };

it('outputImageBytes: every output is a real PNG of the job size, about that many bytes', async () => {
	sim.settings.outputImageBytes = 300_000;
	const { output } = await submit({ width: 512, height: 512 });
	const png = Buffer.from(await (await fetch(output[0])).arrayBuffer());
	expect(isPng(png)).toBe(true);
	expect(pngDimensions(png)).toEqual({ width: 512, height: 512 });
	expect(decodePng(png).width).toBe(512);
	expect(png.length).toBeGreaterThan(270_000);
	expect(png.length).toBeLessThan(330_000);
});

it('honours a Range request on files: 206 with Content-Range, 416 past the end', async () => {
	const whole = Buffer.from(await (await fetch(`${base}/samples/photo-64x64.png`)).arrayBuffer());
	const part = await fetch(`${base}/samples/photo-64x64.png`, { headers: { range: 'bytes=0-99' } });
	expect(part.status).toBe(206);
	expect(part.headers.get('content-range')).toBe(`bytes 0-99/${whole.length}`);
	expect(Buffer.from(await part.arrayBuffer())).toEqual(whole.subarray(0, 100));
	const tail = await fetch(`${base}/samples/photo-64x64.png`, { headers: { range: 'bytes=-10' } });
	expect(Buffer.from(await tail.arrayBuffer())).toEqual(whole.subarray(whole.length - 10));
	const past = await fetch(`${base}/samples/photo-64x64.png`, {
		headers: { range: `bytes=${whole.length}-` },
	});
	expect(past.status).toBe(416);
});

it('photoHostDelayMs: photo and mask links answer late, API calls do not', async () => {
	sim.settings.photoHostDelayMs = 300;
	const started = Date.now();
	const photo = await fetch(`${base}/samples/photo-64x64.png`);
	expect(photo.status).toBe(200);
	expect(Date.now() - started).toBeGreaterThanOrEqual(290);
	// The request is recorded when it arrives, before the answer.
	expect(sim.requests.at(-1)!.path).toBe('/samples/photo-64x64.png');
	const { output } = await submit({});
	expect(output).toHaveLength(1);
});
