/**
 * Hostile and bad values in every node parameter that is not a request field: Completion, Download
 * Images, the image sources and binary field names, Processing Options, the Fetch node's lookup,
 * and the trigger's filters. For each: an expression of the wrong type, a value out of range and an
 * empty one. Each is refused before any request, naming the field, what it accepts and the item.
 * Cases are generated from each node's own parameter list, so a new parameter is covered (or this
 * suite fails) the day it is added; the expected wording is written out here.
 */
import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { properties as fetchProperties } from '../nodes/ModelsLabFetch/fetchDescription';
import {
	advancedOptionsParameter,
	properties as inpaintProperties,
	optionsParameter,
} from '../nodes/ModelsLabInpaint/inpaintDescription';
import { INPAINT_ENDPOINTS } from '../nodes/ModelsLabInpaint/endpoints';
import { endpointIds } from '../nodes/shared/transport/endpoints';
import { parameterName } from '../nodes/shared/schema/fields';
import { properties as triggerProperties } from '../nodes/ModelsLabTrigger/triggerDescription';
import { PACKAGE } from '../harness/engine';
import { expectRefusedBeforeSending, minimalParameters, useSimulator } from './support/simulator';
import { TriggerServer } from './support/trigger';

const { simulator, credentials, inpaint } = useSimulator();

type Case = [what: string, value: unknown, shown: string];

/** What the editor says a number parameter accepts, in the messages' words. */
function allowedNumber(property: INodeProperties) {
	const { minValue, maxValue, numberPrecision } = property.typeOptions ?? {};
	return `${numberPrecision === 0 ? 'a whole number' : 'a number'} from ${minValue} to ${maxValue}`;
}

/** Values of the wrong type, out of range and empty for one parameter, with the message each gives. */
function badValues(
	property: INodeProperties,
): Array<[what: string, value: unknown, shown: string, message: string]> {
	const must = (rule: string) => (value: unknown, shown: string) =>
		`must be ${rule} (got ${shown})`;
	const cases: Array<[string, unknown, string, (value: unknown, shown: string) => string]> = [];
	switch (property.type) {
		case 'number': {
			const rule = must(allowedNumber(property));
			const { minValue = -Infinity, maxValue = Infinity } = property.typeOptions ?? {};
			const candidates: Case[] = [
				['an expression giving a word', '={{ "abc" }}', '"abc"'],
				['an expression giving an object', '={{ {} }}', '{}'],
				['an expression giving 1/0', '={{ 1/0 }}', 'Infinity'],
				['-1', -1, '-1'],
				['0', 0, '0'],
				['1e9', 1e9, '1000000000'],
				['not a whole number', minValue + 0.5, String(minValue + 0.5)],
				['an expression giving nothing', '={{ $json.missing }}', 'nothing'],
				['empty', '', 'nothing'],
			];
			for (const [what, value, shown] of candidates) {
				const inRange = typeof value === 'number' && value >= minValue && value <= maxValue;
				if (!inRange || !Number.isInteger(value)) cases.push([what, value, shown, rule]);
			}
			break;
		}
		case 'boolean': {
			const rule = must('true or false');
			cases.push(
				['a word that is not yes/no', 'maybe', '"maybe"', rule],
				['an expression giving 2', '={{ 2 }}', '2', rule],
			);
			cases.push(
				['an expression giving an object', '={{ { "a": 1 } }}', '{"a":1}', rule],
				['empty', '', 'nothing', rule],
			);
			break;
		}
		case 'options': {
			const values = (property.options as Array<{ value: string }>).map((option) => option.value);
			const rule = must(`one of: ${values.join(', ')}`);
			cases.push(
				['a value not in the list', 'nonsense', '"nonsense"', rule],
				['a number', 7, '7', rule],
				['empty', '', 'nothing', rule],
			);
			// Without expressions in the editor, only an imported workflow can hold anything else.
			if (!property.noDataExpression)
				cases.push(['an expression giving a list', '={{ [1] }}', '[1]', rule]);
			break;
		}
		default: {
			const text = must(TEXT_RULES[property.name] ?? 'text');
			cases.push(
				['an expression giving an object', '={{ { "a": 1 } }}', '{"a":1}', text],
				['an expression giving a list', '={{ [1, 2] }}', '[1,2]', text],
			);
			// A literally empty required field never runs: n8n itself reports it first.
			if (property.required)
				cases.push(['an expression giving blanks', '={{ "   " }}', '', () => 'is required']);
		}
	}
	return cases.map(
		([what, value, shown, message]) =>
			[what, value, shown, message(value, shown)] as [string, unknown, string, string],
	);
}

