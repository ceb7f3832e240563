/**
 * CPU worker: what our node costs per item, on the CPU of this process only (the simulator runs in
 * the parent). Three runs of CPU_ITEMS items inside n8n-core's WorkflowExecute:
 * - engine: the node's execute() replaced by a pass-through (n8n's own cost of running a node);
 * - build: execute() replaced by the node's real validation and request building for every item
 *   (buildInpaintBody: parameters → zod-validated, wire-formatted body; nothing is sent);
 * - submit: the real node with Completion "Return Immediately": build, POST to the simulator,
 *   normalise the answer (the n8n HTTP client's cost included).
 * The replacement of execute() happens in this worker process only.
 */
import '../../harness/user-folder';

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { buildInpaintBody } from '../../nodes/ModelsLabInpaint/request';
import { readCompletionSettings } from '../../nodes/shared/run/completion';
import { ModelsLabInpaint } from '../../nodes/ModelsLabInpaint/ModelsLabInpaint.node';
import { INPAINT_ENDPOINTS } from '../../nodes/ModelsLabInpaint/endpoints';
import { runNode } from '../../harness/engine';
import { ourParameters } from '../support/ours';
import { median } from '../support/stats';
import { reportResult, workerArgs } from './spawn';

export interface CpuArgs {
	baseUrl: string;
	items: number;
	repeats: number;
}

export interface CpuMeasure {
	mode: 'engine' | 'build' | 'submit';
	/** Median CPU time (user + system) per item, microseconds. */
	cpuPerItemUs: number;
	/** Median wall time per item, microseconds. */
	wallPerItemUs: number;
	errors: number;
}

const realExecute = ModelsLabInpaint.prototype.execute;

const executes: Record<
	CpuMeasure['mode'],
	(this: IExecuteFunctions) => Promise<INodeExecutionData[][]>
> = {
	async engine() {
		return [this.getInputData()];
	},
	async build() {
		const out: INodeExecutionData[] = [];
		const limits = readCompletionSettings(this, 0, { wait: false, download: false });
		for (let index = 0; index < this.getInputData().length; index++) {
			const endpoint =
				INPAINT_ENDPOINTS[
					this.getNodeParameter('endpoint', index) as keyof typeof INPAINT_ENDPOINTS
				];
			out.push({
				json: (await buildInpaintBody(this, endpoint, index, limits)).prepared.body,
				pairedItem: { item: index },
			});
		}
		return [out];
	},
	submit: realExecute,
};

/** Every option of the community endpoint set, so that every field is validated. */
const OPTIONS = {
	negativePrompt: 'blurry, text, watermark',
	width: 1024,
	height: 768,
	samples: 2,
	steps: 30,
	guidanceScale: 7,
	strength: 0.6,
	seed: 42,
};
const ADVANCED_OPTIONS = {
	scheduler: 'EulerAncestralDiscreteScheduler',
	useKarrasSigmas: true,
	algorithmType: 'dpmsolver+++',
	clipSkip: 2,
	safetyChecker: false,
	base64: false,
	temp: false,
	trackId: 'bench',
};

async function measure(mode: CpuMeasure['mode'], args: CpuArgs, items: number) {
	ModelsLabInpaint.prototype.execute = executes[mode];
	const cpuBefore = process.cpuUsage();
	const wallBefore = process.hrtime.bigint();
	const { output, error } = await runNode({
		credentials: { apiKey: 'sim-api-key', baseUrl: args.baseUrl, legacyBaseUrl: args.baseUrl },
		items: Array.from({ length: items }, (_, index) => ({ json: { index } })),
		parameters: {
			...ourParameters({ items, communityOptions: OPTIONS }, args.baseUrl),
			communityAdvancedOptions: ADVANCED_OPTIONS,
			completion: 'immediate',
		},
	});
	const cpu = process.cpuUsage(cpuBefore);
	const wallUs = Number(process.hrtime.bigint() - wallBefore) / 1000;
	ModelsLabInpaint.prototype.execute = realExecute;
	return {
		cpuUs: cpu.user + cpu.system,
		wallUs,
		errors: (error ? 1 : 0) + (output.length === items ? 0 : 1),
	};
}

async function main() {
	const args = workerArgs<CpuArgs>();
	const results: CpuMeasure[] = [];
	for (const mode of ['engine', 'build', 'submit'] as const) {
		await measure(mode, args, 100); // warm-up (JIT)
		const runs = [];
		for (let i = 0; i < args.repeats; i++) runs.push(await measure(mode, args, args.items));
		results.push({
			mode,
			cpuPerItemUs: median(runs.map((run) => run.cpuUs)) / args.items,
			wallPerItemUs: median(runs.map((run) => run.wallUs)) / args.items,
			errors: runs.reduce((total, run) => total + run.errors, 0),
		});
	}
	reportResult(results);
	process.exit(0);
}

void main();
