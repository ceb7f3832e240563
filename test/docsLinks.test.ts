/**
 * Every link between the README and the pages in docs/ leads somewhere: the file exists, and the
 * heading an anchor names is in it (anchors as GitHub makes them from headings).
 */
import { existsSync, readFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

import { DOC_PAGES as pages, REPOSITORY as root } from './support/docsPages';

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces become hyphens. */
const anchorOf = (heading: string) =>
	heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\- _]/gu, '')
		.replace(/ /g, '-');

const anchorsIn = (file: string) =>
	new Set(
		readFileSync(file, 'utf8')
			.split('\n')
			.filter((line) => /^#{1,6} /.test(line))
			.map((line) => anchorOf(line.replace(/^#+ /, ''))),
	);

/** Every relative link target of a Markdown page (images too), code spans left out. */
function linksOf(file: string): string[] {
	const text = readFileSync(file, 'utf8').replace(/`[^`\n]*`/g, '');
	return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
		.map((match) => match[1])
		.filter((target) => !/^(https?|mailto):/.test(target));
}

const linked = pages.filter((page) => linksOf(page).length > 0);

describe.each(linked.map((page) => [relative(root, page), page]))('%s', (_, page) => {
	it.each(linksOf(page).map((link) => [link]))('the link %s leads somewhere', (link) => {
		const [path, anchor] = link.split('#');
		const target = path ? resolve(dirname(page), path) : page;
		expect(existsSync(target)).toBe(true);
		if (anchor) expect([...anchorsIn(target)]).toContain(anchor);
	});
});

it('finds the links it checks (a page with none would pass for nothing)', () => {
	expect(linksOf(join(root, 'README.md')).length).toBeGreaterThan(20);
	expect(anchorOf('Waiting for callbacks (no polling)')).toBe('waiting-for-callbacks-no-polling');
});
