/**
 * Hostile and bad input, generated from the endpoint schemas so that a new field is covered the
 * day it is added: every field out of range, of the wrong type, empty where required, or an
 * expression that resolves to garbage; image links that are not http(s); binary images that are
 * missing, empty, not images or too big. Each is refused before any request, with a message that
 * names the field and the item; the expected messages are written out here, not taken from the code.
 */
import type { IDataObject } from 'n8n-workflow';
import type { z } from 'zod/v3';

import { makeMask, makePhoto } from '../simulator/png';
import { imageRoles } from '../nodes/ModelsLabInpaint/inpaintDescription';
import { INPAINT_ENDPOINTS } from '../nodes/ModelsLabInpaint/endpoints';
import { endpointIds } from '../nodes/shared/transport/endpoints';
import type { FieldUi } from '../nodes/shared/schema/fields';
import { parameterName } from '../nodes/shared/schema/fields';
import type { FieldFacts } from '../nodes/shared/schema/inspect';
import { inspectField } from '../nodes/shared/schema/inspect';
import {
	binaryImages,
	expectRefusedBeforeSending,
	minimalParameters,
	pngBinary,
	useSimulator,
} from './support/simulator';

const { simulator, inpaint } = useSimulator();

interface BadInput {
	endpoint: string;
	what: string;
	parameters: IDataObject;
	message: string;
	items?: Array<{ json: IDataObject; binary?: IDataObject }>;
}

/** What the user is told a field accepts, in the README's words. */
function allowed(facts: FieldFacts): string {
	if (facts.kind === 'boolean') return 'true or false';
	if (facts.kind === 'options') return `one of: ${facts.options!.join(', ')}`;
	const noun = facts.integer ? 'a whole number' : 'a number';
	const { min, max } = facts;
	const range =
		min !== undefined && max !== undefined
			? ` from ${min} to ${max}`
			: min !== undefined
				? ` of at least ${min}`
				: max !== undefined
					? ` of at most ${max}`
					: '';
	return `${noun}${range}${facts.multipleOf ? `, divisible by ${facts.multipleOf}` : ''}`;
}

/** Text fields whose content has rules of its own; any other text field must be text. */
const TEXT_RULES: Record<string, string> = {
	webhook: 'must be an http(s) link, such as https://example.com/hook',
	lora_strength: 'must be comma-separated numbers from 0.1 to 1',
};

/** Values no field of a kind accepts, with how the message shows them. */
function badValues(
	wireKey: string,
	facts: FieldFacts,
): Array<[what: string, value: unknown, shown: string]> {
	const garbage: Array<[string, unknown, string]> = [
		['an expression giving an object', '={{ { "a": 1 } }}', '{"a":1}'],
		['an expression giving a list', '={{ [1, 2] }}', '[1,2]'],
	];
	if (facts.kind === 'number') {
		const values: Array<[string, unknown, string]> = [
			['an expression giving a word', '={{ "lots" }}', '"lots"'],
			['an expression giving 1/0', '={{ 1/0 }}', 'Infinity'],
			...garbage,
		];
		if (facts.min !== undefined)
			values.push(['below the minimum', facts.min - 1, String(facts.min - 1)]);
		if (facts.max !== undefined)
			values.push(['above the maximum', facts.max + 1, String(facts.max + 1)]);
		if (facts.integer)
			values.push(['not a whole number', (facts.min ?? 0) + 0.5, String((facts.min ?? 0) + 0.5)]);
		if (facts.multipleOf)
			values.push([
				'not divisible',
				facts.min! + facts.multipleOf / 2,
				String(facts.min! + facts.multipleOf / 2),
			]);
		return values;
	}
	if (facts.kind === 'boolean')
		return [
			['a word that is not yes/no', 'maybe', '"maybe"'],
			['an expression giving 2', '={{ 2 }}', '2'],
			...garbage,
		];
	if (facts.kind === 'options')
		return [
			['a value not in the list', 'nonsense', '"nonsense"'],
			['an expression giving a list', '={{ [31] }}', '[31]'],
		];
	const values = [...garbage];
	if (wireKey === 'webhook') {
		values.push([
			'a javascript: link',
			'javascript:alert(document.cookie)',
			'"javascript:alert(document.cookie)"',
		]);
		values.push(['a file: link', 'file:///etc/passwd', '"file:///etc/passwd"']);
		values.push([
			'a data URI',
			'data:text/html,<script>alert(1)</script>',
			'"data:text/html,<script>alert(1)</script>"',
		]);
	}
	if (wireKey === 'lora_strength')
		values.push(
			['a list with a word', '0.5,strong', '"0.5,strong"'],
			['a value over 1', '0.5,2', '"0.5,2"'],
		);
	return values;
}

