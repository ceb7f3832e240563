import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

/**
 * ModelsLab may deliver the same callback more than once. A request id that started the workflow
 * is remembered in the node's static data (saved by n8n after each call, so it survives restarts)
 * and in memory, which also covers deliveries arriving before n8n has saved the static data.
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
}
