/** Public API of the ModelsLab simulator (dev/test tooling; not part of the published package). */
export { ModelsLabSimulator } from './server';
export type { SimulatorOptions } from './server';
export { DEFAULT_OBJECT_BOX, defaultSettings } from './settings';
export type { SimulatorSettings } from './settings';
export type {
	CallbackDelivery,
	CannedResponse,
	JobStatus,
	RecordedRequest,
	ResponseMatch,
	SimulatedJob,
	Endpoint,
	EditingEndpoint,
	InpaintEndpoint,
} from './types';
export { mostUnfinishedAtOnce } from './jobs';
export { MAX_UPLOAD_BYTES, uploadPicture } from './uploads';
export {
	decodePng,
	defaultMaskBox,
	encodePng,
	isPng,
	makeMask,
	makePhoto,
	pngDimensions,
} from './png';
export type { MaskOptions, PngFilter, Raster } from './png';
export { expectedObjectMask, fillColour, objectBoxPixels, objectCoverage } from './maskPictures';
export { whiteBits } from './imaging';
export type { MaskLook, ObjectBox } from './maskPictures';
export { decodePicture, isJpeg, webpContainer } from './pictureFiles';
export { enterpriseModels, publicModels } from './models';
export type { OutputPicture } from './pictureFiles';
