/**
 * Parameter initialization from the IR alone: every backend (and every test) gets the same
 * initial values for the same seed, so a model trained on tfjs can be compared with a run
 * elsewhere and a checkpoint-free re-run reproduces exactly.
 *
 * Each parameter draws from its own stream, keyed by the seed and the parameter's name, so adding
 * or reordering layers does not change the values of the others.
 */
import type { Graph, Initializer, InitializerKind, Param } from './ir.js';

export const INITIALIZER_KINDS: readonly InitializerKind[] = [
  'zeros',
  'ones',
  'constant',
  'uniform',
  'normal',
  'glorot_uniform',
  'glorot_normal',
  'he_uniform',
  'he_normal',
  'lecun_uniform',
  'lecun_normal',
  'torch_default',
  'orthogonal',
  'sinusoidal',
];

/** A seeded stream of uniform and normal floats (splitmix32 → 32-bit uniforms, Box–Muller normals). */
export class RandomStream {
  private state: number;
  private spare: number | undefined;

  constructor(seed: number, key = '') {
    // Mix the seed's low and high 32 bits with an FNV-1a hash of the key.
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) {
      h ^= key.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    this.state = mix32(mix32(lo ^ 0x2545f491) ^ hi ^ mix32(h));
  }

  /** Next 32-bit unsigned integer (splitmix32). */
  nextU32(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    return mix32(this.state);
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Standard normal via Box–Muller (both values of a pair are used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spare = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }
}

function mix32(x: number): number {
  let t = x ^ (x >>> 16);
  t = Math.imul(t, 0x21f0aafd);
  t ^= t >>> 15;
  t = Math.imul(t, 0x735a2d97);
  return (t ^ (t >>> 15)) >>> 0;
}

/**
 * fan_in and fan_out: from the initializer's args when the layer set them, otherwise from the
 * shape with PyTorch's convention (fan_in = shape[1]·receptive field, fan_out = shape[0]·receptive
 * field), which is right for dense [out, in] and conv [out, in/groups, k…] weights.
 */
export function fansOf(init: Initializer, shape: readonly number[]): { fanIn: number; fanOut: number } {
  let fanIn: number;
  let fanOut: number;
  if (shape.length === 0) fanIn = fanOut = 1;
  else if (shape.length === 1) fanIn = fanOut = shape[0]!;
  else {
    const receptive = shape.slice(2).reduce((a, b) => a * b, 1);
    fanIn = shape[1]! * receptive;
    fanOut = shape[0]! * receptive;
  }
  return { fanIn: init.args['fan_in'] ?? fanIn, fanOut: init.args['fan_out'] ?? fanOut };
}

/** Fills one tensor of `shape` as `init` says, drawing from `rng`. */
export function initializeTensor(init: Initializer, shape: readonly number[], rng: RandomStream): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const a = init.args;
  const { fanIn, fanOut } = fansOf(init, shape);
  const gain = a['gain'] ?? 1;
  const uniform = (lo: number, hi: number) => {
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rng.uniform();
  };
  const normal = (mean: number, std: number) => {
    for (let i = 0; i < n; i++) out[i] = mean + std * rng.normal();
  };
  switch (init.kind) {
    case 'zeros':
      break;
    case 'ones':
      out.fill(1);
      break;
    case 'constant':
      out.fill(a['value'] ?? 0);
      break;
    case 'uniform': // torch.nn.init.uniform_ defaults
      uniform(a['low'] ?? 0, a['high'] ?? 1);
      break;
    case 'normal': // torch.nn.init.normal_ defaults
      normal(a['mean'] ?? 0, a['std'] ?? 1);
      break;
    case 'glorot_uniform': {
      const limit = gain * Math.sqrt(6 / (fanIn + fanOut));
      uniform(-limit, limit);
      break;
    }
    case 'glorot_normal':
      normal(0, gain * Math.sqrt(2 / (fanIn + fanOut)));
      break;
    case 'he_uniform': {
      const limit = Math.sqrt(6 / fanIn);
      uniform(-limit, limit);
      break;
    }
    case 'he_normal':
      normal(0, Math.sqrt(2 / fanIn));
      break;
    case 'lecun_uniform': {
      const limit = Math.sqrt(3 / fanIn);
      uniform(-limit, limit);
      break;
    }
    case 'lecun_normal':
      normal(0, Math.sqrt(1 / fanIn));
      break;
    case 'torch_default': {
      const bound = 1 / Math.sqrt(fanIn);
      uniform(-bound, bound);
      break;
    }
    case 'orthogonal':
      orthogonal(out, shape, gain, rng);
      break;
    case 'sinusoidal':
      sinusoidal(out, shape, a['base'] ?? 10000);
      break;
    default: {
      const never: never = init.kind;
      throw new Error(`unknown initializer kind '${String(never)}'`);
    }
  }
  return out;
}

