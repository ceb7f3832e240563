import type {
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
	IWebhookFunctions,
} from 'n8n-workflow';
import { z } from 'zod/v3';

import { describeAllowed, inspectField } from '../schema/inspect';
import { refuseValue, shown } from '../schema/validate';
import { asBoolean, asNumber, oneOf } from '../schema/wire';

/**
 * Node parameters that are not request fields (Completion, Download Images, Processing Options,
 * the Fetch node's lookup, the trigger's filters) are checked like request fields: the rule comes
 * from the parameter's own editor definition, so the editor and the check cannot disagree.
 * Expressions can put anything into any field: `Number("abc")` is NaN, every comparison with NaN is
 * false, and a wait loop bounded by NaN never ends. So nothing is converted without this check.
 */

/** Rules a parameter's type cannot state (a pattern, for example), keyed by parameter name. */
export type ExtraRules = Record<string, z.ZodTypeAny>;

/** Text; a number from an expression is taken as its digits, nothing as empty text. */
const textParameter = (required: boolean) =>
	z.preprocess(
		(value) => (typeof value === 'number' ? String(value) : (value ?? '')),
		required
			? z.string({ invalid_type_error: 'must be text' }).trim().min(1, 'is required')
			: z.string({ invalid_type_error: 'must be text' }).trim(),
	);

/** What a parameter accepts, read off its editor definition. */
export function ruleOf(property: INodeProperties, extra: ExtraRules = {}): z.ZodTypeAny {
	if (extra[property.name]) return extra[property.name];
	switch (property.type) {
		case 'options': {
			const values = (property.options ?? []).map((option) =>
				String((option as { value: unknown }).value),
			);
			return oneOf(values as [string, ...string[]]);
		}
		case 'boolean':
			return asBoolean();
		case 'number': {
			const { minValue, maxValue, numberPrecision } = property.typeOptions ?? {};
			let range = z.number().finite();
			if (minValue !== undefined) range = range.min(minValue);
			if (maxValue !== undefined) range = range.max(maxValue);
			if (numberPrecision === 0) range = range.int();
			return asNumber(range);
		}
		default:
			return textParameter(property.required === true);
	}
}

const isBlank = (value: unknown) =>
	value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

/**
 * Checks one value against its parameter's rule. A bad value stops the item with an error naming
 * the field, what it accepts and the item, before anything is sent to ModelsLab.
 */
export function checkParameter<T>(
	ctx: IExecuteFunctions | IWebhookFunctions,
	property: INodeProperties,
	value: unknown,
	/** Undefined for a trigger, which has no input items. */
	itemIndex: number | undefined,
	{ label = property.displayName, extra = {} }: { label?: string; extra?: ExtraRules } = {},
): T {
	const schema = ruleOf(property, extra);
	const parsed = schema.safeParse(value);
	if (parsed.success) return parsed.data as T;
	const facts = inspectField(schema);
	const issue = parsed.error.issues[0];
	let problem: string;
	if (isBlank(value)) {
		problem =
			facts.kind === 'string'
				? `"${label}" is required`
				: `"${label}" must be ${describeAllowed(facts)} (got nothing)`;
	} else {
		const rule =
			facts.kind === 'string' || issue.code === 'custom'
				? issue.message
				: `must be ${describeAllowed(facts)}`;
		problem = `"${label}" ${rule} (got ${shown(value)})`;
	}
	return refuseValue(ctx.getNode(), problem, itemIndex, ctx.getNode().name);
}

/** Reads a top-level parameter for one item and checks it. */
export function readParameter<T>(
	ctx: IExecuteFunctions,
	property: INodeProperties,
	itemIndex: number,
	extra?: ExtraRules,
): T {
	const value = ctx.getNodeParameter(
		property.name,
		itemIndex,
		property.default as never,
	) as unknown;
	return checkParameter<T>(ctx, property, value, itemIndex, { extra });
}

/** The options the user added to a collection ("Processing Options") for one item. */
function chosenOptions(
	ctx: IExecuteFunctions,
	collection: INodeProperties,
	itemIndex: number,
): IDataObject {
	const chosen = ctx.getNodeParameter(collection.name, itemIndex, {}) as unknown;
	if (typeof chosen === 'object' && chosen !== null && !Array.isArray(chosen))
		return chosen as IDataObject;
	const problem = `"${collection.displayName}" must be a set of options (got ${shown(chosen)})`;
	return refuseValue(ctx.getNode(), problem, itemIndex, ctx.getNode().name);
}

/** One option of a collection, checked; its default when the user did not add it. */
function checkOption<T>(
	ctx: IExecuteFunctions,
	collection: INodeProperties,
	option: INodeProperties,
	chosen: IDataObject,
	itemIndex: number,
	extra?: ExtraRules,
): T {
	const value = option.name in chosen ? chosen[option.name] : option.default;
	return checkParameter<T>(ctx, option, value, itemIndex, {
		label: `${collection.displayName} › ${option.displayName}`,
		extra,
	});
}

/** One option of a collection for one item, checked; its default when the user did not add it. */
export function readOption<T>(
	ctx: IExecuteFunctions,
	collection: INodeProperties,
	optionName: string,
	itemIndex: number,
	extra?: ExtraRules,
): T {
	const option = (collection.options as INodeProperties[]).find(
		(entry) => entry.name === optionName,
	);
	if (!option) throw new Error(`${collection.name} has no option ${optionName}`);
	const chosen = chosenOptions(ctx, collection, itemIndex);
	return checkOption<T>(ctx, collection, option, chosen, itemIndex, extra);
}

/**
 * Reads a collection for one item: every option the user added is checked, every other one takes
 * its default. The result has a value for every option.
 */
export function readCollection(
	ctx: IExecuteFunctions,
	collection: INodeProperties,
	itemIndex: number,
	extra?: ExtraRules,
): IDataObject {
	const chosen = chosenOptions(ctx, collection, itemIndex);
	const options = (collection.options ?? []) as INodeProperties[];
	return Object.fromEntries(
		options.map((option) => [
			option.name,
			checkOption(ctx, collection, option, chosen, itemIndex, extra),
		]),
	) as IDataObject;
}

/** A node's parameter by name; the node's own description is where every rule comes from. */
export function propertyNamed(properties: INodeProperties[], name: string): INodeProperties {
	const property = properties.find((entry) => entry.name === name);
	if (!property) throw new Error(`No parameter named ${name}`);
	return property;
}
