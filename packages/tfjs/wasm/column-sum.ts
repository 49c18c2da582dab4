// AssemblyScript source of the WebAssembly SIMD column sums (compiled by scripts/build-wasm.mjs
// into src/kernels/column-sum-wasm.ts; the glue is src/kernels/column-sum-simd.ts): Sum over all
// axes but the last, e.g. a conv's bias gradient (dy [N, H, W, C] → [C]).
//
// out[c] = Σ_r x[r, c], one float32 running sum per column, rows in order: the order of
// tfjs-backend-wasm's Sum, which transposes x to [C, rows] and sums each row front to back, so
// the result is bit-identical, without the transpose. Columns go 16 (4 vectors) at a time, then
// the last 1–3 vectors in one pass; a row's last, partial vector reads into the next row (or the
// glue's 64 bytes of slack): those lanes land in out's padding, which the glue drops.

/** out [cols rounded up to 4] = the column sums of x [rows, cols]; byte addresses. */
export function columnSums(x: usize, out: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  const vectors = (cols + 3) >> 2;
  let v = 0;
  for (; v + 4 <= vectors; v += 4) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let p = x + (<usize>v << 4);
    for (let r = 0; r < rows; r++, p += rowBytes) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
      a3 = f32x4.add(a3, v128.load(p, 48));
    }
    const o = out + (<usize>v << 4);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  if (v < vectors) {
    // 1–3 vectors left: three sums, the ones past the last vector unused.
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
    let p = x + (<usize>v << 4);
    for (let r = 0; r < rows; r++, p += rowBytes) {
      a0 = f32x4.add(a0, v128.load(p));
      a1 = f32x4.add(a1, v128.load(p, 16));
      a2 = f32x4.add(a2, v128.load(p, 32));
    }
    const o = out + (<usize>v << 4);
    v128.store(o, a0);
    if (v + 1 < vectors) v128.store(o, a1, 16);
    if (v + 2 < vectors) v128.store(o, a2, 32);
  }
}
