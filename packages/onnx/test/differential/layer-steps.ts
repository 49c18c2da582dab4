/** Generator steps that add layers: dense, convolution, pooling, normalization, attention, recurrent, embeddings. */
import { ACTIVATIONS, num, TIME, type Step } from './gen.js';

export const LAYER_STEPS: Record<string, Step> = {
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
};
