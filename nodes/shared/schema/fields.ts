import type {
	IDataObject,
	INodeProperties,
	INodePropertyOptions,
	INodePropertyTypeOptions,
} from 'n8n-workflow';
import type { z } from 'zod/v3';

import type { FieldFacts } from './inspect';
import { inspectField } from './inspect';

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
	return property;
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
		if (ui.placement === 'main') values[wireKey] = readMain(name) as IDataObject[string];
		if (ui.placement === 'option' || ui.placement === 'advanced') {
			const chosen = collections[ui.placement];
			if (name in chosen) values[wireKey] = chosen[name];
		}
	}
	return values;
}

/** The editor's name of the collection a field is in, as messages show it. */
export const COLLECTION_LABELS = { option: 'Options', advanced: 'Advanced Options' } as const;
