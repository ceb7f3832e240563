/**
 * Model of the existing image-API community nodes (and of SDK helpers): items one after another;
 * for each, submit, then fetch every `intervalMs` until the job is no longer processing. The eta
 * in ModelsLab's answer is ignored. A failed submit fails that item and the node goes on.
 */
import { sleep } from '../support/stats';
import { postJson } from './http';
import type { BaselineItem, BaselineRun } from './types';
import { fetchPathOf } from './types';

export async function runFixedPolling(
	baseUrl: string,
	submitPath: string,
	bodies: Array<Record<string, unknown>>,
	intervalMs: number,
): Promise<BaselineRun> {
	const startedAt = Date.now();
	const items: BaselineItem[] = [];
	for (const [index, body] of bodies.entries()) {
		try {
			let answer = await postJson(`${baseUrl}${submitPath}`, body);
			const jobId = Number(answer.id);
			while (answer.status === 'processing') {
				await sleep(intervalMs);
				answer = await postJson(`${baseUrl}${fetchPathOf(jobId)}`, { key: body.key });
			}
			items.push({ index, jobId, status: String(answer.status), returnedAt: Date.now() });
		} catch {
			items.push({ index, status: 'error' });
		}
	}
	return { items, startedAt, endedAt: Date.now() };
}
