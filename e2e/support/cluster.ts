import type { ChildProcess } from 'child_process';
import { mkdirSync } from 'fs';
import { join } from 'path';

import { N8n } from './n8n';
import { e2eWork } from './package';
import { freePort, killGroup, stopGroup, waitFor } from './processes';
import { RoundRobinProxy } from './roundRobin';
import { N8nServer, spawnN8n } from './server';
import { Postgres, Redis } from './services';
import type { Major } from './versions';

/** Fixed so every process of the cluster decrypts the same credentials. */
const ENCRYPTION_KEY = 'e2e-only-encryption-key-not-a-secret';

export interface ClusterSetup {
	/** Before any process starts: import credentials and workflows, publish the webhook ones. */
	prepare: (main: N8n) => Promise<void>;
	/** A production webhook path (after /webhook/) that answers once a processor serves webhooks. */
	probePath: string;
}

/**
 * n8n in queue mode, as ../shared/reference/queue-mode.md measured it: PostgreSQL and Redis, one
 * main (editor and REST API, no production webhooks, manual runs sent to the workers), two workers
 * and two webhook processors behind a round-robin load balancer, whose address is n8n's webhook
 * URL. Every process has its own user folder with the packed package installed, its own ports and
 * its own task-runner broker. About 3.5 GB of memory.
 */
export class QueueCluster {
	private constructor(
		readonly main: N8nServer,
		readonly webhookProcessors: N8n[],
		readonly proxy: RoundRobinProxy,
		readonly webhookBaseUrl: string,
		private readonly probePath: string,
		private readonly postgres: Postgres,
		private readonly redis: Redis,
		readonly workers: N8n[],
		private readonly workerChildren: ChildProcess[],
		private readonly processorChildren: ChildProcess[],
		/**
		 * Everything each worker wrote to stdout and stderr since it first started (n8n's console
		 * log, as a process manager or `docker logs` keeps it), also across restarts.
		 */
		readonly workerOutput: string[],
	) {}