const FIELD_NAME = 'a field name of letters, digits, "_", "-" or "." (at most 64), such as data';
const REQUEST_ID = 'a ModelsLab request ID such as 90000001';

/** Text parameters with rules of their own: what they must be. */
const TEXT_RULES: Record<string, string> = { binaryFieldName: FIELD_NAME, requestId: REQUEST_ID };

/** Values only those rules refuse. */
const SPECIAL: Record<string, Array<[what: string, value: unknown, message: string]>> = {
	binaryFieldName: [
		['a name with a space', 'my data', `must be ${FIELD_NAME} (got "my data")`],
		['a path', '../data', `must be ${FIELD_NAME} (got "../data")`],
		['empty', '', 'is required'],
	],
	requestId: [
		['a path', '1/../../wallet_balance', `must be ${REQUEST_ID} (got "1/../../wallet_balance")`],
	],
};

const MOST_JOBS = 'must be Auto or a whole number from 1 to 50';
/** Parameters whose rule is their own, not their editor type's: these cases replace the generated ones. */
const OWN_RULE: Record<string, Array<[what: string, value: unknown, message: string]>> = {
	maxConcurrentJobs: [
		['a value not in the list', 'nonsense', `${MOST_JOBS} (got "nonsense")`],
		['an expression giving a list', '={{ [1] }}', `${MOST_JOBS} (got [1])`],
		['an expression giving 1e9', '={{ 1e9 }}', `${MOST_JOBS} (got 1000000000)`],
		['0', 0, `${MOST_JOBS} (got 0)`],
		['not a whole number', 2.5, `${MOST_JOBS} (got 2.5)`],
		['empty', '', 'is required'],
	],
};

interface ParameterCase {
	node: 'Inpaint' | 'Fetch';
	what: string;
	parameters: IDataObject;
	message: string;
}

/** Parameters that are request fields: the endpoint-field suite (hostile-input.test.ts) covers them. */
const REQUEST_FIELDS = new Set([
	...endpointIds.flatMap((id) => [
		optionsParameter(id),
		advancedOptionsParameter(id),
		...Object.entries(INPAINT_ENDPOINTS[id].fields).map(([key, ui]) => parameterName(key, ui)),
	]),
	'initImageUrl',
	'maskImageUrl',
]);

/**
 * The drawn-mask parameters are read only once the photo's size is known: test/inpaint.shapes.test.ts
 * and test/inpaint.shapesByKind.test.ts cover them.
 */
const COVERED_ELSEWHERE = new Set(['maskShapes', 'maskShapeUnit', 'maskRepaint', 'maskFeather']);

/** The parameters that make each one of them shown, with the others valid. */
// A description too: n8n shows every field that depends on an expression's value, so it must be valid.
const INPAINT_BASE = { ...minimalParameters.imageEditing, maskDescription: 'the ball' };
const FETCH_BASE = { requestId: '90000001', endpoint: 'community' };
const SHOWN_WITH: Record<string, IDataObject> = {
	initImageBinaryProperty: { initImageSource: 'binary' },
	maskImageBinaryProperty: { maskImageSource: 'binary' },
	maskDescription: { maskImageSource: 'describe' },
	fetchUrl: { lookup: 'fetchUrl' },
};

