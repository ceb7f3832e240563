#!/usr/bin/env node
// The release guard: refuses to publish while package.json still has placeholder metadata, the
// tag is not "v" + package.json version, or CHANGELOG.md has no section for that version.
//
//   node scripts/check-release-metadata.mjs [--tag v1.2.3] [--package-json path] [--changelog path]
//
// --tag defaults to "v" + the package.json version (so only the tag-independent checks bite).
// Inside GitHub Actions (GITHUB_REPOSITORY set), package.json must also name the repository the
// workflow runs in: npm refuses a provenance publish whose repository.url names another one.
// Prints every problem, then exits 1; prints one summary line and exits 0 when all is well.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// Values this repository was set up with before its real owner was known. A maintainer replaces
// them in package.json (author) or, if a value turns out to be the real one, confirms it by
// deleting it from this list in a reviewed commit (e.g. when the package is published from
// github.com/modelslab-community/n8n-nodes-modelslab after all).
const UNCONFIRMED = {
	'author.name': ['n8n-nodes-modelslab contributors'],
	'author.email': ['maintainers@n8n-nodes-modelslab.dev'],
	repository: ['modelslab-community/n8n-nodes-modelslab'],
};

// Obvious placeholders in any field.
const PLACEHOLDER_TEXT =
	/\b(todo|tbd|fixme|changeme|placeholder|your[-_ ]?(name|email|org|organi[sz]ation|user(name)?|account))\b|[<>]|example\.(com|org|net)/i;
const PLACEHOLDER_EMAIL_DOMAIN = /@([^@]*\.)?(example|invalid|test|localhost|local)$/i;

function option(args, name) {
	const index = args.indexOf(name);
	if (index === -1) return undefined;
	const value = args[index + 1];
	if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
	return value;
}

