/**
 * Conv2D gradient kernels expressed as forward convolutions, so that they run in the backend's
 * fast forward conv (XNNPACK on wasm). NHWC only (the executor's layout).
 *
 * Filter gradient: dW[u,v,c,m] = Σ_{n,i,j} x[n, i·s+u·d−p, j·s+v·d−q, c] · dy[n,i,j,m]. On wasm it
 *   runs in dlm's WebAssembly SIMD kernel (filter-grad-simd.ts; see makeConv2DBackpropFilter); elsewhere:
 *   Read x as a batch of C single... i.e. x' = xᵀ [C, H, W, N] ("channels as batch, batch as
 *   channels") and dy' = [OH, OW, N, M] as the filter: a forward conv with stride d (the original
 *   dilation) and dilation s (the original stride), the original pads, gives [C, ≥kh, ≥kw, M];
 *   crop to the kernel and transpose to [kh, kw, C, M].
 * Input gradient: on wasm, mostly dlm's WebAssembly SIMD kernel that skips dy's zeros
 *   (input-grad-simd.ts; see makeConv2DBackpropInput); elsewhere: dx = correlation of dy
 *   (zero-stuffed by the stride) with the spatially flipped filter [kh, kw, M, C], padded by
 *   (k−1)·d − p at the start; cropped/padded to the input size. Where the input is much larger
 *   than dy (valid convs, strides), a GEMM and a col2im scatter instead (`preferMatMul`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { filterGradSimd, filterGradSimdFits, filterGradSimdSupported } from './filter-grad-simd.js';
import { inputGradSimdBytes, inputGradSimdSupported, sampledNonzeroShare, stageInputGrad } from './input-grad-simd.js';
import { SIMD_MAX_BYTES } from './wasm-simd.js';
import { addInto, call, convGeometry, free, jsKernelIO, padInfo, readView, type Backend } from './util.js';

type Info = tf.TensorInfo;

/**
 * Filter gradient kernel for `backendName`: dlm's WebAssembly SIMD kernel (filter-grad-simd.ts)
 * when `simd`, else a forward convolution (the module comment). wasm takes the SIMD kernel for
 * every shape: it won on every shape measured (tools/bench/filter-grad-simd.ts, both paths
 * alternating in one process, load ~12 on 2 cores; SIMD / XNNPACK-conv per-call minimum): MNIST
 * conv1 [64,28,28,1] k5 M10 0.23 (0.69 vs 2.94 ms), conv2 [64,12,12,10] k5 M20 0.46 (1.09 vs 2.37),
 * 3×3 'same' convs with C 3–64, M 16–64, stride 1–2, up to [8,64,64,32] 0.14–0.28, a 1×1 conv
 * [64,7,7,128] M256 0.43. The forward conv packs dy as a new XNNPACK operator every call; that
 * set-up alone costs more than the whole SIMD kernel. cpu keeps the forward conv (it is the
 * reference backend of the conformance suite; its conv is ~70× faster than tfjs' own loop).
 */
export function makeConv2DBackpropFilter(backendName: string, simd = backendName === 'wasm'): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as Backend;
    const { x, dy } = inputs as { x: Info; dy: Info };
    const a = attrs as unknown as { strides: [number, number] | number; pad: unknown; dataFormat: string; dimRoundingMode: unknown; filterShape: [number, number, number, number] };
    if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error('Conv2DBackpropFilter: only NHWC is supported');
    const info = padInfo(x.shape, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode);
    const [kh, kw, c, m] = a.filterShape;
    const geometry = { ...convGeometry(info), dh: 1, dw: 1 };
    if (simd && filterGradSimdSupported() && filterGradSimdFits(geometry)) {
      const io = jsKernelIO(b, a.filterShape, [x, dy]);
      filterGradSimd(io.ins[0]!, io.ins[1]!, geometry, io.out);
      return io.finish();
    }
    const xt = call(backendName, 'Transpose', b, { x }, { perm: [3, 1, 2, 0] }); // [C, H, W, N]
    const dyt = call(backendName, 'Transpose', b, { x: dy }, { perm: [1, 2, 0, 3] }); // [OH, OW, N, M]
    const pad = [[0, 0], [info.padInfo.top, info.padInfo.bottom], [info.padInfo.left, info.padInfo.right], [0, 0]];
    const conv = call(backendName, 'Conv2D', b, { x: xt, filter: dyt }, {
      strides: [1, 1],
      pad,
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
      dimRoundingMode: undefined,
    }); // [C, kh', kw', M] with kh' ≥ kh
    free(b, xt, dyt);
    let cropped = conv;
    if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
      cropped = call(backendName, 'Slice', b, { x: conv }, { begin: [0, 0, 0, 0], size: [c, kh, kw, m] });
      free(b, conv);
    }
    const out = call(backendName, 'Transpose', b, { x: cropped }, { perm: [1, 2, 0, 3] });
    free(b, cropped);
    return out;
  };
}

