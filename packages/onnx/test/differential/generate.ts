/**
 * A seeded generator of random, well-typed .dlm models for the differential fuzzer: chains and
 * DAGs of the standard layers with small shapes, each step checked against the shape it promises
 * (its own shape rules, written from docs/layers.md and docs/language.md). A program it writes
 * must compile without errors: an error is either a generator bug or a compiler finding.
 *
 * Every value keeps its batch axis first and symbolic (`batch`), so the steps only touch the other
 * axes; `Val.shape` holds those. A program is the first `steps` steps of the seed's sequence: the
 * random draws of step k do not depend on the steps after it, so a failing program can be cut to
 * its shortest failing prefix (see minimise in oracle.ts).
 */
import { mulberry32 } from '@dlm/core';

/** A dim: a number, `time` (bound to TIME when the model runs) or an expression of it (`time-1`). */
export type Dim = number | string;

export interface Val {
  name: string;
  /** The axes after the batch axis. */
  shape: Dim[];
}

/** A value whose dims are all numbers. */
interface StaticVal {
  name: string;
  shape: number[];
}

/** The length the symbolic `time` gets when the generated models run. */
export const TIME = 5;

const isStatic = (v: Val): v is StaticVal => v.shape.every((d) => typeof d === 'number');
const num = (d: Dim | undefined): d is number => typeof d === 'number';

export interface GeneratedInput {
  name: string;
  dtype: 'f32' | 'i32';
  /** After the batch axis. */
  shape: Dim[];
  /** Integer inputs: values drawn from [low, high] (ids below a table's size, lengths ≥ 1). */
  low?: number;
  high?: number;
}

export interface GeneratedProgram {
  seed: number;
  /** The batch size the model runs with. */
  batch: number;
  steps: number;
  source: string;
  inputs: GeneratedInput[];
  /** The step kinds used, in order (for summaries). */
  kinds: string[];
}

type Rand = () => number;

class Gen {
  readonly lines: string[] = [];
  readonly tops: string[] = [];
  readonly inputs: GeneratedInput[] = [];
  readonly vals: Val[] = [];
  readonly kinds: string[] = [];
  private counter = 0;
  /** Large sizes: reach the kernels that only larger tensors take (tiled or per-matrix matmul). */
  big = false;
  constructor(readonly r: Rand) {}

  /** A layer width: small, or large in a big program. */
  width(lo: number, hi: number): number {
    return this.big ? this.int(4 * hi, 8 * hi) : this.int(lo, hi);
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.r() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  fresh(prefix = 'v'): string {
    return `${prefix}${++this.counter}`;
  }
  /** A value with static dims to work on: usually a recent one, so chains grow deep, sometimes an old one (DAGs). */
  val(ok: (v: StaticVal) => boolean = () => true): StaticVal | undefined {
    return this.sym((v) => isStatic(v) && ok(v)) as StaticVal | undefined;
  }
  /** A value that may have symbolic dims. */
  sym(ok: (v: Val) => boolean = () => true): Val | undefined {
    const c = this.vals.filter(ok);
    if (c.length === 0) return undefined;
    return this.chance(0.6) ? c[c.length - 1]! : this.pick(c);
  }
  def(expr: string, shape: Dim[], prefix = 'v'): Val {
    const v = { name: this.fresh(prefix), shape };
    this.lines.push(`  ${v.name} = ${expr}`);
    this.vals.push(v);
    return v;
  }
  input(shape: Dim[]): Val {
    const v = { name: this.fresh('x'), shape };
    this.inputs.push({ name: v.name, dtype: 'f32', shape });
    this.vals.push(v);
    return v;
  }
  intInput(shape: number[], low: number, high: number): string {
    const name = this.fresh('n');
    this.inputs.push({ name, dtype: 'i32', shape, low, high });
    return name;
  }
  /** A non-batch axis of a rank-(1 + n) value, as written in the program (sometimes negative). */
  axis(n: number): { at: number; text: string } {
    const at = this.int(0, n - 1);
    return { at, text: String(this.chance(0.4) ? at - n : at + 1) };
  }
}

const prod = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);
const dims = (shape: readonly Dim[]) => ['batch', ...shape].join(', ');
const fmt = (x: number) => (Number.isInteger(x) ? x.toFixed(1) : String(x));

