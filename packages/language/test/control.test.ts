/** Slicing, destructuring, `@`, compile-time `if` and `for`: each compiles to the IR it should. */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, type Graph, type Program } from '@dlm/core';
import { compileSource, format } from '../src/index.js';
import { makeRegistry } from './helpers.js';

const registry = makeRegistry();

function compile(text: string) {
  return compileSource(text, 'main.dlm', { registry, readFile: () => undefined });
}

function ok(text: string): Program {
  const out = compile(text);
  expect(formatDiagnostics(out.diagnostics, { sources: out.sources })).toBe('');
  return out.program;
}

function errors(text: string): string[] {
  return compile(text).diagnostics.map((d) => `${d.code} ${d.span?.line}:${d.span?.col} ${d.message}`);
}

const model = (inp: string, out: string, body: string) => `model M {\n  input x: ${inp}\n  output y: ${out}\n${body}\n}\n`;
const sliceAttrs = (g: Graph) => g.nodes.filter((n) => n.op === 'Slice').map((n) => n.attrs);

describe('indexing and slicing', () => {
  it('an integer index removes the axis; negative indices count from the end', () => {
    const g = ok(model('f32[batch, time, 8]', 'f32[batch, 8]', '  y = x[:, -1]')).models[0]!;
    expect(sliceAttrs(g)).toEqual([{ starts: [-1], ends: [2147483647], axes: [1], steps: [1] }]);
    expect(g.nodes.map((n) => n.op)).toEqual(['Slice', 'Squeeze']);
  });

  it('keeps symbolic dims: x[:, 1:] on time gives time-1, and x[:, :-2] time-2', () => {
    ok(model('f32[batch, time, 8]', 'f32[batch, time-1, 8]', '  y = x[:, 1:]'));
    ok(model('f32[batch, time, 8]', 'f32[batch, time-2, 8]', '  y = x[:, :-2]'));
  });

  it('slicing a slice of a symbolic dim adds up the offsets: time-1 then 1: is time-2', () => {
    ok(model('f32[batch, time, 8]', 'f32[batch, time-2, 8]', '  y = x[:, :-1][:, 1:]'));
    ok(model('f32[batch, time, 8]', 'f32[batch, time-5, 8]', '  a = x[:, 1:-1]\n  y = a[:, 3:] + x[:, 2:-3]'));
  });

  it('a slice of a symbolic dim whose length needs the size is DLM3012 in the user\'s words; an empty one DLM3008', () => {
    expect(errors(model('f32[batch, time, 8]', 'f32[batch, time, 8]', '  y = x[:, ::2]'))).toEqual([
      'DLM3012 4:12 Slice ::2 on axis 1 of size time (the tensor is [batch, time, 8]) cannot be computed for a symbolic size: a step other than 1 or -1 needs a known size.',
    ]);
    expect(errors(model('f32[batch, time, 8]', 'f32[batch, time, 8]', '  y = x[:, -3:5]'))).toEqual([
      'DLM3012 4:12 Slice -3:5 on axis 1 of size time (the tensor is [batch, time, 8]) cannot be computed for a symbolic size: use bounds that count from the same end, such as 1: or :-1.',
    ]);
    expect(errors(model('f32[batch, time, 8]', 'f32[batch, time, 8]', '  y = x[:, 3:2]'))).toEqual(['DLM3008 4:12 Slice 3:2 on axis 1 of [batch, time, 8] selects nothing.']);
  });

  it('... stands for the axes in between; steps and negative steps follow NumPy', () => {
    ok(model('f32[batch, 4, 128]', 'f32[batch, 4, 64]', '  y = x[..., 0:64]'));
    ok(model('f32[batch, 4, 9]', 'f32[batch, 4, 5]', '  y = x[:, :, ::2]'));
    ok(model('f32[batch, 4, 9]', 'f32[batch, 4, 3]', '  y = x[..., 7:1:-2]'));
    ok(model('f32[batch, 4, 9]', 'f32[batch, 4, 9]', '  y = x[..., ::-1]'));
    ok(model('f32[batch, 4, 9]', 'f32[batch, 9]', '  y = x[:, 0]'));
  });

  it('a whole-axis index is no op at all', () => {
    const g = ok(model('f32[batch, 4]', 'f32[batch, 4]', '  y = x[:, :] |> relu')).models[0]!;
    expect(g.nodes.map((n) => n.op)).toEqual(['Relu']);
  });

  it('reports indices and slices out of range of a known dim, naming the shape', () => {
    expect(errors(model('f32[batch, 4, 9]', 'f32[batch, 9]', '  y = x[:, 4]'))).toEqual([
      'DLM3006 4:12 Index 4 is out of range for axis 1 of size 4 (the tensor is [batch, 4, 9]).',
    ]);
    expect(errors(model('f32[batch, 4, 9]', 'f32[batch, 4, 9]', '  y = x[..., 0:10]'))[0]).toBe(
      'DLM3007 4:14 Slice 0:10 is out of range for axis 2 of size 9 (the tensor is [batch, 4, 9]); bounds must lie in -9..9.',
    );
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  y = x[:, 3:1]'))[0]).toMatch(/^DLM3008 .*Slice 3:1 on axis 1 of \[batch, 4\] selects nothing/);
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  y = x[:, :, 0]'))[0]).toMatch(/^DLM3009 .*3 for a tensor of rank 2/);
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  y = x[:, ::0]'))[0]).toMatch(/^DLM3010/);
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  y = x[..., ...]'))[0]).toMatch(/^DLM3011/);
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  y = x[:, 1.5]'))[0]).toMatch(/^DLM2054 .*the number 1.5/);
    // NumPy's None (a new axis) is unsqueeze here, and the message says so.
    const none = compile(model('f32[batch, 4]', 'f32[batch, 1, 4]', '  y = x[:, None]')).diagnostics;
    expect(none.map((d) => `${d.code} ${d.span?.line}:${d.span?.col} ${d.message} ${d.notes.map((n) => n.message).join('; ')}`)).toEqual([
      "DLM2010 4:12 Unknown name 'None'. indexing has no None: to insert an axis, use unsqueeze (x[:, None] is x |> unsqueeze(1))",
    ]);
    // An empty item is located at the bracket or comma where an index was expected (was 1:1).
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  y = x[]'))).toEqual(['DLM1002 4:9 Expected an index or a slice between the brackets, such as x[0] or x[:, 1:].']);
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  y = x[0, ]'))).toEqual(['DLM1002 4:12 Expected an index or a slice between the brackets, such as x[0] or x[:, 1:].']);
    // At the end of the file there is no next token: just after the last one.
    expect(compile('model M {\n  input x: f32[batch, 4]\n  output y: f32[batch, 4]\n  y = x[').diagnostics.map((d) => [d.code, d.span?.line, d.span?.col])).toContainEqual(['DLM1002', 4, 9]);
    expect(errors('let a = 3\n' + model('f32[batch, 4]', 'f32[batch, 4]', '  y = a[0]')).find((d) => d.startsWith('DLM2053'))).toMatch(/^DLM2053 .*the integer 3/);
  });
});