/** "owner/name" of a GitHub URL (git+https, https, git@, github: or owner/name forms), or null. */
function githubSlug(url) {
	if (typeof url !== 'string') return null;
	const match =
		url.match(/^(?:git\+)?https:\/\/github\.com\/([\w.-]+)\/([\w.-]+?)(?:\.git)?(?:[/#?].*)?$/i) ??
		url.match(/^(?:git\+ssh:\/\/)?git@github\.com[:/]([\w.-]+)\/([\w.-]+?)(?:\.git)?$/i) ??
		url.match(/^(?:github:)?([\w.-]+)\/([\w.-]+)$/i);
	return match ? `${match[1]}/${match[2]}` : null;
}

function parseAuthor(author) {
	if (typeof author === 'string') {
		const match = author.match(/^\s*([^<(]*?)\s*(?:<([^>]*)>)?\s*(?:\(([^)]*)\))?\s*$/);
		return { name: match?.[1] ?? '', email: match?.[2] ?? '' };
	}
	if (author && typeof author === 'object')
		return { name: author.name ?? '', email: author.email ?? '' };
	return { name: '', email: '' };
}

function escapeRegExp(text) {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function checkReleaseMetadata({ manifest, changelog, tag, githubRepository }) {
	const problems = [];
	const version = String(manifest.version ?? '');
	const same = (a, b) => a.toLowerCase() === b.toLowerCase();
	const unconfirmed = (field, value) =>
		typeof value === 'string' &&
		(UNCONFIRMED[field] ?? []).some((known) => same(known, value.trim()));

	// Version and tag
	if (!/^\d+\.\d+\.\d+$/.test(version)) {
		problems.push(
			`package.json version "${version}" is not a plain X.Y.Z release (pre-releases are not published by this workflow)`,
		);
	}
	const expectedTag = `v${version}`;
	if (tag !== expectedTag) {
		problems.push(
			`tag "${tag}" does not match package.json version ${version}: expected "${expectedTag}"`,
		);
	}

	// Repository, homepage, bugs: one GitHub repository, the one that publishes
	const repositoryUrl =
		typeof manifest.repository === 'string' ? manifest.repository : manifest.repository?.url;
	const slug = githubSlug(repositoryUrl);
	if (!slug) {
		problems.push(
			`package.json repository.url must be the GitHub repository that publishes (git+https://github.com/OWNER/REPO.git), got ${JSON.stringify(repositoryUrl ?? null)}`,
		);
	} else {
		if (unconfirmed('repository', slug) || PLACEHOLDER_TEXT.test(slug)) {
			problems.push(
				`package.json repository "${slug}" is a placeholder that a maintainer has not confirmed: set repository.url, homepage and bugs.url to the real repository (or, if it is the real one, remove it from UNCONFIRMED in scripts/check-release-metadata.mjs)`,
			);
		}
		if (githubRepository && !same(githubRepository, slug)) {
			problems.push(
				`package.json repository "${slug}" is not the repository this workflow runs in ("${githubRepository}"): npm rejects provenance that names another repository`,
			);
		}
	}
	for (const [field, value] of [
		['homepage', manifest.homepage],
		['bugs.url', typeof manifest.bugs === 'string' ? manifest.bugs : manifest.bugs?.url],
	]) {
		if (typeof value !== 'string' || !/^https:\/\/\S+$/.test(value)) {
			problems.push(
				`package.json ${field} must be an https URL, got ${JSON.stringify(value ?? null)}`,
			);
			continue;
		}
		if (PLACEHOLDER_TEXT.test(value))
			problems.push(`package.json ${field} "${value}" is a placeholder`);
		const linked = githubSlug(value);
		if (slug && /^https:\/\/github\.com\//i.test(value) && (!linked || !same(linked, slug))) {
			problems.push(`package.json ${field} "${value}" is not on the repository ${slug}`);
		}
	}

	// Author: a person or organisation that can be reached
	const author = parseAuthor(manifest.author);
	if (!author.name.trim()) problems.push('package.json author.name is empty');
	else if (unconfirmed('author.name', author.name) || PLACEHOLDER_TEXT.test(author.name)) {
		problems.push(
			`package.json author.name "${author.name}" is a placeholder: set the publishing maintainer's name`,
		);
	}
	if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(author.email.trim())) {
		problems.push(
			`package.json author.email ${JSON.stringify(author.email)} is not an email address`,
		);
	} else if (
		unconfirmed('author.email', author.email) ||
		PLACEHOLDER_TEXT.test(author.email) ||
		PLACEHOLDER_EMAIL_DOMAIN.test(author.email.trim())
	) {
		problems.push(
			`package.json author.email "${author.email}" is a placeholder: set a real contact address`,
		);
	}

	// CHANGELOG.md: a dated section for this version, with entries, and no unfilled text
	if (changelog === null) {
		problems.push('CHANGELOG.md is missing');
	} else {
		const lines = changelog.split(/\r?\n/);
		const heading = new RegExp(`^## \\[${escapeRegExp(version)}\\](.*)$`);
		const start = lines.findIndex((line) => heading.test(line));
		if (start === -1) {
			problems.push(`CHANGELOG.md has no "## [${version}] - YYYY-MM-DD" section`);
		} else {
			if (!/^ - \d{4}-\d{2}-\d{2}\s*$/.test(lines[start].match(heading)[1])) {
				problems.push(
					`CHANGELOG.md heading "${lines[start]}" needs the release date: "## [${version}] - YYYY-MM-DD"`,
				);
			}
			const end = lines.findIndex((line, index) => index > start && /^## /.test(line));
			const body = lines.slice(start + 1, end === -1 ? undefined : end);
			if (!body.some((line) => /^\s*[-*] \S/.test(line))) {
				problems.push(`CHANGELOG.md section [${version}] lists no changes`);
			}
			const unfilled = body.find((line) => /filled in by|\b(TODO|TBD|FIXME)\b/.test(line));
			if (unfilled)
				problems.push(`CHANGELOG.md section [${version}] has unfilled text: "${unfilled.trim()}"`);
		}
		if (slug) {
			for (const line of lines) {
				const link = line.match(/^\[[^\]]+\]:\s*(https:\/\/github\.com\/\S+)/i);
				const linked =
					link && githubSlug(link[1].replace(/\/(compare|releases|tree|commits?)\/.*$/, ''));
				if (link && (!linked || !same(linked, slug))) {
					problems.push(`CHANGELOG.md link "${line.trim()}" is not on the repository ${slug}`);
				}
			}
		}
	}

	return { problems, version, slug };
}

function main() {
	const args = process.argv.slice(2);
	const manifestPath = resolve(option(args, '--package-json') ?? join(root, 'package.json'));
	const changelogPath = resolve(
		option(args, '--changelog') ?? join(dirname(manifestPath), 'CHANGELOG.md'),
	);
	const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
	const tag = option(args, '--tag') ?? `v${manifest.version}`;
	const changelog = existsSync(changelogPath) ? readFileSync(changelogPath, 'utf8') : null;
	const githubRepository = process.env.GITHUB_REPOSITORY || undefined;

	const { problems, version, slug } = checkReleaseMetadata({
		manifest,
		changelog,
		tag,
		githubRepository,
	});
	if (problems.length > 0) {
		const prefix =
			process.env.GITHUB_ACTIONS === 'true' ? '::error title=Release metadata::' : '✗ ';
		for (const problem of problems) console.error(`${prefix}${problem}`);
		console.error(
			`Not releasing ${manifest.name}@${version}: ${problems.length} problem(s). See "Releasing" in docs/development.md.`,
		);
		process.exit(1);
	}
	console.log(
		`Release metadata OK: ${manifest.name}@${version}, tag ${tag}, repository ${slug}` +
			(githubRepository ? ' (the one this workflow runs in)' : ''),
	);
}

main();
