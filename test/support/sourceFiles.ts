import { readdirSync, statSync } from 'fs';
import { join, relative } from 'path';

const root = join(__dirname, '..', '..');

/** Every .ts file below `folder` (a repository path), as repository paths. */
export function sourceFiles(folder: string): string[] {
	return readdirSync(join(root, folder)).flatMap((name) => {
		const path = join(folder, name);
		if (statSync(join(root, path)).isDirectory()) return sourceFiles(path);
		return name.endsWith('.ts') ? [relative('.', path)] : [];
	});
}