describe('model outputs', () => {
  it('an output without a type is told the type the model computes for it', () => {
    const d = compile('model M {\n  input x: f32[batch, time, 8]\n  output y\n  y = x[:, 1:]\n}\n').diagnostics;
    expect(d.map((x) => `${x.code} ${x.span?.line}:${x.span?.col} ${x.notes.map((n) => `${n.span?.line}:${n.span?.col} ${n.message}`).join('; ')}`)).toEqual([
      'DLM2029 3:10 4:3 the model computes f32[batch, time-1, 8] for it: output y: f32[batch, time-1, 8]',
    ]);
  });
});

describe('constant lists', () => {
  it('take one integer index, negative from the end', () => {
    const g = ok('let widths = [8, 16, 32]\n' + model('f32[batch, 4]', 'f32[batch, 32]', '  h = x\n  for i in 0..2 {\n    h = h |> dense(widths[i])\n  }\n  y = h |> dense(widths[-1])')).models[0]!;
    expect(g.layers.filter((l) => l.kind === 'dense').map((l) => l.args['units'])).toEqual([8, 16, 32]);
    expect(errors('let widths = [8, 16]\nlet w = widths[2]\n')[0]).toMatch(/^DLM2055 2:16 Index 2 is out of range for a list of 2 items/);
  });

  it('a loop iteration that makes no layer leaves no empty scope', () => {
    const g = ok(model('f32[batch, 4]', 'f32[batch, 4]', '  h = x\n  for i in 0..3 {\n    if i == 1 {\n      h = h |> relu\n    }\n  }\n  y = h')).models[0]!;
    expect(g.layers.map((l) => l.path.join('/'))).toEqual(['layer_2', 'layer_2/relu_1']);
  });
});

