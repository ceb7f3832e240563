import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { run } from './processes';

export const repoRoot = join(__dirname, '..', '..');
/** What a reader looks at after a run: the screenshots. */
export const e2eOutput = join(repoRoot, 'test-output', 'e2e');
/**
 * The packed tarball and the n8n user folders (each with the package installed: thousands of .js
 * files), outside the repository so that `npm run lint`, which reads every file under it, stays fast.
 */
export const e2eWork = process.env.E2E_WORK ?? join(tmpdir(), 'n8n-nodes-modelslab-e2e-work');
const packFolder = join(e2eWork, 'pack');

/** Builds the package and packs it the way `npm publish` would (global setup, once per run). */
export async function buildAndPack(): Promise<string> {
	rmSync(packFolder, { recursive: true, force: true });
	mkdirSync(packFolder, { recursive: true });
	const env = { ...process.env, NODE_ENV: undefined };
	const build = await run('npm', ['run', 'build'], { cwd: repoRoot, env, timeoutMs: 300_000 });
	if (build.code !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
	const pack = await run('npm', ['pack', '--pack-destination', packFolder], { cwd: repoRoot, env });
	if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stdout}\n${pack.stderr}`);
	return packedTarball();
}

export function packedTarball(): string {
	const tarballs = existsSync(packFolder)
		? readdirSync(packFolder).filter((name) => name.endsWith('.tgz'))
		: [];
	if (tarballs.length !== 1)
		throw new Error(`expected one packed tarball in ${packFolder}, found ${tarballs.length}`);
	return join(packFolder, tarballs[0]);
}

/**
 * Installs the packed tarball into an n8n user folder as n8n's Community Nodes installer does:
 * unpack it into `.n8n/nodes/node_modules/<name>`, then install only its runtime `dependencies`,
 * with scripts ignored. Only what the `files` list ships is there, so a file missing from it fails
 * the tests that need it.
 */
export async function installPackedPackage(userFolder: string): Promise<string> {
	const nodesFolder = join(userFolder, '.n8n', 'nodes');
	const target = join(nodesFolder, 'node_modules', 'n8n-nodes-modelslab');
	mkdirSync(target, { recursive: true });
	const untar = await run('tar', ['-xzf', packedTarball(), '-C', target, '--strip-components=1']);
	if (untar.code !== 0) throw new Error(`unpacking the tarball failed: ${untar.stderr}`);
	const manifest = JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as {
		dependencies?: Record<string, string>;
	};
	const dependencies = Object.entries(manifest.dependencies ?? {}).map(
		([name, range]) => `${name}@${range}`,
	);
	if (dependencies.length > 0) {
		const install = await run(
			'npm',
			[
				'install',
				'--no-save',
				'--omit=dev',
				'--omit=peer',
				'--ignore-scripts',
				'--no-audit',
				'--no-fund',
				...dependencies,
			],
			{ cwd: target, timeoutMs: 300_000 },
		);
		if (install.code !== 0)
			throw new Error(`installing the package's dependencies failed: ${install.stderr}`);
	}
	return target;
}
