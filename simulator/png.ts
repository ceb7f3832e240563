/**
 * PNG support for the simulator and its tests: the codec (encode/decode/inspect) plus the helpers
 * that draw recognisable test pictures. Kept as two modules so drawing can use the codec without a
 * circular import.
 */
export { decodePng, encodePng, isPng, pngDimensions } from './png-codec';
export type { PngFilter, Raster } from './png-codec';
export { defaultMaskBox, makeMask, makePhoto } from './drawing';
export type { MaskOptions } from './drawing';
