import { makeMask, makePhoto } from './drawing';

/**
 * Not a ModelsLab feature: sample pictures at fixed links (`/samples/photo-1024x768.png`,
 * `/samples/mask-1024x768.png`), for workflows that give the photo and the mask as links. They
 * need no upload, so they survive reset(), and the simulator reads them as its own images.
 */
export function samplePng(name: string): Buffer | undefined {
	const cached = drawn.get(name);
	if (cached) return cached;
	const match = /^(photo|mask)-(\d{1,4})x(\d{1,4})\.png$/.exec(name);
	if (!match) return undefined;
	const [width, height] = [Number(match[2]), Number(match[3])];
	if (width < 1 || height < 1 || width > 2048 || height > 2048) return undefined;
	const png = match[1] === 'photo' ? makePhoto(width, height) : makeMask(width, height);
	// Drawing a photo takes a while; every item of a run reads the same few samples.
	if (drawn.size >= MOST_CACHED) drawn.delete(drawn.keys().next().value as string);
	drawn.set(name, png);
	return png;
}

const MOST_CACHED = 16;
const drawn = new Map<string, Buffer>();
