// AssemblyScript helpers compiled into every kernel module (scripts/build-wasm.mjs adds this file to
// each compilation, so each module exports them too): what the glue asks about its inputs once they
// are in the module's memory, four floats at a time.

/** How many of the `len` floats at `p` are not zero (NaN counts: the sparse kernels sum it); four at a time. */
export function nonzeros(p: usize, len: i32): i32 {
  let acc = i32x4.splat(0);
  const zero = f32x4.splat(0);
  const end = p + (<usize>(len & ~3) << 2);
  for (; p < end; p += 16) acc = i32x4.sub(acc, f32x4.ne(v128.load(p), zero)); // ne is −1 per lane where true
  let count = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  for (let k = 0; k < (len & 3); k++, p += 4) count += <i32>(load<f32>(p) != 0);
  return count;
}

/** Whether all `len` floats at `p` are finite (x − x is 0 exactly for finite x, NaN otherwise). */
export function allFinite(p: usize, len: i32): bool {
  let ok = i32x4.splat(-1);
  const zero = f32x4.splat(0);
  const end = p + (<usize>(len & ~3) << 2);
  for (; p < end; p += 16) {
    const v = v128.load(p);
    ok = v128.and(ok, f32x4.eq(f32x4.sub(v, v), zero));
  }
  let finite = i32x4.all_true(ok);
  for (let k = 0; k < (len & 3); k++, p += 4) {
    const v = load<f32>(p);
    finite = finite && v - v == 0;
  }
  return finite;
}