/** How messages name a field: everyday settings under Options, the rest under Advanced Options. */
const label = (ui: FieldUi) =>
	ui.placement === 'option'
		? `Options › ${ui.displayName}`
		: ui.placement === 'advanced'
			? `Advanced Options › ${ui.displayName}`
			: ui.displayName;

function fieldCases(endpoint: string): BadInput[] {
	const { schema, fields } = INPAINT_ENDPOINTS[endpoint as keyof typeof INPAINT_ENDPOINTS];
	const cases: BadInput[] = [];
	for (const [wireKey, fieldSchema] of Object.entries(schema.shape) as Array<
		[string, z.ZodTypeAny]
	>) {
		const ui = fields[wireKey];
		if (ui.placement === 'image') continue;
		const facts = inspectField(fieldSchema);
		const name = parameterName(wireKey, ui);
		const withValue = (value: unknown): IDataObject =>
			ui.placement === 'main'
				? { ...minimalParameters[endpoint], [name]: value as IDataObject[string] }
				: // Output Size › Custom shows Width and Height; the other options do not depend on it.
					{
						...minimalParameters[endpoint],
						outputSize: 'custom',
						[`${endpoint}${ui.placement === 'advanced' ? 'AdvancedOptions' : 'Options'}`]: {
							[name]: value as IDataObject[string],
						},
					};
		for (const [what, value, shown] of badValues(wireKey, facts)) {
			const rule =
				facts.kind === 'string'
					? (TEXT_RULES[wireKey] ?? 'must be text')
					: `must be ${allowed(facts)}`;
			cases.push({
				endpoint,
				what: `${label(ui)}: ${what}`,
				parameters: withValue(value),
				message: `"${label(ui)}" ${rule} (got ${shown}) [item 0]`,
			});
		}
		if (facts.required) {
			cases.push({
				endpoint,
				what: `${label(ui)}: an expression giving blanks`,
				parameters: withValue('={{ "   " }}'),
				message: `"${label(ui)}" is required [item 0]`,
			});
		}
	}
	return cases;
}

function imageUrlCases(endpoint: string): BadInput[] {
	const cases: BadInput[] = [];
	for (const role of ['init', 'mask'] as const) {
		const field = `${imageRoles[role].label} URL`;
		const url = (value: string): IDataObject => ({
			...minimalParameters[endpoint],
			[`${role}ImageUrl`]: value,
		});
		const notHttp: Array<[string, string]> = [
			['a file: link', 'file:///home/me/photo.png'],
			['a javascript: link', 'javascript:alert(1)'],
			['a data URI that is not an image', 'data:text/html;base64,PHNjcmlwdD4='],
			['a link without a scheme', '//images.example.com/photo.png'],
			['a bare scheme', 'http://'],
		];
		for (const [what, value] of notHttp) {
			cases.push({
				endpoint,
				what: `${field}: ${what}`,
				parameters: url(value),
				message: `"${field}" must be an http(s) link to an image (got "${value}") [item 0]`,
			});
		}
		cases.push({
			endpoint,
			what: `${field}: an expression giving a number`,
			parameters: url('={{ 42 }}'),
			message: `"${field}" must be an http(s) link to an image (got 42) [item 0]`,
		});
		cases.push({
			endpoint,
			what: `${field}: an expression giving nothing`,
			parameters: url('={{ $json.missing }}'),
			message: `"${field}" is required [item 0]`,
		});
		// Inline images only with Base64 Output on, and only where the endpoint takes them.
		cases.push({
			endpoint,
			what: `${field}: an image data URI with Base64 Output off`,
			parameters: url('data:image/png;base64,iVBORw0KGgo='),
			message: `"${field}" must be an http(s) link for this endpoint, not a data URI [item 0]`,
		});
	}
	return cases;
}

