/** Generator steps that reshape, index, merge, select and reduce, and the compile-time constructs (for, repeat, if, blocks). */
import { ACTIVATIONS, fmt, num, prod, sliceLength, type Dim, type Step } from './gen.js';

export const SHAPE_STEPS: Record<string, Step> = {
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
