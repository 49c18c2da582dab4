/**
 * Naive reference implementations in plain JS (NCHW, float64 accumulation), written straight from
 * the ONNX definitions, to check the lowerings' numbers independently of tfjs.
 */

/** ONNX Conv, 2-D: x [N,C,H,W], w [M,C/g,kh,kw], pads [t,l,b,r]. */
export function refConv2d(
  x: Float32Array, xs: number[], w: Float32Array, ws: number[], b: Float32Array | undefined,
  strides: number[], pads: number[], dil: number[], group: number,
): { data: Float32Array; shape: number[] } {
  const [n, c, h, wd] = xs as [number, number, number, number];
  const [m, cg, kh, kw] = ws as [number, number, number, number];
  const oh = Math.floor((h + pads[0]! + pads[2]! - dil[0]! * (kh - 1) - 1) / strides[0]!) + 1;
  const ow = Math.floor((wd + pads[1]! + pads[3]! - dil[1]! * (kw - 1) - 1) / strides[1]!) + 1;
  const out = new Float32Array(n * m * oh * ow);
  const mg = m / group;
  for (let ni = 0; ni < n; ni++)
    for (let mi = 0; mi < m; mi++) {
      const g = Math.floor(mi / mg);
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let s = b ? b[mi]! : 0;
          for (let ci = 0; ci < cg; ci++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const y = i * strides[0]! - pads[0]! + u * dil[0]!;
                const xx = j * strides[1]! - pads[1]! + v * dil[1]!;
                if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
                s += x[((ni * c + g * cg + ci) * h + y) * wd + xx]! * w[((mi * cg + ci) * kh + u) * kw + v]!;
              }
          out[((ni * m + mi) * oh + i) * ow + j] = s;
        }
    }
  return { data: out, shape: [n, m, oh, ow] };
}

export function refMaxPool2d(x: Float32Array, xs: number[], k: number[], s: number[]): { data: Float32Array; shape: number[] } {
  const [n, c, h, w] = xs as [number, number, number, number];
  const oh = Math.floor((h - k[0]!) / s[0]!) + 1;
  const ow = Math.floor((w - k[1]!) / s[1]!) + 1;
  const out = new Float32Array(n * c * oh * ow);
  for (let p = 0; p < n * c; p++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let best = -Infinity;
        for (let u = 0; u < k[0]!; u++) for (let v = 0; v < k[1]!; v++) best = Math.max(best, x[(p * h + i * s[0]! + u) * w + j * s[1]! + v]!);
        out[(p * oh + i) * ow + j] = best;
      }
  return { data: out, shape: [n, c, oh, ow] };
}

export const refRelu = (x: Float32Array) => x.map((v) => Math.max(0, v));

/** y = x · wᵀ + b, x [n,k], w [m,k]. */
export function refDense(x: Float32Array, n: number, k: number, w: Float32Array, m: number, b: Float32Array): Float32Array {
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = b[j]!;
      for (let t = 0; t < k; t++) s += x[i * k + t]! * w[j * k + t]!;
      out[i * m + j] = s;
    }
  return out;
}

export function refLogSoftmax(x: Float32Array, n: number, m: number): Float32Array {
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let j = 0; j < m; j++) mx = Math.max(mx, x[i * m + j]!);
    let s = 0;
    for (let j = 0; j < m; j++) s += Math.exp(x[i * m + j]! - mx);
    for (let j = 0; j < m; j++) out[i * m + j] = x[i * m + j]! - mx - Math.log(s);
  }
  return out;
}

const sig = (v: number) => 1 / (1 + Math.exp(-v));

/**
 * ONNX LSTM (one direction, batch-first): x [B,S,I], w [4H,I], r [4H,H], bias [8H], gates i,o,f,c.
 * Returns Y [B,S,H] and the final h, c.
 */
export function refLstm(x: Float32Array, bsz: number, seq: number, inp: number, w: Float32Array, r: Float32Array, bias: Float32Array, hid: number, reverse = false) {
  const y = new Float32Array(bsz * seq * hid);
  const hOut = new Float32Array(bsz * hid);
  const cOut = new Float32Array(bsz * hid);
  for (let b = 0; b < bsz; b++) {
    let h = new Float64Array(hid);
    let c = new Float64Array(hid);
    for (let st = 0; st < seq; st++) {
      const t = reverse ? seq - 1 - st : st;
      const g = new Float64Array(4 * hid);
      for (let q = 0; q < 4 * hid; q++) {
        let s = bias[q]! + bias[4 * hid + q]!;
        for (let k = 0; k < inp; k++) s += x[(b * seq + t) * inp + k]! * w[q * inp + k]!;
        for (let k = 0; k < hid; k++) s += h[k]! * r[q * hid + k]!;
        g[q] = s;
      }
      const nh = new Float64Array(hid);
      const nc = new Float64Array(hid);
      for (let k = 0; k < hid; k++) {
        const i = sig(g[k]!), o = sig(g[hid + k]!), f = sig(g[2 * hid + k]!), cc = Math.tanh(g[3 * hid + k]!);
        nc[k] = f * c[k]! + i * cc;
        nh[k] = o * Math.tanh(nc[k]!);
        y[(b * seq + t) * hid + k] = nh[k]!;
      }
      h = nh;
      c = nc;
    }
    for (let k = 0; k < hid; k++) {
      hOut[b * hid + k] = h[k]!;
      cOut[b * hid + k] = c[k]!;
    }
  }
  return { y, h: hOut, c: cOut };
}

/** ONNX GRU, linear_before_reset = 1 (PyTorch), one direction, batch-first; gates z, r, h. */
export function refGru(x: Float32Array, bsz: number, seq: number, inp: number, w: Float32Array, r: Float32Array, bias: Float32Array, hid: number) {
  const y = new Float32Array(bsz * seq * hid);
  for (let b = 0; b < bsz; b++) {
    let h = new Float64Array(hid);
    for (let t = 0; t < seq; t++) {
      const xw = new Float64Array(3 * hid);
      const hr = new Float64Array(3 * hid);
      for (let q = 0; q < 3 * hid; q++) {
        let s = bias[q]!;
        for (let k = 0; k < inp; k++) s += x[(b * seq + t) * inp + k]! * w[q * inp + k]!;
        xw[q] = s;
        let u = bias[3 * hid + q]!;
        for (let k = 0; k < hid; k++) u += h[k]! * r[q * hid + k]!;
        hr[q] = u;
      }
      const nh = new Float64Array(hid);
      for (let k = 0; k < hid; k++) {
        const z = sig(xw[k]! + hr[k]!);
        const rr = sig(xw[hid + k]! + hr[hid + k]!);
        const cand = Math.tanh(xw[2 * hid + k]! + rr * hr[2 * hid + k]!);
        nh[k] = (1 - z) * cand + z * h[k]!;
        y[(b * seq + t) * hid + k] = nh[k]!;
      }
      h = nh;
    }
  }
  return { y };
}
