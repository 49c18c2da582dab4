/**
 * Slice and Split. From opset 13 both take their bounds and sizes as int64 inputs rather than
 * attributes (Slice since 10, Split since 13), which holds through opset 17; Split-18 adds
 * `num_outputs` but still accepts `split`, so one form serves every supported opset.
 */
import { attr } from '../proto.js';
import type { LoweringRule } from './types.js';

export const slice: LoweringRule = {
  op: 'Slice',
  minOpset: 13,
  emits: 'Slice (+ int64 starts, ends, axes, steps initializers)',
  lower(ctx) {
    const a = ctx.node.attrs;
    const starts = a['starts'] as number[];
    const n = starts.length;
    const axes = (a['axes'] as number[]).length ? (a['axes'] as number[]) : starts.map((_, i) => i);
    const steps = (a['steps'] as number[]).length ? (a['steps'] as number[]) : starts.map(() => 1);
    ctx.emit(
      'Slice',
      [ctx.input(0), ctx.int64s('starts', starts, [n]), ctx.int64s('ends', a['ends'] as number[], [n]), ctx.int64s('axes', axes, [n]), ctx.int64s('steps', steps, [n])],
      [ctx.output(0)],
    );
  },
};

export const split: LoweringRule = {
  op: 'Split',
  minOpset: 13,
  emits: 'Split (+ int64 split initializer)',
  lower(ctx) {
    const sizes = ctx.node.attrs['split'] as number[];
    const axis = ctx.node.attrs['axis'] as number;
    const outs = ctx.node.outputs.map((_, i) => ctx.output(i));
    const inputs = sizes.length ? [ctx.input(0), ctx.int64s('split', sizes, [sizes.length])] : [ctx.input(0)];
    ctx.emit('Split', inputs, outs, { axis: attr.int(axis) });
  },
};
