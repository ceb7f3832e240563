// Linted with the repository's config for tests and tools, not n8n's node rules: see ../eslint.repo.config.mjs.
import repo from '../eslint.repo.config.mjs';

export default [
	...repo,
	{
		files: ['**/*.ts'],
		rules: {
			// The tests run as CommonJS (ts-jest) and load what only exists at run time, by a computed
			// path: the built classes in dist/, package.json, packages picked by the test.
			'@typescript-eslint/no-require-imports': 'off',
		},
	},
];
