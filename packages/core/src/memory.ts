/**
 * How much memory running a model takes, estimated from its IR before anything is allocated, so
 * export, train and predict can refuse a model that cannot fit with a diagnostic that names the
 * biggest tensor and its layer, instead of dying in the allocator minutes later.
 *
 * The estimate counts parameters (and, for training, their gradients and the optimizer's
 * per-parameter state) plus every intermediate value of one batch (training keeps them all for
 * the backward pass; inference is bounded by the same sum). It is an upper bound in the spirit of
 * "will this obviously not fit", not a profiler.
 */
import { diag, type Diagnostic } from './diagnostics.js';
import type { DType, Graph, SourceSpan, TensorType } from './ir.js';
import { formatType } from './dims.js';

const BYTES: Record<DType, number> = { f32: 4, i32: 4, i64: 8, bool: 1 };

export interface MemoryOptions {
  /** Value of the `batch` dim (default 1). */
  batch?: number;
  /** Values of other symbolic dims such as `time` (default 1 each). */
  dims?: Record<string, number>;
  /** Training: gradients and activations for the backward pass are counted. */
  training?: boolean;
  /** Tensors the optimizer keeps per parameter (sgd 0, momentum 1, adam 2). Training only. */
  optimizerSlots?: number;
  /** Count intermediate values (default true; an export writes weights only). */
  activations?: boolean;
}

export interface TensorSize {
  /** 'parameter dense_1.weight' or 'output of conv_1/conv'. */
  what: string;
  /** The layer instance path (`block_1/dense_2`). */
  layer: string;
  type: TensorType;
  bytes: number;
  span?: SourceSpan;
}

export interface MemoryEstimate {
  paramBytes: number;
  /** Gradients plus optimizer state (0 for inference). */
  optimizerBytes: number;
  /** Intermediate values of one batch. */
  activationBytes: number;
  totalBytes: number;
  /** The single largest tensor, the one to shrink first. */
  largest?: TensorSize;
}

function bytesOf(t: TensorType, opts: MemoryOptions): number {
  if (t.unknown) return 0;
  let n = BYTES[t.dtype] ?? 4;
  for (const d of t.shape) n *= typeof d === 'number' ? d : d === 'batch' ? (opts.batch ?? 1) : (opts.dims?.[d] ?? 1);
  return n;
}

export function estimateMemory(graph: Graph, opts: MemoryOptions = {}): MemoryEstimate {
  let largest: TensorSize | undefined;
  const consider = (s: TensorSize) => {
    if (!largest || s.bytes > largest.bytes) largest = s;
  };
  let paramBytes = 0;
  let trainableBytes = 0;
  for (const p of graph.params) {
    const bytes = bytesOf(p.type, opts);
    paramBytes += bytes;
    if (p.trainable && !p.buffer) trainableBytes += bytes;
    consider({ what: `parameter ${p.name}`, layer: p.scope.join('/'), type: p.type, bytes, ...(p.span ? { span: p.span } : {}) });
  }
  const producers = new Map<string, Graph['nodes'][number]>();
  for (const n of graph.nodes) for (const o of n.outputs) producers.set(o, n);
  let activationBytes = 0;
  for (const v of opts.activations === false ? [] : [...graph.inputs, ...graph.values]) {
    const bytes = bytesOf(v.type, opts);
    activationBytes += bytes;
    const node = producers.get(v.name);
    consider({ what: node ? `output of ${node.id}` : `input ${v.name}`, layer: node?.scope.join('/') ?? v.name, type: v.type, bytes, ...(node?.span ? { span: node.span } : {}) });
  }
  const optimizerBytes = opts.training ? trainableBytes * (1 + (opts.optimizerSlots ?? 2)) : 0;
  // Training keeps every activation and a gradient of each for the backward pass.
  const activations = opts.training ? activationBytes * 2 : activationBytes;
  return { paramBytes, optimizerBytes, activationBytes: activations, totalBytes: paramBytes + optimizerBytes + activations, ...(largest ? { largest } : {}) };
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${n.toFixed(1)} ${units[i]}`;
}

/**
 * DLM5080 when running `graph` for `purpose` ("training", "prediction", "export") would need more
 * than `limitBytes`; empty when it fits. The hook for every command that allocates a model.
 */
export function checkMemory(graph: Graph, purpose: string, limitBytes: number, opts: MemoryOptions = {}): Diagnostic[] {
  const e = estimateMemory(graph, opts);
  if (e.totalBytes <= limitBytes) return [];
  const parts = [`parameters ${formatBytes(e.paramBytes)}`, ...(e.optimizerBytes ? [`gradients and optimizer state ${formatBytes(e.optimizerBytes)}`] : []), ...(opts.activations === false ? [] : [`activations of a batch of ${opts.batch ?? 1} ${formatBytes(e.activationBytes)}`])];
  const notes = e.largest ? [{ message: `the largest tensor is the ${e.largest.what} (${formatType(e.largest.type)}, ${formatBytes(e.largest.bytes)})${e.largest.layer ? ` in layer ${e.largest.layer}` : ''}`, ...(e.largest.span ? { span: e.largest.span } : {}) }] : [];
  return [diag('DLM5080', [graph.name, purpose, formatBytes(e.totalBytes), parts.join(', '), formatBytes(limitBytes)], graph.span, notes)];
}
