/**
 * Conv and ConvTranspose: F.conv{1,2,3}d / F.conv_transpose{1,2,3}d, NCHW on both sides, so weights
 * keep dlm's layout. PyTorch's padding is symmetric; asymmetric ONNX pads (from 'same' padding with
 * an even kernel) become an explicit F.pad before the conv, or a crop after the transposed conv.
 */
import { py } from '../emitter.js';
import { compact, ints, num, padsOf, perAxis, torchPadList, type TorchLoweringRule } from './types.js';

function spatial(node: { attrs: Record<string, import('@dlm/core').AttrValue> }): number {
  return ints(node.attrs, 'kernel_shape').length;
}

export const conv: TorchLoweringRule = {
  op: 'Conv',
  emits: 'F.conv1d / F.conv2d / F.conv3d (+ F.pad for asymmetric pads)',
  unsupported(node) {
    const n = spatial(node);
    return n < 1 || n > 3 ? `${n} spatial dims (PyTorch has 1-D, 2-D and 3-D convolutions)` : undefined;
  },
  lower(ctx) {
    const a = ctx.node.attrs;
    const n = spatial(ctx.node);
    const p = padsOf(a, n);
    let x = ctx.input(0);
    if (!p.symmetric) x = ctx.temp('padded', py.call('F.pad', [x, torchPadList(p.begin, p.end)]));
    const args = [x, ctx.input(1), ...(ctx.has(2) ? [ctx.input(2)] : [])];
    const stride = compact(perAxis(a, 'strides', n, 1));
    const dilation = compact(perAxis(a, 'dilations', n, 1));
    const groups = num(a, 'group', 1);
    ctx.assign(
      py.call(`F.conv${n}d`, args, {
        stride: stride === 1 ? undefined : stride,
        padding: p.symmetric && p.begin.some((v) => v !== 0) ? compact(p.begin) : undefined,
        dilation: dilation === 1 ? undefined : dilation,
        groups: groups === 1 ? undefined : groups,
      }),
    );
  },
};

export const convTranspose: TorchLoweringRule = {
  op: 'ConvTranspose',
  emits: 'F.conv_transpose1d / 2d / 3d (+ a crop for asymmetric pads)',
  unsupported(node) {
    const n = spatial(node);
    if (n < 1 || n > 3) return `${n} spatial dims (PyTorch has 1-D, 2-D and 3-D transposed convolutions)`;
    const os = node.attrs['output_shape'];
    if (Array.isArray(os) && os.length > 0) return 'output_shape is not supported; give pads and output_padding';
    const s = perAxis(node.attrs, 'strides', n, 1);
    const d = perAxis(node.attrs, 'dilations', n, 1);
    const op = perAxis(node.attrs, 'output_padding', n, 0);
    if (op.some((v, i) => v >= Math.max(s[i]!, d[i]!))) return `output_padding [${op.join(', ')}] must be smaller than the stride or the dilation (PyTorch's rule)`;
    return undefined;
  },
  lower(ctx) {
    const a = ctx.node.attrs;
    const n = spatial(ctx.node);
    const p = padsOf(a, n);
    const stride = compact(perAxis(a, 'strides', n, 1));
    const dilation = compact(perAxis(a, 'dilations', n, 1));
    const outPad = compact(perAxis(a, 'output_padding', n, 0));
    const groups = num(a, 'group', 1);
    const common = { stride: stride === 1 ? undefined : stride, groups: groups === 1 ? undefined : groups, dilation: dilation === 1 ? undefined : dilation };
    const fn = `F.conv_transpose${n}d`;
    const bias = ctx.has(2) ? [ctx.input(2)] : [];
    if (p.symmetric) {
      ctx.assign(
        py.call(fn, [ctx.input(0), ctx.input(1), ...bias], {
          stride: common.stride,
          padding: p.begin.some((v) => v !== 0) ? compact(p.begin) : undefined,
          output_padding: outPad === 0 ? undefined : outPad,
          groups: common.groups,
          dilation: common.dilation,
        }),
      );
      return;
    }
    // Asymmetric pads: pad by the smaller side in PyTorch, then crop the remainder at the side
    // that has more. output = s·(in−1) + op + d·(k−1) + 1 − begin − end, as in ONNX.
    const shared = p.begin.map((b, i) => Math.min(b, p.end[i]!));
    const full = ctx.temp(
      'full',
      py.call(fn, [ctx.input(0), ctx.input(1), ...bias], {
        stride: common.stride,
        padding: shared.some((v) => v !== 0) ? compact(shared) : undefined,
        output_padding: outPad === 0 ? undefined : outPad,
        groups: common.groups,
        dilation: common.dilation,
      }),
    );
    const crop = [py.slice(), py.slice()];
    for (let i = 0; i < n; i++) {
      const b = p.begin[i]! - shared[i]!;
      const e = p.end[i]! - shared[i]!;
      crop.push(py.slice(b ? py.lit(b) : undefined, e ? py.lit(-e) : undefined));
    }
    ctx.assign(py.index(full, crop));
  },
};
