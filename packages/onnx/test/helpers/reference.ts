/**
 * A deliberately naive reference executor of core IR graphs (inference semantics), written
 * straight from the ONNX operator definitions: plain loops, float64 accumulation. It is the
 * stand-in for @dlm/tfjs's runInference in the parity tests until that lands; `reference()`
 * switches to runInference automatically when @dlm/tfjs exports it.
 */
import type { Graph, Node } from '@dlm/core';
import type { HostTensor } from './run.js';

interface T {
  shape: number[];
  data: Float64Array;
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const stridesOf = (s: number[]) => {
  const st = new Array<number>(s.length).fill(1);
  for (let i = s.length - 2; i >= 0; i--) st[i] = st[i + 1]! * s[i + 1]!;
  return st;
};
const t = (shape: number[], data?: Float64Array): T => ({ shape, data: data ?? new Float64Array(size(shape)) });

/** erf with |error| < 1.2e-7 (Numerical Recipes erfc via Chebyshev). */
function erf(x: number): number {
  const z = Math.abs(x);
  const u = 1 / (1 + 0.5 * z);
  const r =
    u *
    Math.exp(
      -z * z -
        1.26551223 +
        u * (1.00002368 + u * (0.37409196 + u * (0.09678418 + u * (-0.18628806 + u * (0.27886807 + u * (-1.13520398 + u * (1.48851587 + u * (-0.82215223 + u * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - r : r - 1;
}

function unary(x: T, f: (v: number) => number): T {
  return t([...x.shape], x.data.map(f));
}

function broadcastBinary(a: T, b: T, f: (x: number, y: number) => number): T {
  const n = Math.max(a.shape.length, b.shape.length);
  const as = [...new Array(n - a.shape.length).fill(1), ...a.shape];
  const bs = [...new Array(n - b.shape.length).fill(1), ...b.shape];
  const os = as.map((d, i) => Math.max(d, bs[i]!));
  const out = t(os);
  const ast = stridesOf(as), bst = stridesOf(bs), ost = stridesOf(os);
  for (let i = 0; i < out.data.length; i++) {
    let ai = 0, bi = 0;
    for (let k = 0; k < n; k++) {
      const c = Math.floor(i / ost[k]!) % os[k]!;
      if (as[k] !== 1) ai += c * ast[k]!;
      if (bs[k] !== 1) bi += c * bst[k]!;
    }
    out.data[i] = f(a.data[ai]!, b.data[bi]!);
  }
  return out;
}

function transpose(x: T, perm: number[]): T {
  const os = perm.map((p) => x.shape[p]!);
  const out = t(os);
  const xst = stridesOf(x.shape), ost = stridesOf(os);
  for (let i = 0; i < out.data.length; i++) {
    let xi = 0;
    for (let k = 0; k < os.length; k++) xi += (Math.floor(i / ost[k]!) % os[k]!) * xst[perm[k]!]!;
    out.data[i] = x.data[xi]!;
  }
  return out;
}

function matmul2(a: T, b: T, M: number, K: number, N: number, ao = 0, bo = 0, out?: Float64Array, oo = 0): Float64Array {
  const o = out ?? new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a.data[ao + i * K + k]! * b.data[bo + k * N + j]!;
      o[oo + i * N + j] = s;
    }
  return o;
}

function softmax(x: T, axis: number, log: boolean): T {
  const ax = axis < 0 ? axis + x.shape.length : axis;
  const inner = size(x.shape.slice(ax + 1)), n = x.shape[ax]!, outer = size(x.shape.slice(0, ax));
  const out = t([...x.shape]);
  for (let o = 0; o < outer; o++)
    for (let i = 0; i < inner; i++) {
      let m = -Infinity;
      for (let k = 0; k < n; k++) m = Math.max(m, x.data[(o * n + k) * inner + i]!);
      let s = 0;
      for (let k = 0; k < n; k++) s += Math.exp(x.data[(o * n + k) * inner + i]! - m);
      for (let k = 0; k < n; k++) {
        const v = x.data[(o * n + k) * inner + i]! - m;
        out.data[(o * n + k) * inner + i] = log ? v - Math.log(s) : Math.exp(v) / s;
      }
    }
  return out;
}

/** Sliding-window geometry shared by Conv and the pools (N, C, spatial...). */
function windows(xs: number[], ks: number[], a: Node['attrs']) {
  const nsp = xs.length - 2;
  const strides = (a['strides'] as number[])?.length ? (a['strides'] as number[]) : new Array(nsp).fill(1);
  const dil = (a['dilations'] as number[])?.length ? (a['dilations'] as number[]) : new Array(nsp).fill(1);
  const pads = (a['pads'] as number[])?.length ? (a['pads'] as number[]) : new Array(2 * nsp).fill(0);
  const ceil = a['ceil_mode'] === 1;
  const outSp = xs.slice(2).map((d, i) => {
    const num = d + pads[i]! + pads[i + nsp]! - (dil[i]! * (ks[i]! - 1) + 1);
    let o = (ceil ? Math.ceil(num / strides[i]!) : Math.floor(num / strides[i]!)) + 1;
    if (ceil && (o - 1) * strides[i]! >= d + pads[i]!) o--;
    return o;
  });
  return { nsp, strides, dil, pads, outSp };
}

/** Iterates all index tuples of `shape`. */
function* indices(shape: number[]): Generator<number[]> {
  const n = size(shape);
  const st = stridesOf(shape);
  for (let i = 0; i < n; i++) yield shape.map((d, k) => Math.floor(i / st[k]!) % d);
}

function conv(x: T, w: T, b: T | undefined, a: Node['attrs']): T {
  const ks = w.shape.slice(2);
  const { nsp, strides, dil, pads, outSp } = windows(x.shape, ks, a);
  const g = (a['group'] as number) ?? 1;
  const [N, C] = x.shape as [number, number];
  const M = w.shape[0]!;
  const cg = C / g, mg = M / g;
  const out = t([N, M, ...outSp]);
  const xst = stridesOf(x.shape), wst = stridesOf(w.shape);
  let oi = 0;
  for (const [n, m, ...o] of indices([N, M, ...outSp])) {
    let s = b ? b.data[m!]! : 0;
    const grp = Math.floor(m! / mg);
    for (let c = 0; c < cg; c++)
      for (const kk of indices(ks)) {
        let xi = n! * xst[0]! + (grp * cg + c) * xst[1]!;
        let ok = true;
        for (let d = 0; d < nsp; d++) {
          const p = o[d]! * strides[d]! - pads[d]! + kk[d]! * dil[d]!;
          if (p < 0 || p >= x.shape[2 + d]!) ok = false;
          xi += p * xst[2 + d]!;
        }
        if (!ok) continue;
        let wi = m! * wst[0]! + c * wst[1]!;
        for (let d = 0; d < nsp; d++) wi += kk[d]! * wst[2 + d]!;
        s += x.data[xi]! * w.data[wi]!;
      }
    out.data[oi++] = s;
  }
  return out;
}

function convTranspose(x: T, w: T, b: T | undefined, a: Node['attrs']): T {
  const ks = w.shape.slice(2);
  const nsp = ks.length;
  const strides = (a['strides'] as number[])?.length ? (a['strides'] as number[]) : new Array(nsp).fill(1);
  const dil = (a['dilations'] as number[])?.length ? (a['dilations'] as number[]) : new Array(nsp).fill(1);
  const pads = (a['pads'] as number[])?.length ? (a['pads'] as number[]) : new Array(2 * nsp).fill(0);
  const op = (a['output_padding'] as number[])?.length ? (a['output_padding'] as number[]) : new Array(nsp).fill(0);
  const g = (a['group'] as number) ?? 1;
  const [N, C] = x.shape as [number, number];
  const mg = w.shape[1]!, M = mg * g, cg = C / g;
  const outSp = x.shape.slice(2).map((d, i) => strides[i]! * (d - 1) + op[i]! + (ks[i]! - 1) * dil[i]! + 1 - pads[i]! - pads[i + nsp]!);
  const out = t([N, M, ...outSp]);
  const ost = stridesOf(out.shape), wst = stridesOf(w.shape);
  for (const [n, c, ...xi] of indices(x.shape)) {
    const xv = x.data[n! * stridesOf(x.shape)[0]! + c! * stridesOf(x.shape)[1]! + xi.reduce((s, v, d) => s + v * stridesOf(x.shape)[2 + d]!, 0)]!;
    const grp = Math.floor(c! / cg);
    for (let m = 0; m < mg; m++)
      for (const kk of indices(ks)) {
        let oi = n! * ost[0]! + (grp * mg + m) * ost[1]!;
        let ok = true;
        for (let d = 0; d < nsp; d++) {
          const p = xi[d]! * strides[d]! + kk[d]! * dil[d]! - pads[d]!;
          if (p < 0 || p >= outSp[d]!) ok = false;
          oi += p * ost[2 + d]!;
        }
        if (!ok) continue;
        let wi = c! * wst[0]! + m * wst[1]!;
        for (let d = 0; d < nsp; d++) wi += kk[d]! * wst[2 + d]!;
        out.data[oi] += xv * w.data[wi]!;
      }
  }
  if (b) for (const idx of indices(out.shape)) out.data[idx.reduce((s, v, d) => s + v * ost[d]!, 0)] += b.data[idx[1]!]!;
  return out;
}

function pool(x: T, a: Node['attrs'], max: boolean): T {
  const ks = a['kernel_shape'] as number[];
  const { nsp, strides, dil, pads, outSp } = windows(x.shape, ks, a);
  const out = t([x.shape[0]!, x.shape[1]!, ...outSp]);
  const xst = stridesOf(x.shape);
  let oi = 0;
  for (const [n, c, ...o] of indices(out.shape)) {
    let acc = max ? -Infinity : 0;
    let cnt = 0;
    for (const kk of indices(ks)) {
      let xi = n! * xst[0]! + c! * xst[1]!;
      let inside = true, inPadded = true;
      for (let d = 0; d < nsp; d++) {
        const p = o[d]! * strides[d]! - pads[d]! + kk[d]! * dil[d]!;
        if (p < 0 || p >= x.shape[2 + d]!) inside = false;
        if (p < -pads[d]! || p >= x.shape[2 + d]! + pads[d + nsp]!) inPadded = false;
        xi += p * xst[2 + d]!;
      }
      if (inside) {
        acc = max ? Math.max(acc, x.data[xi]!) : acc + x.data[xi]!;
        cnt++;
      } else if (!max && a['count_include_pad'] === 1 && inPadded) cnt++;
    }
    out.data[oi++] = max ? acc : acc / cnt;
  }
  return out;
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/** Batch-first LSTM/GRU/RNN (ONNX semantics, gate orders iofc / zrh). */
function recurrent(op: string, ins: (T | undefined)[], a: Node['attrs']): T[] {
  const [x, w, r, bias] = ins;
  const H = a['hidden_size'] as number;
  const dirs = a['direction'] === 'bidirectional' ? 2 : 1;
  const [B, S, I] = x!.shape as [number, number, number];
  const G = op === 'LSTM' ? 4 : op === 'GRU' ? 3 : 1;
  const lbr = (a['linear_before_reset'] as number) ?? 1;
  const Y = t([B, S, dirs, H]), Yh = t([B, dirs, H]), Yc = t([B, dirs, H]);
  const h0 = ins[5], c0 = ins[6];
  for (let d = 0; d < dirs; d++) {
    const reverse = a['direction'] === 'reverse' || d === 1;
    for (let bt = 0; bt < B; bt++) {
      const h = new Float64Array(H), c = new Float64Array(H);
      for (let j = 0; j < H; j++) {
        h[j] = h0 ? h0.data[(bt * dirs + d) * H + j]! : 0;
        c[j] = c0 ? c0.data[(bt * dirs + d) * H + j]! : 0;
      }
      for (let step = 0; step < S; step++) {
        const s = reverse ? S - 1 - step : step;
        const xw = new Float64Array(G * H), hr = new Float64Array(G * H);
        for (let g = 0; g < G * H; g++) {
          let v = bias ? bias.data[d * 2 * G * H + g]! : 0;
          for (let k = 0; k < I; k++) v += w!.data[(d * G * H + g) * I + k]! * x!.data[(bt * S + s) * I + k]!;
          xw[g] = v;
          let u = bias ? bias.data[d * 2 * G * H + G * H + g]! : 0;
          for (let k = 0; k < H; k++) u += r!.data[(d * G * H + g) * H + k]! * h[k]!;
          hr[g] = u;
        }
        const nh = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          if (op === 'LSTM') {
            const i = sig(xw[j]! + hr[j]!), o = sig(xw[H + j]! + hr[H + j]!), f = sig(xw[2 * H + j]! + hr[2 * H + j]!);
            const g = Math.tanh(xw[3 * H + j]! + hr[3 * H + j]!);
            c[j] = f * c[j]! + i * g;
            nh[j] = o * Math.tanh(c[j]!);
          } else if (op === 'GRU') {
            const z = sig(xw[j]! + hr[j]!), rr = sig(xw[H + j]! + hr[H + j]!);
            let hh: number;
            if (lbr) hh = Math.tanh(xw[2 * H + j]! + rr * hr[2 * H + j]!);
            else {
              let u = bias ? bias.data[d * 2 * G * H + G * H + 2 * H + j]! : 0;
              for (let k = 0; k < H; k++) u += r!.data[(d * G * H + 2 * H + j) * H + k]! * rr * h[k]!;
              hh = Math.tanh(xw[2 * H + j]! + u);
            }
            nh[j] = (1 - z) * hh + z * h[j]!;
          } else nh[j] = Math.tanh(xw[j]! + hr[j]!);
        }
        h.set(nh);
        for (let j = 0; j < H; j++) Y.data[((bt * S + s) * dirs + d) * H + j] = h[j]!;
      }
      for (let j = 0; j < H; j++) {
        Yh.data[(bt * dirs + d) * H + j] = h[j]!;
        Yc.data[(bt * dirs + d) * H + j] = c[j]!;
      }
    }
  }
  return [Y, Yh, Yc];
}

function runNode(n: Node, ins: (T | undefined)[]): T[] {
  const a = n.attrs;
  const x = ins[0]!;
  switch (n.op) {
    case 'Identity':
    case 'Dropout':
      return [x];
    case 'Relu': return [unary(x, (v) => Math.max(0, v))];
    case 'LeakyRelu': return [unary(x, (v) => (v >= 0 ? v : (a['alpha'] as number) * v))];
    case 'Elu': return [unary(x, (v) => (v >= 0 ? v : (a['alpha'] as number) * (Math.exp(v) - 1)))];
    case 'Sigmoid': return [unary(x, sig)];
    case 'Tanh': return [unary(x, Math.tanh)];
    case 'Gelu':
      return [a['approximate'] === 'tanh'
        ? unary(x, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))))
        : unary(x, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2)))];
    case 'Softmax': return [softmax(x, a['axis'] as number, false)];
    case 'LogSoftmax': return [softmax(x, a['axis'] as number, true)];
    case 'Add': return [broadcastBinary(x, ins[1]!, (p, q) => p + q)];
    case 'Sub': return [broadcastBinary(x, ins[1]!, (p, q) => p - q)];
    case 'Mul': return [broadcastBinary(x, ins[1]!, (p, q) => p * q)];
    case 'Div': return [broadcastBinary(x, ins[1]!, (p, q) => p / q)];
    case 'MatMul': {
      const b = ins[1]!;
      const K = x.shape.at(-1)!, M = x.shape.at(-2)!, N = b.shape.at(-1)!;
      const batch = size(x.shape.slice(0, -2));
      const out = new Float64Array(batch * M * N);
      const bBatched = b.shape.length > 2;
      for (let i = 0; i < batch; i++) matmul2(x, b, M, K, N, i * M * K, bBatched ? i * K * N : 0, out, i * M * N);
      return [t([...x.shape.slice(0, -1), N], out)];
    }
    case 'Gemm': {
      let A = x, B = ins[1]!;
      if (a['transA']) A = transpose(A, [1, 0]);
      if (a['transB']) B = transpose(B, [1, 0]);
      const [M, K] = A.shape as [number, number];
      const N = B.shape[1]!;
      let y = t([M, N], matmul2(A, B, M, K, N).map((v) => v * (a['alpha'] as number)));
      if (ins[2]) y = broadcastBinary(y, ins[2], (p, q) => p + (a['beta'] as number) * q);
      return [y];
    }
    case 'Conv': return [conv(x, ins[1]!, ins[2], a)];
    case 'ConvTranspose': return [convTranspose(x, ins[1]!, ins[2], a)];
    case 'MaxPool': return [pool(x, a, true)];
    case 'AveragePool': return [pool(x, a, false)];
    case 'GlobalAveragePool': {
      const [N, C] = x.shape as [number, number];
      const sp = size(x.shape.slice(2));
      const out = t([N, C, ...x.shape.slice(2).map(() => 1)]);
      for (let i = 0; i < N * C; i++) {
        let s = 0;
        for (let k = 0; k < sp; k++) s += x.data[i * sp + k]!;
        out.data[i] = s / sp;
      }
      return [out];
    }
    case 'BatchNormalization': {
      const [, sc, bb, mean, vr] = ins;
      const C = x.shape[1]!, sp = size(x.shape.slice(2));
      const out = t([...x.shape]);
      for (let i = 0; i < x.data.length; i++) {
        const c = Math.floor(i / sp) % C;
        out.data[i] = (sc!.data[c]! * (x.data[i]! - mean!.data[c]!)) / Math.sqrt(vr!.data[c]! + (a['epsilon'] as number)) + bb!.data[c]!;
      }
      return [out];
    }
    case 'LayerNormalization': {
      const ax = (a['axis'] as number) < 0 ? (a['axis'] as number) + x.shape.length : (a['axis'] as number);
      const inner = size(x.shape.slice(ax));
      const out = t([...x.shape]);
      for (let o = 0; o < x.data.length / inner; o++) {
        let m = 0;
        for (let k = 0; k < inner; k++) m += x.data[o * inner + k]!;
        m /= inner;
        let v = 0;
        for (let k = 0; k < inner; k++) v += (x.data[o * inner + k]! - m) ** 2;
        v /= inner;
        for (let k = 0; k < inner; k++) {
          const nv = (x.data[o * inner + k]! - m) / Math.sqrt(v + (a['epsilon'] as number));
          out.data[o * inner + k] = nv * ins[1]!.data[k]! + (ins[2] ? ins[2].data[k]! : 0);
        }
      }
      return [out];
    }
    case 'Flatten': {
      const ax = (a['axis'] as number) < 0 ? (a['axis'] as number) + x.shape.length : (a['axis'] as number);
      return [t([size(x.shape.slice(0, ax)), size(x.shape.slice(ax))], x.data)];
    }
    case 'Reshape': {
      const target = (a['shape'] as number[]).map((d, i) => (d === 0 ? x.shape[i]! : d));
      const known = target.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
      return [t(target.map((d) => (d === -1 ? x.data.length / known : d)), x.data)];
    }
    case 'Transpose': {
      const perm = (a['perm'] as number[]).length ? (a['perm'] as number[]) : x.shape.map((_, i) => x.shape.length - 1 - i);
      return [transpose(x, perm)];
    }
    case 'Concat': {
      const ax = (a['axis'] as number) < 0 ? (a['axis'] as number) + x.shape.length : (a['axis'] as number);
      const outer = size(x.shape.slice(0, ax));
      const parts = ins as T[];
      const shape = [...x.shape];
      shape[ax] = parts.reduce((s, p) => s + p.shape[ax]!, 0);
      const out = t(shape);
      let oi = 0;
      for (let o = 0; o < outer; o++)
        for (const p of parts) {
          const chunk = size(p.shape.slice(ax));
          out.data.set(p.data.subarray(o * chunk, (o + 1) * chunk), oi);
          oi += chunk;
        }
      return [out];
    }
    case 'Gather': {
      const idx = ins[1]!;
      if ((a['axis'] as number) !== 0) throw new Error('reference Gather: axis 0 only');
      const row = size(x.shape.slice(1));
      const out = t([...idx.shape, ...x.shape.slice(1)]);
      idx.data.forEach((v, i) => out.data.set(x.data.subarray(v * row, (v + 1) * row), i * row));
      return [out];
    }
    case 'Slice': {
      // The index list of every axis (Python's range(*slice(start, end, step).indices(n))), then a gather.
      const picks = x.shape.map((d) => Array.from({ length: d }, (_, i) => i));
      (a['starts'] as number[]).forEach((st, i) => {
        const ax = (a['axes'] as number[])[i] ?? i;
        const axis = ax < 0 ? ax + x.shape.length : ax;
        const step = (a['steps'] as number[])[i] ?? 1;
        const d = x.shape[axis]!;
        const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
        const end = (a['ends'] as number[])[i]!;
        const list: number[] = [];
        if (step > 0) for (let k = norm(st, 0, d); k < norm(end, 0, d); k += step) list.push(k);
        else for (let k = norm(st, -1, d - 1); k > norm(end, -1, d - 1); k += step) list.push(k);
        picks[axis] = list;
      });
      const out = t(picks.map((p) => p.length));
      const xst = stridesOf(x.shape);
      let oi = 0;
      for (const idx of indices(out.shape)) out.data[oi++] = x.data[idx.reduce((s, v, k) => s + picks[k]![v]! * xst[k]!, 0)]!;
      return [out];
    }
    case 'Split': {
      const axis = (a['axis'] as number) < 0 ? (a['axis'] as number) + x.shape.length : (a['axis'] as number);
      const xst = stridesOf(x.shape);
      let offset = 0;
      return (a['split'] as number[]).map((len) => {
        const shape = x.shape.map((d, k) => (k === axis ? len : d));
        const out = t(shape);
        let oi = 0;
        for (const idx of indices(shape)) out.data[oi++] = x.data[idx.reduce((s, v, k) => s + (k === axis ? v + offset : v) * xst[k]!, 0)]!;
        offset += len;
        return out;
      });
    }
    case 'LSTM':
    case 'GRU':
    case 'RNN':
      return recurrent(n.op, ins, a);
    case 'Resize': {
      const scales = a['scales'] as number[];
      if (a['mode'] !== 'nearest' || a['coordinate_transformation_mode'] !== 'asymmetric' || a['nearest_mode'] !== 'floor') throw new Error('reference Resize: nearest/asymmetric/floor only');
      const os = x.shape.map((d, i) => Math.floor(d * scales[i]!));
      const out = t(os);
      const xst = stridesOf(x.shape);
      let oi = 0;
      for (const idx of indices(os)) out.data[oi++] = x.data[idx.reduce((s, v, d) => s + Math.min(Math.floor(v / scales[d]!), x.shape[d]! - 1) * xst[d]!, 0)]!;
      return [out];
    }
    default:
      throw new Error(`reference executor: no ${n.op}`);
  }
}

/** Runs `graph` naively; returns every graph output as float32. */
export function naiveInference(graph: Graph, weights: ReadonlyMap<string, Float32Array>, inputs: Record<string, HostTensor>): Record<string, HostTensor> {
  const env = new Map<string, T>();
  for (const p of graph.params) env.set(p.name, t(p.type.shape as number[], Float64Array.from(weights.get(p.name)!)));
  for (const [k, v] of Object.entries(inputs)) env.set(k, t(v.dims, Float64Array.from(v.data as ArrayLike<number>, Number)));
  for (const n of graph.nodes) {
    const outs = runNode(n, n.inputs.map((i) => (i ? env.get(i) : undefined)));
    n.outputs.forEach((o, i) => env.set(o, outs[i]!));
  }
  const res: Record<string, HostTensor> = {};
  for (const v of graph.outputs) {
    const x = env.get(v.name)!;
    res[v.name] = { dims: x.shape, data: Float32Array.from(x.data) };
  }
  return res;
}
