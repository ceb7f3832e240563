import * as common from './common';
import { defineEndpoint } from './endpoint';

/**
 * v6 Object Removal: `POST /api/v6/image_editing/object_removal`. The photo and the mask (white =
 * erase) are its only fields besides the webhook and track id (modelslab-editing.md): no prompt,
 * no size. The result has the photo's own size.
 */
export const objectRemoval = defineEndpoint({
	id: 'objectRemoval',
	sizeFromInitImage: true,
	fields: {
		init_image: common.initImage,
		mask_image: common.maskImage,
		webhook: common.webhook,
		track_id: common.numericTrackId,
	},
});