/**
 * Input gradient kernel for `backendName`: dlm's WebAssembly SIMD kernel, which skips dy's zeros
 * (input-grad-simd.ts), where it pays (`simd` 'auto', wasm's default; 'always' and 'never' are for benchmarks); else a GEMM + col2im or a flipped-filter forward
 * XNNPACK convolution (the module comment, `preferMatMul`). Measured (tools/bench/input-grad-simd.ts,
 * both alternating in one process, wasm 1 thread, load ~4 on 2 cores; SIMD / XNNPACK per-call
 * minimum): where the GEMM path would run, the SIMD kernel wins even on a dense dy (MNIST conv2
 * 0.67, a stride-2 'same' 3×3 conv 0.81) and far more on max-pool-shaped ones (~12.5% nonzero:
 * 0.14 and 0.20). Against XNNPACK's convolution ('same' stride 1, 1×1) it loses on a dense dy
 * (1.53–1.63: XNNPACK reuses each filter load across several positions) and wins below ~60%
 * nonzero (50%: 0.83–0.88, 25%: 0.43–0.53, max-pool shaped: 0.23–0.36); for those shapes the
 * kernel counts dy's nonzeros as it takes dy in and runs at ≤ 50% (a count in JS cost 1.5–11 ms per
 * million entries, its branch mispredicted; in wasm SIMD ~0.1 ms).
 */
const SIMD_INPUT_GRAD_MAX_NONZERO = 0.5;
/**
 * Above this share of nonzeros in a sample of dy (`sampledNonzeroShare`, 1,024 entries: its
 * standard error is ≤ 1.6%, so 0.6 is > 6 of them above the threshold), dy is not copied in and
 * counted at all: the copy and count cost 4–6% of the XNNPACK call they then precede (MNIST-sized
 * and [32,32,32,16] shapes, tools/bench/input-grad-simd.ts). A wrong guess only picks the slower
 * path: both give the input gradient.
 */
const SIMD_INPUT_GRAD_SAMPLED_DENSE = 0.6;

export function makeConv2DBackpropInput(backendName: string, simd: 'auto' | 'always' | 'never' = backendName === 'wasm' ? 'auto' : 'never'): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as Backend;
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const a = attrs as unknown as { strides: [number, number] | number; pad: unknown; dataFormat: string; dimRoundingMode: unknown; inputShape: [number, number, number, number] };
    if (a.dataFormat && a.dataFormat !== 'NHWC') throw new Error('Conv2DBackpropInput: only NHWC is supported');
    const info = padInfo(a.inputShape, filter.shape as [number, number, number, number], a.strides, 1, a.pad, a.dimRoundingMode);
    const geometry = convGeometry(info);
    const byMatMul = preferMatMul(a.inputShape, dy.shape, filter.shape);
    if (simd !== 'never' && inputGradSimdSupported() && inputGradSimdBytes(geometry) <= SIMD_MAX_BYTES) {
      const values = readView(b, dy);
      const anyDensity = simd === 'always' || byMatMul;
      const staged = anyDensity || sampledNonzeroShare(values) <= SIMD_INPUT_GRAD_SAMPLED_DENSE ? stageInputGrad(values, geometry, anyDensity ? 1 : SIMD_INPUT_GRAD_MAX_NONZERO) : undefined;
      if (staged) {
        const io = jsKernelIO(b, a.inputShape, [filter]);
        staged.run(io.ins[0]!, io.out);
        return io.finish();
      }
    }
    return byMatMul ? inputGradByMatMul(backendName, b, dy, filter, info, a.inputShape) : inputGradByFlippedConv(backendName, b, dy, filter, info, a.inputShape);
  };
}

/** Floats of the column matrix above which the matmul path is not taken (memory). */
const MAX_COLUMN_FLOATS = 1 << 24;

/**
 * The flipped-filter convolution computes one output per INPUT cell (H·W of them, over the zero
 * padding and zero-stuffing around dy); the matmul path one row per OUTPUT cell (OH·OW). Where
 * the input is clearly larger (valid convs, strides > 1) the matmul does proportionally less work
 * (the MNIST CNN's second conv: 2.25× fewer multiply-adds); for 'same' stride-1 convs the two are
 * equal and the convolution, with no scatter pass, wins.
 */
