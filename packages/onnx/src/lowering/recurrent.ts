/**
 * LSTM, GRU and RNN. The IR's recurrent ops are batch-first (ONNX `layout = 1`): X [batch, seq,
 * input], Y [batch, seq, dirs, hidden], Y_h/Y_c [batch, dirs, hidden]. Weights W, R, B already
 * have ONNX's layout and gate order (LSTM iofc, GRU zrh), so they are written unchanged.
 *
 * Two ways to write the layout (LoweringOptions.recurrentLayout):
 *  - 'transpose' (default): ONNX layout 0 with Transpose X→[seq, batch, input] before and
 *    Y→[batch, seq, dirs, hidden], Y_h/Y_c→[batch, dirs, hidden] after; only the outputs that are
 *    used get a Transpose. This is what torch.onnx.export writes for batch_first=True and it runs
 *    everywhere: onnxruntime's CPU kernels reject layout=1 ("Batchwise recurrent operations
 *    (layout == 1) are not supported").
 *  - 'batch-first': the `layout = 1` attribute (opset ≥ 14), no transposes.
 */
import type { Node } from '@dlm/core';
import { attr } from '../proto.js';
import { copyAttrs, type LoweringContext, type LoweringOptions, type LoweringRule } from './types.js';

/** Activation functions per direction: LSTM f, g, h; GRU f, g; RNN f. */
const ACTIVATIONS_PER_DIRECTION: Record<string, number> = { LSTM: 3, GRU: 2, RNN: 1 };
/** Inputs that carry a batch axis and so need a transpose for layout 0 (X, initial_h, initial_c). */
const BATCH_INPUTS: Record<string, number[]> = { LSTM: [0, 5, 6], GRU: [0, 5], RNN: [0, 5] };

function directions(node: Node): number {
  return node.attrs['direction'] === 'bidirectional' ? 2 : 1;
}

function activations(node: Node): string[] | undefined {
  const a = node.attrs['activations'];
  if (a === undefined) return undefined;
  const list = (Array.isArray(a) ? a : [a]).map(String);
  if (list.length === 0) return undefined;
  const per = ACTIVATIONS_PER_DIRECTION[node.op]!;
  return list.length === per && directions(node) === 2 ? [...list, ...list] : list;
}

function recurrent(op: 'LSTM' | 'GRU' | 'RNN'): LoweringRule {
  return {
    op,
    minOpset: 13,
    emits: `${op} (+ Transpose before and after; with recurrentLayout 'batch-first': ${op} layout=1)`,
    nodeOpset: (_node: Node, options: LoweringOptions) => (options.recurrentLayout === 'batch-first' ? 14 : 13),
    unsupported(node) {
      const acts = activations(node);
      const want = ACTIVATIONS_PER_DIRECTION[op]! * directions(node);
      if (acts && acts.length !== want) return `activations ${JSON.stringify(node.attrs['activations'])} must name ${want} function(s)`;
      return undefined;
    },
    lower: (ctx) => lowerRecurrent(ctx, op),
  };
}

function lowerRecurrent(ctx: LoweringContext, op: string): void {
  const node = ctx.node;
  const attrs = {
    ...copyAttrs(node.attrs, { hidden_size: 'int', direction: 'string', linear_before_reset: 'int', clip: 'float' }),
  };
  const acts = activations(node);
  // RNN's ONNX default activation is Tanh; leave defaults out so the graph reads like torch's.
  if (acts && !(op === 'RNN' && acts.every((a) => a === 'Tanh'))) attrs['activations'] = attr.strings(acts);
  const ins = node.inputs.map((_, i) => ctx.input(i));
  while (ins.length > 0 && ins[ins.length - 1] === '') ins.pop();
  const nOut = node.outputs.length;
  const used = node.outputs.map((_, i) => ctx.outputUsed(i));
  // Trailing unused outputs are dropped; inner ones become '' (ONNX optional-output convention).
  let last = nOut - 1;
  while (last > 0 && !used[last]) last--;

  if (ctx.options.recurrentLayout === 'batch-first') {
    const outs = node.outputs.slice(0, last + 1).map((_, i) => (used[i] ? ctx.output(i) : ''));
    ctx.emit(op, ins, outs, { ...attrs, layout: attr.int(1) });
    return;
  }
  for (const i of BATCH_INPUTS[op]!) {
    if (!ins[i]) continue;
    const t = ctx.temp(i === 0 ? 'X_seq_first' : `${i === 5 ? 'initial_h' : 'initial_c'}_dirs_first`);
    ctx.emit('Transpose', [ins[i]], [t], { perm: attr.ints(i === 0 ? [1, 0, 2] : [1, 0, 2]) });
    ins[i] = t;
  }
  const names = ['Y', 'Y_h', 'Y_c'];
  const raw = node.outputs.slice(0, last + 1).map((_, i) => (used[i] ? ctx.temp(`${names[i]}_seq_first`) : ''));
  ctx.emit(op, ins, raw, attrs);
  raw.forEach((r, i) => {
    if (!r) return;
    // Y [seq, dirs, batch, hidden] → [batch, seq, dirs, hidden]; Y_h, Y_c [dirs, batch, hidden] → [batch, dirs, hidden].
    ctx.emit('Transpose', [r], [ctx.output(i)], { perm: attr.ints(i === 0 ? [2, 0, 1, 3] : [1, 0, 2]) });
  });
}

export const lstm = recurrent('LSTM');
export const gru = recurrent('GRU');
export const rnn = recurrent('RNN');
