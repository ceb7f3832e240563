/**
 * What the editor shows is derived from each endpoint's schema: every field of a endpoint appears
 * once, only for that endpoint, with the schema's default, range and options.
 */
import { existsSync } from 'fs';
import { join } from 'path';

import type { INodeProperties } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';
import type { z } from 'zod/v3';

import { ModelsLabFetch } from '../nodes/ModelsLabFetch/ModelsLabFetch.node';
import { ModelsLabInpaint } from '../nodes/ModelsLabInpaint/ModelsLabInpaint.node';
import { ModelsLabTrigger } from '../nodes/ModelsLabTrigger/ModelsLabTrigger.node';
import { INPAINT_ENDPOINTS } from '../nodes/ModelsLabInpaint/endpoints';
import { endpointIds } from '../nodes/shared/transport/endpoints';
import { parameterName } from '../nodes/shared/schema/fields';

const node = new ModelsLabInpaint();
const { properties } = node.description;

/** The parameters n8n shows for a endpoint (with everything else at its default). */
function visibleFor(endpoint: string): INodeProperties[] {
	const values =
		NodeHelpers.getNodeParameters(properties, { endpoint }, true, false, null, null) ?? {};
	return properties.filter((property) =>
		NodeHelpers.displayParameter(values, property, null, null),
	);
}

describe.each(endpointIds)('%s fields', (id) => {
	const endpoint = INPAINT_ENDPOINTS[id];
	const visible = visibleFor(id);
	const collection = (name: string) =>
		visible.find((property) => property.name === name)?.options as INodeProperties[];
	const options = collection(`${id}Options`) ?? [];
	const advanced = collection(`${id}AdvancedOptions`);
	const editorField = (wireKey: string) => {
		const { placement } = endpoint.fields[wireKey];
		const name = parameterName(wireKey, endpoint.fields[wireKey]);
		const within = placement === 'main' ? visible : placement === 'advanced' ? advanced : options;
		return within.find((property) => property.name === name);
	};
	const fieldKeys = Object.keys(endpoint.fields).filter(
		(key) => endpoint.fields[key].placement !== 'image',
	);

	it('every request field is in the editor exactly once', () => {
		for (const key of fieldKeys) expect(editorField(key)).toBeDefined();
		const names = visible.map((property) => property.name);
		expect(new Set(names).size).toBe(names.length);
		expect(options).toHaveLength(
			fieldKeys.filter((key) => endpoint.fields[key].placement === 'option').length,
		);
		expect(advanced).toHaveLength(
			fieldKeys.filter((key) => endpoint.fields[key].placement === 'advanced').length,
		);
		// The everyday settings come first, under Options (Object Removal has none: no prompt).
		if (id === 'objectRemoval') return expect(options).toEqual([]);
		expect(options.map((option) => option.displayName)).toEqual(
			expect.arrayContaining(['Negative Prompt', 'Number of Images', 'Seed', 'Strength']),
		);
	});

	it("no other endpoint's options are shown", () => {
		const otherCollections = endpointIds
			.filter((other) => other !== id)
			.flatMap((other) => [`${other}Options`, `${other}AdvancedOptions`]);
		for (const name of otherCollections)
			expect(visible.some((property) => property.name === name)).toBe(false);
	});

	it('adding an option with its editor default sends what leaving it out sends', () => {
		for (const key of fieldKeys.filter((k) =>
			['option', 'advanced'].includes(endpoint.fields[k].placement),
		)) {
			const schema = endpoint.schema.shape[key] as z.ZodTypeAny;
			const omitted = schema.safeParse(undefined);
			if (omitted.success && omitted.data !== undefined) {
				expect({ key, value: schema.parse(editorField(key)!.default) }).toEqual({
					key,
					value: omitted.data,
				});
			}
		}
	});

	it('editor ranges and option lists are exactly what the schema accepts', () => {
		for (const key of fieldKeys) {
			const property = editorField(key)!;
			const schema = endpoint.schema.shape[key] as z.ZodTypeAny;
			const { minValue, maxValue } = property.typeOptions ?? {};
			if (minValue !== undefined) {
				expect(schema.safeParse(minValue).success).toBe(true);
				expect(schema.safeParse(minValue - 0.5).success).toBe(false);
			}
			if (maxValue !== undefined) {
				expect(schema.safeParse(maxValue).success).toBe(true);
				expect(schema.safeParse(maxValue + 0.5).success).toBe(false);
			}
			if (property.type === 'options') {
				for (const option of property.options as Array<{ value: string }>) {
					expect(schema.safeParse(option.value).success).toBe(true);
				}
				expect(schema.safeParse('not-an-option').success).toBe(false);
			}
		}
	});
});