export function preferMatMul(inputShape: number[], dyShape: number[], filterShape: number[]): boolean {
  const [n, h, w] = inputShape as [number, number, number];
  const [, oh, ow] = dyShape as [number, number, number];
  const [kh, kw, c] = filterShape as [number, number, number];
  return h * w >= 1.5 * oh * ow && n * oh * ow * kh * kw * c <= MAX_COLUMN_FLOATS;
}

/**
 * dx by matmul and col2im: cols = dy [N·OH·OW, M] · Fᵀ [M, kh·kw·C] (one GEMM; BatchMatMul routes
 * the transpose onto XNNPACK's fast path), then each row, the gradients of one output position's
 * receptive field, is added into dx at that field (stride and padding are only index arithmetic).
 */
function inputGradByMatMul(backendName: string, b: Backend, dy: Info, filter: Info, info: ReturnType<typeof padInfo>, inputShape: [number, number, number, number]): Info {
  const [n, h, w, c] = inputShape;
  const [kh, kw, , m] = filter.shape as [number, number, number, number];
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const k = kh * kw * c;
  const dy2 = call(backendName, 'Reshape', b, { x: dy }, { shape: [n * oh * ow, m] });
  const f2 = call(backendName, 'Reshape', b, { x: filter }, { shape: [k, m] });
  const cols = call(backendName, 'BatchMatMul', b, { a: dy2, b: f2 }, { transposeA: false, transposeB: true }); // [N·OH·OW, kh·kw·C]
  free(b, dy2, f2);
  const io = jsKernelIO(b, [n, h, w, c], [cols]);
  const src = io.ins[0]!;
  const dx = io.out;
  const { strideHeight: sh, strideWidth: sw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let row = 0;
  for (let bi = 0; bi < n; bi++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++, row += k)
        for (let u = 0; u < kh; u++) {
          const hi = i * sh - top + u;
          if (hi < 0 || hi >= h) continue;
          const w0 = j * sw - left;
          if (sw === 1 && w0 >= 0 && w0 + kw <= w) {
            // Stride 1, window row inside the input: the kw·C values are contiguous on both sides.
            addInto(dx, ((bi * h + hi) * w + w0) * c, src, row + u * kw * c, kw * c);
            continue;
          }
          for (let v = 0; v < kw; v++) {
            const wi = j * sw - left + v;
            if (wi < 0 || wi >= w) continue;
            addInto(dx, ((bi * h + hi) * w + wi) * c, src, row + (u * kw + v) * c, c);
          }
        }
  const out = io.finish();
  free(b, cols);
  return out;
}

/** dx as one forward convolution of the zero-stuffed dy with the flipped filter (see the module comment). */
function inputGradByFlippedConv(backendName: string, b: Backend, dy: Info, filter: Info, info: ReturnType<typeof padInfo>, inputShape: [number, number, number, number]): Info {
  const [n, h, w, c] = inputShape;
  const fshape = filter.shape as [number, number, number, number];
  const [kh, kw, , m] = fshape;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const [, oh, ow] = dy.shape as [number, number, number, number];
  // Zero-stuff dy by the stride (a plain copy loop; the conv dominates).
  let src = dy;
  const dh = (oh - 1) * sh + 1;
  const dw = (ow - 1) * sw + 1;
  if (sh > 1 || sw > 1) {
    const io = jsKernelIO(b, [n, dh, dw, m], [dy]);
    const vals = io.ins[0]!;
    const out = io.out;
    for (let bi = 0; bi < n; bi++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          const from = ((bi * oh + i) * ow + j) * m;
          out.set(vals.subarray(from, from + m), ((bi * dh + i * sh) * dw + j * sw) * m);
        }
    src = io.finish();
  }
  // Flipped, transposed filter [kh, kw, M, C].
  const rev = call(backendName, 'Reverse', b, { x: filter }, { dims: [0, 1] });
  const ft = call(backendName, 'Transpose', b, { x: rev }, { perm: [0, 1, 3, 2] });
  free(b, rev);
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const bottom = h - dh - top + kh - 1;
  const right = w - dw - left + kw - 1;
  const cl = (v: number) => Math.max(0, v);
  const conv = call(backendName, 'Conv2D', b, { x: src, filter: ft }, {
    strides: [1, 1],
    pad: [[0, 0], [cl(top), cl(bottom)], [cl(left), cl(right)], [0, 0]],
    dataFormat: 'NHWC',
    dilations: [1, 1],
    dimRoundingMode: undefined,
  });
  free(b, ft);
  if (src !== dy) free(b, src);
  if (top >= 0 && left >= 0 && bottom >= 0 && right >= 0) return conv;
  const out = call(backendName, 'Slice', b, { x: conv }, { begin: [0, cl(-top), cl(-left), 0], size: [n, h, w, c] });
  free(b, conv);
  return out;
}
