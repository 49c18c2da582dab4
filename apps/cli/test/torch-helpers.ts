/**
 * What the `--engine torch` CLI tests share: Debian's python3-torch, the small two-input
 * classifier they train (each test adds its own train block), and the weights of a checkpoint
 * compared with the tfjs engine's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readSafetensors } from '@dlm/core';
import { systemTool } from '../../../tools/test-support/system-tools.js';

export const torch = systemTool('python3-torch');

/** The model both torch tests train: points in the plane → the probability of class 1. */
export const NET_MODEL = `model Net {
  input point: f32[batch, 2]
  output prob: f32[batch, 1]

  h = point |> dense(8) |> relu
  prob = h |> dense(1) |> sigmoid
}
`;

/** A checkpoint folder's weights by name. */
export function checkpointWeights(dir: string): Map<string, Float32Array> {
  const t = readSafetensors(readFileSync(join(dir, 'weights.safetensors'))).tensors;
  return new Map([...t].map(([k, v]) => [k, v.data as Float32Array]));
}

/** The largest |a − b| over all weights; both must hold the same names. */
export function maxWeightDiff(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  let worst = 0;
  for (const [k, v] of a) v.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - b.get(k)![i]!))));
  return worst;
}
