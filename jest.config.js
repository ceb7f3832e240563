/** Every suite runs our nodes inside n8n-core's real WorkflowExecute against the local simulator. */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testTimeout: 30000,
	// Made-up links (images.example.com, modelslab.invalid) fail at once, not on the machine's resolver.
	setupFiles: ['<rootDir>/test/support/reservedNames.ts'],
};
