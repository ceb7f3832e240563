import type {
	IDataObject,
	INodeProperties,
	INodePropertyOptions,
	INodePropertyTypeOptions,
} from 'n8n-workflow';
import type { z } from 'zod/v3';

import type { FieldFacts } from './inspect';
import { inspectField } from './inspect';
import { locatorValue } from './wire';

/** How a request field appears in the n8n editor. Types, ranges and defaults come from its schema. */
export interface FieldUi {
	displayName: string;
	description: string;
	/**
	 * `main`: on the node itself; `option`: under "Options" (the everyday settings); `advanced`: under
	 * "Advanced Options"; `image`: filled from the node's image inputs (URL or binary), not a field
	 * of its own.
	 */
	placement: 'main' | 'option' | 'advanced' | 'image';
	/** Shown as required in the editor; defaults to true for `main` fields. */
	required?: boolean;
	/** The n8n parameter name, where camelCase of the wire name would mean different things across endpoints. */
	name?: string;
	placeholder?: string;
	typeOptions?: INodePropertyTypeOptions;
	/** Display names for option values that are not readable as they are. */
	optionNames?: Record<string, string>;
	/** What the editor pre-fills when the field has no default of its own (the API then picks). */
	editorDefault?: string | number | boolean;
	/** When the field is shown, where that depends on another parameter. */
	displayOptions?: INodeProperties['displayOptions'];
	/** Shown as an n8n resource locator: picked From List or typed By ID (`main` text fields only). */
	locator?: FieldLocator;
}

export interface FieldLocator {
	/** The node's `methods.listSearch` function that lists the choices, and From List's placeholder. */
	searchListMethod: string;
	listPlaceholder: string;
	/** What By ID accepts, as n8n's editor checks it (no anchors), and its error message. */
	pattern: string;
	patternMessage: string;
	/** The README's words for what the field accepts. */
	allowed: string;
}

export type FieldUiMap<Shape extends z.ZodRawShape> = { [Key in keyof Shape]: FieldUi };

export const camelCase = (wireKey: string) =>
	wireKey.replace(/_([a-z0-9])/g, (_, char: string) => char.toUpperCase());

export const parameterName = (wireKey: string, ui: FieldUi) => ui.name ?? camelCase(wireKey);

const fallbackDefault = (facts: FieldFacts): string | number | boolean => {
	if (facts.kind === 'number') return facts.min ?? 0;
	if (facts.kind === 'boolean') return false;
	if (facts.kind === 'options') return facts.options![0];
	return '';
};

function optionList(facts: FieldFacts, ui: FieldUi): INodePropertyOptions[] {
	return facts
		.options!.map((value) => ({ name: ui.optionNames?.[value] ?? value, value }))
		.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** The n8n parameter for one request field. */
export function fieldProperty(wireKey: string, schema: z.ZodTypeAny, ui: FieldUi): INodeProperties {
	const facts = inspectField(schema);
	const property: INodeProperties = {
		displayName: ui.displayName,
		name: parameterName(wireKey, ui),
		type: facts.kind,
		default: (facts.defaultValue ?? ui.editorDefault ?? fallbackDefault(facts)) as
			| string
			| number
			| boolean,
		description: ui.description,
	};
	if (ui.placement === 'main' && (ui.required ?? true)) property.required = true;
	if (ui.placeholder) property.placeholder = ui.placeholder;
	if (ui.displayOptions) property.displayOptions = ui.displayOptions;
	if (facts.kind === 'options') property.options = optionList(facts, ui);
	const typeOptions: INodePropertyTypeOptions = { ...ui.typeOptions };
	if (facts.kind === 'number') {
		if (facts.min !== undefined) typeOptions.minValue = facts.min;
		if (facts.max !== undefined) typeOptions.maxValue = facts.max;
		typeOptions.numberPrecision = facts.integer ? 0 : 2;
		if (facts.multipleOf) typeOptions.numberStepSize = facts.multipleOf;
	}
	if (Object.keys(typeOptions).length > 0) property.typeOptions = typeOptions;
	return ui.locator ? locatorProperty(property, ui.locator) : property;
}

/**
 * A text field as a resource locator. Its value is `{ __rl: true, mode, value }`; workflows saved
 * while it was plain text hold a string. collectWireValues reads both as the plain value.
 */
function locatorProperty(text: INodeProperties, locator: FieldLocator): INodeProperties {
	const { placeholder, ...rest } = text;
	return {
		...rest,
		type: 'resourceLocator',
		default: { mode: 'list', value: text.default },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: locator.listPlaceholder,
				typeOptions: { searchListMethod: locator.searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				...(placeholder ? { placeholder } : {}),
				validation: [
					{
						type: 'regex',
						properties: { regex: locator.pattern, errorMessage: locator.patternMessage },
					},
				],
			},
		],
	};
}

/**
 * The raw request fields of one item, keyed by wire name: main fields and the chosen options.
 * Options the user did not add are left out, so the schema applies the endpoint's defaults.
 */
export function collectWireValues<Shape extends z.ZodRawShape>(
	fields: FieldUiMap<Shape>,
	readMain: (parameterName: string) => unknown,
	collections: { option: IDataObject; advanced: IDataObject },
): IDataObject {
	const values: IDataObject = {};
	for (const [wireKey, ui] of Object.entries(fields) as Array<[string, FieldUi]>) {
		const name = parameterName(wireKey, ui);
		if (ui.placement === 'main') {
			const value = readMain(name);
			values[wireKey] = (ui.locator ? locatorValue(value) : value) as IDataObject[string];
		}
		if (ui.placement === 'option' || ui.placement === 'advanced') {
			const chosen = collections[ui.placement];
			if (name in chosen) values[wireKey] = chosen[name];
		}
	}
	return values;
}

/** The editor's name of the collection a field is in, as messages show it. */
export const COLLECTION_LABELS = { option: 'Options', advanced: 'Advanced Options' } as const;
