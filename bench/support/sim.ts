/**
 * The project's ModelsLab simulator as the benchmarks use it: one instance per scenario (so queue
 * limits, settings and request logs never mix), and readings taken from its own records.
 */
import type {
	ModelsLabSimulator as Simulator,
	SimulatedJob,
	SimulatorSettings,
} from '../../simulator';
import { ModelsLabSimulator } from '../../simulator';

export const API_KEY = 'sim-api-key';

export interface BenchSimulator {
	sim: Simulator;
	baseUrl: string;
	credentials: { apiKey: string; baseUrl: string; legacyBaseUrl: string };
}

export async function startSimulator(
	settings: Partial<SimulatorSettings> = {},
): Promise<BenchSimulator> {
	const sim = new ModelsLabSimulator({
		apiKeys: [API_KEY],
		jobDurationMs: settings.jobDurationMs ?? 0,
	});
	const baseUrl = await sim.start();
	Object.assign(sim.settings, settings);
	return { sim, baseUrl, credentials: { apiKey: API_KEY, baseUrl, legacyBaseUrl: baseUrl } };
}

/** The community endpoint: float etas (image editing rounds them up to whole seconds). */
export const SUBMIT_PATH = '/api/v6/images/inpaint';
export const IMAGE_URL = 'https://images.example.com/photo.png';
export const MASK_URL = 'https://images.example.com/mask.png';

/** Fetch requests the simulator received for one job (path style or body style). */
export function fetchesOf(sim: Simulator, job: SimulatedJob) {
	return sim.requests.filter((request) => {
		if (!/\/fetch(\/|$)/.test(request.path)) return false;
		const body = request.body as { request_id?: unknown } | undefined;
		return request.path.endsWith(`/${job.id}`) || String(body?.request_id ?? '') === String(job.id);
	});
}

/**
 * When the simulator finished the job: `readyAt`, its own record of the moment the job is done. Any
 * fetch arriving at or after it gets the result (routes.ts finishes due jobs before answering).
 */
export const finishedAt = (job: SimulatedJob) => job.readyAt;

/** Delay from the job being done to the first fetch that saw it done; undefined if never fetched after. */
export function detectionDelayMs(sim: Simulator, job: SimulatedJob): number | undefined {
	const after = fetchesOf(sim, job).filter((request) => request.receivedAt >= job.readyAt);
	return after.length
		? Math.min(...after.map((request) => request.receivedAt)) - job.readyAt
		: undefined;
}

export const jobById = (sim: Simulator, id: unknown) =>
	sim.jobs.find((job) => String(job.id) === String(id));

/**
 * The simulator's 640×480 sample photo and mask links, one per item (`?item=N`), drawn before the
 * run so that the timed run does not pay for the drawing; the simulator is then reset, keeping
 * `settings` (a reset restores the constructor's).
 */
export async function perItemSampleLinks(
	target: BenchSimulator,
	settings: Partial<Simulator['settings']>,
): Promise<{ imageUrl: string; maskUrl: string }> {
	const photo = `${target.baseUrl}/samples/photo-640x480.png`;
	const mask = `${target.baseUrl}/samples/mask-640x480.png`;
	await fetch(photo);
	await fetch(mask);
	target.sim.reset();
	Object.assign(target.sim.settings, settings);
	return {
		imageUrl: `={{ '${photo}?item=' + $itemIndex }}`,
		maskUrl: `={{ '${mask}?item=' + $itemIndex }}`,
	};
}
