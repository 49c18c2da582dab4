/**
 * The training entry points bound to the tfjs runtime over the backend the test set up, with the
 * run-folder options a command line passes (GAN sample grids encoded by @dlm/report).
 */
import { sampleGridPng } from '@dlm/report';
import { createTfjsRuntime } from '@dlm/tfjs';
import * as node from '../../src/node/index.js';

type Without<O> = Omit<O, 'runtime'>;

export const encodeSamples = (data: Float32Array, n: number, c: number, h: number, w: number) => sampleGridPng(data, n, c, h, w, Math.ceil(Math.sqrt(n)));

export async function train(opts: Without<node.FolderTrainOptions<unknown>>) {
  return node.train({ runtime: await createTfjsRuntime(), encodeSamples, ...opts });
}

export async function evaluate(opts: Without<node.FolderEvaluateOptions<unknown>>) {
  return node.evaluate({ runtime: await createTfjsRuntime(), ...opts });
}

export async function predict(opts: Without<Parameters<typeof node.predict>[0]>) {
  return node.predict({ runtime: await createTfjsRuntime(), ...opts });
}
