/**
 * ConvTranspose with output_padding ≥ stride (allowed below the dilation, as in PyTorch):
 * onnxruntime refused the plain export at run time ("output_padding (1) may be too large for
 * stride (1)"); found by the differential fuzzer (seed 74). The export now takes the padding off
 * the end padding, or pads with zeros and adds the bias; the numbers must match tfjs (and PyTorch
 * where installed), and the checker must accept the file.
 */
import { beforeAll, expect, it } from 'vitest';
import { findTorchPython } from '@dlm/torch/node';
import { runOracle, type CaseResult } from './differential/oracle.js';
import type { GeneratedProgram } from './differential/generate.js';

const python = findTorchPython().result?.python;

/** Arguments and the output's height and width from a 3×4 input. */
const cases: [string, number, number][] = [
  ['kernel: 1, output_padding: 1, dilation: 2', 4, 5], // no end padding: Pad, then the bias
  ['kernel: 3, output_padding: 1, dilation: 2', 8, 9],
  ['kernel: 3, padding: 1, output_padding: 1, dilation: 2', 6, 7], // end padding covers it
  ['kernel: 3, padding: 2, output_padding: 1, dilation: 2, bias: false', 4, 5],
  ['kernel: 2, output_padding: 1, dilation: 2, bias: false', 6, 7], // Pad alone
  ['kernel: 2, stride: 2, output_padding: 2, dilation: 3', 10, 12],
];

const programs: GeneratedProgram[] = cases.map(([args, h, w], i) => ({
  seed: 900 + i,
  batch: 2,
  steps: 1,
  kinds: ['conv2d_transpose'],
  inputs: [{ name: 'x', dtype: 'f32', shape: [4, 3, 4] }],
  source: `model T {\n  input x: f32[batch, 4, 3, 4]\n  output y: f32[batch, 2, ${h}, ${w}]\n  y = x |> conv2d_transpose(2, ${args})\n}\n`,
}));
let results: CaseResult[] = [];
// one oracle run for every case: one Python start
beforeAll(async () => {
  results = await runOracle(programs, python ? { python } : {});
}, 180_000);

it.each(cases.map(([c], i) => [c, i] as const))('conv2d_transpose(2, %s) runs in onnxruntime with the numbers of the other engines', (_args, i) => {
  expect(results[i]!.problems).toEqual([]);
  expect(results[i]!.worst.onnxruntime).toBeLessThanOrEqual(1e-5);
});
