/**
 * Conv and ConvTranspose: NCHW in the IR and in ONNX, explicit pads, so the attributes copy over.
 *
 * ConvTranspose's output_padding may reach the stride where it stays below the dilation (PyTorch's
 * rule, the IR's too), but onnxruntime refuses output_padding ≥ stride at run time ("output_padding
 * may be too large for stride"; found by the differential fuzzer). Such axes are written without
 * it: output_padding p adds p positions at the end, the same as taking p less end padding; where
 * the end padding is smaller than p, the rest is outside every kernel window, so it is zeros plus
 * the bias, written as a Pad and the bias added after it.
 */
import type { Node } from '@dlm/core';
import { attr } from '../proto.js';
import { copyAttrs, direct, type LoweringRule } from './types.js';

export const conv = direct('Conv', 13, { kernel_shape: 'ints', strides: 'ints', pads: 'ints', dilations: 'ints', group: 'int' });

const TRANSPOSE_KINDS = { kernel_shape: 'ints', strides: 'ints', pads: 'ints', dilations: 'ints', group: 'int', output_padding: 'ints' } as const;
const plainTranspose = direct('ConvTranspose', 13, { ...TRANSPOSE_KINDS });

const list = (v: unknown, n: number, fill: number): number[] => (Array.isArray(v) && v.length ? (v as number[]) : new Array<number>(n).fill(fill));

/** undefined when every output_padding is below its stride (onnxruntime runs it as written). */
export function outputPaddingPlan(node: Node): { pads: number[]; outputPadding: number[]; zeros: number[] } | undefined {
  const n = (node.attrs['kernel_shape'] as number[]).length;
  const op = list(node.attrs['output_padding'], n, 0);
  const s = list(node.attrs['strides'], n, 1);
  if (op.every((p, i) => p < s[i]!)) return undefined;
  const pads = [...list(node.attrs['pads'], 2 * n, 0)];
  const zeros = new Array<number>(n).fill(0);
  const outputPadding = op.map((p, i) => {
    if (p < s[i]!) return p;
    const taken = Math.min(p, pads[n + i]!);
    pads[n + i]! -= taken;
    zeros[i] = p - taken;
    return 0;
  });
  return { pads, outputPadding, zeros };
}

export const convTranspose: LoweringRule = {
  op: 'ConvTranspose',
  minOpset: 13,
  emits: 'ConvTranspose (output_padding ≥ stride: less end padding, or Pad and Add for the bias)',
  lower(ctx) {
    const plan = outputPaddingPlan(ctx.node);
    if (!plan) return plainTranspose.lower(ctx);
    const attrs = { ...copyAttrs(ctx.node.attrs, TRANSPOSE_KINDS), pads: attr.ints(plan.pads), output_padding: attr.ints(plan.outputPadding) };
    const bias = ctx.node.inputs[2] ? ctx.input(2) : '';
    if (plan.zeros.every((z) => z === 0)) {
      ctx.emit('ConvTranspose', bias ? [ctx.input(0), ctx.input(1), bias] : [ctx.input(0), ctx.input(1)], [ctx.output(0)], attrs);
      return;
    }
    const n = plan.zeros.length;
    const conv = ctx.temp('conv');
    ctx.emit('ConvTranspose', [ctx.input(0), ctx.input(1)], [conv], attrs);
    const padded = bias ? ctx.temp('padded') : ctx.output(0);
    ctx.emit('Pad', [conv, ctx.int64s('pads', [0, 0, ...new Array<number>(n).fill(0), 0, 0, ...plan.zeros], [2 * (n + 2)])], [padded]);
    if (!bias) return;
    const shaped = ctx.temp('bias');
    ctx.emit('Reshape', [bias, ctx.int64s('bias_shape', [-1, ...new Array<number>(n).fill(1)], [n + 1])], [shaped]);
    ctx.emit('Add', [padded, shaped], [ctx.output(0)]);
  },
};
