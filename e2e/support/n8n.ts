import { mkdirSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';

import { parseExecution, type Execution } from './execution';
import { e2eWork, installPackedPackage } from './package';
import { freePort, run, type RunResult } from './processes';
import { requireInstall, type Major, type N8nInstall } from './versions';

/** Fixed so credentials imported with plain values can be decrypted by every command of a run. */
const ENCRYPTION_KEY = 'e2e-only-encryption-key-not-a-secret';

/** The id the example workflows use for their ModelsLab credential. */
export const CREDENTIAL_ID = 'modelslab-credential';
export const CREDENTIAL_NAME = 'ModelsLab account';

/**
 * One n8n installation (a major from the cache) with its own fresh user folder, ports and database,
 * and the packed n8n-nodes-modelslab installed the Community Nodes way.
 */
export class N8n {
	readonly install: N8nInstall;
	readonly userFolder: string;
	readonly port: number;
	private readonly brokerPort: number;

	private constructor(
		install: N8nInstall,
		userFolder: string,
		port: number,
		brokerPort: number,
		private readonly extraEnv: Record<string, string>,
	) {
		this.install = install;
		this.userFolder = userFolder;
		this.port = port;
		this.brokerPort = brokerPort;
	}

	/**
	 * `name` keeps the user folders of parallel test files apart (under the e2e work folder);
	 * `extraEnv` is added to every command's environment (a queue-mode cluster's database, say).
	 */
	static async create(
		major: Major,
		name: string,
		extraEnv: Record<string, string> = {},
	): Promise<N8n> {
		const install = requireInstall(major);
		const userFolder = join(e2eWork, `n8n${major}-${name}`);
		rmSync(userFolder, { recursive: true, force: true });
		mkdirSync(userFolder, { recursive: true });
		await installPackedPackage(userFolder);
		return new N8n(install, userFolder, await freePort(), await freePort(), { ...extraEnv });
	}

	/**
	 * Sets (or, with undefined, removes) variables of every later command's environment: a restart
	 * in another binary data mode, say.
	 */
	setEnv(changes: Record<string, string | undefined>): void {
		for (const [name, value] of Object.entries(changes)) {
			if (value === undefined) delete this.extraEnv[name];
			else this.extraEnv[name] = value;
		}
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	env(): NodeJS.ProcessEnv {
		const env: NodeJS.ProcessEnv = {
			...process.env,
			PATH: `${dirname(this.install.nodeBinary)}:${process.env.PATH ?? ''}`,
			N8N_USER_FOLDER: this.userFolder,
			N8N_PORT: String(this.port),
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
			// 2.x prints `execute`'s JSON through the logger: below info it would not appear at all.
			N8N_LOG_LEVEL: 'info',
			N8N_HOST: '127.0.0.1',
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			WEBHOOK_URL: `${this.baseUrl}/`,
			N8N_SECURE_COOKIE: 'false',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			...this.install.env,
			...this.extraEnv,
		};
		// jest's NODE_ENV=test would switch n8n into its own test behaviour.
		delete env.NODE_ENV;
		return env;
	}

	/**
	 * Runs an n8n CLI command (each boots n8n, loading every node: a few seconds). `alongsideServer`
	 * gives it a task broker port of its own, so it can run while `n8n start` uses this user folder.
	 */
	async cli(args: string[], options: { alongsideServer?: boolean } = {}): Promise<RunResult> {
		const env = this.env();
		if (options.alongsideServer) env.N8N_RUNNERS_BROKER_PORT = String(await freePort());
		return run(this.install.nodeBinary, [this.install.n8nBin, ...args], {
			env,
			timeoutMs: 150_000,
		});
	}

	private async cliOrThrow(args: string[]): Promise<RunResult> {
		const result = await this.cli(args, { alongsideServer: true });
		if (result.code !== 0) {
			throw new Error(
				`n8n ${args.join(' ')} exited ${result.code}\n${result.stdout}\n${result.stderr}`,
			);
		}
		return result;
	}

	/**
	 * Imports the ModelsLab credential the examples use, pointing both base URLs at the simulator,
	 * and any further ModelsLab credentials given (their own id, name and base URL), in one CLI call.
	 */
	async importCredential(
		simulatorUrl: string,
		others: Array<{ id: string; name: string; baseUrl: string }> = [],
	): Promise<void> {
		const modelsLab = ({ id, name, baseUrl }: { id: string; name: string; baseUrl: string }) => ({
			id,
			name,
			type: 'modelsLabApi',
			data: {
				apiKey: 'sim-api-key',
				enterpriseApiKey: 'sim-enterprise-key',
				baseUrl,
				legacyBaseUrl: baseUrl,
			},
		});
		await this.importCredentials([
			modelsLab({ id: CREDENTIAL_ID, name: CREDENTIAL_NAME, baseUrl: simulatorUrl }),
			...others.map(modelsLab),
		]);
	}

	/** Imports credentials with plain values (n8n encrypts them on import). */
	async importCredentials(
		credentials: Array<{ id: string; name: string; type: string; data: object }>,
	): Promise<void> {
		const file = join(this.userFolder, 'credentials.json');
		writeFileSync(file, JSON.stringify(credentials));
		await this.cliOrThrow(['import:credentials', `--input=${file}`]);
	}

	/** Imports workflows (each must have an `id`) in one CLI call. */
	async importWorkflows(workflows: Array<{ id: string }>): Promise<void> {
		const folder = join(this.userFolder, 'workflows-to-import');
		rmSync(folder, { recursive: true, force: true });
		mkdirSync(folder);
		for (const workflow of workflows)
			writeFileSync(join(folder, `${workflow.id}.json`), JSON.stringify(workflow));
		await this.cliOrThrow(['import:workflow', '--separate', `--input=${folder}`]);
	}

	/** Runs an imported workflow headless and returns its execution data. */
	async execute(
		workflowId: string,
		options: { alongsideServer?: boolean } = {},
	): Promise<Execution> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], options);
		return parseExecution(result);
	}

	/** Makes a workflow active at the next `n8n start` (the CLI differs between majors). */
	async activate(workflowId: string): Promise<void> {
		await this.cliOrThrow(
			this.install.major === 2
				? ['publish:workflow', `--id=${workflowId}`]
				: ['update:workflow', `--id=${workflowId}`, '--active=true'],
		);
	}
}
