#!/usr/bin/env node
// n8n's verification scan (@n8n/scan-community-package), before and after publishing.
//
//   node scripts/n8n-scan.mjs source --scanner <folder of an installed @n8n/scan-community-package>
//     The scanner's lint, with its own rule set, on this repository's source and on the tarball
//     `npm pack` makes (build first). Catches what would fail verification before a version
//     number is spent. Uses the scanner's module (scanner/scanner.mjs), so pin its version.
//
//   node scripts/n8n-scan.mjs published <name@version> [--attempts 6] [--delay 30]
//                                       [--scanner-command "npx --yes @n8n/scan-community-package"]
//     The full scan of the published version (provenance, attested source, tarball), as n8n runs
//     it. A version just published may not be visible yet, so an inconclusive result is retried
//     --attempts times, --delay seconds apart; lint violations and missing provenance end it at
//     once. The scanner's CLI exits 0 even when the package fails, so success is read from its
//     output ("has passed all security checks").
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PASSED = /has passed all security checks/;
const FINAL_FAILURE =
	/ESLint violations found|not published with npm provenance|Invalid package specification/;

function option(args, name, fallback) {
	const index = args.indexOf(name);
	if (index === -1) return fallback;
	const value = args[index + 1];
	if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
	return value;
}

function fail(message) {
	console.error(message);
	process.exit(1);
}

async function scanSource(args) {
	const scannerDir = option(args, '--scanner');
	if (!scannerDir) fail('source: --scanner <folder of @n8n/scan-community-package> is required');
	const scannerModule = join(resolve(scannerDir), 'scanner', 'scanner.mjs');
	if (!existsSync(scannerModule)) fail(`source: ${scannerModule} not found`);
	if (!existsSync(join(root, 'dist'))) fail('source: dist/ is missing, run `npm run build` first');
	const { analyzePackage, SOURCE_FILE_PATTERNS } = await import(pathToFileURL(scannerModule).href);

	const work = mkdtempSync(join(tmpdir(), 'n8n-scan-'));
	try {
		const pack = spawnSync(
			'npm',
			['pack', '--ignore-scripts', '--json', '--pack-destination', work],
			{
				cwd: root,
				encoding: 'utf8',
			},
		);
		if (pack.status !== 0) fail(`npm pack failed:\n${pack.stderr}`);
		const tarball = join(work, JSON.parse(pack.stdout)[0].filename);
		const untar = spawnSync('tar', ['-xzf', tarball, '-C', work], { encoding: 'utf8' });
		if (untar.status !== 0) fail(`tar failed:\n${untar.stderr}`);

		// The same two legs as the published scan: the source with the full rule set, the shipped
		// JavaScript and package.json of the tarball.
		const legs = [
			['source', await analyzePackage(root, SOURCE_FILE_PATTERNS)],
			['tarball', await analyzePackage(join(work, 'package'), ['**/*.js', 'package.json'])],
		];
		let passed = true;
		for (const [leg, result] of legs) {
			console.log(
				`${result.passed ? '✅' : '❌'} scanner rules on the ${leg}${result.message ? `: ${result.message}` : ''}`,
			);
			if (result.details) console.log(result.details);
			passed &&= result.passed;
		}
		return passed ? 0 : 1;
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
}

async function scanPublished(args) {
	const spec = args.find(
		(arg, index) => index > 0 && !arg.startsWith('--') && !args[index - 1].startsWith('--'),
	);
	if (!spec || !/^(@[\w.-]+\/)?[\w.-]+@\d+\.\d+\.\d+$/.test(spec)) {
		fail(
			`published: give the exact published version, e.g. n8n-nodes-modelslab@1.2.3 (got ${spec ?? 'nothing'})`,
		);
	}
	const attempts = Number(option(args, '--attempts', '6'));
	const delaySeconds = Number(option(args, '--delay', '30'));
	if (!Number.isInteger(attempts) || attempts < 1 || attempts > 20)
		fail('--attempts must be 1 to 20');
	if (!Number.isFinite(delaySeconds) || delaySeconds < 0 || delaySeconds > 300)
		fail('--delay must be 0 to 300');
	const [command, ...commandArgs] = option(
		args,
		'--scanner-command',
		'npx --yes @n8n/scan-community-package',
	)
		.trim()
		.split(/\s+/);

	for (let attempt = 1; attempt <= attempts; attempt += 1) {
		console.log(`Scan ${attempt}/${attempts}: ${command} ${[...commandArgs, spec].join(' ')}`);
		const run = spawnSync(command, [...commandArgs, spec], {
			cwd: root,
			encoding: 'utf8',
			timeout: 10 * 60 * 1000,
			// The scanner's dependencies include native modules whose install scripts need a newer
			// Node than the one running here; the scan needs none of them.
			env: { ...process.env, npm_config_ignore_scripts: 'true' },
		});
		const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
		process.stdout.write(output);
		if (run.status === 0 && PASSED.test(output)) {
			console.log(`${spec} passed n8n's verification scan.`);
			return 0;
		}
		if (FINAL_FAILURE.test(output)) {
			console.error(
				`${spec} failed n8n's verification scan (see above); retrying cannot fix this.`,
			);
			return 1;
		}
		if (attempt < attempts) {
			const why = run.error ? run.error.message : `exit ${run.status}`;
			console.log(
				`Not conclusive yet (${why}; the registry may not show the new version yet), retrying in ${delaySeconds} s.`,
			);
			await new Promise((done) => setTimeout(done, delaySeconds * 1000));
		}
	}
	console.error(`${spec} did not pass n8n's verification scan after ${attempts} attempts.`);
	return 1;
}

const args = process.argv.slice(2);
const modes = { source: scanSource, published: scanPublished };
if (!modes[args[0]])
	fail(
		'usage: node scripts/n8n-scan.mjs source --scanner <dir> | published <name@version> [options]',
	);
process.exit(await modes[args[0]](args));
