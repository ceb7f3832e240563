/**
 * A real n8n for the rows that only n8n itself can show (Wait for callbacks, memory): started the
 * way the e2e suite starts one (e2e/support): the package built, `npm pack`ed and installed into a
 * fresh user folder the Community Nodes way, the ModelsLab credential pointed at the bench's
 * simulator, the bench's workflows imported and activated, `n8n start` with an owner logged in.
 * Workflows are started over their production webhook (Webhook → Split Out → ...), one item per
 * entry of `items`, and read back from n8n's own execution records (REST API).
 */
import './work-folder';

import { N8n } from '../../e2e/support/n8n';
import { buildAndPack } from '../../e2e/support/package';
import { waitFor } from '../../e2e/support/processes';
import { N8nServer, unflatten } from '../../e2e/support/server';
import { requireInstall } from '../../e2e/support/versions';
import type { Workflow } from '../../e2e/support/workflows';
import type { BenchSimulator } from './sim';

export interface BenchN8n {
	n8n: N8n;
	server: N8nServer;
	version: string;
	nodeVersion: string;
}

/** One task (run) of a node, as n8n stores it. */
export interface StoredTask {
	startTime: number;
	executionTime: number;
	executionStatus?: string;
	data?: {
		main?: Array<
			Array<{ json: Record<string, unknown>; binary?: Record<string, { id?: string }> }>
		>;
	};
}

/** The parts of an execution record the bench reads, times in ms since 1970. */
export interface ExecutionRecord {
	id: string;
	status: string;
	startedAt: number;
	stoppedAt: number | null;
	waitTill: number | null;
	runData: Record<string, StoredTask[]>;
}

const time = (value: unknown) => (value ? Date.parse(String(value)) : null);

export async function executionRecord(server: N8nServer, id: string): Promise<ExecutionRecord> {
	const execution = await server.request<{
		status: string;
		startedAt: string;
		stoppedAt?: string | null;
		waitTill?: string | null;
		data: string;
	}>('GET', `/rest/executions/${id}`);
	const data = unflatten(execution.data) as {
		resultData: { runData: Record<string, StoredTask[]> };
	};
	return {
		id,
		status: execution.status,
		startedAt: time(execution.startedAt) ?? NaN,
		stoppedAt: time(execution.stoppedAt),
		waitTill: time(execution.waitTill),
		runData: data.resultData.runData,
	};
}

/** Builds, packs and installs the package into a fresh n8n 2.x, imports and activates `workflows`. */
export async function startBenchN8n(
	target: BenchSimulator,
	workflows: Workflow[],
	log: (line: string) => void,
): Promise<BenchN8n> {
	const install = requireInstall(2);
	log(`  n8n ${install.version}: building and packing the package...`);
	await buildAndPack();
	const n8n = await N8n.create(2, 'bench');
	await n8n.importCredential(target.baseUrl);
	await n8n.importWorkflows(workflows);
	for (const workflow of workflows) await n8n.activate(workflow.id);
	log(`  n8n ${install.version}: starting (n8n start, Node ${install.nodeVersion})...`);
	const server = await N8nServer.start(n8n);
	return { n8n, server, version: install.version, nodeVersion: install.nodeVersion };
}

/** Starts one execution of an active bench workflow with these items (n8n may still be activating it). */
export async function startWorkflow(
	rig: BenchN8n,
	path: string,
	items: Array<Record<string, unknown>>,
): Promise<void> {
	await waitFor(
		`the webhook ${path}`,
		async () => {
			const response = await fetch(`${rig.n8n.baseUrl}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ items }),
			});
			if (response.status === 404) return undefined;
			if (!response.ok) throw new Error(`webhook ${path}: HTTP ${response.status}`);
			return true;
		},
		60_000,
		250,
	);
}

/** Waits until `count` executions of the workflow have ended (success or error), and lists them. */
export async function finishedExecutions(
	rig: BenchN8n,
	workflowId: string,
	count: number,
	timeoutMs: number,
) {
	return await waitFor(
		`${count} finished executions of ${workflowId}`,
		async () => {
			const executions = await rig.server.executionsOf(workflowId);
			const ended = executions.filter((execution) =>
				['success', 'error', 'crashed', 'canceled'].includes(execution.status),
			);
			return ended.length >= count ? ended : undefined;
		},
		timeoutMs,
		250,
	);
}
