import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

/**
 * ModelsLab may deliver the same callback more than once. A request id that started the workflow
 * is remembered in memory (which also covers a delivery arriving while the first is still being
 * handled) and in the node's static data, which n8n saves with the workflow, so that the same n8n
 * process still refuses it after a restart. Several webhook processors share only the static
 * data, which n8n writes whole (last writer wins): across them delivery is at least once.
 */
const REMEMBERED_IDS = 1000;
/** Per trigger node: ids being handled or already started, oldest first. */
const claimed = new Map<string, Set<string>>();

const scopeOf = (ctx: IWebhookFunctions) => `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().id}`;

function remembered(ctx: IWebhookFunctions): string[] {
	const ids = (ctx.getWorkflowStaticData('node') as IDataObject).startedRequestIds;
	return Array.isArray(ids) ? (ids as string[]) : [];
}

/** Claims a request id for this delivery; false when it started the workflow or is arriving already. */
export function claimDelivery(ctx: IWebhookFunctions, requestId: string): boolean {
	const scope = scopeOf(ctx);
	const ids = claimed.get(scope) ?? new Set<string>();
	if (ids.has(requestId) || remembered(ctx).includes(requestId)) return false;
	ids.add(requestId);
	if (ids.size > REMEMBERED_IDS) ids.delete(ids.values().next().value as string);
	claimed.set(scope, ids);
	return true;
}

/** Lets a later delivery of this id try again (this one was refused or failed). */
export function releaseDelivery(ctx: IWebhookFunctions, requestId: string): void {
	claimed.get(scopeOf(ctx))?.delete(requestId);
}

/** Records that this id started the workflow, so every later delivery of it is ignored. */
export function recordDelivery(ctx: IWebhookFunctions, requestId: string): void {
	// Assigned, not pushed: n8n saves static data only when one of its keys is set.
	(ctx.getWorkflowStaticData('node') as IDataObject).startedRequestIds = [
		...remembered(ctx),
		requestId,
	].slice(-REMEMBERED_IDS);
	keepChangedFlag(ctx);
}

const SAVE_HOOK = '__modelsLabSave';

/**
 * Works around n8n 2.x dropping what a trigger's webhook() changes in static data. n8n saves static
 * data after the execution has started, only when its top-level `__dataChanged` flag is set
 * (webhooks/live-webhooks.js `saveStaticData`, workflows/workflow-static-data.service.js). Before
 * that, WorkflowRunner.establishContextForPersistence (workflow-runner.js) builds a second
 * Workflow over the same static data object, and ObservableObject.create
 * (n8n-workflow observable-object.js) first reads each of its keys in a for-in loop, then resets
 * the flag to false. A getter among those keys runs in that loop and sets the flag again in a
 * microtask, which runs after the reset and long before the save. It is only a getter returning
 * undefined, so it is never saved (JSON leaves it out). n8n 1.x has no second Workflow; the flag
 * simply stays set there.
 *
 * n8n only hands a node its own part of the static data (`node:<name>`), which that loop skips, so
 * the top-level object is reached through the context's workflow; without one, the ids stay in
 * memory only.
 */
function keepChangedFlag(ctx: IWebhookFunctions): void {
	const topLevel = (ctx as unknown as { workflow?: { staticData?: unknown } }).workflow?.staticData;
	if (!topLevel || typeof topLevel !== 'object') return;
	const staticData = topLevel as IDataObject;
	Object.defineProperty(staticData, SAVE_HOOK, {
		enumerable: true,
		configurable: true,
		get() {
			void Promise.resolve().then(() => {
				staticData.__dataChanged = true;
			});
			return undefined;
		},
	});
}
