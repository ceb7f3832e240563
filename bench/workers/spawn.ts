/**
 * Runs a worker script in its own Node.js process (ts-node, as `npm run demo` does), so that its
 * memory and CPU readings contain nothing but the n8n engine and our node. The worker gets its
 * arguments as JSON in BENCH_ARGS and prints one line `RESULT <json>`.
 */
import { spawn } from 'child_process';
import { join } from 'path';

export function runWorker<T>(script: string, args: unknown, nodeFlags: string[] = []): Promise<T> {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			[...nodeFlags, '-r', 'ts-node/register/transpile-only', join(__dirname, script)],
			{
				cwd: join(__dirname, '..', '..'),
				env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true', BENCH_ARGS: JSON.stringify(args) },
				stdio: ['ignore', 'pipe', 'inherit'],
			},
		);
		let stdout = '';
		child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
		child.on('error', reject);
		child.on('close', (code) => {
			const line = stdout.split('\n').find((text) => text.startsWith('RESULT '));
			if (code !== 0 || !line)
				return reject(new Error(`${script} exited with ${code}: ${stdout.slice(-500)}`));
			resolve(JSON.parse(line.slice('RESULT '.length)) as T);
		});
	});
}

/** Inside a worker: its arguments, and how it hands back its result. */
export const workerArgs = <T>() => JSON.parse(process.env.BENCH_ARGS ?? '{}') as T;
export const reportResult = (result: unknown) => console.log(`RESULT ${JSON.stringify(result)}`);