describe('the node', () => {
	it('offers the four documented inpaint endpoints and Object Removal, with a subtitle for each', () => {
		const selector = properties.find((property) => property.name === 'endpoint')!;
		const values = (selector.options as Array<{ value: string }>).map((option) => option.value);
		expect(values).toEqual(['imageEditing', 'community', 'legacy', 'enterprise', 'objectRemoval']);
		for (const value of values) expect(node.description.subtitle).toContain(`"${value}"`);
	});

	it('is usable as an AI tool, needs the ModelsLab credential, and ships its icons', () => {
		// An AI Agent is told what the tool needs and returns.
		const tool = node.description.usableAsTool as { replacements: { description: string } };
		expect(tool.replacements.description).toMatch(/prompt.*picture.*mask.*box.*output/s);
		expect(node.description.credentials).toEqual([{ name: 'modelsLabApi', required: true }]);
		const icon = node.description.icon as { light: string; dark: string };
		for (const file of [icon.light, icon.dark]) {
			expect(
				existsSync(join(__dirname, '..', 'nodes', 'ModelsLabInpaint', file.replace('file:', ''))),
			).toBe(true);
		}
	});
});

describe('cost in the Inpaint panel', () => {
	const pricing = '<a href="https://modelslab.com/pricing" target="_blank">pricing</a>';

	it('opens with one sentence: runs are billed (pricing linked), pin the output while building', () => {
		const [first] = properties;
		expect(first.type).toBe('notice');
		expect(first.displayName).toContain(pricing);
		expect(first.displayName).toMatch(/pin its output/);
		expect(first.displayName.match(/\. |\.$/g)).toHaveLength(1);
		// The only notice always shown; the others belong to a Completion mode.
		expect(
			properties.filter((property) => property.type === 'notice' && !property.displayOptions),
		).toEqual([first]);
	});

	it('each Completion mode that needs a next step says it under the field, the default first', () => {
		const completion = properties.find((property) => property.name === 'completion')!;
		expect((completion.options as Array<{ value: string }>)[0].value).toBe(completion.default);
		const noticeFor = (mode: string) =>
			properties
				.filter(
					(property) =>
						property.type === 'notice' && property.displayOptions?.show?.completion?.includes(mode),
				)
				.map((property) => property.displayName);
		expect(noticeFor('wait')).toEqual([]);
		expect(noticeFor('immediate')).toEqual([
			expect.stringMatching(/Advanced Options › Webhook URL/),
		]);
		expect(noticeFor('callback')).toEqual([
			expect.stringMatching(/Wait for Callbacks.*WEBHOOK_URL/),
		]);
		expect(noticeFor('maskOnly')).toEqual([expect.stringMatching(/No inpaint job is sent/)]);
		// Short enough to read whole in the dropdown.
		for (const option of completion.options as Array<{ description: string }>)
			expect(option.description.length).toBeLessThanOrEqual(80);
	});

	it.each(endpointIds.filter((id) => id !== 'objectRemoval'))(
		'%s: Number of Images says each picture is billed and links the pricing',
		(id) => {
			const samples = (
				visibleFor(id).find((property) => property.name === `${id}Options`)!
					.options as INodeProperties[]
			).find((option) => option.displayName === 'Number of Images')!;
			expect(samples.description).toContain(pricing);
			expect(samples.description).toMatch(/bills each one/);
		},
	);
});

describe('the Fetch node', () => {
	const fetch = new ModelsLabFetch().description;
	const operation = fetch.properties.find((property) => property.name === 'operation')!;
	const shownFor = (parameters: Record<string, string>) => {
		const values =
			NodeHelpers.getNodeParameters(fetch.properties, parameters, true, false, null, null) ?? {};
		return fetch.properties
			.filter((property) => NodeHelpers.displayParameter(values, property, null, null))
			.map((property) => property.name);
	};

	it('offers Get Wallet Balance next to its operations, Get Result staying the default', () => {
		expect(operation.noDataExpression).toBe(true);
		expect(operation.default).toBe('getResult');
		const options = operation.options as Array<{ name: string; value: string; action: string }>;
		expect(options.map((option) => [option.value, option.action])).toEqual([
			['getResult', 'Get the result of a job'],
			['getWalletBalance', 'Get wallet balance'],
			['waitForCallbacks', 'Wait for the callbacks of jobs'],
		]);
		expect(fetch.subtitle).toContain('"getWalletBalance" ? "wallet balance"');
	});

	it("shows no other operation's fields for Get Wallet Balance, and the others' as before", () => {
		expect(shownFor({ operation: 'getWalletBalance' })).toEqual(['operation']);
		expect(shownFor({})).toEqual([
			'operation',
			'lookup',
			'requestId',
			'endpoint',
			'waitForResult',
			'downloadImages',
			'processingOptions',
		]);
		expect(shownFor({ operation: 'waitForCallbacks' })).toEqual([
			'operation',
			'waitForCallbacksNotice',
			'downloadImages',
			'processingOptions',
		]);
	});

	it('tells an AI Agent what both of its reads return', () => {
		const tool = fetch.usableAsTool as { replacements: { description: string } };
		expect(tool.replacements.description).toMatch(
			/request ID.*output.*Get Wallet Balance.*balance/s,
		);
	});
});

