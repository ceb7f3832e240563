/**
 * 6. Per-item cost of the node itself: validation and request building for 500 items (1,000
 * before the real-n8n rows joined the bench: the submit runs wait on loopback HTTP, and the
 * whole bench must stay within about 12 minutes).
 */
import { startSimulator } from '../support/sim';
import type { CpuArgs, CpuMeasure } from '../workers/cpu-worker';
import { runWorker } from '../workers/spawn';

export const CPU_ITEMS = 500;

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
