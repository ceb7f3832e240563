import type { EndpointId } from '../../shared/transport/endpoints';
import { community } from './community.endpoint';
import { enterprise } from './enterprise.endpoint';
import { imageEditing } from './imageEditing.endpoint';
import { legacy } from './legacy.endpoint';
import type { InpaintEndpoint } from './endpoint';

export const INPAINT_ENDPOINTS: Record<EndpointId, InpaintEndpoint> = {
	imageEditing,
	community,
	legacy,
	enterprise,
} as Record<EndpointId, InpaintEndpoint>;

export type { InpaintEndpoint } from './endpoint';
