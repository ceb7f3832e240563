import type { EndpointId } from '../../shared/transport/endpoints';
import { community } from './community.endpoint';
import { enterprise } from './enterprise.endpoint';
import { imageEditing } from './imageEditing.endpoint';
import { legacy } from './legacy.endpoint';
import { objectRemoval } from './objectRemoval.endpoint';
import type { InpaintEndpoint } from './endpoint';

/** Every endpoint of the catalogue has its fields here: a missing one fails to compile. */
export const INPAINT_ENDPOINTS: Record<EndpointId, InpaintEndpoint> = {
	imageEditing,
	community,
	legacy,
	enterprise,
	objectRemoval,
};

export type { InpaintEndpoint } from './endpoint';
