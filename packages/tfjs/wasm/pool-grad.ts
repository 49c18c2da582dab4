// AssemblyScript source of the WebAssembly SIMD MaxPoolGrad for 2×2 disjoint windows without
// padding (max_pool(2)), given the forward's output y (compiled by scripts/build-wasm.mjs into
// src/kernels/pool-grad-wasm.ts; the glue is src/kernels/pool-grad-simd.ts).
//
// The same rule as the JS kernel (pool-grad.ts, windows2x2FromOutput), four channels at a time:
// each window's gradient goes to the first of its cells, in row-major order, equal to the
// window's maximum y; the other three get +0. Equality masks and bitwise selects, no arithmetic
// on the gradient, so the result is bit-identical to the JS kernel (a window holding NaN, where no
// cell equals y, gets no gradient there either). The last, partial vector of a cell's channels
// writes only its own lanes (bitselect with dx's old bits): the other lanes are the next cell's.

/**
 * dx (zeroed by the caller where no window reaches) = the gradient; x and dx [N, H, W, C],
 * y and g [N, OH, OW, C]; pointers are byte addresses.
 */
export function maxPoolGrad2x2(x: usize, y: usize, g: usize, dx: usize, n: i32, h: i32, w: i32, c: i32, oh: i32, ow: i32): void {
  const cell = <usize>c << 2;
  const rowBytes = <usize>w * cell;
  const full = c & ~3;
  const keep = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(c - full));
  let yw: usize = 0; // byte offset of the window's channels in y and g
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      let p0 = (<usize>b * <usize>h + (<usize>i << 1)) * rowBytes;
      for (let j = 0; j < ow; j++, p0 += cell << 1, yw += cell) {
        for (let ch = 0; ch < c; ch += 4) {
          const yo = yw + (<usize>ch << 2);
          const q0 = p0 + (<usize>ch << 2);
          const q1 = q0 + cell;
          const q2 = q0 + rowBytes;
          const q3 = q2 + cell;
          const m = v128.load(y + yo);
          const gv = v128.load(g + yo);
          const e0 = f32x4.eq(v128.load(x + q0), m);
          const e1 = v128.andnot(f32x4.eq(v128.load(x + q1), m), e0);
          const seen = v128.or(e0, e1);
          const e2 = v128.andnot(f32x4.eq(v128.load(x + q2), m), seen);
          const e3 = v128.andnot(f32x4.eq(v128.load(x + q3), m), v128.or(seen, e2));
          if (ch < full) {
            v128.store(dx + q0, v128.and(gv, e0));
            v128.store(dx + q1, v128.and(gv, e1));
            v128.store(dx + q2, v128.and(gv, e2));
            v128.store(dx + q3, v128.and(gv, e3));
          } else {
            v128.store(dx + q0, v128.bitselect(v128.and(gv, e0), v128.load(dx + q0), keep));
            v128.store(dx + q1, v128.bitselect(v128.and(gv, e1), v128.load(dx + q1), keep));
            v128.store(dx + q2, v128.bitselect(v128.and(gv, e2), v128.load(dx + q2), keep));
            v128.store(dx + q3, v128.bitselect(v128.and(gv, e3), v128.load(dx + q3), keep));
          }
        }
      }
    }
  }
}
