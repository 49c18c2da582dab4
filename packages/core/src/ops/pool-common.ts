/** The shape rule shared by MaxPool and AveragePool (a sliding window over every spatial axis). */
import { formatShape, numelPerSample } from '../dims.js';
import type { Dim, TensorType } from '../ir.js';
import { ShapeError, type ResolvedAttrs } from '../op-schema.js';
import { int, ints, need, padsOf, perAxis, requireFloat, requireRank, slidingOut } from './common.js';

export function inferPool(inputs: readonly (TensorType | undefined)[], attrs: ResolvedAttrs, dilated: boolean): TensorType[] {
  const x = need(inputs, 0, 'X');
  requireFloat(x, 'X');
  requireRank(x, 3, 5, 'X', 'batch, channels and 1 to 3 spatial dims');
  const n = x.shape.length - 2;
  const k = ints(attrs, 'kernel_shape');
  if (k.length !== n) throw new ShapeError(`kernel_shape [${k.join(', ')}] has ${k.length} values but X ${formatShape(x.shape)} has ${n} spatial dim(s)`);
  if (k.some((v) => v < 1)) throw new ShapeError(`kernel_shape values must be ≥ 1, got [${k.join(', ')}]`);
  const s = perAxis(ints(attrs, 'strides'), n, 1, 'strides', 1);
  const d = dilated ? perAxis(ints(attrs, 'dilations'), n, 1, 'dilations', 1) : new Array<number>(n).fill(1);
  const p = padsOf(ints(attrs, 'pads'), n);
  for (let i = 0; i < n; i++) {
    // PyTorch and ONNX both require the padding to be at most half the window.
    if (p.begin[i]! > Math.floor(k[i]! / 2) || p.end[i]! > Math.floor(k[i]! / 2)) {
      throw new ShapeError(`pads [${ints(attrs, 'pads').join(', ')}] must be at most half the kernel [${k.join(', ')}] on each side`);
    }
  }
  const ceil = int(attrs, 'ceil_mode') !== 0;
  const out: Dim[] = [x.shape[0]!, x.shape[1]!];
  for (let i = 0; i < n; i++) out.push(slidingOut(x.shape[2 + i]!, k[i]!, s[i]!, p.begin[i]!, p.end[i]!, d[i]!, ceil, `spatial dim ${i} of X ${formatShape(x.shape)}`));
  return [{ dtype: 'f32', shape: out }];
}

/** prod(kernel) per output element. */
export function poolFlops(_in: readonly (TensorType | undefined)[], outs: TensorType[], attrs: ResolvedAttrs): number {
  const kernel = (attrs['kernel_shape'] as number[]).reduce((a, v) => a * v, 1);
  return kernel * numelPerSample(outs[0]!.shape);
}
