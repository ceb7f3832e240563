import { spawn, type ChildProcess } from 'child_process';
import { createWriteStream } from 'fs';
import { join } from 'path';

import type { Execution, TaskData } from './execution';
import type { N8n } from './n8n';
import { stopGroup, waitFor } from './processes';

export const OWNER = {
	email: 'owner@e2e.test',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-Passw0rd',
};
/** n8n ties its auth cookie to this header (its browser-id check); any fixed value works. */
const BROWSER_ID = 'n8n-nodes-modelslab-e2e';

export interface ExecutionSummary {
	id: string;
	workflowId: string;
	status: string;
	mode: string;
}

/**
 * An n8n command (start, worker, webhook) in its own process group, logging to <user folder>/n8n.log
 * (after what is there, for a restart).
 */
export function spawnN8n(
	n8n: N8n,
	args: string[],
	{ appendLog = false }: { appendLog?: boolean } = {},
): ChildProcess {
	const log = createWriteStream(join(n8n.userFolder, 'n8n.log'), { flags: appendLog ? 'a' : 'w' });
	const child = spawn(n8n.install.nodeBinary, [n8n.install.n8nBin, ...args], {
		env: n8n.env(),
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child.stdout?.pipe(log);
	child.stderr?.pipe(log);
	return child;
}

/** `n8n start` in its own process group, logging to <user folder>/n8n.log, with an owner logged in. */
export class N8nServer {
	private cookie = '';
	private child?: ChildProcess;

	private constructor(readonly n8n: N8n) {}

	static async start(n8n: N8n): Promise<N8nServer> {
		const server = new N8nServer(n8n);
		await server.boot('first');
		return server;
	}

	/** Stops n8n and starts it again on the same user folder, database and port, logged in again. */
	async restart(): Promise<void> {
		await this.stop();
		await this.boot('again');
	}

	async stop(): Promise<void> {
		if (this.child) await stopGroup(this.child);
	}

	/** The process id of the running `n8n start` (its main process), to read its memory. */
	get pid(): number | undefined {
		return this.child?.exitCode === null ? this.child.pid : undefined;
	}

	private async boot(start: 'first' | 'again'): Promise<void> {
		const child = spawnN8n(this.n8n, ['start'], { appendLog: start === 'again' });
		this.child = child;
		try {
			// /healthz answers before the REST API exists; /rest/login answers 401 once it does.
			await waitFor(
				'n8n to start',
				async () => {
					if (child.exitCode !== null)
						throw new Error(`n8n start exited with ${child.exitCode}, see n8n.log`);
					const response = await fetch(`${this.n8n.baseUrl}/rest/login`);
					return response.status === 401 ? true : undefined;
				},
				150_000,
				500,
			);
			if (start === 'first') await this.request('POST', '/rest/owner/setup', OWNER);
			await this.logIn();
		} catch (error) {
			await this.stop();
			throw error;
		}
	}

	private async logIn(): Promise<void> {
		const login = await fetch(`${this.n8n.baseUrl}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': BROWSER_ID },
			body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
		});
		if (!login.ok) throw new Error(`login failed: ${login.status} ${await login.text()}`);
		this.cookie = (login.headers.getSetCookie?.() ?? [])
			.map((cookie) => cookie.split(';')[0])
			.join('; ');
	}

	/** A REST API call as the logged-in owner; returns the parsed `data` of n8n's answer. */
	async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
		const response = await fetch(`${this.n8n.baseUrl}${path}`, {
			method,
			headers: {
				'content-type': 'application/json',
				'browser-id': BROWSER_ID,
				cookie: this.cookie,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok)
			throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
		const parsed = JSON.parse(text) as { data?: T };
		return (parsed.data ?? parsed) as T;
	}

	/** A binary file of an execution, downloaded as the editor does (`filesystem-v2:…`, `database:…`). */
	async binaryData(id: string): Promise<Buffer> {
		const query = new URLSearchParams({ id, action: 'download' });
		const response = await fetch(`${this.n8n.baseUrl}/rest/binary-data?${query}`, {
			headers: { 'browser-id': BROWSER_ID, cookie: this.cookie },
		});
		if (!response.ok) throw new Error(`binary data ${id}: HTTP ${response.status}`);
		return Buffer.from(await response.arrayBuffer());
	}

	/** A stored execution in the shape `n8n execute` prints, so nodeOutput() reads both. */
	async storedExecution(id: string): Promise<Execution> {
		const { status, runData } = await this.executionData(id);
		return { status, data: { resultData: { runData: runData as Record<string, TaskData[]> } } };
	}

	/** The executions of one workflow, as the Executions list shows them. */
	async executionsOf(workflowId: string): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = await this.request<{ results: ExecutionSummary[] }>(
			'GET',
			`/rest/executions?filter=${filter}&limit=50`,
		);
		return page.results.filter((execution) => String(execution.workflowId) === workflowId);
	}

	/** A finished execution with its run data (stored by n8n in the `flatted` format). */
	async executionData(id: string): Promise<{ status: string; runData: Record<string, unknown> }> {
		const execution = await this.request<{ status: string; data: string }>(
			'GET',
			`/rest/executions/${id}`,
		);
		const data = unflatten(execution.data) as { resultData: { runData: Record<string, unknown> } };
		return { status: execution.status, runData: data.resultData.runData };
	}
}

/**
 * Undoes the `flatted` library's stringify: a JSON array where entry 0 is the root, every object
 * and string sits in its own entry, and objects refer to them by their index written as a string.
 */
export function unflatten(text: string): unknown {
	const table = JSON.parse(text) as unknown[];
	const resolved = new Map<number, unknown>();
	const resolve = (index: number): unknown => {
		if (resolved.has(index)) return resolved.get(index);
		const raw = table[index];
		if (typeof raw !== 'object' || raw === null) return raw;
		const out: Record<string, unknown> | unknown[] = Array.isArray(raw) ? [] : {};
		resolved.set(index, out);
		for (const [key, value] of Object.entries(raw)) {
			(out as Record<string, unknown>)[key] =
				typeof value === 'string' ? resolve(Number(value)) : value;
		}
		return out;
	};
	return resolve(0);
}