/** Python's len(range(start, stop, step)) after NumPy's normalisation of one slice. */
function sliceLength(n: number, start: number | undefined, stop: number | undefined, step: number): number {
  const norm = (b: number) => (b < 0 ? b + n : b);
  let s: number;
  let e: number;
  if (step > 0) {
    s = start === undefined ? 0 : Math.min(Math.max(norm(start), 0), n);
    e = stop === undefined ? n : Math.min(Math.max(norm(stop), 0), n);
    return Math.max(0, Math.ceil((e - s) / step));
  }
  s = start === undefined ? n - 1 : Math.min(Math.max(norm(start), -1), n - 1);
  e = stop === undefined ? -1 : Math.min(Math.max(norm(stop), -1), n - 1);
  return Math.max(0, Math.ceil((s - e) / -step));
}

type Step = (g: Gen) => string | undefined;

const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'gelu', 'gelu(approximate: tanh)', 'leaky_relu(alpha: 0.2)', 'elu(alpha: 0.7)'];

const STEPS: Record<string, Step> = {
  activation(g) {
    const v = g.sym();
    if (!v) return;
    if (v.shape.length > 0 && g.chance(0.3)) {
      const a = g.axis(v.shape.length);
      g.def(`${v.name} |> ${g.pick(['softmax', 'log_softmax'])}(axis: ${a.text})`, v.shape);
    } else g.def(`${v.name} |> ${g.pick(ACTIVATIONS)}`, v.shape);
    return 'activation';
  },
  math(g) {
    const v = g.sym();
    if (!v) return;
    const e = g.pick(['abs', 'erf', 'tanh |> exp', 'abs |> sqrt', 'abs |> clip(min: 0.1) |> log', 'clip(min: -0.5, max: 0.4)', 'clip(max: 0.3)', 'pow(2)', 'abs |> pow(1.5)']);
    g.def(`${v.name} |> ${e}`, v.shape);
    return 'math';
  },
  dense(g) {
    const v = g.sym((x) => num(x.shape[x.shape.length - 1]));
    if (!v) return;
    const u = g.width(1, 8);
    g.def(`${v.name} |> dense(${u}${g.chance(0.2) ? ', bias: false' : ''})`, [...v.shape.slice(0, -1), u]);
    return 'dense';
  },
  conv(g) {
    const v = g.val((x) => (x.shape.length === 3 || x.shape.length === 2) && x.shape.slice(1).every((d) => d >= 2));
    if (!v) return;
    const [c, ...sp] = v.shape as [number, ...number[]];
    const groups = g.chance(0.3) && c % 2 === 0 ? 2 : g.chance(0.15) ? c : 1; // grouped, depthwise
    const filters = groups * g.width(1, 3);
    const kernels = sp.map(() => g.int(1, Math.min(3, ...sp)));
    const perAxisKernel = sp.length === 2 && kernels[0] !== kernels[1];
    if (!perAxisKernel) kernels.fill(kernels[0]!);
    const stride = g.chance(0.3) ? 2 : 1;
    const dilation = g.chance(0.2) && Math.min(...sp) >= 2 * Math.max(...kernels) - 1 ? 2 : 1;
    const span = kernels.map((k) => dilation * (k - 1) + 1);
    const mode = g.pick(['valid', 'same', 'int', 'axes', 'ends']);
    let begin = sp.map(() => 0);
    let end = sp.map(() => 0);
    let pad = '';
    if (mode === 'same') {
      // TensorFlow SAME: out = ⌈in/stride⌉, the smaller half of the padding before
      const total = sp.map((n, i) => Math.max((Math.ceil(n / stride) - 1) * stride + span[i]! - n, 0));
      begin = total.map((t) => Math.floor(t / 2));
      end = total.map((t, i) => t - begin[i]!);
      pad = ', padding: same';
    } else if (mode === 'int') {
      const p = g.int(0, 2);
      begin = end = sp.map(() => p);
      if (p) pad = `, padding: ${p}`;
    } else if (mode === 'axes') {
      begin = end = sp.map(() => g.int(0, 2));
      pad = `, padding: [${begin.join(', ')}]`;
    } else if (mode === 'ends') {
      begin = sp.map(() => g.int(0, 2));
      end = sp.map(() => g.int(0, 2));
      pad = `, padding: [${[...begin, ...end].join(', ')}]`;
    }
    const out = sp.map((n, i) => Math.floor((n + begin[i]! + end[i]! - span[i]!) / stride) + 1);
    if (out.some((n) => n < 1)) return;
    const layer = sp.length === 2 ? 'conv2d' : 'conv1d';
    const extra = `${stride > 1 ? `, stride: ${stride}` : ''}${dilation > 1 ? `, dilation: ${dilation}` : ''}${groups > 1 ? `, groups: ${groups}` : ''}${g.chance(0.2) ? ', bias: false' : ''}`;
    g.def(`${v.name} |> ${layer}(${filters}, kernel: ${perAxisKernel ? `[${kernels.join(', ')}]` : kernels[0]}${pad}${extra})`, [filters, ...out]);
    return layer;
  },
  pool(g) {
    const v = g.val((x) => (x.shape.length === 3 || x.shape.length === 2) && x.shape.slice(1).every((d) => d >= 2));
    if (!v) return;
    const [c, ...sp] = v.shape as [number, ...number[]];
    const k = g.int(2, Math.min(3, ...sp));
    const s = g.int(1, k);
    const p = g.int(0, Math.floor(k / 2));
    const ceil = g.chance(0.3);
    const out = sp.map((n) => {
      let o = (ceil ? Math.ceil : Math.floor)((n + 2 * p - k) / s) + 1;
      if (ceil && (o - 1) * s >= n + p) o--;
      return o;
    });
    if (out.some((n) => n < 1)) return;
    const avg = g.chance(0.5);
    const args = `${k}${s !== k ? `, stride: ${s}` : ''}${p ? `, padding: ${p}` : ''}${ceil ? ', ceil_mode: true' : ''}${avg && p && g.chance(0.5) ? ', count_include_pad: false' : ''}`;
    g.def(`${v.name} |> ${avg ? 'avg_pool' : 'max_pool'}(${args})`, [c, ...out]);
    return avg ? 'avg_pool' : 'max_pool';
  },
  globalPool(g) {
    const v = g.val((x) => x.shape.length === 3 || x.shape.length === 2);
    if (!v) return;
    g.def(`${v.name} |> global_avg_pool`, [v.shape[0]!, ...v.shape.slice(1).map(() => 1)]);
    return 'global_avg_pool';
  },
  norm(g) {
    const bn = g.chance(0.5);
    const v = g.sym((x) => num(bn ? x.shape[0] : x.shape[x.shape.length - 1]));
    if (!v) return;
    g.def(`${v.name} |> ${bn ? 'batch_norm' : 'layer_norm'}`, v.shape);
    return bn ? 'batch_norm' : 'layer_norm';
  },
  flatten(g) {
    const v = g.val((x) => x.shape.length >= 2);
    if (!v) return;
    g.def(`${v.name} |> flatten`, [prod(v.shape)]);
    return 'flatten';
  },
  reshape(g) {
    const v = g.val((x) => x.shape.length >= 1 && prod(x.shape) > 1);
    if (!v) return;
    let rest = prod(v.shape);
    const out: number[] = [];
    for (let i = 0, n = g.int(1, 3); i < n - 1; i++) {
      const divisors = [...Array(rest).keys()].map((d) => d + 1).filter((d) => rest % d === 0);
      const d = g.pick(divisors);
      out.push(d);
      rest /= d;
    }
    out.push(rest);
    const text = out.map(String);
    if (out.length > 1 && g.chance(0.4)) text[g.int(0, out.length - 1)] = '-1';
    g.def(`${v.name} |> reshape([batch, ${text.join(', ')}])`, out);
    return 'reshape';
  },
  permute(g) {
    const v = g.sym((x) => x.shape.length >= 2);
    if (!v) return;
    const n = v.shape.length;
    if (g.chance(0.5)) {
      const perm = [...Array(n).keys()];
      for (let i = n - 1; i > 0; i--) {
        const j = g.int(0, i);
        [perm[i], perm[j]] = [perm[j]!, perm[i]!];
      }
      g.def(`${v.name} |> permute([0, ${perm.map((p) => (g.chance(0.3) ? p - n : p + 1)).join(', ')}])`, perm.map((p) => v.shape[p]!));
      return 'permute';
    }
    const a = g.axis(n);
    const b = g.axis(n);
    const shape = [...v.shape];
    [shape[a.at], shape[b.at]] = [shape[b.at]!, shape[a.at]!];
    g.def(`${v.name} |> transpose(${a.text}, ${b.text})`, shape);
    return 'transpose';
  },
  squeeze(g) {
    const v = g.sym((x) => x.shape.length < 4);
    if (!v) return;
    const ones = v.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
    if (ones.length > 0 && g.chance(0.5)) {
      if (g.chance(0.3)) {
        g.def(`${v.name} |> squeeze`, v.shape.filter((d) => d !== 1));
      } else {
        const at = g.pick(ones);
        g.def(`${v.name} |> squeeze(${g.chance(0.5) ? at + 1 : at - v.shape.length})`, v.shape.filter((_, i) => i !== at));
      }
      return 'squeeze';
    }
    const n = v.shape.length + 1; // output rank without batch
    const at = g.int(0, n - 1);
    g.def(`${v.name} |> unsqueeze(${g.chance(0.5) ? at + 1 : at - n})`, [...v.shape.slice(0, at), 1, ...v.shape.slice(at)]);
    return 'unsqueeze';
  },
  residual(g) {
    const v = g.sym((x) => x.shape.length >= 1);
    if (!v) return;
    const same = g.vals.filter((x) => x !== v && x.shape.join() === v.shape.join());
    if (same.length > 0 && g.chance(0.5)) {
      g.def(`${v.name} + ${g.pick(same).name}`, v.shape);
    } else if (v.shape.length >= 2 && g.chance(0.4)) {
      // broadcasting: a mean over one axis kept as 1
      const a = g.axis(v.shape.length);
      const m = g.def(`${v.name} |> mean(axis: ${a.text}, keepdims: true)`, v.shape.map((d, i) => (i === a.at ? 1 : d)));
      g.def(`${g.chance(0.5) ? `${v.name} + ${m.name}` : `${m.name} + ${v.name}`}`, v.shape);
    } else if (num(v.shape[v.shape.length - 1])) {
      g.def(`${v.name} + (${v.name} |> dense(${v.shape[v.shape.length - 1]}) |> ${g.pick(ACTIVATIONS)})`, v.shape);
    } else return;
    return 'add';
  },
  concat(g) {
    const v = g.sym((x) => x.shape.length >= 1);
    if (!v) return;
    const n = v.shape.length;
    const a = g.axis(n);
    if (!num(v.shape[a.at])) return;
    const partners = g.vals.filter((x) => x.shape.length === n && num(x.shape[a.at]) && x.shape.every((d, i) => i === a.at || d === v.shape[i]));
    let w = partners.length > 1 && g.chance(0.6) ? g.pick(partners) : undefined;
    if (!w) {
      if (a.at !== n - 1) return;
      const units = g.int(1, 4);
      w = g.def(`${v.name} |> dense(${units})`, [...v.shape.slice(0, -1), units]);
    }
    const shape = v.shape.map((d, i) => (i === a.at ? (d as number) + (w!.shape[i] as number) : d));
    g.def(g.chance(0.5) ? `concat(${v.name}, ${w.name}, axis: ${a.text})` : `(${v.name}, ${w.name}) |> concat(axis: ${a.text})`, shape);
    return 'concat';
  },
  split(g) {
    const v = g.val((x) => x.shape.some((d) => d >= 2));
    if (!v) return;
    const axes = v.shape.map((d, i) => (d >= 2 ? i : -1)).filter((i) => i >= 0);
    const at = g.pick(axes);
    const n = v.shape[at]!;
    const text = String(g.chance(0.4) ? at - v.shape.length : at + 1);
    let sizes: number[];
    let call: string;
    if (n % 2 === 0 && g.chance(0.5)) {
      sizes = [n / 2, n / 2];
      call = `split(2, axis: ${text})`;
    } else {
      const first = g.int(1, n - 1);
      sizes = [first, n - first];
      call = `split(axis: ${text}, sizes: [${sizes.join(', ')}])`;
    }
    const names = sizes.map(() => g.fresh('s'));
    g.lines.push(`  ${names.join(', ')} = ${v.name} |> ${call}`);
    names.forEach((name, i) => g.vals.push({ name, shape: v.shape.map((d, j) => (j === at ? sizes[i]! : d)) }));
    return 'split';
  },
  index(g) {
    const v = g.sym((x) => x.shape.length >= 1);
    if (!v) return;
    const items: string[] = [];
    const shape: Dim[] = [];
    const ellipsis = g.chance(0.3);
    const count = ellipsis ? g.int(1, v.shape.length) : g.int(1, v.shape.length);
    const axes = ellipsis ? v.shape.slice(v.shape.length - count) : v.shape.slice(0, count);
    for (const n of axes) {
      const kind = g.int(0, 4);
      if (!num(n)) {
        // a symbolic dim: only bounds that count from one end keep a length the types can say
        const k = g.int(1, 2);
        const choice = n === 'time' ? g.int(0, 4) : 0;
        const [item, dim] = [[':', n], [`${k}:`, `time-${k}`], [`:${k}`, k], [`-${k}:`, k], [`${k}:-1`, `time-${k + 1}`]][choice] as [string, Dim];
        if (choice === 4 && (ellipsis || v.shape.length > 1) && g.chance(0.3)) items.push(String(g.pick([0, 1, -1])));
        else {
          items.push(item);
          shape.push(dim);
        }
      } else if (kind === 0) {
        items.push(':');
        shape.push(n);
      } else if (kind === 1 && (ellipsis || v.shape.length > 1)) {
        items.push(String(g.int(-n, n - 1)));
      } else {
        const step = g.pick([1, 1, 2, -1, -2, 3]);
        const start = g.chance(0.6) ? g.int(-n, n - 1) : undefined;
        const stop = g.chance(0.6) ? g.int(-n, n) : undefined;
        const len = sliceLength(n, start, stop, step);
        if (len < 1) {
          items.push(':');
          shape.push(n);
          continue;
        }
        items.push(`${start ?? ''}:${stop ?? ''}${step !== 1 || g.chance(0.2) ? `:${step}` : ''}`);
        shape.push(len);
      }
    }
    const out = ellipsis ? [...v.shape.slice(0, v.shape.length - count), ...shape] : [...shape, ...v.shape.slice(count)];
    g.def(`${v.name}[${ellipsis ? '..., ' : ':, '}${items.join(', ')}]`, out);
    return 'index';
  },
  reduce(g) {
    const v = g.sym((x) => x.shape.length >= 1);
    if (!v) return;
    const op = g.pick(['mean', 'sum', 'max']);
    const keep = g.chance(0.4);
    const a = g.axis(v.shape.length);
    const two = v.shape.length >= 2 && g.chance(0.3);
    let at = [a.at];
    let text = a.text;
    if (two) {
      const b = g.axis(v.shape.length);
      if (b.at === a.at) return;
      at = [a.at, b.at];
      text = `[${a.text}, ${b.text}]`;
    }
    const shape = keep ? v.shape.map((d, i) => (at.includes(i) ? 1 : d)) : v.shape.filter((_, i) => !at.includes(i));
    g.def(`${v.name} |> ${op}(axis: ${text}${keep ? ', keepdims: true' : ''})`, shape);
    return op;
  },
  where(g) {
    const v = g.sym();
    if (!v) return;
    const cmp = g.pick(['greater', 'less', 'greater_equal', 'less_equal']);
    const c = g.fresh('c');
    g.lines.push(`  ${c} = ${v.name} |> ${cmp}(value: ${fmt(g.pick([0, 0.25, -0.3]))})`);
    if (g.chance(0.4)) g.def(`where(${c}, ${v.name}, other: ${fmt(g.pick([-1.5, 0, 2]))})`, v.shape);
    else if (g.chance(0.5)) g.def(`${c} |> cast(f32)`, v.shape);
    else g.def(`where(${c}, (${v.name} |> tanh), (${v.name} |> sigmoid))`, v.shape);
    return 'where';
  },
  cast(g) {
    const v = g.sym();
    if (!v) return;
    // Truncation to an integer is discontinuous: a float32 rounding difference of 1e-7 at an
    // integer boundary becomes a difference of 1. Large programs (values in the tens, sums of
    // hundreds of products) crossed one (seed 21677), so they only cast to bool (≠ 0, which
    // relu's exact zeros keep stable).
    const casts = g.big ? ['cast(bool) |> cast(f32)'] : ['cast(i32) |> cast(f32)', 'cast(i64) |> cast(f32)', 'cast(bool) |> cast(f32)'];
    g.def(`${v.name} |> ${g.pick(casts)}`, v.shape);
    return 'cast';
  },
  matmul(g) {
    const v = g.sym((x) => x.shape.length >= 2);
    if (!v) return;
    const n = v.shape.length;
    const m = v.shape[n - 2]!;
    const k = v.shape[n - 1]!;
    if (g.chance(0.5) || !num(k)) {
      g.def(`${v.name} @ (${v.name} |> transpose)`, [...v.shape.slice(0, -1), m]);
    } else {
      const u = g.width(1, 5);
      g.def(`(${v.name} |> transpose) @ (${v.name} |> dense(${u}))`, [...v.shape.slice(0, -2), k, u]);
    }
    return 'matmul';
  },
  attention(g) {
    const v = g.sym((x) => x.shape.length === 2 && num(x.shape[1]) && x.shape[1] % 2 === 0 && (x.shape[0] === 'time' || (num(x.shape[0]) && x.shape[0] >= 2)));
    if (!v) return;
    const [t, d] = v.shape as [number | 'time', number];
    const heads = d % 4 === 0 && g.chance(0.5) ? 2 : g.pick([1, 2]);
    const kind = g.int(0, 4);
    if (kind === 0) g.def(`${v.name} |> multi_head_attention(heads: ${heads}, dim: ${d}${g.chance(0.5) ? ', causal: true' : ''})`, v.shape);
    else if (kind === 1) {
      const lens = g.intInput([], 1, num(t) ? t : TIME);
      g.def(`multi_head_attention(${v.name}, ${lens}, heads: ${heads}, dim: ${d}${g.chance(0.5) ? ', causal: true' : ''})`, v.shape);
    } else if (kind === 2 && num(t)) {
      // a bool key-padding mask whose first key is never hidden (a fully masked row is undefined)
      const m = g.fresh('m');
      g.lines.push(`  ${m} = concat((${v.name}[:, :1, 0] |> greater(value: 100.0)), (${v.name}[:, 1:, 0] |> greater(value: 0.3)), axis: 1)`);
      g.def(`multi_head_attention(${v.name}, ${m}, heads: ${heads}, dim: ${d})`, v.shape);
    } else if (kind === 3) {
      const mem = g.sym((x) => x.shape.length === 2 && x.shape[1] === d && x !== v);
      if (!mem) return;
      g.def(`multi_head_attention(${v.name}, ${mem.name}, heads: ${heads}, dim: ${d})`, v.shape);
    } else if (kind === 4) {
      const act = g.pick(['relu', 'gelu']);
      g.def(`${v.name} |> transformer_encoder_layer(heads: ${heads}, dim: ${d}, ff: ${g.int(2, 8)}, dropout: 0.0, activation: ${act}${g.chance(0.5) ? ', norm_first: true' : ''})`, v.shape);
    } else return;
    return 'attention';
  },
  embedding(g) {
    const t = g.int(2, 5);
    const vocab = g.int(3, 9);
    const d = g.pick([2, 4, 6]);
    const ids = g.intInput([t], 0, vocab - 1);
    const e = g.def(`${ids} |> embedding(${vocab}, ${d})`, [t, d]);
    if (g.chance(0.5)) g.def(`${e.name} |> ${g.chance(0.5) ? `positional_embedding(max_len: ${t + g.int(0, 2)}, dim: ${d})` : `sinusoidal_positions(max_len: ${t + g.int(0, 2)}, dim: ${d})`}`, [t, d]);
    return 'embedding';
  },
  recurrent(g) {
    const v = g.sym((x) => x.shape.length === 2 && num(x.shape[1]));
    if (!v) return;
    const cell = g.pick(['lstm', 'gru', 'simple_rnn']);
    const h = g.int(1, 4);
    const seqs = g.chance(0.5);
    const bi = g.chance(0.4);
    const dirs = bi ? 2 : 1;
    g.def(`${v.name} |> ${cell}(${h}${seqs ? ', return_sequences: true' : ''}${bi ? ', bidirectional: true' : ''})`, seqs ? [v.shape[0]!, dirs * h] : [dirs * h]);
    return cell;
  },
  /** Sizes read at run time from a symbolic `time`: Range, ConstantOfShape, Trilu, Expand. */
  positions(g) {
    const v = g.sym((x) => x.shape.length === 2 && x.shape[0] === 'time' && num(x.shape[1]));
    if (!v) return;
    const d = v.shape[1] as number;
    const kind = g.int(0, 4);
    if (kind === 0) g.def(`${v.name} + (arange(${v.name}, size: time${g.chance(0.5) ? ', start: 1, step: 2' : ''}) |> cast(f32) |> unsqueeze(-1))`, v.shape);
    else if (kind === 1) g.def(`${v.name} + ${g.pick(['ones', 'zeros'])}(${v.name}, shape: [batch, time, ${g.chance(0.5) ? 1 : d}])`, v.shape);
    else if (kind === 2) {
      const scores = g.def(`${v.name} @ (${v.name} |> transpose)`, ['time', 'time']);
      g.def(`where((tril(${v.name}, shape: [time, time]) |> equal(value: 0.0)), ${scores.name}, other: -3.0)`, ['time', 'time']);
    } else if (kind === 3) g.def(`${v.name} @ (${v.name} |> transpose) |> tril(k: ${g.int(-1, 1)})`, ['time', 'time']);
    else g.def(`(${v.name}[:, :1], ${v.name}) |> expand([batch, time, ${d}])`, v.shape);
    return 'positions';
  },
  /** Layers and forms the other steps do not write: class tokens, decoder layers, n-ary merges, broadcasting. */
  extra(g) {
    const kind = g.int(0, 7);
    if (kind === 0) {
      const v = g.val((x) => x.shape.length === 2);
      if (!v) return;
      g.def(`${v.name} |> class_token(${v.shape[1]})`, [v.shape[0]! + 1, v.shape[1]!]);
      return 'class_token';
    }
    if (kind === 1) {
      const v = g.sym((x) => x.shape.length === 2 && num(x.shape[1]) && x.shape[1] % 2 === 0);
      const mem = v && g.sym((x) => x.shape.length === 2 && x.shape[1] === v.shape[1]);
      if (!v || !mem) return;
      const d = v.shape[1] as number;
      g.def(`transformer_decoder_layer(${v.name}, ${mem.name}, heads: 2, dim: ${d}, ff: ${g.int(2, 6)}, dropout: 0.0${g.chance(0.5) ? ', norm_first: true' : ''}${g.chance(0.3) ? ', causal: false' : ''})`, v.shape);
      return 'transformer_decoder_layer';
    }
    if (kind === 2) {
      const v = g.sym();
      if (!v) return;
      const w = g.sym((x) => x.shape.join() === v.shape.join());
      g.def(`pow((${v.name} |> abs |> clip(min: 0.1)), (${w!.name} |> tanh))`, v.shape);
      return 'pow';
    }
    if (kind === 3) {
      const v = g.sym((x) => x.shape.length >= 1);
      if (!v) return;
      const same = g.vals.filter((x) => x.shape.join() === v.shape.join());
      const [a, b] = [g.pick(same), g.pick(same)];
      if (g.chance(0.5)) g.def(`add(${v.name}, ${a.name}, ${b.name})`, v.shape);
      else {
        const at = v.shape.length - 1;
        const last = v.shape[at];
        if (!num(last)) return;
        g.def(`concat(${v.name}, ${a.name}, ${b.name}, axis: -1)`, [...v.shape.slice(0, at), 3 * last]);
      }
      return 'n-ary';
    }
    if (kind === 4) {
      // batch dims of matmul broadcast: [C, M, K] @ [1, K, M]
      const v = g.sym((x) => x.shape.length === 3);
      if (!v) return;
      g.def(`${v.name} @ (${v.name}[:, :1] |> transpose)`, [v.shape[0]!, v.shape[1]!, v.shape[1]!]);
      return 'matmul-broadcast';
    }
    if (kind === 5) {
      // a condition that broadcasts against both branches
      const v = g.sym((x) => x.shape.length >= 1 && x.shape[0] !== 1);
      if (!v) return;
      g.def(`where((${v.name}[:, :1] |> greater(value: 0.0)), ${v.name}, (${v.name} |> sigmoid))`, v.shape);
      return 'where-broadcast';
    }
    if (kind === 6) {
      const v = g.sym((x) => x.shape.length >= 1 && x.shape.length < 4);
      if (!v) return;
      const n = v.shape.length;
      g.def(`${v.name} |> unsqueeze([1, -1])`, [1, ...v.shape, 1]);
      void n;
      return 'unsqueeze-list';
    }
    const v = g.val((x) => x.shape.length >= 2 && x.shape[0]! >= 3);
    if (!v) return;
    const parts = 3;
    const sizes = v.shape[0]! % 3 === 0 ? [v.shape[0]! / 3, v.shape[0]! / 3, v.shape[0]! / 3] : [1, 1, v.shape[0]! - 2];
    const names = sizes.map(() => g.fresh('s'));
    g.lines.push(`  ${names.join(', ')} = ${v.name} |> ${v.shape[0]! % 3 === 0 ? `split(${parts}, axis: 1)` : `split(axis: 1, sizes: [${sizes.join(', ')}])`}`);
    names.forEach((name, i) => g.vals.push({ name, shape: [sizes[i]!, ...v.shape.slice(1)] }));
    return 'split3';
  },
  upsample(g) {
    const v = g.val((x) => (x.shape.length === 3 || x.shape.length === 2) && x.shape.slice(1).every((d) => d <= 4));
    if (!v) return;
    const [c, ...sp] = v.shape as [number, ...number[]];
    if (g.chance(0.5) || sp.length === 1) {
      const scale = g.pick([2, 3, 1.5, 2.5]);
      g.def(`${v.name} |> upsample(${scale === 2 && g.chance(0.5) ? '' : `scale: ${scale}`})`, [c, ...sp.map((n) => Math.floor(n * scale))]);
      return 'upsample';
    }
    const k = g.int(1, 3);
    const s = g.int(1, 2);
    const d = g.chance(0.25) ? 2 : 1;
    const p = g.int(0, Math.floor((d * (k - 1)) / 2));
    const op = g.int(0, Math.max(s, d) - 1);
    const groups = c % 2 === 0 && g.chance(0.3) ? 2 : 1;
    const f = groups * g.int(1, 2);
    const out = sp.map((n) => (n - 1) * s - 2 * p + d * (k - 1) + op + 1);
    if (out.some((n) => n < 1)) return;
    const args = `${s > 1 ? `, stride: ${s}` : ''}${p ? `, padding: ${p}` : ''}${op ? `, output_padding: ${op}` : ''}${d > 1 ? `, dilation: ${d}` : ''}${groups > 1 ? `, groups: ${groups}` : ''}`;
    g.def(`${v.name} |> conv2d_transpose(${f}, kernel: ${k}${args})`, [f, ...out]);
    return 'conv2d_transpose';
  },
  loop(g) {
    const v = g.sym((x) => num(x.shape[x.shape.length - 1]));
    if (!v) return;
    const d = v.shape[v.shape.length - 1]!;
    const h = g.def(v.name, v.shape, 'h');
    const n = g.int(1, 3);
    if (g.chance(0.5)) {
      g.lines.push(`  for i in 0..${n} {`, `    ${h.name} = ${h.name} |> dense(${d}) |> leaky_relu(alpha: 0.1 * (i + 1))`, '  }');
    } else {
      g.lines.push(`  ${h.name}r = ${h.name} |> repeat ${n} as i { dense(${d}) |> elu(alpha: 0.5 + 0.25 * i) }`);
      g.vals.push({ name: `${h.name}r`, shape: v.shape });
    }
    return 'for/repeat';
  },
  branch(g) {
    const v = g.sym();
    if (!v) return;
    const flag = g.fresh('k');
    const k = g.int(1, 5);
    g.tops.push(`let ${flag} = ${k}`);
    const out = g.fresh('b');
    g.lines.push(`  if ${flag} > 2 and not (${flag} == 4) {`, `    ${out} = ${v.name} |> tanh`, '  } else {', `    ${out} = ${v.name} |> sigmoid`, '  }');
    g.vals.push({ name: out, shape: v.shape });
    return 'if';
  },
  block(g) {
    const v = g.sym((x) => num(x.shape[x.shape.length - 1]));
    if (!v) return;
    const d = v.shape[v.shape.length - 1]!;
    const name = `Blk${g.fresh('_')}`;
    const units = g.int(1, 6);
    g.tops.push(
      [
        `block ${name}(units: int, act: string = "relu", skip: bool = false) {`,
        '  input x',
        '  output y',
        '  h = x |> dense(units)',
        '  if act == "relu" {',
        '    h = h |> relu',
        '  } else {',
        '    h = h |> tanh',
        '  }',
        '  if skip {',
        '    y = x + (h |> dense(units))',
        '  } else {',
        '    y = h',
        '  }',
        '}',
      ].join('\n'),
    );
    const skip = units === d && g.chance(0.7);
    g.def(`${v.name} |> ${name}(${units}${g.chance(0.5) ? ', act: "tanh"' : ''}${skip ? ', skip: true' : ''})`, [...v.shape.slice(0, -1), units]);
    return 'block';
  },
};

