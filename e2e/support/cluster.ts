import type { ChildProcess } from 'child_process';
import { mkdirSync } from 'fs';
import { join } from 'path';

import { N8n } from './n8n';
import { e2eWork } from './package';
import { freePort, stopGroup, waitFor } from './processes';
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
		private readonly workerChildren: ChildProcess[],
		private readonly processorChildren: ChildProcess[],
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
						}),
				),
			);
			const processors = await Promise.all(
				[1, 2].map(async (index) => await N8n.create(major, `queue-webhook${index}`, shared)),
			);
			proxy.route(processors.map((processor) => processor.port));
			const workerChildren = workers.map((worker) =>
				spawnN8n(worker, ['worker', '--concurrency=5']),
			);
			const processorChildren = processors.map((processor) => spawnN8n(processor, ['webhook']));
			others.push(...workerChildren, ...processorChildren);
			await Promise.all([
				...workers.map(
					async (worker) =>
						await waitFor(
							`worker ${worker.userFolder} to be healthy`,
							async () => {
								const port = worker.env().QUEUE_HEALTH_CHECK_PORT;
								const response = await fetch(`http://127.0.0.1:${port}/healthz`);
								return response.ok ? true : undefined;
							},
							180_000,
							500,
						),
				),
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
				workerChildren,
				processorChildren,
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

	async stop(): Promise<void> {
		const children = [...this.workerChildren, ...this.processorChildren];
		await Promise.all(children.map(async (child) => await stopGroup(child)));
		await this.main.stop();
		await this.proxy.stop();
		await Promise.all([this.postgres.stop(), this.redis.stop()]);
	}
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