describe('destructuring and split', () => {
  it('names each output of split', () => {
    const g = ok(model('f32[batch, 4]', 'f32[batch, 6]', '  q, k, v = x |> dense(18) |> split(3, axis: -1)\n  y = q + k + v')).models[0]!;
    const split = g.nodes.find((n) => n.op === 'Split')!;
    expect(split.attrs).toEqual({ axis: -1, split: [6, 6, 6] });
    expect(split.outputs).toHaveLength(3);
  });

  it('splits into given sizes', () => {
    const g = ok(model('f32[batch, 10]', 'f32[batch, 3]', '  a, b = x |> split(sizes: [7, 3], axis: 1)\n  y = b + a[:, :3]')).models[0]!;
    expect(g.nodes.find((n) => n.op === 'Split')!.attrs).toEqual({ axis: 1, split: [7, 3] });
  });

  it('reports the wrong number of names', () => {
    expect(errors(model('f32[batch, 4]', 'f32[batch, 2]', '  a, b, c = x |> split(2)\n  y = a'))[0]).toBe(
      'DLM2050 4:3 3 names on the left, but the right side gives 2 tensors (split(…)).',
    );
  });

  it('a split that failed is reported once, not also as a wrong number of names', () => {
    expect(errors(model('f32[batch, 7]', 'f32[batch, 2]', '  a, b, c = x |> split(3)\n  y = a + b + c'))).toEqual([
      'DLM3005 4:18 split: axis -1 of f32[batch, 7] has length 7, which does not split into 3 equal parts',
    ]);
  });
});

describe('@', () => {
  it('is matmul, with the precedence of *', () => {
    const g = ok(model('f32[batch, 3, 4]', 'f32[batch, 3, 3]', '  k = x |> dense(3)\n  y = k + k @ k')).models[0]!;
    expect(g.nodes.map((n) => n.op).slice(-2)).toEqual(['MatMul', 'Add']);
    expect(errors('let a = 2 @ 3\n')[0]).toMatch(/^DLM2022 .*Operator '@' cannot combine the integer 2 and the integer 3/);
  });
});

const resBlock = `block Res(cin: int, cout: int, stride: int = 1) {
  input x
  output y
  main = x |> conv2d(cout, kernel: 3, stride: stride, padding: 1)
  if stride == 1 and cin == cout {
    shortcut = x
  } else if not (cin == cout) or stride > 1 {
    shortcut = x |> conv2d(cout, kernel: 1, stride: stride, bias: false)
  } else {
    shortcut = x
  }
  y = main + shortcut
}
`;

describe('if', () => {
  it('chooses layers on parameters while compiling', () => {
    const same = ok(resBlock + model('f32[batch, 8, 4, 4]', 'f32[batch, 8, 4, 4]', '  y = x |> Res(8, 8)')).models[0]!;
    expect(same.layers.filter((l) => !l.isBlock).map((l) => l.path.join('/'))).toEqual(['res_1/conv2d_1', 'res_1/add_1']);
    const proj = ok(resBlock + model('f32[batch, 8, 4, 4]', 'f32[batch, 16, 2, 2]', '  y = x |> Res(8, 16, stride: 2)')).models[0]!;
    expect(proj.layers.filter((l) => !l.isBlock).map((l) => l.path.join('/'))).toEqual(['res_1/conv2d_1', 'res_1/conv2d_2', 'res_1/add_1']);
  });

  it('updates a name defined before it', () => {
    const g = ok('let drop = 0.5\n' + model('f32[batch, 4]', 'f32[batch, 4]', '  h = x |> relu\n  if drop > 0 {\n    h = h |> dropout(drop)\n  }\n  y = h')).models[0]!;
    expect(g.nodes.map((n) => n.op)).toEqual(['Relu', 'Dropout']);
  });

  it('explains why a condition cannot depend on a tensor', () => {
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  if x > 0 {\n    y = x\n  } else {\n    y = x |> relu\n  }')).find((d) => d.startsWith('DLM2046'))).toMatch(
      /^DLM2046 4:6 The condition of 'if' depends on a tensor \('x'\), whose values exist only when the model runs/,
    );
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  if 3 {\n    y = x\n  }')).find((d) => d.startsWith('DLM2047'))).toMatch(/^DLM2047 .*got the integer 3/);
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  if 1 == 1 and 2 {\n    y = x\n  }')).find((d) => d.startsWith('DLM2051'))).toMatch(/^DLM2051 .*'and' needs true or false, got the integer 2/);
  });

  it('reports a chained comparison once, at the chain, with the rewrite', () => {
    const branches = '{\n    y = x\n  } else {\n    y = x |> relu\n  }';
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', `  if 1 < 2 < 3 ${branches}`))).toEqual([
      "DLM1002 4:6 Chained comparisons are not supported: write '1 < 2 and 2 < 3' (one comparison per pair, joined with 'and').",
    ]);
    expect(errors('let a = 1\nlet b = 1\nlet c = 1\n' + model('f32[batch, 4]', 'f32[batch, 4]', `  if a == b == c ${branches}`))).toEqual([
      "DLM1002 7:6 Chained comparisons are not supported: write 'a == b and b == c' (one comparison per pair, joined with 'and').",
    ]);
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', `  if 1 + 1 <= 2 != (3 > 4) ${branches}`))).toEqual([
      "DLM1002 4:6 Chained comparisons are not supported: write '1 + 1 <= 2 and 2 != (3 > 4)' (one comparison per pair, joined with 'and').",
    ]);
  });
});

