/** 5. Per-item cost of the node itself: validation and request building for 1,000 items. */
import { startSimulator } from '../support/sim';
import type { CpuArgs, CpuMeasure } from '../workers/cpu-worker';
import { runWorker } from '../workers/spawn';

export const CPU_ITEMS = 1000;

export async function runCpu(): Promise<CpuMeasure[]> {
	// jobDurationMs > 0: submits are answered "processing", as ModelsLab queues most jobs.
	const target = await startSimulator({ jobDurationMs: 60_000 });
	try {
		const args: CpuArgs = { baseUrl: target.baseUrl, items: CPU_ITEMS, repeats: 3 };
		return await runWorker<CpuMeasure[]>('cpu-worker.ts', args);
	} finally {
		await target.sim.stop();
	}
}
