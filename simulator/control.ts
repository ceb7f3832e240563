/**
 * /__sim/* control endpoints, so a test or demo in another process (e.g. n8n started separately)
 * can inspect and steer the simulator. They are not ModelsLab routes and are never recorded.
 */
import type { SimulatorSettings } from './settings';
import { mergeSettings } from './settings';
import type {
	CallbackDelivery,
	CannedResponse,
	RecordedRequest,
	Reply,
	ResponseMatch,
	SimulatedJob,
} from './types';

/** The part of ModelsLabSimulator the control endpoints use. */
export interface ControlTarget {
	readonly requests: RecordedRequest[];
	readonly settings: SimulatorSettings;
	readonly jobs: SimulatedJob[];
	readonly callbacks: CallbackDelivery[];
	reset(): void;
	respondOnce(match: ResponseMatch, response: CannedResponse): void;
	deliverCallback(jobId: number, url?: string, bodyOverride?: unknown): Promise<CallbackDelivery>;
}

const ok = (json: unknown): Reply => ({ status: 200, json });
const bad = (message: string): Reply => ({ status: 400, json: { error: message } });

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function handleControl(
	target: ControlTarget,
	method: string,
	path: string,
	json: unknown,
): Promise<Reply> {
	const route = `${method} ${path.replace(/\/+$/, '')}`;
	switch (route) {
		case 'GET /__sim/requests':
			return ok(target.requests);
		case 'GET /__sim/jobs':
			return ok(target.jobs);
		case 'GET /__sim/callbacks':
			return ok(target.callbacks);
		case 'GET /__sim/settings':
			return ok(target.settings);
		case 'POST /__sim/reset':
			target.reset();
			return ok({ ok: true });
		case 'POST /__sim/settings': {
			const problem = mergeSettings(target.settings, json);
			return problem ? bad(problem) : ok(target.settings);
		}
		case 'POST /__sim/respond-once':
			return respondOnce(target, json);
		case 'POST /__sim/deliver-callback':
			return deliverCallback(target, json);
		default:
			return { status: 404, json: { error: `unknown control route ${route}` } };
	}
}

function respondOnce(target: ControlTarget, json: unknown): Reply {
	if (!isObject(json) || !isObject(json.match) || typeof json.match.path !== 'string') {
		return bad(
			'expected {match: {method?, path}, response: {status?, body?, raw?, headers?, fault?, delayMs?, dripMs?, dripBytes?, truncateTo?, passThrough?}}',
		);
	}
	const { method, path } = json.match;
	if (method !== undefined && typeof method !== 'string')
		return bad('match.method must be a string');
	const response = isObject(json.response) ? (json.response as CannedResponse) : {};
	if (response.fault !== undefined && response.fault !== 'hang' && response.fault !== 'reset') {
		return bad('response.fault must be "hang" or "reset"');
	}
	for (const name of ['status', 'delayMs', 'dripMs', 'dripBytes', 'truncateTo'] as const) {
		if (response[name] !== undefined && typeof response[name] !== 'number')
			return bad(`response.${name} must be a number`);
	}
	target.respondOnce({ path, ...(method ? { method } : {}) }, response);
	return ok({ ok: true });
}

async function deliverCallback(target: ControlTarget, json: unknown): Promise<Reply> {
	if (!isObject(json) || typeof json.jobId !== 'number')
		return bad('expected {jobId, url?, body?}');
	if (json.url !== undefined && typeof json.url !== 'string') return bad('url must be a string');
	try {
		return ok(await target.deliverCallback(json.jobId, json.url as string | undefined, json.body));
	} catch (error) {
		return bad((error as Error).message);
	}
}