const png = (size = 64) => pngBinary(makePhoto(size, size), 'photo.png');
const mask = () => pngBinary(makeMask(64, 64), 'mask.png');

function binaryCases(endpoint: string, extra: IDataObject = {}): BadInput[] {
	const parameters = { ...minimalParameters[endpoint], ...binaryImages, ...extra };
	const cases: BadInput[] = [];
	for (const [role, property, other] of [
		['Image', 'data', 'mask'],
		['Mask', 'mask', 'data'],
	] as const) {
		const field = `${role} Binary Field`;
		const good = { [other]: other === 'mask' ? mask() : png() };
		const add = (what: string, binary: IDataObject, message: string, also: IDataObject = {}) =>
			cases.push({
				endpoint,
				what: `${field}: ${what}`,
				parameters: { ...parameters, ...also },
				items: [{ json: {}, binary: { ...good, ...binary } }],
				message: `"${field}": ${message} [item 0]`,
			});
		add('missing', {}, `the input item has no binary field named "${property}"`);
		add(
			'empty',
			{ [property]: { data: '', mimeType: 'image/png', fileName: 'x.png' } },
			`the file "${property}" is empty`,
		);
		add(
			'a CSV file',
			{
				[property]: {
					data: Buffer.from('a,b\n1,2\n').toString('base64'),
					mimeType: 'text/csv',
					fileName: 'x.csv',
				},
			},
			`the file "${property}" is not an image (text/csv)`,
		);
		add(
			'an HTML page labelled image/png',
			{
				[property]: {
					data: Buffer.from('<html>login</html>').toString('base64'),
					mimeType: 'image/png',
					fileName: 'x.png',
				},
			},
			`the file "${property}" is not an image (image/png, but its content is not a PNG, JPEG, WebP, GIF, BMP or TIFF picture)`,
		);
		// A photo that may be cropped for full resolution may be larger: not with Return Immediately.
		add(
			'over 5 MB',
			{ [property]: { ...png(), bytes: 6 * 1024 * 1024 } },
			`the file "${property}" is 6.0 MB; ModelsLab accepts images up to 5 MB`,
			role === 'Image' ? { completion: 'immediate' } : {},
		);
		// (Object Removal takes no size, so its photo is never cropped: 5 MB, as above.)
		if (role === 'Image' && endpoint !== 'objectRemoval')
			add(
				'over 100 MB, waiting for the result',
				{ [property]: { ...png(), bytes: 101 * 1024 * 1024 } },
				`the file "${property}" is 101.0 MB; photos up to 100.0 MB are read`,
			);
	}
	cases.push({
		endpoint,
		what: 'Image Binary Field: an expression giving nothing',
		parameters: { ...parameters, initImageBinaryProperty: '={{ $json.field }}' },
		items: [{ json: {}, binary: { data: png(), mask: mask() } }],
		message: '"Image Binary Field" is required [item 0]',
	});
	return cases;
}

const allCases: BadInput[] = endpointIds.flatMap((endpoint) => [
	...fieldCases(endpoint),
	...imageUrlCases(endpoint),
	...binaryCases(endpoint),
]);
// Binary images going inline (Base64 Output on) are checked the same way.
allCases.push(
	...binaryCases('community', { communityAdvancedOptions: { base64: true } }).map((bad) => ({
		...bad,
		what: `${bad.what} (inline)`,
	})),
);

