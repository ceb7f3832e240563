/**
 * 4. Memory: peak RSS growth while our node downloads 20 items × 4 samples of 1024×1024 PNGs into
 * binary data, against the bytes downloaded. The node runs in a worker process (so the simulator,
 * which draws the PNGs, is not measured), once per n8n binary data mode.
 */
import { encodePng, makeMask } from '../../simulator';
import { postJson } from '../baselines/http';
import { API_KEY, startSimulator } from '../support/sim';
import type { MemoryArgs, MemoryResult } from '../workers/memory-worker';
import { runWorker } from '../workers/spawn';

export const MEMORY_ITEMS = 20;
export const MEMORY_SAMPLES = 4;
export const MEMORY_SIZE = 1024;

/**
 * A photo-like 1024×1024 picture (gradients plus sensor-like noise): its PNG is ~2 MB, as real
 * 1024×1024 generations are. The simulator's outputs keep it, so each result is ~2 MB too.
 */
function photoLikePng(size: number): Buffer {
	const rgba = new Uint8Array(size * size * 4);
	let seed = 12345;
	const noise = () => {
		seed = (seed * 1103515245 + 12345) & 0x7fffffff;
		return (seed / 0x7fffffff - 0.5) * 48;
	};
	const clamp = (value: number) => Math.max(0, Math.min(255, Math.round(value)));
	for (let y = 0; y < size; y++) {
		for (let x = 0; x < size; x++) {
			const offset = (y * size + x) * 4;
			const n = noise();
			rgba[offset] = clamp((x * 255) / size + n);
			rgba[offset + 1] = clamp((y * 255) / size + n);
			rgba[offset + 2] = clamp(128 + n);
			rgba[offset + 3] = 255;
		}
	}
	return encodePng(size, size, rgba);
}

export interface MemoryScenario {
	runs: MemoryResult[];
}

export async function runMemory(log: (line: string) => void): Promise<MemoryScenario> {
	const target = await startSimulator({ jobDurationMs: 0 });
	const photo = photoLikePng(MEMORY_SIZE);
	const mask = makeMask(MEMORY_SIZE, MEMORY_SIZE);
	const runs: MemoryResult[] = [];
	try {
		for (const mode of ['filesystem', 'default'] as const) {
			target.sim.reset();
			const upload = async (png: Buffer) => {
				const answer = await postJson(`${target.baseUrl}/api/v6/base64_to_url`, {
					key: API_KEY,
					base64_string: `data:image/png;base64,${png.toString('base64')}`,
				});
				return (answer.output as string[])[0];
			};
			const args: MemoryArgs = {
				mode,
				baseUrl: target.baseUrl,
				imageUrl: await upload(photo),
				maskUrl: await upload(mask),
				items: MEMORY_ITEMS,
				samples: MEMORY_SAMPLES,
				size: MEMORY_SIZE,
			};
			log(`  memory: binary data mode '${mode}'...`);
			runs.push(await runWorker<MemoryResult>('memory-worker.ts', args, ['--expose-gc']));
		}
	} finally {
		await target.sim.stop();
	}
	return { runs };
}
