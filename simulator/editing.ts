/**
 * Submit of the mask endpoints (editingSpecs.ts; modelslab-editing.md, **ED**): validate like the
 * other v6 routes, read the photo (photoLoader.ts), then create a job whose output is drawn by
 * maskPictures.ts and answer with inpaint's shapes (success / processing / error, ED intro).
 *
 * Check order: fields → queue limit → photo (and mask) readable → queue limit again (the photo may
 * have been fetched over HTTP meanwhile, and other submits may have come in).
 */
import { randomUUID } from 'crypto';
import { errorReply, queueFullReply, validationErrorReply } from './answers';
import type { SimulatorContext } from './context';
import type { EditingSpec } from './editingSpecs';
import {
	drawMask,
	drawObjectRemoved,
	drawWithoutBackground,
	type Drawn,
	type MaskLook,
} from './maskPictures';
import { loadPicture } from './photoLoader';
import { encodePicture, EXTENSION, type PictureFormat } from './pictureFiles';
import type { Raster } from './png-codec';
import { jobTiming, newJobAnswer } from './submit';
import type { Reply, SimulatedJob } from './types';
import { isTrueFlag, validateFields, type FieldError } from './validation';

type Body = Record<string, unknown>;

export async function handleEditingSubmit(
	ctx: SimulatorContext,
	spec: EditingSpec,
	body: Body,
): Promise<Reply> {
	const errors = validateFields(body, spec.fields, {
		allowDataUriImages: spec.acceptsDataUriImages(body),
	});
	errors.push(...blankText(body, spec));
	if (errors.length > 0) return validationErrorReply(spec.errorStyle, errors);

	const apiKey = String(body.key);
	if (queueFull(ctx, apiKey)) return queueFullReply(ctx.settings);

	const photo = await loadPicture(ctx, body[spec.photoField]);
	if (!photo) return couldNotLoad(spec.photoField);
	let mask: Raster | undefined;
	if (spec.maskField) {
		mask = await loadPicture(ctx, body[spec.maskField]);
		if (!mask) return couldNotLoad(spec.maskField);
	}
	if (queueFull(ctx, apiKey)) return queueFullReply(ctx.settings);

	const plan = planOutput(spec, body, photo, mask, lookNow(ctx));
	const base64Output = spec.wantsBase64Output(body);
	const extension = base64Output ? 'base64' : EXTENSION[plan.format];
	const { durationMs, ...timing } = jobTiming(ctx);
	const echo = { ...body };
	delete echo.key;
	const job: SimulatedJob = {
		id: ctx.nextJobId(),
		endpoint: spec.endpoint,
		body,
		...timing,
		status: 'processing',
		outputs: [`${ctx.baseUrl()}/generations/${randomUUID()}-0.${extension}`],
		apiKey,
		width: plan.width,
		height: plan.height,
		samples: 1,
		base64Output,
		willFail: ctx.settings.failJobs,
		// meta: the documented defaults overlaid with what was sent, without the key (as inpaint).
		meta: { ...spec.defaults, ...echo },
		generationTime: Math.round((0.5 + durationMs / 1000 + Math.random() * 0.3) * 1000) / 1000,
	};
	// The picture is drawn on first use (a GET of the link, or a later job reading it).
	ctx.jobs.add(job, {
		prompt: '',
		picture: () => {
			const { raster, channels } = plan.draw();
			return encodePicture(raster, plan.format, channels);
		},
	});
	return newJobAnswer(ctx, spec, job);
}

/** "" and null already count as absent; a text of spaces names no object either (ED mask_creator). */
function blankText(body: Body, spec: EditingSpec): FieldError[] {
	const value = body.specific_object;
	if (spec.endpoint !== 'maskCreator' || typeof value !== 'string' || value.trim() !== '')
		return [];
	return [{ field: 'specific_object', message: 'The specific_object field is required.' }];
}

function queueFull(ctx: SimulatorContext, apiKey: string): boolean {
	// Counted per account across every endpoint: mask jobs and inpaint jobs together (ED "Limits").
	const { queueLimit } = ctx.settings;
	return queueLimit !== null && ctx.jobs.unfinishedCount(apiKey) >= queueLimit;
}

/** ED shape `{"status":"error","message":...}`, HTTP 200 like every v6 error. */
function couldNotLoad(field: string): Reply {
	return errorReply(
		`Could not load image from ${field}: the link could not be downloaded or is not a PNG or JPEG picture.`,
	);
}

/** The mask settings as they are now: a job keeps the look it was submitted with. */
function lookNow(ctx: SimulatorContext): MaskLook & { maskFormat: PictureFormat } {
	const { maskForm, maskFormat, maskPolarity, maskSize, emptyMasks, objectBox } = ctx.settings;
	return {
		maskForm,
		maskFormat,
		maskPolarity,
		maskSize: maskSize === 'photo' ? 'photo' : { ...maskSize },
		emptyMasks,
		objectBox: { ...objectBox },
	};
}

interface OutputPlan {
	width: number;
	height: number;
	format: PictureFormat;
	draw(): Drawn;
}

/**
 * What the job will output. Masks (mask_creator, removebg_mask with only_mask) follow every
 * undocumented mask setting, `maskFormat` included. The photo without its background is always an
 * RGBA PNG of the photo's size (transparency needs PNG), and object_removal an RGB PNG of the
 * photo's size (ED "object_removal": the photo, erased where the mask is white).
 */
function planOutput(
	spec: EditingSpec,
	body: Body,
	photo: Raster,
	mask: Raster | undefined,
	look: MaskLook & { maskFormat: PictureFormat },
): OutputPlan {
	// inverse_mask is a removebg_mask flag (ED "removebg_mask"); mask_creator has none.
	const inverse = spec.endpoint === 'removeBgMask' && isTrueFlag(body.inverse_mask);
	let drawn: Drawn | undefined;
	const once = (draw: () => Drawn) => () => (drawn ??= draw());
	if (spec.endpoint === 'objectRemoval' && mask) {
		return { ...photoSize(photo), format: 'png', draw: once(() => drawObjectRemoved(photo, mask)) };
	}
	if (spec.endpoint === 'removeBgMask' && !isTrueFlag(body.only_mask)) {
		return {
			...photoSize(photo),
			format: 'png',
			draw: once(() => drawWithoutBackground(photo, look, inverse)),
		};
	}
	const size = look.maskSize === 'photo' ? photoSize(photo) : look.maskSize;
	return { ...size, format: look.maskFormat, draw: once(() => drawMask(photo, look, inverse)) };
}

function photoSize(photo: Raster): { width: number; height: number } {
	return { width: photo.width, height: photo.height };
}