describe('the trigger', () => {
	const trigger = new ModelsLabTrigger();

	it('is a webhook trigger with one POST webhook and nothing to register, not an AI tool', async () => {
		expect(trigger.description.group).toEqual(['trigger']);
		expect(trigger.description.inputs).toEqual([]);
		expect(trigger.description.usableAsTool).toBeUndefined();
		expect(
			trigger.description.webhooks?.map((hook) => [hook.name, hook.httpMethod, hook.path]),
		).toEqual([['default', 'POST', 'callback']]);
		const lifecycle = trigger.webhookMethods.default;
		const answers = [lifecycle.checkExists, lifecycle.create, lifecycle.delete].map(
			async (method) => await method.call({} as never),
		);
		expect(await Promise.all(answers)).toEqual([true, true, true]);
	});

	it('explains in the panel how to get the callback URL, and offers every endpoint', () => {
		const notice = trigger.description.properties.find((property) => property.type === 'notice');
		// One short sentence, in n8n 2.x words.
		expect(notice?.displayName).toMatch(
			/^Publish the workflow, then paste the Production URL above into the ModelsLab Inpaint node's Webhook URL option, [^.]*\.$/,
		);
		const endpoint = trigger.description.properties.find(
			(property) => property.name === 'endpoint',
		)!;
		expect((endpoint.options as Array<{ value: string }>).map((option) => option.value)).toEqual(
			endpointIds,
		);
	});
});

describe('Download Images when the node is an AI Agent tool', () => {
	/** The parameters n8n resolves for the node, as a workflow node or as its Tool variant. */
	const resolved = (description: typeof node.description, tool: boolean, values = {}) =>
		NodeHelpers.getNodeParameters(
			description.properties,
			values,
			true,
			false,
			{ typeVersion: 1 },
			{ ...description, name: `${description.name}${tool ? 'Tool' : ''}` },
		) ?? {};

	it.each([
		['ModelsLab Inpaint', node.description],
		['ModelsLab Fetch', new ModelsLabFetch().description],
	])(
		'%s: on in a workflow, off by default as a tool, and a tool may still turn it on',
		(_, description) => {
			expect(resolved(description, false).downloadImages).toBe(true);
			expect(resolved(description, true).downloadImages).toBe(false);
			expect(resolved(description, true, { downloadImages: true }).downloadImages).toBe(true);
			const shown = (tool: boolean) =>
				description.properties.filter(
					(property) =>
						property.name === 'downloadImages' &&
						NodeHelpers.displayParameter(
							resolved(description, tool),
							property,
							{ typeVersion: 1 },
							{
								...description,
								name: `${description.name}${tool ? 'Tool' : ''}`,
							},
						),
				);
			expect(shown(false).map((property) => property.default)).toEqual([true]);
			expect(shown(true).map((property) => property.default)).toEqual([false]);
		},
	);
});

it('Mask Only neither shows nor requires the prompt, the model or the options: no inpaint job is sent', () => {
	for (const endpoint of ['imageEditing', 'community']) {
		const shown = (completion: string) => {
			const values =
				NodeHelpers.getNodeParameters(
					properties,
					{ endpoint, completion },
					true,
					false,
					null,
					null,
				) ?? {};
			return properties
				.filter((property) => NodeHelpers.displayParameter(values, property, null, null))
				.map((property) => property.name);
		};
		expect(shown('wait')).toEqual(expect.arrayContaining(['prompt', `${endpoint}Options`]));
		const maskOnly = shown('maskOnly');
		expect(maskOnly).not.toContain('prompt');
		expect(maskOnly.filter((name) => name.startsWith(endpoint) || /ModelId$/.test(name))).toEqual(
			[],
		);
	}
});
