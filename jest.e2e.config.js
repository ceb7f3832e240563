/**
 * The end-to-end suite (npm run test:e2e): the packed package in real n8n 2.x and 1.x, installed by
 * e2e/install.sh. One test file per n8n major, so the two majors run side by side.
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/e2e'],
	testMatch: ['<rootDir>/e2e/*.e2e.test.ts'],
	globalSetup: '<rootDir>/e2e/support/global-setup.ts',
	setupFiles: ['<rootDir>/e2e/support/freshSockets.ts'],
	maxWorkers: 2,
	testTimeout: 180000,
};
