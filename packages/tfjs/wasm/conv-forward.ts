// AssemblyScript source of the WebAssembly SIMD forward convolution with its bias (compiled by
// scripts/build-wasm.mjs into src/kernels/conv-forward-wasm.ts; the glue is src/kernels/conv-forward-simd.ts).
//
// y[n, i, j, m] = bias[m] + Σ_{u, v, c} x[n, i·sh + u − top, j·sw + v − left, c] · F[u, v, c, m]
// (NHWC, dilation 1). Output channels lie in v128 lanes: the filter is packed in blocks of 8
// channels (the last block 4 or 8 lanes, zero padded), block-major: [block][kh][kw·C][lanes], so
// that a window's row is `len` consecutive taps, each one broadcast x value times 1 or 2 filter
// vectors. Four neighbouring output pixels of a row (windows wholly inside the input in width)
// share each filter load; pixels at the left and right edges run one at a time with their taps
// clipped to the input (taps outside are dropped, not multiplied by zero: a non-finite filter value
// then gives what the definition gives, not 0·∞ = NaN). Rows of taps outside the input are
// clipped likewise. Each output is bias + the taps in (u, v, c) order, in float32.
//
// Stores are whole vectors: a block past channel M writes into the next pixel's first channels.
// So each pixel (or group of four) writes its last, partial block first and its full blocks after,
// and pixels go in memory order: every spilled lane is rewritten later by its own pixel (the last
// pixel's spill lands in the 32 bytes of slack the glue leaves after y).

// Four pixels × 8 channels: 8 accumulators, 2 filter vectors per tap.
@inline function quad8(x: usize, xPix: usize, xRow: usize, f: usize, fRow: usize, rows: i32, len: i32, bias: usize, y: usize, yPix: usize): void {
  const b0 = v128.load(bias), b1 = v128.load(bias, 16);
  let a0 = b0, a1 = b1, c0 = b0, c1 = b1, d0 = b0, d1 = b1, e0 = b0, e1 = b1;
  for (let r = 0; r < rows; r++, x += xRow, f += fRow) {
    let xp = x, fp = f;
    for (let t = 0; t < len; t++, xp += 4, fp += 32) {
      const w0 = v128.load(fp), w1 = v128.load(fp, 16);
      let s = v128.load32_splat(xp);
      a0 = f32x4.add(a0, f32x4.mul(s, w0));
      a1 = f32x4.add(a1, f32x4.mul(s, w1));
      s = v128.load32_splat(xp + xPix);
      c0 = f32x4.add(c0, f32x4.mul(s, w0));
      c1 = f32x4.add(c1, f32x4.mul(s, w1));
      s = v128.load32_splat(xp + 2 * xPix);
      d0 = f32x4.add(d0, f32x4.mul(s, w0));
      d1 = f32x4.add(d1, f32x4.mul(s, w1));
      s = v128.load32_splat(xp + 3 * xPix);
      e0 = f32x4.add(e0, f32x4.mul(s, w0));
      e1 = f32x4.add(e1, f32x4.mul(s, w1));
    }
  }
  v128.store(y, a0);
  v128.store(y, a1, 16);
  y += yPix;
  v128.store(y, c0);
  v128.store(y, c1, 16);
  y += yPix;
  v128.store(y, d0);
  v128.store(y, d1, 16);
  y += yPix;
  v128.store(y, e0);
  v128.store(y, e1, 16);
}

// Four pixels × 4 channels.
@inline function quad4(x: usize, xPix: usize, xRow: usize, f: usize, fRow: usize, rows: i32, len: i32, bias: usize, y: usize, yPix: usize): void {
  const b0 = v128.load(bias);
  let a0 = b0, c0 = b0, d0 = b0, e0 = b0;
  for (let r = 0; r < rows; r++, x += xRow, f += fRow) {
    let xp = x, fp = f;
    for (let t = 0; t < len; t++, xp += 4, fp += 16) {
      const w0 = v128.load(fp);
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), w0));
      c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(xp + xPix), w0));
      d0 = f32x4.add(d0, f32x4.mul(v128.load32_splat(xp + 2 * xPix), w0));
      e0 = f32x4.add(e0, f32x4.mul(v128.load32_splat(xp + 3 * xPix), w0));
    }
  }
  v128.store(y, a0);
  v128.store(y + yPix, c0);
  v128.store(y + 2 * yPix, d0);
  v128.store(y + 3 * yPix, e0);
}

