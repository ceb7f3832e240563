import { spawn, type ChildProcess } from 'child_process';
import { chownSync, createWriteStream, existsSync, mkdirSync, readdirSync, rmSync } from 'fs';
import { join } from 'path';

import { freePort, run, stopGroup, waitFor } from './processes';

/**
 * PostgreSQL and Redis for n8n's queue mode, from Debian's packages (e2e/install.sh installs them),
 * each run as a plain process on 127.0.0.1 with its data in the e2e work folder: no system service
 * is started or changed. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
 * user the Debian package creates.
 */

/** Debian keeps PostgreSQL's programs under /usr/lib/postgresql/<major>/bin, outside PATH. */
function postgresBin(program: string): string {
	const root = '/usr/lib/postgresql';
	const majors = existsSync(root)
		? readdirSync(root)
				.filter((name) => existsSync(join(root, name, 'bin', program)))
				.sort((a, b) => Number(b) - Number(a))
		: [];
	if (majors.length === 0)
		throw new Error(`PostgreSQL's ${program} is missing: run bash e2e/install.sh (as root)`);
	return join(root, majors[0], 'bin', program);
}

const asRoot = process.getuid?.() === 0;
/** The command line that runs `program` as the database's owner. */
const asOwner = (program: string, args: string[]): [string, string[]] =>
	asRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];

function started(command: string, args: string[], logFile: string): ChildProcess {
	const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	const log = createWriteStream(logFile);
	child.stdout?.pipe(log);
	child.stderr?.pipe(log);
	return child;
}

export class Postgres {
	private constructor(
		readonly port: number,
		private readonly child: ChildProcess,
	) {}

	static async start(folder: string): Promise<Postgres> {
		const data = join(folder, 'pgdata');
		rmSync(data, { recursive: true, force: true });
		mkdirSync(data, { recursive: true });
		if (asRoot) {
			const owner = await run('id', ['-u', 'postgres']);
			const group = await run('id', ['-g', 'postgres']);
			chownSync(data, Number(owner.stdout.trim()), Number(group.stdout.trim()));
		}
		const init = await run(
			...asOwner(postgresBin('initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync']),
		);
		if (init.code !== 0) throw new Error(`initdb failed:\n${init.stdout}\n${init.stderr}`);
		const port = await freePort();
		const child = started(
			...asOwner(postgresBin('postgres'), [
				'-D',
				data,
				'-p',
				String(port),
				'-h',
				'127.0.0.1',
				'-k',
				data,
				// A throw-away database: durability only costs time here.
				'-c',
				'fsync=off',
				'-c',
				'synchronous_commit=off',
				'-c',
				'full_page_writes=off',
			]),
			join(folder, 'postgres.log'),
		);
		const postgres = new Postgres(port, child);
		try {
			await waitFor(
				'PostgreSQL to accept connections',
				async () => {
					if (child.exitCode !== null) throw new Error('postgres exited, see postgres.log');
					const ready = await postgres.sql('SELECT 1');
					return ready.code === 0 ? true : undefined;
				},
				60_000,
				300,
			);
			const created = await postgres.sql('CREATE DATABASE n8n');
			if (created.code !== 0) throw new Error(`CREATE DATABASE failed: ${created.stderr}`);
		} catch (error) {
			await postgres.stop();
			throw error;
		}
		return postgres;
	}

	sql(statement: string, database = 'postgres') {
		return run(postgresBin('psql'), [
			'-h',
			'127.0.0.1',
			'-p',
			String(this.port),
			'-U',
			'postgres',
			'-d',
			database,
			'-tAc',
			statement,
		]);
	}

	async stop(): Promise<void> {
		await stopGroup(this.child);
	}
}

export class Redis {
	private constructor(
		readonly port: number,
		private readonly child: ChildProcess,
	) {}

	static async start(folder: string): Promise<Redis> {
		const port = await freePort();
		const child = started(
			'redis-server',
			['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
			join(folder, 'redis.log'),
		);
		const redis = new Redis(port, child);
		await waitFor(
			'Redis to answer',
			async () => {
				if (child.exitCode !== null) throw new Error('redis-server exited, see redis.log');
				const pong = await run('redis-cli', ['-p', String(port), 'ping']);
				return pong.stdout.trim() === 'PONG' ? true : undefined;
			},
			30_000,
			200,
		);
		return redis;
	}

	/** A redis-cli command against this server; its answer, one value a line. */
	async cli(args: string[]): Promise<string> {
		const answer = await run('redis-cli', ['-p', String(this.port), ...args]);
		if (answer.code !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${answer.stderr}`);
		return answer.stdout;
	}

	async stop(): Promise<void> {
		await stopGroup(this.child);
	}
}
