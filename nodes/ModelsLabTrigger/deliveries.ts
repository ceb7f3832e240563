import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

/**
 * ModelsLab may deliver the same callback more than once. A request id that started the workflow
 * is remembered in memory (which also covers a delivery arriving while the first is still being
 * handled) and in the node's static data, which n8n saves with the workflow, so that the same n8n
 * process still refuses it after a restart. Several webhook processors share only the static
 * data, which n8n writes whole (last writer wins): across them delivery is at least once.
 */
const REMEMBERED_IDS = 1000;

interface Remembered {
	/** Ids being handled or already started, oldest first. */
	claimed: Set<string>;
	/** Ids that started the workflow in this process, oldest first. */
	started: Set<string>;
}
/** Per trigger node. */
const memory = new Map<string, Remembered>();

function rememberedHere(ctx: IWebhookFunctions): Remembered {
	const scope = `${ctx.getWorkflow().id ?? ''}/${ctx.getNode().id}`;
	let remembered = memory.get(scope);
	if (!remembered) {
		remembered = { claimed: new Set(), started: new Set() };
		memory.set(scope, remembered);
	}
	return remembered;
}

function addCapped(ids: Set<string>, id: string): void {
	ids.add(id);
	if (ids.size > REMEMBERED_IDS) ids.delete(ids.values().next().value as string);
}

function saved(ctx: IWebhookFunctions): string[] {
	const ids = (ctx.getWorkflowStaticData('node') as IDataObject).startedRequestIds;
	return Array.isArray(ids) ? (ids as string[]) : [];
}

/** Claims a request id for this delivery; false when it started the workflow or is arriving already. */
export function claimDelivery(ctx: IWebhookFunctions, requestId: string): boolean {
	const { claimed, started } = rememberedHere(ctx);
	if (claimed.has(requestId) || started.has(requestId) || saved(ctx).includes(requestId))
		return false;
	addCapped(claimed, requestId);
	return true;
}

/** Lets a later delivery of this id try again (this one was refused or failed). */
export function releaseDelivery(ctx: IWebhookFunctions, requestId: string): void {
	rememberedHere(ctx).claimed.delete(requestId);
}

/** Records that this id started the workflow, so every later delivery of it is ignored. */
export function recordDelivery(ctx: IWebhookFunctions, requestId: string): void {
	const { claimed, started } = rememberedHere(ctx);
	addCapped(started, requestId);
	claimed.delete(requestId);
	const fromStore = saved(ctx);
	const union = () => [...new Set([...fromStore, ...started])].slice(-REMEMBERED_IDS);
	const nodeData = ctx.getWorkflowStaticData('node') as IDataObject;
	// Assigned through n8n's proxy, which marks the static data as changed...
	nodeData.startedRequestIds = union();
	// ...then read when n8n saves it: each call saves the static data it loaded, whole, so two
	// overlapping calls in this process would otherwise each drop the other's id.
	Object.defineProperty(nodeData, 'startedRequestIds', {
		enumerable: true,
		configurable: true,
		get: union,
	});
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
 * undefined, so it is never saved (JSON leaves it out). (A workflow without static data yet is not
 * affected: both Workflows then get a fresh object.) n8n 1.123 has no
 * establishContextForPersistence; the getter changes nothing there.
 *
 * n8n hands a node only a child of the static data (`node:<name>`, or `global`), which that loop
 * skips because it is already observable, so the top-level object is reached through the
 * context's workflow; without one, the ids stay in memory only.
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