describe('hostile and bad input is refused before any request', () => {
	it.each(allCases.map((bad) => [bad.endpoint, bad.what, bad] as const))(
		'%s, %s',
		async (_, __, bad) => {
			expectRefusedBeforeSending(
				await inpaint(bad.parameters, { items: bad.items as never }),
				bad.message,
				simulator,
			);
		},
	);

	it('covers every field of every endpoint, at least once per field', () => {
		for (const endpoint of endpointIds) {
			const { fields } = INPAINT_ENDPOINTS[endpoint];
			for (const ui of Object.values(fields)) {
				const name = ui.placement === 'image' ? `${ui.displayName} URL` : label(ui);
				expect(
					allCases.filter((bad) => bad.endpoint === endpoint && bad.what.startsWith(`${name}:`))
						.length,
				).toBeGreaterThan(0);
			}
		}
		expect(allCases.length).toBeGreaterThan(300);
	});

	it('some messages in full, as the user reads them', () => {
		const message = (endpoint: string, what: string) =>
			allCases.find((bad) => bad.endpoint === endpoint && bad.what === what)?.message;
		expect(message('community', 'Options › Width: not divisible')).toBe(
			'"Options › Width" must be a whole number from 512 to 1024, divisible by 8 (got 516) [item 0]',
		);
		expect(message('imageEditing', 'Options › Guidance Scale: an expression giving 1/0')).toBe(
			'"Options › Guidance Scale" must be a whole number from 1 to 5 (got Infinity) [item 0]',
		);
		expect(message('legacy', 'Options › Inference Steps: a value not in the list')).toBe(
			'"Options › Inference Steps" must be one of: 21, 31, 41, 51 (got "nonsense") [item 0]',
		);
		expect(message('enterprise', 'Advanced Options › Webhook URL: a javascript: link')).toBe(
			'"Advanced Options › Webhook URL" must be an http(s) link, such as https://example.com/hook (got "javascript:alert(document.cookie)") [item 0]',
		);
		expect(message('enterprise', 'Prompt: an expression giving an object')).toBe(
			'"Prompt" must be text (got {"a":1}) [item 0]',
		);
		expect(message('enterprise', 'Model ID: an expression giving blanks')).toBe(
			'"Model ID" is required [item 0]',
		);
	});
});

describe('values that look odd but are fine', () => {
	it('a prompt or model ID given as a number by an expression is sent as text', async () => {
		const { error } = await inpaint({
			...minimalParameters.enterprise,
			prompt: '={{ 1984 }}',
			enterpriseModelId: '={{ 42 }}',
		});
		expect(error).toBeUndefined();
		expect(simulator.requests[0].body).toMatchObject({ prompt: '1984', model_id: '42' });
	});
});

describe('hostile input to the ModelsLab Fetch node is refused before any request', () => {
	const fetchNode = (parameters: IDataObject, json: IDataObject = {}) =>
		inpaint(parameters, { nodeType: 'n8n-nodes-modelslab.modelsLabFetch', items: [{ json }] });

	it.each([
		[
			'an expression giving an object',
			{ requestId: '={{ { "id": 1 } }}', endpoint: 'community' },
			'"Request ID" must be a ModelsLab request ID such as 90000001 (got {"id":1}) [item 0]',
		],
		[
			'a path in the request ID',
			{ requestId: '1/../../wallet_balance', endpoint: 'community' },
			'"Request ID" must be a ModelsLab request ID such as 90000001 (got "1/../../wallet_balance") [item 0]',
		],
		[
			'an expression giving nothing',
			{ requestId: '={{ $json.nothing }}', endpoint: 'community' },
			'"Request ID" is required [item 0]',
		],
		[
			'a javascript: fetch URL',
			{ lookup: 'fetchUrl', fetchUrl: 'javascript:alert(1)' },
			'"Fetch URL" javascript:alert(1) is not on a ModelsLab host of the credential [item 0]',
		],
		[
			'a file: fetch URL',
			{ lookup: 'fetchUrl', fetchUrl: 'file:///etc/passwd' },
			'"Fetch URL" file:///etc/passwd is not on a ModelsLab host of the credential [item 0]',
		],
	])('%s', async (_, parameters, message) => {
		const { error } = await fetchNode(parameters);
		expect(error?.message).toBe(message);
		expect(simulator.requests).toHaveLength(0);
	});
});
