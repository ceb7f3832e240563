/**
 * The layout of nodes/ stays easy to walk: rooms of at most 14 files, import chains inside a room
 * at most 6 files deep, no import cycles, shared code never importing a node's code, no file over
 * 350 lines, and no two files with one name. Imports are read from the source as text.
 */
import { readFileSync } from 'fs';
import { basename, dirname, join, normalize } from 'path';

import { sourceFiles } from './support/sourceFiles';

const root = join(__dirname, '..');
const files = sourceFiles('nodes');

/** The files of nodes/ each file imports (relative imports only). */
const imports = new Map(
	files.map((file) => {
		const text = readFileSync(join(root, file), 'utf8');
		const targets = [...text.matchAll(/from '(\.{1,2}\/[^']+)'/g)].map((match) => {
			const base = normalize(join(dirname(file), match[1]));
			return files.find(
				(candidate) => candidate === `${base}.ts` || candidate === `${base}/index.ts`,
			);
		});
		return [file, targets.filter((target): target is string => target !== undefined)];
	}),
);

it('has no room of more than 14 files', () => {
	const rooms = new Map<string, number>();
	for (const file of files) rooms.set(dirname(file), (rooms.get(dirname(file)) ?? 0) + 1);
	expect([...rooms].filter(([, count]) => count > 14)).toEqual([]);
});

it('has no import cycle', () => {
	const cycles: string[][] = [];
	const state = new Map<string, 'open' | 'done'>();
	const visit = (file: string, path: string[]) => {
		if (state.get(file) === 'done') return;
		if (state.get(file) === 'open') {
			cycles.push([...path.slice(path.indexOf(file)), file]);
			return;
		}
		state.set(file, 'open');
		for (const target of imports.get(file) ?? []) visit(target, [...path, file]);
		state.set(file, 'done');
	};
	for (const file of files) visit(file, []);
	expect(cycles).toEqual([]);
});

it('has no import chain inside one room more than 6 files deep', () => {
	const depth = new Map<string, number>();
	const deepest = (file: string): number => {
		if (!depth.has(file)) {
			const inRoom = (imports.get(file) ?? []).filter(
				(target) => dirname(target) === dirname(file),
			);
			depth.set(file, 1 + Math.max(0, ...inRoom.map(deepest)));
		}
		return depth.get(file)!;
	};
	expect(files.filter((file) => deepest(file) > 6)).toEqual([]);
});

it("never lets shared code import a node's code", () => {
	const upward = files
		.filter((file) => file.startsWith('nodes/shared/'))
		.flatMap((file) => (imports.get(file) ?? []).map((target) => `${file} → ${target}`))
		.filter((edge) => !edge.split(' → ')[1].startsWith('nodes/shared/'));
	expect(upward).toEqual([]);
});

it('has no file over 350 lines', () => {
	const long = files.filter(
		(file) => readFileSync(join(root, file), 'utf8').split('\n').length > 350,
	);
	expect(long).toEqual([]);
});

it('has no two files with one name', () => {
	const names = files.map((file) => basename(file));
	expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
});