function casesFor(
	node: ParameterCase['node'],
	properties: INodeProperties[],
	base: IDataObject,
): ParameterCase[] {
	const cases: ParameterCase[] = [];
	for (const property of properties) {
		if (
			REQUEST_FIELDS.has(property.name) ||
			COVERED_ELSEWHERE.has(property.name) ||
			property.type === 'notice'
		)
			continue;
		const within =
			property.type === 'collection' ? (property.options as INodeProperties[]) : [property];
		for (const parameter of within) {
			const label =
				property.type === 'collection'
					? `${property.displayName} › ${parameter.displayName}`
					: parameter.displayName;
			const withValue = (value: unknown): IDataObject =>
				property.type === 'collection'
					? { ...base, [property.name]: { [parameter.name]: value } as IDataObject }
					: {
							...base,
							...SHOWN_WITH[parameter.name],
							[parameter.name]: value as IDataObject[string],
						};
			const rules =
				SPECIAL[parameter.name]?.map(
					([what, value, message]) => [what, value, '', message] as const,
				) ?? [];
			const own = OWN_RULE[parameter.name]?.map(
				([what, value, message]) => [what, value, '', message] as const,
			);
			for (const [what, value, , message] of own ?? [...badValues(parameter), ...rules]) {
				cases.push({
					node,
					what: `${label}: ${what}`,
					parameters: withValue(value),
					message: `"${label}" ${message} [item 0]`,
				});
			}
		}
	}
	return cases;
}

const inpaintCases = casesFor('Inpaint', inpaintProperties, INPAINT_BASE);
const fetchCases = casesFor('Fetch', fetchProperties, FETCH_BASE);

describe('bad node parameters are refused before any request', () => {
	it.each([...inpaintCases, ...fetchCases].map((bad) => [bad.node, bad.what, bad] as const))(
		'%s, %s',
		async (_, __, bad) => {
			const nodeType = bad.node === 'Fetch' ? `${PACKAGE}.modelsLabFetch` : undefined;
			expectRefusedBeforeSending(
				await inpaint(bad.parameters, { nodeType, items: [{ json: {} }] }),
				bad.message,
				simulator,
			);
		},
	);

	it('covers every parameter of both action nodes, with a wrong type, an out-of-range or empty value each', () => {
		const covered = (cases: ParameterCase[], label: string) =>
			cases.filter((bad) => bad.what.startsWith(`${label}: `));
		for (const [cases, properties] of [
			[inpaintCases, inpaintProperties],
			[fetchCases, fetchProperties],
		] as const) {
			for (const property of properties.filter(
				(entry) =>
					!REQUEST_FIELDS.has(entry.name) &&
					!COVERED_ELSEWHERE.has(entry.name) &&
					entry.type !== 'notice',
			)) {
				const labels =
					property.type === 'collection'
						? (property.options as INodeProperties[]).map(
								(option) => `${property.displayName} › ${option.displayName}`,
							)
						: [property.displayName];
				for (const label of labels) {
					const whats = covered(cases, label).map((bad) => bad.what);
					expect({
						label,
						wrongType: whats.some((what) =>
							/expression giving an? (object|list|word)|a number|not yes\/no/.test(what),
						),
					}).toEqual({ label, wrongType: true });
					expect({
						label,
						emptyOrRange: whats.some((what) =>
							/empty|blanks|nothing|-1|1e9|not in the list|not yes\/no/.test(what),
						),
					}).toEqual({ label, emptyOrRange: true });
				}
			}
		}
	});

	// The issue's own examples, written out as the user reads them.
	it.each([
		['Max Wait (Seconds)', 'maxWaitSeconds', 'a whole number from 1 to 3600'],
		['Request Timeout (Seconds)', 'requestTimeoutSeconds', 'a whole number from 1 to 600'],
		['Max Concurrent Jobs', 'maxConcurrentJobs', 'Auto or a whole number from 1 to 50'],
	])(
		'%s of "abc", -1, 0, 1e9, {} or empty fails the item naming the field',
		async (label, name, rule) => {
			for (const [value, shown] of [
				['={{ "abc" }}', '"abc"'],
				[-1, '-1'],
				[0, '0'],
				[1e9, '1000000000'],
				['={{ {} }}', '{}'],
				['', 'nothing'],
			] as const) {
				const { error } = await inpaint({ ...INPAINT_BASE, processingOptions: { [name]: value } });
				// An options list says nothing about numbers, so its empty value reads "is required".
				const expected =
					name === 'maxConcurrentJobs' && value === ''
						? `"Processing Options › ${label}" is required [item 0]`
						: `"Processing Options › ${label}" must be ${rule} (got ${shown}) [item 0]`;
				expect(error?.message).toBe(expected);
			}
			expect(simulator.requests).toHaveLength(0);
		},
	);
});

