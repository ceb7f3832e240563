/**
 * docs/code-map.md names every source file of nodes/ and credentials/, and only files that exist:
 * adding, moving or removing a file without a line there fails here.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

import { sourceFiles } from './support/sourceFiles';

const root = join(__dirname, '..');

const map = readFileSync(join(root, 'docs/code-map.md'), 'utf8');
const mapped = [...map.matchAll(/`((?:nodes|credentials)\/[^`]+\.ts)`/g)].map((match) => match[1]);

it('names every source file of nodes/ and credentials/', () => {
	const files = [...sourceFiles('nodes'), ...sourceFiles('credentials')].sort();
	expect(files.length).toBeGreaterThan(40);
	expect(files.filter((file) => !mapped.includes(file))).toEqual([]);
});

it('names no file that does not exist, and each once', () => {
	const files = new Set([...sourceFiles('nodes'), ...sourceFiles('credentials')]);
	expect(mapped.filter((file) => !files.has(file))).toEqual([]);
	expect(mapped.filter((file, index) => mapped.indexOf(file) !== index)).toEqual([]);
});
