import { ModelsLabSimulator } from '../../simulator';
import { N8n } from './n8n';
import { N8nServer } from './server';
import type { Major } from './versions';
import { callbackWorkflows } from './callbackWorkflows';
import { fullResolutionWorkflow } from './fullResolutionWorkflows';
import { masksWorkflow } from './maskWorkflows';
import { loadExample } from './workflows';

/** The example workflows the running server serves; the suites find their nodes through these. */
export const served = {
	trigger: loadExample('callback-trigger.json', 'exampleCallback1'),
	form: loadExample('inpaint-uploaded-photo.json', 'exampleUploadFrm'),
	background: loadExample('inpaint-replace-background.json', 'exampleBackgrnd'),
	fromUrls: loadExample('inpaint-from-urls.json', 'exampleFromUrls1'),
	callbacks: loadExample('inpaint-wait-for-callbacks.json', 'exampleCallbacks'),
	describeMask: loadExample('inpaint-describe-mask.json', 'exampleDescribe1'),
	/** Not an example: a Form Trigger per mask case the examples do not show (suites/masks.ts). */
	masks: masksWorkflow('e2eMasksFromForms'),
	/** Not an example: large photos from a link and a form upload (suites/fullResolution.ts). */
	fullResolution: fullResolutionWorkflow('e2eFullResForms'),
};

export interface RunningN8n {
	sim: ModelsLabSimulator;
	n8n: N8n;
	server: N8nServer;
}

/**
 * One `n8n start` per major, shared by the server and editor suites (a start costs 20-40 s):
 * a fresh user folder with the ModelsLab credential, the example workflows imported, the trigger and
 * form workflows activated, and an owner logged in. Registers its own beforeAll/afterAll, so call it
 * at the top of a test file; the getter works inside tests.
 */
export function useRunningN8n(major: Major): () => RunningN8n {
	let running: Partial<RunningN8n> = {};

	beforeAll(async () => {
		const sim = new ModelsLabSimulator();
		running.sim = sim;
		const simulatorUrl = await sim.start();
		const n8n = await N8n.create(major, 'server');
		running.n8n = n8n;
		await n8n.importCredential(simulatorUrl);
		await n8n.importWorkflows([...Object.values(served), ...Object.values(callbackWorkflows)]);
		for (const workflow of [
			served.trigger,
			served.form,
			served.background,
			served.callbacks,
			served.describeMask,
			served.masks,
			served.fullResolution,
			...Object.values(callbackWorkflows),
		])
			await n8n.activate(workflow.id);
		running.server = await N8nServer.start(n8n);
	}, 400_000);

	afterAll(async () => {
		await running.server?.stop();
		await running.sim?.stop();
		running = {};
	});

	return () => {
		if (!running.server) throw new Error(`n8n ${major}.x did not start (see the beforeAll error)`);
		return running as RunningN8n;
	};
}