describe('settings are read per item', () => {
	it('a Max Wait that is bad for one item fails that item only; On Error: Continue keeps the pairing', async () => {
		const items = [{ json: { wait: 30 } }, { json: { wait: 'abc' } }, { json: { wait: 60 } }];
		const { error, output } = await inpaint(
			{ ...INPAINT_BASE, processingOptions: { maxWaitSeconds: '={{ $json.wait }}' } },
			{ items, continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.status).toBe('success');
		expect(output[1].json.error).toBe(
			'"Processing Options › Max Wait (Seconds)" must be a whole number from 1 to 3600 (got "abc") [item 1]',
		);
		expect(output[2].json.status).toBe('success');
		expect(simulator.requestsTo('/api/v6/image_editing/inpaint')).toHaveLength(2);
	});

	it('a bad Max Concurrent Jobs fails every item with On Error: Continue, and sends nothing', async () => {
		const items = [{ json: {} }, { json: {} }];
		const { error, output } = await inpaint(
			{ ...INPAINT_BASE, processingOptions: { maxConcurrentJobs: '={{ "abc" }}' } },
			{ items, continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(output).toEqual(
			[0, 1].map((item) => ({
				json: expect.objectContaining({
					error:
						'"Processing Options › Max Concurrent Jobs" must be Auto or a whole number from 1 to 50 (got "abc") [item 0]',
				}),
				pairedItem: { item },
			})),
		);
		expect(simulator.requests).toHaveLength(0);
	});

	it('numbers may come as numeric text from expressions', async () => {
		const { error } = await inpaint({
			...INPAINT_BASE,
			processingOptions: {
				maxWaitSeconds: '={{ "30" }}',
				requestTimeoutSeconds: '20',
				maxConcurrentJobs: '={{ "2" }}',
			},
		});
		expect(error).toBeUndefined();
		expect(simulator.requestsTo('/api/v6/image_editing/inpaint')).toHaveLength(1);
	});
});

describe('bad trigger parameters start nothing and verify nothing', () => {
	const servers: TriggerServer[] = [];
	afterEach(async () => {
		await Promise.all(servers.splice(0).map(async (server) => await server.stop()));
	});

	const triggerCases = triggerProperties
		.filter((property) => property.type !== 'notice')
		.flatMap((property) =>
			badValues(property).map(
				([what, value, , message]) =>
					[
						`${property.displayName}: ${what}`,
						property,
						value,
						`"${property.displayName}" ${message}`,
					] as const,
			),
		);

	it('has a case for every trigger parameter', () => {
		for (const property of triggerProperties.filter((entry) => entry.type !== 'notice')) {
			expect(triggerCases.some(([what]) => what.startsWith(`${property.displayName}: `))).toBe(
				true,
			);
		}
	});

	it.each(triggerCases)('%s', async (_, property, value, message) => {
		const server = new TriggerServer(
			{ [property.name]: value as IDataObject[string] },
			credentials(),
		);
		servers.push(server);
		await server.start();
		const reply = await server.post(
			{ status: 'success', id: 90000001, output: ['https://images.example.com/x.png'] },
			server.signedQuery,
		);
		expect(reply.status).toBe(500);
		expect(reply.json).toEqual({ received: false, error: message });
		expect(server.executions).toHaveLength(0);
		expect(simulator.requests).toHaveLength(0);
	});
});