describe('for', () => {
  const vgg = `let cfg = [8, "M", 16]
model M {
  input x: f32[batch, 3, 8, 8]
  output y: f32[batch, 16, 4, 4]
  h = x
  for c in cfg {
    if c == "M" {
      h = h |> max_pool(2)
    } else {
      h = h |> conv2d(c, kernel: 3, padding: 1) |> relu
    }
  }
  y = h
}
`;
  it('unrolls a list, one scope per iteration, mixing numbers and strings', () => {
    const g = ok(vgg).models[0]!;
    expect(g.layers.map((l) => `${l.path.join('/')}:${l.kind}`)).toEqual([
      'layer_1:for', 'layer_1/conv2d_1:conv2d', 'layer_1/relu_1:relu',
      'layer_2:for', 'layer_2/max_pool_1:max_pool',
      'layer_3:for', 'layer_3/conv2d_1:conv2d', 'layer_3/relu_1:relu',
    ]);
    const l2 = g.layers.find((l) => l.path.join('/') === 'layer_2')!;
    expect(l2.args).toEqual({ c: 'M' });
    expect(l2.inputs).toEqual(g.layers.find((l) => l.path.join('/') === 'layer_1')!.outputs);
  });

  it('a name first defined inside a loop, used after it, says where it is and why it is not visible', () => {
    const out = compile(model('f32[batch, 4]', 'f32[batch, 4]', '  h = x\n  for i in 0..3 {\n    z = h |> relu\n  }\n  y = z'));
    const d = out.diagnostics.find((x) => x.code === 'DLM2010')!;
    expect(`${d.span?.line}:${d.span?.col} ${d.message}`).toBe("8:7 Unknown name 'z'.");
    expect(d.notes.map((n) => `${n.span?.line}:${n.span?.col} ${n.message}`)).toEqual([
      "6:5 'z' is defined inside a 'for', where each iteration has its own names; to use it after the loop, define it before the loop and assign it inside",
    ]);
    expect(d.suggestion).toBeUndefined();
  });

  it('unrolls a range a..b (b excluded)', () => {
    const g = ok(model('f32[batch, 4]', 'f32[batch, 4]', '  h = x\n  for i in 1..4 {\n    h = h |> dense(4 * i) |> dense(4)\n  }\n  y = h')).models[0]!;
    expect(g.layers.filter((l) => l.kind === 'dense').map((l) => l.args['units'])).toEqual([4, 4, 8, 4, 12, 4]);
  });

  it('reports a loop over something that is not a list, and a loop too long', () => {
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  for c in 3 {\n    x = x\n  }\n  y = x'))[0]).toMatch(/^DLM2048 4:12 'for' iterates over a list .* got the integer 3/);
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  for i in 0..5000 {\n  }\n  y = x'))[0]).toMatch(/^DLM2049 .*unroll 5000 iterations; at most 1000/);
    expect(errors(model('f32[batch, 4]', 'f32[batch, 4]', '  for i in 0..2.5 {\n  }\n  y = x'))[0]).toMatch(/^DLM2052 .*the number 2.5/);
  });

  it('formats every new construct canonically and idempotently, with the same IR', () => {
    const src = `${resBlock}let cfg = [8, "M", 16]\nmodel N {\n  input x: f32[batch, 8, 4, 4]\n  output y: f32[batch, 8, 4, 4]\n  // the loop\n  h = x\n  for i in 0..2 {\n    if i==0 { h = h |> Res(8, 8) } else { h=h|>relu }  // end\n  }\n  a, b = h |> split(2, axis: 1)\n  y = concat(a[:, ::1, ...], b @ b[:,:,-4:,:] ,axis: 1)\n}\n`;
    const once = format(src, 'main.dlm').result!;
    // A comment on the line of a one-line `if` stays on the line of its first statement.
    expect(once).toContain('  for i in 0..2 {\n    if i == 0 {\n      h = h |> Res(8, 8) // end\n    } else {\n      h = h |> relu\n    }\n  }');
    expect(once).toContain('  a, b = h |> split(2, axis: 1)');
    expect(once).toContain('y = concat(a[:, ::1, ...], b @ b[:, :, -4:, :], axis: 1)');
    expect(format(once, 'main.dlm').result).toBe(once);
    const ir = (t: string) => JSON.stringify(ok(t).models.map((m) => m.nodes), (k, v: unknown) => (k === 'span' ? undefined : v));
    expect(ir(once)).toBe(ir(src));
  });
});
