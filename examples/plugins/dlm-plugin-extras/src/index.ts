/**
 * dlm-plugin-extras: an example dlm plugin, built only on @dlm/core's public plugin interface —
 * exactly what @dlm/plugin-std uses. It adds
 *   layers       swish (learnable beta), squeeze_excite (squeeze-and-excitation block)
 *   dataset      image_folder (PNG images labelled by their subfolder)
 *   optimizer    lion (Chen et al. 2023)
 *   regularizers max_norm (soft max-norm penalty), random_brightness (augmentation)
 *
 * Load it by naming it in dlm.config.json (`"plugins": ["dlm-plugin-extras"]`) or with
 * `dlm --plugin dlm-plugin-extras`. See docs/plugins.md for the walkthrough.
 */
import { PLUGIN_API_VERSION, type DlmPlugin } from '@dlm/core';
import { image_folder } from './datasets/image-folder.js';
import { layers, squeeze_excite, swish } from './layers/index.js';
import { lion } from './optimizers/lion.js';
import { max_norm } from './regularizers/max-norm.js';
import { random_brightness } from './regularizers/random-brightness.js';

export { decodePng, type DecodedPng } from './datasets/png.js';
export { image_folder, lion, max_norm, random_brightness, squeeze_excite, swish };

const plugin: DlmPlugin = {
  name: 'dlm-plugin-extras',
  apiVersion: PLUGIN_API_VERSION,
  layers,
  datasets: [image_folder],
  optimizers: [lion],
  regularizers: [max_norm, random_brightness],
};

export default plugin;
export { plugin };
