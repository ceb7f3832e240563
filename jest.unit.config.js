/**
 * The fast tier (npm run test:unit): every suite of jest.config.js except those that spend their
 * time waiting on real timeouts, polls and retries (the fault-injection suites, completion, Fetch,
 * trigger, downloads to disk, the simulator's own tests of hangs, delays and queues) or on outside
 * tools (actionlint, npm pack, the demo script, other zod installs). `npm test` still runs
 * everything; this is for the edit-test loop.
 */
const base = require('./jest.config');

module.exports = {
	...base,
	// Two workers even on 2 cores (jest's default there is one): these suites are mostly CPU, and
	// side by side they take about half as long.
	maxWorkers: 2,
	testPathIgnorePatterns: [
		'/node_modules/',
		'/test/faults\\.',
		'/test/inpaint\\.completion\\.',
		'/test/fetch\\.',
		'/test/trigger\\.',
		'/test/download\\.filesystem\\.',
		'/test/simulator\\.',
		'/test/demo\\.',
		'/test/release\\.',
		'/test/package\\.',
		'/test/zod-hosts\\.',
	],
};
