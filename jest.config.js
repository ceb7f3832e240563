/** Every suite runs our nodes inside n8n-core's real WorkflowExecute against the local simulator. */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testTimeout: 30000,
};
