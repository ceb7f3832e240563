import { readdirSync } from 'fs';
import { join } from 'path';

export const REPOSITORY = join(__dirname, '..', '..');

/** The pages a user reads: the README and every Markdown page of docs/. */
export const DOC_PAGES = [
	join(REPOSITORY, 'README.md'),
	...readdirSync(join(REPOSITORY, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.map((name) => join(REPOSITORY, 'docs', name)),
];
