import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

/**
 * ModelsLab may deliver the same callback more than once. A request id that started the workflow
 * is remembered in memory (which also covers a delivery arriving while the first is still being
 * handled) and in the node's static data, which n8n saves with the workflow, so that the same n8n
 * process still refuses it after a restart.
 *
 * Several webhook processors share only the static data. n8n (1.123 and 2.41 alike) loads it from
 * the database when a call arrives and, once the call is answered, writes the whole object back
 * (webhooks/live-webhooks.js, workflow-static-data.service.js `saveStaticDataById`): no merge, no
 * version check, and nothing a node can hook into to read the database again at that moment. So
 * when two processors handle calls at about the same time, the later save drops the ids the other
 * saved meanwhile, and a node cannot prevent that. What it can do, and does here: every process
 * keeps the ids it has seen saved as well as its own, and when a call's static data lacks ids this
 * process knows, that call saves them again (refused calls too: n8n saves after those as well). A
 * dropped id is thus back in the database at the next call the process that knows it receives;
 * only a restart of that process before then loses it. Proven with two webhook processors in n8n
 * 1.123.81 and 2.41.1 (e2e/suites/queue.ts). Across processors delivery stays at least once.
 */
const REMEMBERED_IDS = 1000;

interface Remembered {
	/** Ids being handled or already started, oldest first. */
	claimed: Set<string>;
	/** Ids that started the workflow, in this process or (as seen saved) in another, oldest first. */
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
	const fromStore = saved(ctx);
	const stored = new Set(fromStore);
	// Another process's save may have dropped ids known here: this call puts them back.
	const dropped = [...started].some((id) => !stored.has(id));
	// Saved ids first, so that past the cap the ones known only here are kept, as the save keeps them.
	const known = [...new Set([...fromStore, ...started])].slice(-REMEMBERED_IDS);
	started.clear();
	for (const id of known) started.add(id);
	if (dropped) persist(ctx, fromStore);
	if (claimed.has(requestId) || started.has(requestId)) return false;
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
	persist(ctx, saved(ctx));
}

/** Has n8n save, with this call's static data, the ids it loaded and every id known here. */
function persist(ctx: IWebhookFunctions, fromStore: string[]): void {
	const { started } = rememberedHere(ctx);
	const union = () => [...new Set([...fromStore, ...started])].slice(-REMEMBERED_IDS);
	const nodeData = ctx.getWorkflowStaticData('node') as IDataObject;
	// An earlier persist() of this call left a getter, which an assignment cannot replace.
	delete nodeData.startedRequestIds;
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
