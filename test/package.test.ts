/**
 * The tarball n8n's Community Nodes installer would unpack ships everything the package.json "n8n"
 * section names, with icons and codex files, and follows the community-package rules.
 * Needs `npm run build` first (npm test does it).
 */
import { execFileSync } from 'child_process';
import { join } from 'path';

const root = join(__dirname, '..');
const manifest = require(join(root, 'package.json'));

function packedFiles(): string[] {
	const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'ignore'],
	});
	return (JSON.parse(output) as Array<{ files: Array<{ path: string }> }>)[0].files.map(
		(file) => file.path,
	);
}

/** The light and dark icon files the built node or credential class names (its `file:` paths). */
function iconFiles(entry: string): { light: string; dark: string } {
	const exported = require(join(root, entry)) as Record<
		string,
		new () => { icon?: unknown; description?: { icon?: unknown } }
	>;
	const instance = new (Object.values(exported)[0])();
	const icon = (instance.description?.icon ?? instance.icon) as { light: string; dark: string };
	return { light: icon.light.replace(/^file:/, ''), dark: icon.dark.replace(/^file:/, '') };
}

describe('npm pack', () => {
	const files = packedFiles();

	it('ships every node and credential the n8n section lists, each with its icons and codex', () => {
		const entries: string[] = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
		expect(entries.length).toBeGreaterThanOrEqual(2);
		for (const entry of entries) {
			expect(files).toContain(entry);
			const folder = entry.slice(0, entry.lastIndexOf('/'));
			const icons = iconFiles(entry);
			expect(icons.light).not.toBe(icons.dark);
			expect(files).toContain(`${folder}/${icons.light}`);
			expect(files).toContain(`${folder}/${icons.dark}`);
		}
		for (const node of manifest.n8n.nodes as string[]) {
			expect(files).toContain(node.replace(/\.js$/, '.json'));
		}
	});

	it('ships only the built package, the entry point and the docs', () => {
		const outside = files.filter((file) => !file.startsWith('dist/'));
		expect(outside.sort()).toEqual([
			'CHANGELOG.md',
			'LICENSE',
			'README.md',
			'index.js',
			'package.json',
		]);
		expect(files.some((file) => /\.test\.|simulator|\/test\//.test(file))).toBe(false);
	});

	it('loads from the tarball layout: index.js exposes the built classes', () => {
		const entry = require(join(root, 'index.js'));
		expect(new entry.ModelsLabInpaint().description.name).toBe('modelsLabInpaint');
		expect(new entry.ModelsLabApi().name).toBe('modelsLabApi');
	});
});

describe('package.json', () => {
	it('follows the community package rules', () => {
		expect(manifest.name).toBe('n8n-nodes-modelslab');
		expect(manifest.keywords).toContain('n8n-community-node-package');
		expect(manifest.files).toEqual(['dist', 'CHANGELOG.md']);
		expect(manifest.n8n.n8nNodesApiVersion).toBe(1);
		expect(manifest.dependencies ?? {}).toEqual({});
		expect(manifest.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		expect(Object.keys(manifest.scripts)).not.toEqual(expect.arrayContaining(['prepare']));
		expect(manifest.scripts.postinstall).toBeUndefined();
		expect(manifest.devDependencies['n8n-workflow']).toBe(
			require(join(root, 'node_modules/n8n-core/package.json')).dependencies['n8n-workflow'],
		);
	});
});