/**
 * The position table over the last two axes [positions, dim] (repeated along any leading axes; a
 * vector is position 0). Computed in double precision and rounded once, so it matches a float64
 * reference to float32 rounding at any length.
 */
function sinusoidal(out: Float32Array, shape: readonly number[], base: number): void {
  const dim = shape[shape.length - 1] ?? 1;
  const positions = shape.length >= 2 ? shape[shape.length - 2]! : 1;
  for (let row = 0; row * dim < out.length; row++) {
    const pos = row % positions;
    for (let j = 0; j < dim; j++) {
      const angle = pos / Math.pow(base, (2 * Math.floor(j / 2)) / dim);
      out[row * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
}

/**
 * PyTorch's orthogonal_: a normal matrix [rows, cols] (rows = shape[0], cols = the rest) made
 * orthonormal by QR (modified Gram–Schmidt, which yields R with a positive diagonal, the same
 * sign fix PyTorch applies). Rows are orthonormal when rows ≤ cols, otherwise columns are.
 */
function orthogonal(out: Float32Array, shape: readonly number[], gain: number, rng: RandomStream): void {
  const rows = shape[0] ?? 1;
  const cols = out.length / Math.max(rows, 1);
  if (out.length === 0) return;
  // Work on the transpose when rows < cols so that we always orthonormalize the k = min columns
  // of a tall matrix m×k (m ≥ k).
  const tall = rows >= cols;
  const m = tall ? rows : cols;
  const k = tall ? cols : rows;
  const q: Float64Array[] = [];
  for (let j = 0; j < k; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = rng.normal();
    for (let pass = 0; pass < 2; pass++) {
      // Twice for numerical orthogonality ("twice is enough").
      for (const u of q) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += u[i]! * v[i]!;
        for (let i = 0; i < m; i++) v[i] -= dot * u[i]!;
      }
    }
    let norm = 0;
    for (let i = 0; i < m; i++) norm += v[i]! * v[i]!;
    norm = Math.sqrt(norm) || 1;
    for (let i = 0; i < m; i++) v[i] /= norm;
    q.push(v);
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // tall: out[r, c] = q[c][r]; wide: out[r, c] = q[r][c]
      out[r * cols + c] = gain * (tall ? q[c]![r]! : q[r]![c]!);
    }
  }
}

/**
 * Initial values of every parameter and buffer of `graph`, keyed by parameter name, in row-major
 * order. Deterministic in (seed, parameter name, initializer, shape).
 */
export function initializeParams(graph: Graph, seed: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const p of graph.params) out.set(p.name, initializeParam(p, seed));
  return out;
}

export function initializeParam(p: Param, seed: number): Float32Array {
  const shape = p.type.shape.map((d) => {
    if (typeof d !== 'number') throw new Error(`parameter '${p.name}' has a symbolic dim ${d}`);
    return d;
  });
  return initializeTensor(p.init, shape, new RandomStream(seed, p.name));
}

/**
 * A user initializer (`init he_normal`) keeps the fan_in/fan_out the layer computed for its
 * default, since the user cannot know them and variance-scaling kinds need them.
 */
export function inheritFanArgs(user: Initializer, layerDefault: Initializer): Initializer {
  if (!/^(glorot|he|lecun)_|^torch_default$/.test(user.kind)) return user;
  const args = { ...user.args };
  for (const k of ['fan_in', 'fan_out']) {
    if (args[k] === undefined && layerDefault.args[k] !== undefined) args[k] = layerDefault.args[k]!;
  }
  return { kind: user.kind, args };
}