	static async start(major: Major, setup: ClusterSetup): Promise<QueueCluster> {
		const folder = join(e2eWork, `queue${major}`);
		mkdirSync(folder, { recursive: true });
		const [postgres, redis] = await Promise.all([Postgres.start(folder), Redis.start(folder)]);
		const proxy = new RoundRobinProxy();
		const webhookBaseUrl = await proxy.start();
		const shared: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			// The load balancer's address: what webhook and resume URLs are built from.
			N8N_WEBHOOK_URL: `${webhookBaseUrl}/`,
			WEBHOOK_URL: `${webhookBaseUrl}/`,
			N8N_PROXY_HOPS: '1',
			// As the README asks of n8n 1.x users: a dead worker's execution is not run again (n8n
			// 1.x's default, 1, runs it once more, and every item is submitted and billed again). n8n
			// 2.x always uses 0 and warns about the variable.
			...(major === 1 ? { QUEUE_WORKER_MAX_STALLED_COUNT: '0' } : {}),
		};
		const others: ChildProcess[] = [];
		let mainServer: N8nServer | undefined;
		const stopAll = async () => {
			await Promise.all(others.map(async (child) => await stopGroup(child)));
			await mainServer?.stop();
			await proxy.stop();
			await Promise.all([postgres.stop(), redis.stop()]);
		};
		try {
			const main = await N8n.create(major, 'queue-main', {
				...shared,
				N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
				OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
			});
			await setup.prepare(main);
			mainServer = await N8nServer.start(main);

			const workers = await Promise.all(
				[1, 2].map(
					async (index) =>
						await N8n.create(major, `queue-worker${index}`, {
							...shared,
							QUEUE_HEALTH_CHECK_ACTIVE: 'true',
							QUEUE_HEALTH_CHECK_PORT: String(await freePort()),
							// n8n's defaults on both majors, pinned: info lines, to the console (workerOutput).
							N8N_LOG_LEVEL: 'info',
							N8N_LOG_OUTPUT: 'console',
						}),
				),
			);
			const processors = await Promise.all(
				[1, 2].map(async (index) => await N8n.create(major, `queue-webhook${index}`, shared)),
			);
			proxy.route(processors.map((processor) => processor.port));
			const workerOutput = workers.map(() => '');
			const workerChildren = workers.map((worker, index) =>
				captured(spawnN8n(worker, ['worker', '--concurrency=5']), workerOutput, index),
			);
			const processorChildren = processors.map((processor) => spawnN8n(processor, ['webhook']));
			others.push(...workerChildren, ...processorChildren);
			await Promise.all([
				...workers.map(async (worker) => await healthyWorker(worker)),
				...processors.map(async (processor) => await servesWebhooks(processor, setup.probePath)),
			]);
			return new QueueCluster(
				mainServer,
				processors,
				proxy,
				webhookBaseUrl,
				setup.probePath,
				postgres,
				redis,
				workers,
				workerChildren,
				processorChildren,
				workerOutput,
			);
		} catch (error) {
			await stopAll();
			throw error;
		}
	}

	/** Stops webhook processor `index` and starts it again; resolves once it serves webhooks. */
	async restartWebhookProcessor(index: number): Promise<void> {
		await stopGroup(this.processorChildren[index]);
		const processor = this.webhookProcessors[index];
		this.processorChildren[index] = spawnN8n(processor, ['webhook'], { appendLog: true });
		await servesWebhooks(processor, this.probePath);
	}

	/**
	 * Kills worker `index` at once (SIGKILL to its process group, as the kernel's OOM killer or a
	 * lost machine would), and resolves once its output has all been read.
	 */
	async killWorker(index: number): Promise<void> {
		const child = this.workerChildren[index];
		if (child.exitCode !== null || child.signalCode !== null) return;
		const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
		killGroup(child, 'SIGKILL');
		await closed;
	}

	/** A workflow's static data as n8n last saved it in PostgreSQL. */
	async staticData(workflowId: string): Promise<Record<string, unknown>> {
		const id = workflowId.replace(/'/g, "''");
		const answer = await this.postgres.sql(
			`SELECT "staticData" FROM workflow_entity WHERE id = '${id}'`,
			'n8n',
		);
		if (answer.code !== 0) throw new Error(`reading static data failed: ${answer.stderr}`);
		const text = answer.stdout.trim();
		return text ? (JSON.parse(text) as Record<string, unknown>) : {};
	}

	/** Fields of one of n8n's Bull jobs (queue `jobs`) as Redis holds them ('' when not set). */
	async bullJob<F extends string>(jobId: string, fields: F[]): Promise<Record<F, string>> {
		const values = (await this.redis.cli(['HMGET', `bull:jobs:${jobId}`, ...fields])).split('\n');
		return Object.fromEntries(fields.map((field, index) => [field, values[index] ?? ''])) as Record<
			F,
			string
		>;
	}

	/** Starts worker `index` again (after killWorker); resolves once it is healthy. */
	async restartWorker(index: number): Promise<void> {
		await stopGroup(this.workerChildren[index]);
		this.workerChildren[index] = captured(
			spawnN8n(this.workers[index], ['worker', '--concurrency=5'], { appendLog: true }),
			this.workerOutput,
			index,
		);
		await healthyWorker(this.workers[index]);
	}

	async stop(): Promise<void> {
		const children = [...this.workerChildren, ...this.processorChildren];
		await Promise.all(children.map(async (child) => await stopGroup(child)));
		await this.main.stop();
		await this.proxy.stop();
		await Promise.all([this.postgres.stop(), this.redis.stop()]);
	}
}

/** Appends what `child` writes (stdout and stderr) to `output[index]`. */
function captured(child: ChildProcess, output: string[], index: number): ChildProcess {
	const append = (chunk: Buffer) => (output[index] += chunk.toString());
	child.stdout?.on('data', append);
	child.stderr?.on('data', append);
	return child;
}

async function healthyWorker(worker: N8n): Promise<void> {
	await waitFor(
		`worker ${worker.userFolder} to be healthy`,
		async () => {
			const port = worker.env().QUEUE_HEALTH_CHECK_PORT;
			const response = await fetch(`http://127.0.0.1:${port}/healthz`);
			return response.ok ? true : undefined;
		},
		180_000,
		500,
	);
}

/**
 * Waits until a webhook processor serves production webhooks. Its /healthz answers 5-30 s before
 * it has loaded them (404 meanwhile): only a real webhook route shows it is ready.
 */
async function servesWebhooks(processor: N8n, probePath: string): Promise<void> {
	await waitFor(
		`webhook processor on ${processor.baseUrl} to serve /webhook/${probePath}`,
		async () => {
			const response = await fetch(`${processor.baseUrl}/webhook/${probePath}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{}',
			});
			return response.status !== 404 ? true : undefined;
		},
		180_000,
		500,
	);
}
