import type { IDataObject, INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import type { z } from 'zod/v3';

import type { FieldUi } from './fields';
import { COLLECTION_LABELS } from './fields';
import { describeAllowed, inspectField } from './inspect';

export interface ParseTarget {
	schema: z.AnyZodObject;
	fields: Record<string, FieldUi>;
}

/** A value as the user's message shows it: text quoted, numbers as they are, the rest as JSON. */
export const shown = (value: unknown) => {
	// JSON would show NaN and Infinity (from an expression such as 1/0) as null.
	const text =
		typeof value === 'string'
			? `"${value}"`
			: typeof value === 'number'
				? String(value)
				: JSON.stringify(value);
	return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

function fieldLabel(target: ParseTarget, wireKey: string) {
	const ui = target.fields[wireKey];
	if (!ui) return wireKey;
	if (ui.placement === 'image') return `${ui.displayName} URL`;
	return ui.placement === 'option' || ui.placement === 'advanced'
		? `${COLLECTION_LABELS[ui.placement]} › ${ui.displayName}`
		: ui.displayName;
}

function explainIssue(target: ParseTarget, issue: z.ZodIssue, raw: IDataObject) {
	const wireKey = String(issue.path[0] ?? '');
	const label = fieldLabel(target, wireKey);
	const value = raw[wireKey];
	const blank =
		value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
	if (blank) return `"${label}" is required`;
	const schema = target.schema.shape[wireKey] as z.ZodTypeAny | undefined;
	const facts = schema ? inspectField(schema) : undefined;
	// Refinements carry their own wording ("must be an http(s) link to an image").
	const rule =
		issue.code === 'custom' || facts?.kind === 'string' || !facts
			? issue.message
			: `must be ${describeAllowed(facts)}`;
	return `"${label}" ${rule} (got ${shown(value)})`;
}

/**
 * Runs the schema on one item's fields. A bad value stops the item with an error naming the
 * field, what is allowed and the item, before anything is sent to ModelsLab.
 */
export function parseOrThrow(
	node: INode,
	target: ParseTarget,
	raw: IDataObject,
	itemIndex: number,
	context: string,
): IDataObject {
	const parsed = target.schema.safeParse(raw);
	if (parsed.success) return parsed.data as IDataObject;
	// One problem per field: Infinity breaks both "whole number" and "at most 1024", but it is one mistake.
	const firstPerField = parsed.error.issues.filter(
		(issue, index, all) => all.findIndex((other) => other.path[0] === issue.path[0]) === index,
	);
	const problems = firstPerField.map((issue) => explainIssue(target, issue, raw));
	const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
	return refuseBeforeSending(
		node,
		`${problems[0]}${more}`,
		itemIndex,
		`${context}: ${problems.join('; ')}.`,
	);
}

/**
 * The one way a value is refused before anything is sent: the message names the problem and the
 * item (a trigger has none), the description says what to do, and that nothing was sent.
 */
export function refuseBeforeSending(
	node: INode,
	message: string,
	itemIndex: number | undefined,
	description?: string,
): never {
	const where = itemIndex === undefined ? '' : ` [item ${itemIndex}]`;
	throw new NodeOperationError(node, `${message}${where}`, {
		itemIndex,
		description: `${description ? `${description} ` : ''}Nothing was sent to ModelsLab.`,
	});
}

/**
 * Refuses one bad value: the message is the problem and the item, the description adds
 * `explanation` (by default the problem again) after `context`.
 */
export function refuseValue(
	node: INode,
	problem: string,
	itemIndex: number | undefined,
	context: string,
	explanation = problem,
): never {
	return refuseBeforeSending(node, problem, itemIndex, `${context}: ${explanation}.`);
}
