// AssemblyScript source of the WebAssembly SIMD input gradient of a convolution (compiled by
// scripts/build-wasm.mjs into src/kernels/input-grad-wasm.ts; the glue is src/kernels/input-grad-simd.ts).
//
// dx[n, i·sh + u − top, j·sw + v − left, c] += Σ_m dy[n, i, j, m] · F[u, v, c, m], output position
// by output position (i, j): the window's gradient cols[u, v, c] = Σ_m dy[m] · Fᵀ[m][u, v, c] is
// summed in v128 registers over the position's NONZERO dy channels only, then added into dx. After
// max_pool and relu most of dy is exact zeros (a 2×2 max pool's gradient has at most one nonzero
// per window and channel): the zero ones are skipped, and a position with none is skipped whole.
// Skipping adds nothing that the dense sum would not: 0·F is ±0, and x + ±0 = x, except for a
// non-finite F, where 0·F is NaN: the glue then asks for every entry (`skipZeros` 0).
//
// Layout: dx (padded where the convolution pads) holds rows of `cols` cells of C floats; the
// window of a position spans `runs` rows, each `l` contiguous floats (kw·C, dilation 1) at byte
// offset runOffs[r] from the window's corner. Fᵀ is [M][runs][lp] (lp = l rounded up to 4, zero
// padded), `filterRow` bytes per m. The run is summed 8, 4, then 1 vector(s) at a time; its last,
// partial vector adds only its first l mod 4 lanes (bitselect keeps the other lanes' old dx bits:
// they belong to other cells, and the lanes' products, 0 · dy, may be NaN when dy is infinite).
// `list` is scratch of 2·M words: byte offsets of the nonzero channels' Fᵀ rows, then their dy values.

// Sums 8 vectors (32 floats) of a run over the listed channels and adds them into dx at `dst`.
@inline function run8(dst: usize, f: usize, list: usize, vals: usize, count: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
  for (let t = 0; t < count; t++) {
    const p = f + <usize>load<u32>(list + (<usize>t << 2));
    const s = v128.load32_splat(vals + (<usize>t << 2));
    a0 = f32x4.add(a0, f32x4.mul(s, v128.load(p)));
    a1 = f32x4.add(a1, f32x4.mul(s, v128.load(p, 16)));
    a2 = f32x4.add(a2, f32x4.mul(s, v128.load(p, 32)));
    a3 = f32x4.add(a3, f32x4.mul(s, v128.load(p, 48)));
    a4 = f32x4.add(a4, f32x4.mul(s, v128.load(p, 64)));
    a5 = f32x4.add(a5, f32x4.mul(s, v128.load(p, 80)));
    a6 = f32x4.add(a6, f32x4.mul(s, v128.load(p, 96)));
    a7 = f32x4.add(a7, f32x4.mul(s, v128.load(p, 112)));
  }
  v128.store(dst, f32x4.add(v128.load(dst), a0));
  v128.store(dst, f32x4.add(v128.load(dst, 16), a1), 16);
  v128.store(dst, f32x4.add(v128.load(dst, 32), a2), 32);
  v128.store(dst, f32x4.add(v128.load(dst, 48), a3), 48);
  v128.store(dst, f32x4.add(v128.load(dst, 64), a4), 64);
  v128.store(dst, f32x4.add(v128.load(dst, 80), a5), 80);
  v128.store(dst, f32x4.add(v128.load(dst, 96), a6), 96);
  v128.store(dst, f32x4.add(v128.load(dst, 112), a7), 112);
}

// The same for 4 vectors (16 floats).
@inline function run4(dst: usize, f: usize, list: usize, vals: usize, count: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let t = 0; t < count; t++) {
    const p = f + <usize>load<u32>(list + (<usize>t << 2));
    const s = v128.load32_splat(vals + (<usize>t << 2));
    a0 = f32x4.add(a0, f32x4.mul(s, v128.load(p)));
    a1 = f32x4.add(a1, f32x4.mul(s, v128.load(p, 16)));
    a2 = f32x4.add(a2, f32x4.mul(s, v128.load(p, 32)));
    a3 = f32x4.add(a3, f32x4.mul(s, v128.load(p, 48)));
  }
  v128.store(dst, f32x4.add(v128.load(dst), a0));
  v128.store(dst, f32x4.add(v128.load(dst, 16), a1), 16);
  v128.store(dst, f32x4.add(v128.load(dst, 32), a2), 32);
  v128.store(dst, f32x4.add(v128.load(dst, 48), a3), 48);
}

// One vector; only the lanes set in `keep` are added (the others keep dx's bits).
@inline function run1(dst: usize, f: usize, list: usize, vals: usize, count: i32, keep: v128): void {
  let a0 = f32x4.splat(0);
  for (let t = 0; t < count; t++) {
    const p = f + <usize>load<u32>(list + (<usize>t << 2));
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(vals + (<usize>t << 2)), v128.load(p)));
  }
  const old = v128.load(dst);
  v128.store(dst, v128.bitselect(f32x4.add(old, a0), old, keep));
}

/**
 * dx += the input gradient (dx zeroed by the caller). Pointers and strides are byte addresses and
 * counts: `imageStride` between images of dx, `rowStride` between the window corners of
 * consecutive output rows (sh·cols·C·4), `colStride` of consecutive output columns (sw·C·4).
 * Returns how many dy entries were summed (the nonzero ones, or all with `skipZeros` 0).
 */
export function inputGrad(dy: usize, ft: usize, dx: usize, runOffs: usize, list: usize, n: i32, oh: i32, ow: i32, m: i32, imageStride: usize, rowStride: usize, colStride: usize, runs: i32, l: i32, filterRow: usize, skipZeros: i32): i32 {
  const vals = list + (<usize>m << 2);
  const runBytes = <usize>((l + 3) & ~3) << 2;
  const all = skipZeros ? 0 : 1;
  const full = l & ~3;
  const keep = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(l - full));
  let d = dy;
  let summed = 0;
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      let corner = dx + <usize>b * imageStride + <usize>i * rowStride;
      for (let j = 0; j < ow; j++, corner += colStride) {
        // The channels to sum, without a data-dependent branch: every entry is written, the
        // count moves past it only when it is nonzero (NaN and ±Infinity count as nonzero).
        let count = 0;
        for (let q = 0; q < m; q++, d += 4) {
          const v = load<f32>(d);
          store<u32>(list + (<usize>count << 2), <u32>(<usize>q * filterRow));
          store<f32>(vals + (<usize>count << 2), v);
          count += all | <i32>(v != 0);
        }
        if (count == 0) continue;
        summed += count;
        for (let r = 0; r < runs; r++) {
          const row = corner + <usize>load<u32>(runOffs + (<usize>r << 2));
          const f = ft + <usize>r * runBytes;
          let k = 0;
          for (; k + 32 <= l; k += 32) run8(row + (<usize>k << 2), f + (<usize>k << 2), list, vals, count);
          for (; k + 16 <= l; k += 16) run4(row + (<usize>k << 2), f + (<usize>k << 2), list, vals, count);
          for (; k + 4 <= l; k += 4) run1(row + (<usize>k << 2), f + (<usize>k << 2), list, vals, count, i32x4.splat(-1));
          if (k < l) run1(row + (<usize>k << 2), f + (<usize>k << 2), list, vals, count, keep);
        }
      }
    }
  }
  return summed;
}
