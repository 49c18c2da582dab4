/**
 * @dlm/plugin-std/pure: the standard plugin without its datasets, which read files and download
 * (they come from @dlm/datasets/node and are added by the "." entry). Browser-safe: the
 * playground and the pure part of @dlm/plugin-loader use it.
 */
import { PLUGIN_API_VERSION, type DlmPlugin } from '@dlm/core';
import { losses } from './losses/index.js';
import { metrics } from './metrics/index.js';
import { optimizers } from './optimizers/index.js';
import { schedules } from './schedules/index.js';
import { regularizers } from './regularizers/index.js';
import { STD_LAYERS } from './layers/index.js';

export { losses, metrics, optimizers, schedules, regularizers };
export { STD_LAYERS };

export const STD_PLUGIN_NAME = '@dlm/plugin-std';

/** Layers, losses, metrics, optimizers, schedules and regularizers; no datasets. */
export const stdPluginWithoutDatasets: DlmPlugin = {
  name: STD_PLUGIN_NAME,
  apiVersion: PLUGIN_API_VERSION,
  layers: STD_LAYERS,
  losses,
  metrics,
  optimizers,
  schedules,
  regularizers,
};
