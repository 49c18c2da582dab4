import type { LayerDef } from '@dlm/core';
import { squeeze_excite } from './squeeze-excite.js';
import { swish } from './swish.js';

export { squeeze_excite, swish };
export const layers: readonly LayerDef[] = [swish, squeeze_excite];
