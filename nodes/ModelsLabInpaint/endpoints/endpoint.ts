import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod/v3';

import type { EndpointId } from '../../shared/transport/endpoints';
import { ENDPOINTS } from '../../shared/transport/endpoints';
import type { FieldUi, FieldUiMap } from '../../shared/schema/fields';

/** A request field: its schema (type, range, default, wire format) and how the editor shows it. */
export interface Field<S extends z.ZodTypeAny = z.ZodTypeAny> {
	schema: S;
	ui: FieldUi;
}

export const field = <S extends z.ZodTypeAny>(schema: S, ui: FieldUi): Field<S> => ({ schema, ui });

type SchemaShape<Fields extends Record<string, Field>> = {
	[Key in keyof Fields]: Fields[Key]['schema'];
};

/** An endpoint's request for the Inpaint node; its name and address are in the shared catalogue. */
export interface InpaintEndpoint<Shape extends z.ZodRawShape = z.ZodRawShape> {
	id: EndpointId;
	displayName: string;
	/** The request body, keyed by the API's field names: the single source of truth for the endpoint. */
	schema: z.ZodObject<Shape>;
	fields: FieldUiMap<Shape>;
	/** Whether binary images may go inline as data URIs rather than being uploaded first. */
	acceptsInlineImages: (body: IDataObject) => boolean;
	/** Whether ModelsLab gives the result the photo's own size when no width and height are sent. */
	sizeFromInitImage: boolean;
}

export function defineEndpoint<Fields extends Record<string, Field>>(definition: {
	id: EndpointId;
	fields: Fields;
	acceptsInlineImages?: (body: IDataObject) => boolean;
	sizeFromInitImage?: boolean;
}): InpaintEndpoint<SchemaShape<Fields>> {
	const entries = Object.entries(definition.fields);
	return {
		id: definition.id,
		displayName: ENDPOINTS[definition.id].displayName,
		schema: z.object(
			Object.fromEntries(entries.map(([key, { schema }]) => [key, schema])) as SchemaShape<Fields>,
		),
		fields: Object.fromEntries(entries.map(([key, { ui }]) => [key, ui])) as FieldUiMap<
			SchemaShape<Fields>
		>,
		acceptsInlineImages: definition.acceptsInlineImages ?? (() => false),
		sizeFromInitImage: definition.sizeFromInitImage ?? false,
	};
}
