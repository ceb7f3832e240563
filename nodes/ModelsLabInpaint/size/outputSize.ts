import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { ImageSize, SizeLimits } from './imageSize';
import { fitToEndpoint, imageSizeOf } from './imageSize';
import { inspectField } from '../../shared/schema/inspect';
import { refuseValue } from '../../shared/schema/validate';
import type { InpaintEndpoint } from '../endpoints';
import type { LinkSizes } from './linkSizes';
import { SEAM_REACH_PIXELS } from '../stitch/seamPlan';

export const outputSizeProperty: INodeProperties = {
	displayName: 'Output Size',
	name: 'outputSize',
	type: 'options',
	options: [
		{
			name: 'Same as Image',
			value: 'image',
			description:
				"The result keeps the photo's own size and shape, scaled down where the endpoint accepts less",
		},
		{ name: 'Custom', value: 'custom', description: 'Set Width and Height under Options' },
	],
	default: 'image',
	description: 'How big the result is',
	// Object Removal answers at the photo's own size: there is no size to choose.
	displayOptions: { hide: { endpoint: ['objectRemoval'] } },
};

/**
 * Same as Image, within the endpoint's limits: the result pasted into the photo by its mask, so
 * that what the user did not ask to change stays the photo's (see fullResolution.ts). Larger photos
 * are always pasted back; the option is only shown where the node holds the result.
 */
export const keepOriginalPixelsProperty: INodeProperties = {
	displayName: 'Keep Original Pixels Outside the Mask',
	name: 'keepOriginalPixels',
	type: 'boolean',
	default: true,
	description: `Whether the result is pasted into your photo along the mask, with a soft seam, so that everything more than ${SEAM_REACH_PIXELS} pixels from the mask stays exactly as it was (ModelsLab redraws the whole picture, shifting colours slightly everywhere). Needs a PNG or JPEG photo; a JPEG keeps its original data outside the few blocks along the seam.`,
	displayOptions: {
		show: { outputSize: ['image'], completion: ['wait'], downloadImages: [true] },
		hide: { endpoint: ['objectRemoval'] },
	},
};

export type OutputSize = 'image' | 'custom';

/** Where an image of the request comes from: bytes already read, or a link (maybe a data URI). */
export type ImageOrigin = { bytes: Buffer } | { url: string };

export interface SizeChoice {
	/** The size asked of ModelsLab, or null when it is left to ModelsLab or unknown. */
	outputSize: { width: number; height: number } | null;
	/** Why the photo's size could not be followed, for the output item. */
	notice: string | null;
}

const shown = (size: ImageSize) => `${size.width}×${size.height}`;

/**
 * An image's size from its header: the bytes already read, a data URI, or a link's first bytes
 * (read once per run, see linkSizes.ts).
 */
export async function readImageSize(
	origin: ImageOrigin | undefined,
	links: LinkSizes,
	timeoutMs: number,
) {
	if (!origin) return undefined;
	if ('bytes' in origin) return imageSizeOf(origin.bytes);
	const inline = /^data:[^,]*;base64,(.*)$/s.exec(origin.url)?.[1];
	if (inline !== undefined) return imageSizeOf(Buffer.from(inline.slice(0, 90_000), 'base64'));
	return await links.sizeOf(origin.url, timeoutMs);
}

/** The wire value of a size for this endpoint, as its schema formats it (number or numeric text). */
const wireSize = (endpoint: InpaintEndpoint, key: 'width' | 'height', value: number) =>
	endpoint.schema.shape[key].parse(value) as IDataObject[string];

/** Asks the endpoint for this size, in its own wire format. */
export function setRequestSize(
	endpoint: InpaintEndpoint,
	body: IDataObject,
	size: { width: number; height: number },
): void {
	body.width = wireSize(endpoint, 'width', size.width);
	body.height = wireSize(endpoint, 'height', size.height);
}

/** The sizes an endpoint takes, read off its schema; undefined when it takes none (Object Removal). */
export function endpointSizeLimits(endpoint: InpaintEndpoint): SizeLimits | undefined {
	if (!('width' in endpoint.schema.shape)) return undefined;
	const facts = inspectField(endpoint.schema.shape.width);
	return { min: facts.min, max: facts.max ?? 1024, multipleOf: facts.multipleOf };
}

/**
 * Sets the request's width and height from the photo (Output Size: Same as Image), and refuses a
 * mask whose size differs from the photo's, the classic cause of a garbage result. Sizes are read
 * from file headers: the bytes of a binary image, or the first bytes of a link. Nothing here fails
 * an item for a size it cannot read; the request then keeps the endpoint's default and says so.
 */
export function applyOutputSize(
	ctx: IExecuteFunctions,
	endpoint: InpaintEndpoint,
	body: IDataObject,
	{ init, mask }: { init?: ImageSize; mask?: ImageSize },
	choice: OutputSize,
	itemIndex: number,
): SizeChoice {
	if (init && mask && (init.width !== mask.width || init.height !== mask.height)) {
		const problem = `"Mask" is ${shown(mask)} pixels, but the image is ${shown(init)}: the mask must be exactly the size of the image`;
		refuseValue(ctx.getNode(), problem, itemIndex, `${endpoint.displayName} inpainting`);
	}
	const limits = endpointSizeLimits(endpoint);
	// An endpoint without a size (Object Removal) always answers at the photo's own size.
	if (!limits)
		return { outputSize: init ? { width: init.width, height: init.height } : null, notice: null };
	const requested = () => ({ width: Number(body.width), height: Number(body.height) });
	if (choice === 'custom') return { outputSize: requested(), notice: null };

	if (!init) {
		if (endpoint.sizeFromInitImage) {
			// ModelsLab reads the photo's size itself when none is given.
			delete body.width;
			delete body.height;
			return { outputSize: null, notice: null };
		}
		return {
			outputSize: requested(),
			notice: `The size of the image could not be read, so the endpoint's default size ${body.width}×${body.height} was used. Choose Output Size › Custom to set it.`,
		};
	}
	const fitted = fitToEndpoint(init, limits);
	if (endpoint.sizeFromInitImage && fitted.width === init.width && fitted.height === init.height) {
		delete body.width;
		delete body.height;
	} else {
		setRequestSize(endpoint, body, fitted);
	}
	return { outputSize: fitted, notice: null };
}
