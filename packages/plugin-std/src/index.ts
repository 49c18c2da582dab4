/** @dlm/plugin-std: the standard layers, datasets, losses, metrics, optimizers, schedules and regularizers. */
import { PLUGIN_API_VERSION, type DlmPlugin } from '@dlm/core';
import { losses } from './losses/index.js';
import { metrics } from './metrics/index.js';
import { optimizers } from './optimizers/index.js';
import { schedules } from './schedules/index.js';
import { regularizers } from './regularizers/index.js';
import { STD_DATASETS } from './datasets/index.js';
import { STD_LAYERS } from './layers/index.js';

export { losses, metrics, optimizers, schedules, regularizers };
export { STD_DATASETS };
export { STD_LAYERS };

export const stdPlugin: DlmPlugin = {
  name: '@dlm/plugin-std',
  apiVersion: PLUGIN_API_VERSION,
  layers: STD_LAYERS,
  losses,
  metrics,
  optimizers,
  schedules,
  regularizers,
  datasets: STD_DATASETS,
};

/** The conventional plugin export (`default`/`plugin`), so the standard plugin loads like any other. */
export { stdPlugin as plugin };