// One pixel × 8 channels.
@inline function one8(x: usize, xRow: usize, f: usize, fRow: usize, rows: i32, len: i32, bias: usize, y: usize): void {
  let a0 = v128.load(bias), a1 = v128.load(bias, 16);
  for (let r = 0; r < rows; r++, x += xRow, f += fRow) {
    let xp = x, fp = f;
    for (let t = 0; t < len; t++, xp += 4, fp += 32) {
      const s = v128.load32_splat(xp);
      a0 = f32x4.add(a0, f32x4.mul(s, v128.load(fp)));
      a1 = f32x4.add(a1, f32x4.mul(s, v128.load(fp, 16)));
    }
  }
  v128.store(y, a0);
  v128.store(y, a1, 16);
}

// One pixel × 4 channels.
@inline function one4(x: usize, xRow: usize, f: usize, fRow: usize, rows: i32, len: i32, bias: usize, y: usize): void {
  let a0 = v128.load(bias);
  for (let r = 0; r < rows; r++, x += xRow, f += fRow) {
    let xp = x, fp = f;
    for (let t = 0; t < len; t++, xp += 4, fp += 16) a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp), v128.load(fp)));
  }
  v128.store(y, a0);
}

/**
 * y = conv(x, F) + bias. Byte addresses: x [N, H, W, C], the packed filter `f` (the module
 * comment; `full` blocks of 8 lanes, then a last block of `lastLanes` (0, 4 or 8) lanes), the bias
 * padded the same way, y [N, OH, OW, M]. Output columns [jLo, jHi) have their windows inside the
 * input in width (the glue computes them).
 */
export function convForward(x: usize, f: usize, bias: usize, y: usize, n: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32, kh: i32, kw: i32, m: i32, sh: i32, sw: i32, top: i32, left: i32, full: i32, lastLanes: i32, jLo: i32, jHi: i32): void {
  const tapBytes = <usize>(kw * c) << 2; // one row of x under a window, and the x step between rows
  const xRow = <usize>(w * c) << 2;
  const xPix = <usize>(sw * c) << 2;
  const yPix = <usize>m << 2;
  const fRow8 = tapBytes << 3; // a row of taps of one block: kw·C taps × 8 lanes × 4 bytes
  const fRow4 = tapBytes << 2;
  const block8 = <usize>kh * fRow8;
  const last = f + <usize>full * block8;
  const lastBias = bias + (<usize>full << 5);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      const hi = i * sh - top;
      const u0 = hi < 0 ? -hi : 0;
      const u1 = h - hi < kh ? h - hi : kh;
      const rows = u1 - u0;
      const xRowStart = x + (<usize>(b * h + hi + u0) * xRow); // wraps when rows ≤ 0: then nothing is read
      let yp = y + (<usize>((b * oh + i) * ow) << 2) * <usize>m;
      let j = 0;
      while (j < ow) {
        const wi = j * sw - left;
        if (j >= jLo && j + 4 <= jHi) {
          // Four pixels with every tap of the window's width inside the input.
          const xp = xRowStart + (<usize>(wi * c) << 2);
          if (lastLanes == 8) quad8(xp, xPix, xRow, last + <usize>u0 * fRow8, fRow8, rows, kw * c, lastBias, yp + (<usize>full << 5), yPix);
          else if (lastLanes == 4) quad4(xp, xPix, xRow, last + <usize>u0 * fRow4, fRow4, rows, kw * c, lastBias, yp + (<usize>full << 5), yPix);
          for (let k = 0; k < full; k++) quad8(xp, xPix, xRow, f + <usize>k * block8 + <usize>u0 * fRow8, fRow8, rows, kw * c, bias + (<usize>k << 5), yp + (<usize>k << 5), yPix);
          j += 4;
          yp += yPix << 2;
          continue;
        }
        const v0 = wi < 0 ? -wi : 0;
        const v1 = w - wi < kw ? w - wi : kw;
        const len = v1 > v0 ? (v1 - v0) * c : 0;
        const xp = xRowStart + (<usize>((wi + v0) * c) << 2);
        const tap = <usize>(u0 * kw * c + v0 * c);
        if (lastLanes == 8) one8(xp, xRow, last + (tap << 5), fRow8, rows, len, lastBias, yp + (<usize>full << 5));
        else if (lastLanes == 4) one4(xp, xRow, last + (tap << 4), fRow4, rows, len, lastBias, yp + (<usize>full << 5));
        for (let k = 0; k < full; k++) one8(xp, xRow, f + <usize>k * block8 + (tap << 5), fRow8, rows, len, bias + (<usize>k << 5), yp + (<usize>k << 5));
        j++;
        yp += yPix;
      }
    }
  }
}
