import { z } from 'zod/v3';

/**
 * Zod building blocks for request fields. Each one states what a user may enter (its type, range
 * and options) and how ModelsLab wants the value on the wire: the four endpoints disagree on
 * numbers vs numeric strings and on `yes`/`no` vs `"true"`/`"false"` vs real booleans.
 *
 * Inputs are read leniently because n8n expressions often resolve to strings ("512", "yes").
 */

const numberLike = (value: unknown) =>
	typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))
		? Number(value)
		: value;

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, yes: true, false: false, no: false };
const booleanLike = (value: unknown) =>
	typeof value === 'string' && value.trim().toLowerCase() in BOOLEAN_WORDS
		? BOOLEAN_WORDS[value.trim().toLowerCase()]
		: value;

/** An empty field in n8n means "not set", so the endpoint's own default applies. */
const blankToUndefined = (value: unknown) =>
	value === '' || value === null || (typeof value === 'string' && value.trim() === '')
		? undefined
		: value;

const stringLike = (value: unknown) =>
	typeof value === 'number' ? String(value) : blankToUndefined(value);

/** A number sent as a JSON number. */
export const asNumber = (range: z.ZodNumber) => z.preprocess(numberLike, range);

/** A number sent as a numeric string, the way the legacy and enterprise docs show it ("512"). */
export const asNumericString = (range: z.ZodNumber) =>
	z.preprocess(numberLike, range).transform((value) => String(value));

/** A flag sent as "yes" / "no". */
export const asYesNo = () =>
	z.preprocess(booleanLike, z.boolean()).transform((flag) => (flag ? 'yes' : 'no'));

/** A flag sent as the strings "true" / "false" (v6 image editing). */
export const asTrueFalseString = () =>
	z.preprocess(booleanLike, z.boolean()).transform((flag) => (flag ? 'true' : 'false'));

/** A flag sent as a JSON boolean. */
export const asBoolean = () => z.preprocess(booleanLike, z.boolean());

/** One of a fixed list of string values. Numbers are accepted for numeric lists ("31" or 31). */
export const oneOf = <T extends [string, ...string[]]>(values: T) =>
	z.preprocess((value) => (typeof value === 'number' ? String(value) : value), z.enum(values));

/** Text; an expression that yields a list or an object (not a number) is refused with these words. */
const text = () => z.string({ invalid_type_error: 'must be text' });

/** Free text that must not be empty. */
export const requiredText = () => z.preprocess(stringLike, text().trim());

/**
 * An n8n resource locator's value (`{ __rl: true, mode, value }`) as its plain value. Anything else
 * is returned as it is: a plain string saved before the field became a resource locator keeps working.
 */
export const locatorValue = (value: unknown): unknown =>
	typeof value === 'object' &&
	value !== null &&
	!Array.isArray(value) &&
	'value' in value &&
	('__rl' in value || 'mode' in value)
		? (value as { value: unknown }).value
		: value;

/**
 * Text picked from a list or typed as an ID (a resource locator, or a plain string), required, at
 * most `maxLength` characters and all of it matching `pattern` (without anchors, as n8n's editor
 * validation takes it).
 */
export const identifierText = (pattern: string, maxLength: number, rule: string) =>
	z.preprocess(
		(value) => stringLike(locatorValue(value)),
		text()
			.trim()
			.max(maxLength, `must be at most ${maxLength} characters`)
			.regex(new RegExp(`^(?:${pattern})$`), rule),
	);

/** Free text; empty means "not set". */
export const optionalText = () => z.preprocess(stringLike, text().optional());

const isHttpUrl = (value: string) => {
	try {
		return ['http:', 'https:'].includes(new URL(value).protocol);
	} catch {
		return false;
	}
};

/** An http(s) link, e.g. the webhook URL; empty means "not set". */
export const optionalHttpUrl = () =>
	z.preprocess(
		blankToUndefined,
		z
			.string({ invalid_type_error: 'must be an http(s) link, such as https://example.com/hook' })
			.trim()
			.refine(isHttpUrl, 'must be an http(s) link, such as https://example.com/hook')
			.optional(),
	);

/** A link to an image: http(s), or a base64 data URI where the endpoint accepts one. */
export const imageReference = () =>
	z
		.string({ invalid_type_error: 'must be an http(s) link to an image' })
		.trim()
		.refine(
			(value) => isHttpUrl(value) || /^data:image\/[a-z+.-]+;base64,/i.test(value),
			'must be an http(s) link to an image',
		);

/** A whole number; empty means "not set" (a random seed, for example). */
export const optionalInteger = (range: z.ZodNumber) =>
	z.preprocess((value) => numberLike(blankToUndefined(value)), range.int().optional());

/** A comma-separated list of numbers each within the range, e.g. LoRA strengths "0.6,0.8". */
export const numberList = (min: number, max: number) =>
	z.preprocess(
		stringLike,
		z
			.string({ invalid_type_error: `must be comma-separated numbers from ${min} to ${max}` })
			.trim()
			.refine(
				(list) =>
					list.split(',').every((part) => {
						const value = Number(part.trim());
						return part.trim() !== '' && Number.isFinite(value) && value >= min && value <= max;
					}),
				`must be comma-separated numbers from ${min} to ${max}`,
			)
			.optional(),
	);
