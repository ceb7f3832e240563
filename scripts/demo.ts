/**
 * `npm run demo`: a photo and a mask as binary data → the ModelsLab Inpaint node, run inside
 * n8n's own workflow engine → the result picture in demo-output/.
 *
 * Without MODELSLAB_API_KEY it runs against the embedded ModelsLab simulator (nothing leaves this
 * machine, nothing is billed). With MODELSLAB_API_KEY set it calls the real API, and the job is
 * billed to that key.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

import { ModelsLabSimulator } from '../simulator';
import { isPng, makeMask, makePhoto, pngDimensions } from '../simulator/png';
import { runNode } from '../harness/engine';

const OUTPUT_DIR = join(__dirname, '..', 'demo-output');
const PROMPT = 'a bright red hot air balloon floating in a clear sky';

const binary = (png: Buffer, fileName: string) => ({
	data: png.toString('base64'),
	mimeType: 'image/png',
	fileName,
	fileExtension: 'png',
});

async function main() {
	const realKey = process.env.MODELSLAB_API_KEY;
	// The simulator queues the job for 1.5 s, as ModelsLab queues most jobs, so the node has to wait.
	const simulator = realKey ? undefined : new ModelsLabSimulator({ jobDurationMs: 1500 });
	const baseUrl = simulator ? await simulator.start() : undefined;
	const apiKey = realKey ?? 'sim-api-key';
	console.log(
		simulator
			? `Using the embedded ModelsLab simulator at ${baseUrl} (set MODELSLAB_API_KEY to call the real API)`
			: 'Using the real ModelsLab API with MODELSLAB_API_KEY (this job is billed)',
	);

	try {
		mkdirSync(OUTPUT_DIR, { recursive: true });
		const photo = makePhoto(512, 512);
		const mask = makeMask(512, 512);
		writeFileSync(join(OUTPUT_DIR, 'input-photo.png'), photo);
		writeFileSync(join(OUTPUT_DIR, 'input-mask.png'), mask);

		const started = Date.now();
		const { output, error } = await runNode({
			credentials: baseUrl ? { apiKey, baseUrl, legacyBaseUrl: baseUrl } : { apiKey },
			items: [
				{ json: {}, binary: { data: binary(photo, 'photo.png'), mask: binary(mask, 'mask.png') } },
			],
			parameters: {
				endpoint: 'imageEditing',
				prompt: PROMPT,
				initImageSource: 'binary',
				initImageBinaryProperty: 'data',
				maskImageSource: 'binary',
				maskImageBinaryProperty: 'mask',
				imageEditingOptions: { negativePrompt: 'blurry, text, watermark' },
			},
		});
		if (error) throw error;

		// The node waited for the job and downloaded the picture into the item's binary data.
		const result = output[0].json;
		const image = output[0].binary?.data;
		if (result.status !== 'success' || !image) {
			throw new Error(
				`The job ended with status "${result.status}": ${result.message ?? 'no image'}`,
			);
		}
		const picture = Buffer.from(image.data, 'base64');
		if (!isPng(picture)) throw new Error(`The result ${image.fileName} is not a PNG`);
		const urls = result.output as string[];
		const resultPath = join(OUTPUT_DIR, 'inpainted.png');
		writeFileSync(resultPath, picture);
		const { width, height } = pngDimensions(picture);

		console.log('');
		console.log("ModelsLab Inpaint (v6 Image Editing) ran inside n8n's workflow engine:");
		console.log(`  prompt:      "${PROMPT}"`);
		console.log(
			`  input:       demo-output/input-photo.png + demo-output/input-mask.png (uploaded as binary)`,
		);
		console.log(`  request id:  ${output[0].json.requestId}`);
		console.log(
			`  status:      ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
		);
		console.log(`  result:      ${urls[0]}`);
		console.log(`  binary:      data (${image.mimeType}, ${image.fileName})`);
		console.log(
			`  saved:       demo-output/inpainted.png (${width}×${height} PNG, ${picture.length} bytes)`,
		);
	} finally {
		await simulator?.stop();
	}
}

main().catch((error: Error & { description?: string }) => {
	console.error(
		`Demo failed: ${error.message}${error.description ? `\n  ${error.description}` : ''}`,
	);
	process.exitCode = 1;
});
