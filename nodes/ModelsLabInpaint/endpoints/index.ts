import type { VariantId } from '../../shared/endpoints';
import { community } from './community.variant';
import { enterprise } from './enterprise.variant';
import { imageEditing } from './imageEditing.variant';
import { legacy } from './legacy.variant';
import type { InpaintVariant } from './variant';

export const VARIANTS: Record<VariantId, InpaintVariant> = {
	imageEditing,
	community,
	legacy,
	enterprise,
} as Record<VariantId, InpaintVariant>;

export const variantIds = Object.keys(VARIANTS) as VariantId[];

export type { InpaintVariant } from './variant';
