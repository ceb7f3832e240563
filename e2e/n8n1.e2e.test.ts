import { agentSuite } from './suites/agent';
import { binaryModesSuite } from './suites/binaryModes';
import { callbacksSuite } from './suites/callbacks';
import { editorSuite } from './suites/editor';
import { editorGuideSuite } from './suites/editorGuide';
import { fullResolutionSuite } from './suites/fullResolution';
import { headlessSuite } from './suites/headless';
import { masksSuite } from './suites/masks';
import { serverSuite } from './suites/server';
import { useRunningN8n } from './support/running-n8n';

// Everything the suite proves, against n8n 1.x (versions in e2e/versions.env).
headlessSuite(1);
agentSuite(1);
binaryModesSuite(1);

describe('n8n 1.x server (n8n start)', () => {
	const running = useRunningN8n(1);
	serverSuite(running);
	masksSuite(running);
	fullResolutionSuite(running);
	callbacksSuite(running);
	editorSuite(running);
	editorGuideSuite(running);
});
