// ESLint for the TypeScript that is not node code: test/, harness/, simulator/, bench/, e2e/ and
// scripts/. Each of those folders has a one-line eslint.config.mjs that re-exports this file.
//
// The root eslint.config.mjs is n8n's template, unchanged (`"n8n": { "strict": true }` makes
// `n8n-node lint` refuse anything else), and it applies n8n's node rules, Cloud rules included
// (no fs, no process, no timers, no console), to every .ts file it sees. Those rules are for the
// code n8n loads, not for tests and tools. `npm run lint` therefore runs `n8n-node lint` with
// ESLINT_FLAGS=unstable_config_lookup_from_file (ESLint 9; the default from ESLint 10): each file is
// linted with the nearest eslint.config.mjs, so nodes/, credentials/ and package.json get the
// template and the folders above get this config: ESLint's and typescript-eslint's recommended
// rules, the same base the template starts from.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config({
	files: ['**/*.ts'],
	extends: [js.configs.recommended, tseslint.configs.recommended],
	rules: {
		// `const { key: _key, ...rest } = body` is how a field is left out of a copy.
		'@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
	},
});
