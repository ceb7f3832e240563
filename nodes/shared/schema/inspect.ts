import type { z } from 'zod/v3';

/** What a request field accepts, read off its zod schema so that nothing is stated twice. */
export interface FieldFacts {
	kind: 'string' | 'number' | 'boolean' | 'options';
	/** The value used when the field is not set; undefined when the field is simply left out. */
	defaultValue?: unknown;
	required: boolean;
	min?: number;
	max?: number;
	integer?: boolean;
	multipleOf?: number;
	options?: string[];
}

interface ZodDefLike {
	typeName?: string;
	innerType?: z.ZodTypeAny;
	schema?: z.ZodTypeAny;
	defaultValue?: () => unknown;
	values?: string[];
	checks?: Array<{ kind: string; value?: number }>;
}

const defOf = (schema: z.ZodTypeAny) => schema._def as ZodDefLike;

export function inspectField(field: z.ZodTypeAny): FieldFacts {
	let schema = field;
	let defaultValue: unknown;
	let optional = false;
	// Peel off wrappers (defaults, optionality, preprocess/transform/refine effects) to the base type.
	for (;;) {
		const def = defOf(schema);
		if (def.typeName === 'ZodDefault') {
			defaultValue ??= def.defaultValue?.();
			schema = def.innerType!;
		} else if (def.typeName === 'ZodOptional' || def.typeName === 'ZodNullable') {
			optional = true;
			schema = def.innerType!;
		} else if (def.typeName === 'ZodEffects') {
			schema = def.schema!;
		} else {
			break;
		}
	}
	const def = defOf(schema);
	const required = defaultValue === undefined && !optional;
	switch (def.typeName) {
		case 'ZodNumber': {
			const facts: FieldFacts = { kind: 'number', defaultValue, required };
			for (const check of def.checks ?? []) {
				if (check.kind === 'min') facts.min = check.value;
				if (check.kind === 'max') facts.max = check.value;
				if (check.kind === 'int') facts.integer = true;
				if (check.kind === 'multipleOf') facts.multipleOf = check.value;
			}
			return facts;
		}
		case 'ZodBoolean':
			return { kind: 'boolean', defaultValue, required };
		case 'ZodEnum':
			return { kind: 'options', defaultValue, required, options: [...(def.values ?? [])] };
		default:
			return { kind: 'string', defaultValue, required };
	}
}

/** "a whole number from 1 to 1024", "one of: yes, no" — used in error messages. */
export function describeAllowed(facts: FieldFacts): string {
	switch (facts.kind) {
		case 'options':
			return `one of: ${facts.options!.join(', ')}`;
		case 'boolean':
			return 'true or false';
		case 'number': {
			const noun = facts.integer ? 'a whole number' : 'a number';
			const range =
				facts.min !== undefined && facts.max !== undefined
					? ` from ${facts.min} to ${facts.max}`
					: facts.min !== undefined
						? ` of at least ${facts.min}`
						: facts.max !== undefined
							? ` of at most ${facts.max}`
							: '';
			const step = facts.multipleOf ? `, divisible by ${facts.multipleOf}` : '';
			return `${noun}${range}${step}`;
		}
		default:
			return 'text';
	}
}
