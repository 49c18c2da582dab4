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
export function unifyDim(a: Dim, b: Dim, what: string): Dim {
  if (a === b) return a;
  throw new ShapeError(`${what}: ${formatDim(a)} does not match ${formatDim(b)}`);
}

/**
 * Most elements one tensor may hold: tfjs allocates each tensor as one typed array, and typed
 * arrays and WebGPU buffers are indexed with 32-bit signed integers. Checked per sample (symbolic
 * dims such as `batch` count as 1), so a model that passes `check` can hold at least one sample.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

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
