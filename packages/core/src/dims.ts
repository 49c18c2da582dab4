/** Dimension arithmetic shared by shape rules, with symbolic dims ("batch", "time"). */
import type { Dim, TensorType } from './ir.js';
import { ShapeError } from './op-schema.js';

export function formatDim(d: Dim): string {
  return typeof d === 'number' ? String(d) : d;
}

export function formatShape(shape: readonly Dim[]): string {
  return `[${shape.map(formatDim).join(', ')}]`;
}

export function formatType(t: TensorType): string {
  return t.unknown ? `${t.dtype}[?]` : `${t.dtype}${formatShape(t.shape)}`;
}

/**
 * Unifies two dims. Equal numbers or equal symbols unify; a symbol against a number is an error
 * (a declared symbolic dim must stay symbolic, otherwise exports would bake it in); different
 * symbols are an error as well.
 */
export function unifyDim(a: Dim, b: Dim, what: string | (() => string)): Dim {
  if (a === b) return a;
  throw new ShapeError(`${typeof what === 'function' ? what() : what}: ${formatDim(a)} does not match ${formatDim(b)}`);
}

/**
 * Most elements one tensor may hold: tfjs allocates each tensor as one typed array, and typed
 * arrays and WebGPU buffers are indexed with 32-bit signed integers. Checked per sample (symbolic
 * dims such as `batch` count as 1), so a model that passes `check` can hold at least one sample.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Whether the runtime can allocate a tensor of this type: unknown, or at most MAX_ELEMENTS per sample with exact dims. */
export function fitsRuntime(type: TensorType): boolean {
  if (type.unknown) return true;
  const shape = type.shape;
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number') continue;
    if (!Number.isSafeInteger(d)) return false;
    n *= d;
  }
  return n <= MAX_ELEMENTS;
}

/** Product of fixed dims; symbolic dims count as 1 (used for per-sample FLOPs and sizes). */
export function numelPerSample(shape: readonly Dim[]): number {
  let n = 1;
  for (const d of shape) if (typeof d === 'number') n *= d;
  return n;
}

/** Product of all dims, or undefined when any is symbolic. */
export function numelStatic(shape: readonly Dim[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') return undefined;
    n *= d;
  }
  return n;
}

/** NumPy/ONNX multidirectional broadcasting; the error names both shapes and the offending axis. */
export function broadcastShapes(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da === db) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else throw new ShapeError(`cannot broadcast ${formatShape(a)} with ${formatShape(b)}: dim ${i - n} is ${formatDim(da)} vs ${formatDim(db)}`);
  }
  return out;
}

/** Largest bound a slice may name; ONNX's "to the end" for positive steps (INT32_MAX, so i32 backends take it). */
export const SLICE_END = 2147483647;

/**
 * Length of `start:end:step` along a dim of size `d` with ONNX Slice semantics (negative bounds
 * count from the end; bounds clamp to the dim). For a symbolic dim the length is kept symbolic
 * when both bounds count from the same end (`1:` on `time` gives `time-1`) or when both are
 * relative to one end (`-3:` gives 3); other cases throw, since their length depends on the size.
 */
export function sliceLength(d: Dim, start: number, end: number, step: number): Dim {
  if (step === 0) throw new ShapeError('a slice step cannot be 0');
  if (typeof d === 'number') {
    const norm = (x: number, lo: number, hi: number) => Math.min(Math.max(x < 0 ? x + d : x, lo), hi);
    if (step > 0) {
      const s = norm(start, 0, d);
      const e = norm(end, 0, d);
      return Math.max(0, Math.ceil((e - s) / step));
    }
    const s = norm(start, -1, d - 1);
    const e = norm(end, -1, d - 1);
    return Math.max(0, Math.ceil((s - e) / -step));
  }
  const toEnd = step > 0 ? end >= SLICE_END : end <= -SLICE_END;
  // `time-1` less 1 is `time-2`, not `time-1-1`, so a slice of a slice equals the one slice.
  const offset = /^(.+)-(\d+)$/.exec(d);
  const base = offset ? offset[1]! : d;
  const already = offset ? Number(offset[2]) : 0;
  const minus = (k: number): Dim => (k === 0 ? d : `${base}-${already + k}`);
  let len: Dim | undefined;
  if (step > 0) {
    if (start >= 0 && toEnd) len = minus(start);
    else if (start >= 0 && end < 0) len = minus(start - end);
    else if (start < 0 && (toEnd || end < 0)) len = (toEnd ? 0 : end) - start;
    else if (start >= 0 && end >= 0) len = end - start;
  } else if (start < 0 && toEnd) len = minus(-start - 1);
  else if (start < 0 && end < 0) len = start - end;
  else if (start >= 0 && toEnd) len = start + 1;
  else if (start >= 0 && end >= 0) len = start - end;
  if (len === undefined) throw new ShapeError(`the length of slice ${start}:${end}:${step} of the symbolic dim ${d} depends on its size`);
  if (typeof len === 'number') return Math.max(0, Math.ceil(len / Math.abs(step)));
  if (Math.abs(step) !== 1) throw new ShapeError(`slice ${start}:${end}:${step} of the symbolic dim ${d} with a step other than ±1 has no symbolic length`);
  return len;
}
