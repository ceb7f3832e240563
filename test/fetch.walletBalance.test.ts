/**
 * ModelsLab Fetch › Get Wallet Balance, run in n8n-core's WorkflowExecute against the simulator:
 * one free request, one item with the balance as a number, errors that never show the key.
 */
import { createServer } from 'http';
import { inspect } from 'util';

import { PACKAGE } from '../harness/engine';
import { failureOf } from '../nodes/shared/transport/failures';
import { API_KEY, ENTERPRISE_KEY, useSimulator } from './support/simulator';

const { simulator, inpaint, credentials } = useSimulator();

const WALLET = '/api/wallet_balance';

const balanceNode = (
	options: {
		items?: Array<{ json: Record<string, unknown> }>;
		continueOnFail?: boolean;
		apiKey?: string;
		baseUrl?: string;
		nodeType?: string;
	} = {},
) =>
	inpaint({ operation: 'getWalletBalance' } as never, {
		nodeType: options.nodeType ?? `${PACKAGE}.modelsLabFetch`,
		items: (options.items ?? [{ json: {} }]) as never,
		continueOnFail: options.continueOnFail ?? false,
		credentials: credentials({
			...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
			...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
		}),
	});

/** Nothing the node output or threw holds the credential's keys. */
function expectNoKey(value: unknown, ...keys: string[]) {
	const text = inspect(value, { depth: Infinity, showHidden: true });
	for (const key of [API_KEY, ENTERPRISE_KEY, ...keys]) expect(text).not.toContain(key);
}

/** A 127.0.0.1 port nothing listens on (it was free a moment ago): connecting to it is refused. */
async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

describe('Fetch › Get Wallet Balance', () => {
	it('outputs one item: the balance as a number and the currency, from one request with the API key', async () => {
		simulator.settings.balance = 12.75;
		const { output, error } = await balanceNode();
		expect(error).toBeUndefined();
		expect(output).toEqual([
			{ json: { balance: 12.75, currency: 'USD' }, pairedItem: [{ item: 0 }] },
		]);
		const requests = simulator.requestsTo(WALLET);
		expect(requests).toHaveLength(1);
		expect(requests[0].body).toEqual({ key: API_KEY });
		expect(simulator.requests).toHaveLength(1);
		expectNoKey(output);
	});

	it('reads the account once for several input items, and pairs its item with all of them', async () => {
		const { output } = await balanceNode({ items: [{ json: { a: 1 } }, { json: { a: 2 } }] });
		expect(output).toHaveLength(1);
		expect(output[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }]);
		expect(output[0].json.balance).toBe(43.6);
		expect(simulator.requestsTo(WALLET)).toHaveLength(1);
	});

	it('takes a balance written as text, keeps other plain fields, drops anything named like a key', async () => {
		simulator.respondOnce(
			{ path: WALLET },
			{
				body: {
					status: 'success',
					data: {
						balance: '7.50',
						currency: 'EUR',
						plan: 'Standard',
						api_key: 'leaked-key',
						nested: { x: 1 },
					},
				},
			},
		);
		const { output } = await balanceNode();
		expect(output[0].json).toEqual({ balance: 7.5, currency: 'EUR', plan: 'Standard' });
	});

	it('an answer without a currency gives currency null; one without a balance is an error', async () => {
		simulator.respondOnce({ path: WALLET }, { body: { status: 'success', balance: 3 } });
		expect((await balanceNode()).output[0].json).toEqual({ balance: 3, currency: null });

		simulator.respondOnce(
			{ path: WALLET },
			{ body: { status: 'success', data: { balance: 'n/a' } } },
		);
		const { error } = await balanceNode();
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe('ModelsLab answered the wallet balance request without a balance');
		expect(error?.description).toContain('balance "n/a"');
	});

	it.each(['http200', 'http401'] as const)(
		"an invalid key (answered %s) is a NodeApiError with ModelsLab's message and where to fix it, never the key",
		async (style) => {
			simulator.settings.invalidKeyStyle = style;
			const wrongKey = 'sk-wrong-key-0123456789';
			const { output, error } = await balanceNode({ apiKey: wrongKey });
			expect(output).toEqual([]);
			expect(error?.name).toBe('NodeApiError');
			expect(error?.message).toBe('ModelsLab: Invalid Api Key');
			expect(error?.description).toContain('Check the API Key of the ModelsLab API credential');
			expect(failureOf(error)).toMatchObject({ kind: 'rejected' });
			// A rejected key is not tried again.
			expect(simulator.requestsTo(WALLET)).toHaveLength(1);
			expectNoKey(error, wrongKey);
		},
	);

	it('On Error: Continue: the failure becomes the one item, paired with every input item', async () => {
		const wrongKey = 'sk-wrong-key-0123456789';
		const { output, error } = await balanceNode({
			apiKey: wrongKey,
			continueOnFail: true,
			items: [{ json: {} }, { json: {} }],
		});
		expect(error).toBeUndefined();
		expect(output).toHaveLength(1);
		expect(output[0]).toMatchObject({
			json: { error: 'ModelsLab: Invalid Api Key', httpCode: '200' },
			pairedItem: [{ item: 0 }, { item: 1 }],
		});
		expect(output[0].json).not.toHaveProperty('balance');
		expect(output[0].json).not.toHaveProperty('requestId');
		expectNoKey(output, wrongKey);
	});

	it('an unreachable ModelsLab is a NodeApiError naming the host, tried again first; On Error: Continue too', async () => {
		const port = await closedPort();
		const baseUrl = `http://127.0.0.1:${port}`;
		const { error } = await balanceNode({ baseUrl });
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toBe(
			`Could not reach ModelsLab at 127.0.0.1:${port}: the server refused the connection`,
		);
		expect(error?.description).toMatch(/was not sent.*\(Tried 4 times\.\)$/s);
		expectNoKey(error);

		const continued = await balanceNode({ baseUrl, continueOnFail: true });
		expect(continued.output).toHaveLength(1);
		expect(continued.output[0].json.error).toMatch(/^Could not reach ModelsLab/);
		expect(continued.output[0].pairedItem).toEqual([{ item: 0 }]);
	}, 30_000);

	it('runs as an AI Agent tool (a free read an agent may make)', async () => {
		const { output, error } = await balanceNode({ nodeType: `${PACKAGE}.modelsLabFetchTool` });
		expect(error).toBeUndefined();
		expect(output[0].json).toEqual({ balance: 43.6, currency: 'USD' });
	});

	it('a saved Fetch node without an operation still runs Get Result', async () => {
		const { error } = await inpaint({ requestId: '123', endpoint: 'community' } as never, {
			nodeType: `${PACKAGE}.modelsLabFetch`,
		});
		expect(error?.message).toBe('ModelsLab: Request not found');
		expect(simulator.requestsTo(WALLET)).toHaveLength(0);
	});
});