const STEP_NAMES = Object.keys(STEPS);

/** The program of `seed` cut to its first `steps` steps (default: the seed's own length). */
export function generateProgram(seed: number, steps?: number): GeneratedProgram {
  const g = new Gen(mulberry32(seed));
  const rank = g.int(1, 4);
  g.big = g.chance(0.15);
  const batch = g.pick([1, 2, 2, 3]);
  const k = g.big ? 4 : 1;
  const first: Dim[] = rank === 1 ? [k * g.int(2, 8)] : rank === 2 ? [k * g.int(2, 5), k * g.pick([2, 4, 6])] : rank === 3 ? [k * g.int(1, 3), k * g.int(2, 6), k * g.int(2, 6)] : ['time', k * g.pick([2, 4, 6])];
  g.input(first);
  if (g.chance(0.3)) g.input(first.map((d) => (num(d) && g.chance(0.3) ? 1 : d)));
  const length = g.int(3, 12);
  const want = Math.min(steps ?? length, length);
  let done = 0;
  for (let attempt = 0; done < want && attempt < 200; attempt++) {
    const kind = g.pick(STEP_NAMES);
    const made = STEPS[kind]!(g);
    if (made) {
      g.kinds.push(made);
      done++;
    }
  }
  // Outputs: the last value, and sometimes an earlier one too (intermediates compared directly).
  const outs = [g.vals[g.vals.length - 1]!];
  if (g.vals.length > 2 && g.chance(0.4)) outs.push(g.vals[Math.floor(g.r() * (g.vals.length - 1))]!);
  const body = [
    ...g.inputs.map((i) => `  input ${i.name}: ${i.dtype}[${dims(i.shape)}]`),
    ...outs.map((o, i) => `  output y${i}: f32[${dims(o.shape)}]`),
    '',
    ...g.lines,
    ...outs.map((o, i) => `  y${i} = ${o.name}`),
  ];
  const source = [...g.tops, '', `model Fuzz${seed} {`, ...body, '}', ''].join('\n');
  return { seed, batch, steps: done, source, inputs: g.inputs, kinds: g.kinds };
}
