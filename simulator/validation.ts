/**
 * Request-body validation in the spirit of the real (Laravel-based) API: lenient about JSON types
 * (512 and "512" are both fine, "" and null count as "not sent"), strict about required fields,
 * ranges and enum values. Messages follow Laravel's wording but keep the raw field name
 * (e.g. "The init_image field is required.") so a failing node test names the field unambiguously.
 */

export type FieldRule =
	| { type: 'text' }
	/** A string or a number (ids such as track_id that docs type inconsistently). */
	| { type: 'identifier' }
	| {
			type: 'integer';
			min?: number;
			max?: number;
			multipleOf?: number;
			allowed?: readonly number[];
	  }
	| { type: 'number'; min?: number; max?: number }
	/** Exact, case-sensitive string values such as "yes"/"no" or scheduler names. */
	| { type: 'choice'; allowed: readonly string[] }
	/** Documented as a boolean: true/false or the strings "true"/"false". */
	| { type: 'flag' }
	/** An http(s) URL, or a data URI where the endpoint documents base64 input. */
	| { type: 'image' }
	/** An http(s) URL (webhook). */
	| { type: 'url' }
	/** Comma-separated numbers, each between 0.1 and 1 (enterprise lora_strength). */
	| { type: 'loraStrength' };

export interface FieldSpec {
	name: string;
	rule: FieldRule;
	required?: boolean;
}

export interface FieldError {
	field: string;
	message: string;
}

export interface ValidationOptions {
	/** Whether `image` fields may be `data:image/...;base64,...` URIs for this request. */
	allowDataUriImages: boolean;
}

/** Laravel's ConvertEmptyStringsToNull makes "" behave like a missing value. */
export function isAbsent(value: unknown): boolean {
	return value === undefined || value === null || value === '';
}

/** Integer from a number or an integer-looking string; undefined otherwise. */
export function asInteger(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
	if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
	return undefined;
}

/** Finite number from a number or a numeric string; undefined otherwise. */
export function asNumber(value: unknown): number | undefined {
	if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
	if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
		return Number(value);
	return undefined;
}

/** true for true/"true"; used to read boolean-ish flags after validation. */
export function isTrueFlag(value: unknown): boolean {
	return value === true || value === 'true';
}

export function isHttpUrl(value: unknown): boolean {
	if (typeof value !== 'string') return false;
	try {
		const url = new URL(value);
		return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
	} catch {
		return false;
	}
}

export function isImageDataUri(value: unknown): boolean {
	return typeof value === 'string' && /^data:image\/[a-z0-9.+-]+;base64,/i.test(value);
}

export function validateFields(
	body: Record<string, unknown>,
	specs: readonly FieldSpec[],
	options: ValidationOptions,
): FieldError[] {
	const errors: FieldError[] = [];
	for (const spec of specs) {
		const value = body[spec.name];
		if (isAbsent(value)) {
			if (spec.required)
				errors.push({ field: spec.name, message: `The ${spec.name} field is required.` });
			continue;
		}
		const message = checkValue(spec.name, value, spec.rule, options);
		if (message) errors.push({ field: spec.name, message });
	}
	return errors;
}

function checkValue(
	name: string,
	value: unknown,
	rule: FieldRule,
	options: ValidationOptions,
): string | undefined {
	switch (rule.type) {
		case 'text':
			return typeof value === 'string' ? undefined : `The ${name} must be a string.`;
		case 'identifier':
			return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))
				? undefined
				: `The ${name} must be a string.`;
		case 'integer':
			return checkInteger(name, value, rule);
		case 'number':
			return checkNumber(name, value, rule.min, rule.max);
		case 'choice':
			return typeof value === 'string' && rule.allowed.includes(value)
				? undefined
				: `The selected ${name} is invalid.`;
		case 'flag':
			return [true, false, 'true', 'false'].includes(value as string | boolean)
				? undefined
				: `The ${name} field must be true or false.`;
		case 'image':
			if (isHttpUrl(value)) return undefined;
			if (options.allowDataUriImages && isImageDataUri(value)) return undefined;
			return `The ${name} must be a valid URL.`;
		case 'url':
			return isHttpUrl(value) ? undefined : `The ${name} must be a valid URL.`;
		case 'loraStrength':
			return checkLoraStrength(name, value);
	}
}

function checkInteger(
	name: string,
	value: unknown,
	rule: Extract<FieldRule, { type: 'integer' }>,
): string | undefined {
	const n = asInteger(value);
	if (n === undefined) return `The ${name} must be an integer.`;
	if (rule.allowed && !rule.allowed.includes(n)) return `The selected ${name} is invalid.`;
	if (rule.min !== undefined && n < rule.min) return `The ${name} must be at least ${rule.min}.`;
	if (rule.max !== undefined && n > rule.max)
		return `The ${name} must not be greater than ${rule.max}.`;
	if (rule.multipleOf !== undefined && n % rule.multipleOf !== 0) {
		return `The ${name} must be a multiple of ${rule.multipleOf}.`;
	}
	return undefined;
}

function checkNumber(name: string, value: unknown, min?: number, max?: number): string | undefined {
	const n = asNumber(value);
	if (n === undefined) return `The ${name} must be a number.`;
	if (min !== undefined && n < min) return `The ${name} must be at least ${min}.`;
	if (max !== undefined && n > max) return `The ${name} must not be greater than ${max}.`;
	return undefined;
}

function checkLoraStrength(name: string, value: unknown): string | undefined {
	const parts =
		typeof value === 'number' ? [String(value)] : typeof value === 'string' ? value.split(',') : [];
	const ok =
		parts.length > 0 &&
		parts.every((part) => {
			const n = asNumber(part.trim());
			return n !== undefined && n >= 0.1 && n <= 1;
		});
	return ok ? undefined : `The ${name} must be comma-separated numbers between 0.1 and 1.`;
}
