import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IPairedItemData,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { errorJson } from '../shared/run/items';
import { withRetries } from '../shared/pacing/retry';
import { asNodeError, failureOf } from '../shared/transport/failures';
import { modelsLabRequest } from '../shared/transport/transport';

/** ModelsLab's wallet balance: free, creates no job, takes no place in the queue (the credential test's too). */
export const WALLET_BALANCE_PATH = '/api/wallet_balance';

/** A read of one small answer: a short timeout, and passing faults tried again within a minute. */
const REQUEST_TIMEOUT_MS = 30_000;
const MAX_WAIT_MS = 60_000;

/** Fields of the answer never put on the item, whatever ModelsLab adds to it. */
const SECRET_FIELD = /key|token|secret|password/i;

/** A number, or a number written as text ("43.60"); anything else is not a balance. */
function amountOf(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value !== 'string' || !/^\s*-?\d+(\.\d+)?\s*$/.test(value)) return undefined;
	return Number(value);
}

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The item: `balance` as a number, `currency` when ModelsLab names one, then the answer's other
 * plain fields as they came (nothing that could hold a key). Documented shape:
 * `{ status: "success", data: { balance: 43.6, currency: "USD" } }`; a flat answer is read too.
 */
export function balanceJson(ctx: IExecuteFunctions, answer: IDataObject): IDataObject {
	const data = isObject(answer.data) ? answer.data : answer;
	const balance = amountOf(data.balance);
	if (balance === undefined) {
		const shown = JSON.stringify(data.balance ?? null);
		throw new NodeApiError(ctx.getNode(), answer as JsonObject, {
			message: 'ModelsLab answered the wallet balance request without a balance',
			description: `${WALLET_BALANCE_PATH} answered with status "${String(answer.status ?? 'none')}" and balance ${shown}; a number was expected.`,
			itemIndex: 0,
		});
	}
	const currency = typeof data.currency === 'string' && data.currency ? data.currency : null;
	const others = Object.entries(data).filter(
		([name, value]) =>
			!['balance', 'currency', 'status'].includes(name) &&
			!SECRET_FIELD.test(name) &&
			(value === null || ['string', 'number', 'boolean'].includes(typeof value)),
	);
	return { balance, currency, ...Object.fromEntries(others) };
}

/** A rejected key gets a hint of where to fix it; ModelsLab's own words stay the message. */
function withKeyHint(error: unknown) {
	const failure = failureOf(error);
	const aboutKey = failure?.kind === 'rejected' && /\bkey\b/i.test(failure.apiMessage ?? '');
	if (error instanceof NodeApiError && aboutKey) {
		error.description =
			`${error.description ?? ''} Check the API Key of the ModelsLab API credential (copy it again from your ModelsLab dashboard).`.trim();
	}
	return error;
}

/**
 * Get Wallet Balance: one request, one output item whatever the number of input items (the
 * balance is the account's, not an item's), paired with every input item. With On Error: Continue
 * a failure becomes that one item, with the error.
 */
export async function getWalletBalance(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const pairedItem: IPairedItemData[] = ctx.getInputData().map((_, item) => ({ item }));
	try {
		const answer = await withRetries(
			ctx,
			'ModelsLab wallet balance',
			async () =>
				await modelsLabRequest(
					ctx,
					{ host: 'modelslab', path: WALLET_BALANCE_PATH, body: {}, timeoutMs: REQUEST_TIMEOUT_MS },
					0,
				),
			{ itemIndex: 0, maxWaitMs: MAX_WAIT_MS },
		);
		return [[{ json: balanceJson(ctx, answer.body), pairedItem }]];
	} catch (caught) {
		const error = asNodeError(ctx, withKeyHint(caught), 0);
		if (!ctx.continueOnFail()) throw error;
		// No job is involved: the error item carries no request ID.
		const json = errorJson(error);
		delete json.requestId;
		return [[{ json, pairedItem }]];
	}
}
