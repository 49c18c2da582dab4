/** Feature tests of the language: each construct compiles to the IR it should. */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, type Program } from '@dlm/core';
import { compileSource, format, parse } from '../src/index.js';
import { makeRegistry } from './helpers.js';

const registry = makeRegistry();

function compile(text: string, files: Record<string, string> = {}) {
  return compileSource(text, 'main.dlm', { registry, readFile: (p) => files[p] });
}

function ok(text: string, files: Record<string, string> = {}): Program {
  const out = compile(text, files);
  expect(formatDiagnostics(out.diagnostics, { sources: out.sources })).toBe('');
  return out.program;
}

const head = (inp = 'f32[batch, 4]', out = 'f32[batch, 2]') => `model M {\n  input x: ${inp}\n  output y: ${out}\n`;

describe('parse', () => {
  it('gives every node a span with line and column', () => {
    const { ast, diagnostics } = parse('let a = 1\n\nmodel M {\n  input x: f32[batch, 2]\n}\n', 'p.dlm');
    expect(diagnostics).toEqual([]);
    const m = ast.items[1]!;
    expect(m.kind).toBe('model');
    expect(m.span).toMatchObject({ file: 'p.dlm', line: 3, col: 1, endLine: 5, endCol: 2 });
    if (m.kind === 'model') expect(m.body[0]!.span).toMatchObject({ line: 4, col: 3 });
  });

  it('keeps comments aside for the formatter', () => {
    const { ast } = parse('// one\nlet a = 1 /* two */\n', 'p.dlm');
    expect(ast.comments.map((c) => c.text)).toEqual(['// one', '/* two */']);
  });

  it('words mismatches by context', () => {
    const msg = (t: string) => parse(t, 'p.dlm').diagnostics.map((d) => d.message);
    expect(msg('model M { y = x |> conv2d(10, 5 |> relu }')).toEqual(["Expected ')' after the arguments of conv2d, found '|>'."]);
    expect(msg('block B(a: int { }')[0]).toBe("Expected ')' after the parameters of block B, found '{'.");
    expect(msg('model M { input x: f32[batch, 2 }')[0]).toBe("Expected ']' after the shape f32[…], found '}'.");
    expect(msg('train T { data mnist')[0]).toBe("Expected '}' to close the body of train T, found the end of the file.");
  });
});

describe('constants', () => {
  it('folds + - * / div % and parentheses, left to right with precedence', () => {
    const p = ok(`let a = 2 + 3 * 4\nlet b = (2 + 3) * 4\nlet c = 7 div 2\nlet d = -7 % 3\nlet e = 1 / 4\nlet f = 10 - 2 - 3\n${head()}  y = x |> dense(a - 12) |> dense(b div 10) |> dense(c + d + f - 7 + e * 4) |> dense(2)\n}\n`);
    // a = 14, b = 20, c = 3, d = 2 (floor modulo, as Python), e = 0.25, f = 5.
    expect(p.models[0]!.layers.map((l) => l.args['units'])).toEqual([2, 2, 4, 2]);
  });

  it('uses constants in shapes and as symbolic dims', () => {
    const p = ok(`let n = 4\nmodel M {\n  input x: f32[batch, n]\n  output y: f32[batch, n * 2]\n  y = x |> dense(n * 2)\n}\n`);
    expect(p.models[0]!.inputs[0]!.type.shape).toEqual(['batch', 4]);
    expect(p.models[0]!.outputs[0]!.type.shape).toEqual(['batch', 8]);
  });

  it('holds plugin calls in constants', () => {
    const p = ok(`let reg = l2(1e-4)\n${head()}  y = x |> dense(2) { weight: regularize reg }\n}\ntrain M {\n  data mnist\n  loss mse\n  optimizer sgd\n  regularize reg\n  epochs 1\n}\n`);
    expect(p.trainings[0]!.regularizers[0]).toMatchObject({ name: 'l2', args: { weight: 1e-4 } });
    expect(p.models[0]!.params.find((x) => x.name.endsWith('weight'))!.regularizers[0]).toMatchObject({ name: 'l2' });
  });
});

describe('layers and values', () => {
  it('turns + on tensors into an add layer and supports skip connections by name', () => {
    const p = ok(`${head('f32[batch, 4]', 'f32[batch, 4]')}  h = x |> dense(4) |> relu\n  y = relu(h + x)\n}\n`);
    const g = p.models[0]!;
    expect(g.layers.map((l) => l.kind)).toEqual(['dense', 'relu', 'add', 'relu']);
    expect(g.layers.find((l) => l.kind === 'add')!.inputs).toEqual(['relu_1/relu', 'x']);
  });

  it('feeds tuples and leading tensor arguments to multi-input layers', () => {
    const p = ok(`model M {\n  input a: f32[batch, 4]\n  input b: f32[batch, 3]\n  output y: f32[batch, 7]\n  output z: f32[batch, 7]\n  y = (a, b) |> concat(axis: 1)\n  z = concat(a, b, axis: 1)\n}\n`);
    expect(p.models[0]!.nodes.filter((n) => n.op === 'Concat').map((n) => n.inputs)).toEqual([['a', 'b'], ['a', 'b']]);
  });

  it('applies per-parameter settings', () => {
    const p = ok(`${head()}  y = x |> dense(2) { weight: init normal(std: 0.02), regularize l1(1e-5); bias: init constant(0.1), trainable false }\n}\n`);
    const [w, b] = p.models[0]!.params;
    expect(w!.init).toEqual({ kind: 'normal', args: { std: 0.02 } });
    expect(w!.regularizers.map((r) => r.name)).toEqual(['l1']);
    expect(w!.trainable).toBe(true);
    expect(b!.init).toEqual({ kind: 'constant', args: { value: 0.1 } });
    expect(b!.trainable).toBe(false);
  });
});

describe('blocks and repeat', () => {
  const block = `block Dense2(units: int, act: string = "relu") {\n  input x\n  output y\n  y = x |> dense(units) |> relu\n}\n`;

  it('expands a block as a scope with defaults', () => {
    const p = ok(`${block}${head()}  y = x |> Dense2(8) |> Dense2(units: 2)\n}\n`);
    const g = p.models[0]!;
    const blocks = g.layers.filter((l) => l.isBlock);
    expect(blocks.map((l) => [l.path.join('/'), l.args])).toEqual([
      ['dense2_1', { units: 8, act: 'relu' }],
      ['dense2_2', { units: 2, act: 'relu' }],
    ]);
    expect(g.nodes.map((n) => n.scope.join('/'))).toContain('dense2_2/dense_1');
  });

  it('repeats with an index variable, one scope per repetition', () => {
    const p = ok(`${head('f32[batch, 4]', 'f32[batch, 3]')}  y = x |> repeat 3 as i { dense(i + 1) |> relu }\n}\n`);
    const g = p.models[0]!;
    expect(g.layers.filter((l) => l.kind === 'dense').map((l) => [l.path.join('/'), l.args['units']])).toEqual([
      ['repeat_1/dense_1', 1],
      ['repeat_2/dense_1', 2],
      ['repeat_3/dense_1', 3],
    ]);
  });

  it('repeat 0 passes its input through', () => {
    const p = ok(`${head('f32[batch, 4]', 'f32[batch, 4]')}  y = x |> repeat 0 { dense(4) }\n}\n`);
    expect(p.models[0]!.nodes.map((n) => n.op)).toEqual(['Identity']);
  });

  it('an input named like a root node (identity) keeps outputs routed through an Identity named', () => {
    // The Identity that routes an input to an output was named 'identity' too, so its output stayed
    // 'identity' and the declared output 'y' had no producer (the ONNX export had an unproduced output).
    const p = ok(`model M {\n  input identity: f32[batch, 4]\n  output y: f32[batch, 4]\n  output z: f32[batch, 4]\n  y = identity\n  z = identity |> relu\n}\n`);
    const g = p.models[0]!;
    const produced = new Set(g.nodes.flatMap((n) => n.outputs));
    expect(g.outputs.map((o) => o.name).filter((o) => !produced.has(o))).toEqual([]);
    expect(g.nodes.find((n) => n.op === 'Identity')).toMatchObject({ inputs: ['identity'], outputs: ['y'] });
  });

  it('multi-input and multi-output blocks', () => {
    const p = ok(`block Merge(axis: int = 1) {\n  input a\n  input b\n  output y\n  y = concat(a, b, axis: axis)\n}\nblock Split() {\n  input x\n  output a\n  output b\n  a = x |> dense(2)\n  b = x |> dense(3)\n}\n${head('f32[batch, 4]', 'f32[batch, 5]')}  y = x |> Split |> Merge\n}\n`);
    expect(p.models[0]!.layers.filter((l) => l.isBlock).map((l) => l.kind)).toEqual(['Split', 'Merge']);
    // A tuple can be named and piped on later.
    const q = ok(`block Split() {\n  input x\n  output a\n  output b\n  a = x |> dense(2)\n  b = x |> dense(3)\n}\n${head('f32[batch, 4]', 'f32[batch, 5]')}  parts = x |> Split\n  y = parts |> concat(axis: 1)\n}\n`);
    expect(q.models[0]!.nodes.find((n) => n.op === 'Concat')!.inputs).toEqual(['split_1/dense_1/gemm', 'split_1/dense_2/gemm']);
  });
});

describe('outputs', () => {
  it('two outputs of the same value, and an input as an output, stay well-formed', () => {
    const p = ok(`model M {\n  input x: f32[batch, 4]\n  output y: f32[batch, 2]\n  output z: f32[batch, 2]\n  output w: f32[batch, 4]\n  h = x |> dense(2)\n  y = h\n  z = h\n  w = x\n}\n`);
    const g = p.models[0]!;
    const known = new Set([...g.inputs.map((v) => v.name), ...g.params.map((v) => v.name), ...g.nodes.flatMap((n) => n.outputs)]);
    for (const n of g.nodes) for (const i of n.inputs) expect(known.has(i), `${n.id} reads ${i}`).toBe(true);
    for (const o of g.outputs) expect(known.has(o.name), o.name).toBe(true);
    expect(g.outputs.map((o) => o.name)).toEqual(['y', 'z', 'w']);
  });
});

describe('output declarations with a value', () => {
  it('declares and assigns at once; the formatter keeps the form', () => {
    const src = 'model M {\n  input x: f32[batch, 4]\n  output y: f32[batch, 2] = x |> dense(2) |> relu\n}\n';
    const p = ok(src);
    expect(p.models[0]!.outputs.map((o) => o.name)).toEqual(['y']);
    expect(format(src, 'f.dlm').result).toBe(src);
  });
});

describe('models as blocks', () => {
  it('uses a model inside another model as a scope, checking its declared types', () => {
    const p = ok(`model Encoder {\n  input x: f32[batch, 4]\n  output z: f32[batch, 2]\n  z = x |> dense(2)\n}\n${head()}  y = x |> Encoder |> relu\n}\n`);
    const m = p.models.find((g) => g.name === 'M')!;
    expect(m.layers.filter((l) => l.isBlock).map((l) => [l.kind, l.path.join('/')])).toEqual([['Encoder', 'encoder_1']]);
    expect(m.params.map((x) => x.name)).toEqual(['encoder_1.dense_1.weight', 'encoder_1.dense_1.bias']);
  });
});

describe('imports', () => {
  const lib = `let width = 8\nblock Dense2(units: int) {\n  input x\n  output y\n  y = x |> dense(units) |> relu\n}\nmodel Lib {\n  input x: f32[batch, 4]\n  output y: f32[batch, 8]\n  y = x |> Dense2(width)\n}\n`;

  it('makes imported constants, blocks and models visible (relative paths)', () => {
    const p = ok(`import "lib/common.dlm"\n${head()}  y = x |> Dense2(width) |> dense(2)\n}\ntrain Lib {\n  data mnist\n  loss mse\n  optimizer sgd\n  epochs 1\n}\n`, { 'lib/common.dlm': lib });
    expect(p.models.map((m) => m.name)).toEqual(['M', 'Lib']);
    expect(p.models[1]!.source).toBe('lib/common.dlm');
  });

  it('is not transitive, and resolves paths relative to the importing file', () => {
    const files = {
      'lib/b.dlm': 'import "c.dlm"\nblock UsesC() {\n  input x\n  output y\n  y = x |> FromC\n}\n',
      'lib/c.dlm': 'block FromC() {\n  input x\n  output y\n  y = x |> relu\n}\n',
    };
    const good = compile(`import "lib/b.dlm"\n${head('f32[batch, 4]', 'f32[batch, 4]')}  y = x |> UsesC\n}\n`, files);
    expect(good.diagnostics).toEqual([]);
    const bad = compile(`import "lib/b.dlm"\n${head('f32[batch, 4]', 'f32[batch, 4]')}  y = x |> FromC\n}\n`, files);
    expect(bad.diagnostics.map((d) => d.code)).toEqual(['DLM2001']);
  });

  it('returns the text of every file for code frames', () => {
    const out = compile(`import "lib/common.dlm"\n${head()}  y = x |> Dense2(2)\n}\n`, { 'lib/common.dlm': lib + 'let bad = 1 / 0\n' });
    expect([...out.sources.keys()]).toEqual(['main.dlm', 'lib/common.dlm']);
    expect(out.diagnostics.map((d) => [d.code, d.span?.file])).toEqual([['DLM2021', 'lib/common.dlm']]);
  });
});

describe('train blocks', () => {
  it('builds a TrainingSpec with validated plugin arguments and settings', () => {
    const p = ok(`${head()}  y = x |> dense(2)\n}\ntrain M {\n  data mnist(batch: 16)\n  loss mse\n  optimizer adam(lr: 1e-3)\n  schedule cosine(epochs: 4)\n  epochs 4\n  metrics accuracy\n  seed 7\n  validation_split 0.1\n  clip 1.0\n}\n`);
    const t = p.trainings[0]!;
    expect(t).toMatchObject({ kind: 'supervised', model: 'M', epochs: 4 });
    expect(t.data.args['batch']).toBe(16);
    expect(t.settings).toMatchObject({ seed: 7, validation_split: 0.1, clip: 1, schedule: { name: 'cosine', args: { epochs: 4 } } });
  });
});

describe('format', () => {
  it('prints the canonical layout and keeps comments', () => {
    const src = `// header\nlet  a=1 // trailing\nmodel M{\ninput x:f32[batch,4]\noutput y:f32[batch,2]\n\n\n// before y\ny=x|>dense(8)|>relu|>dense(4)|>relu|>dense(2) // end\n}\ntrain M{data mnist(batch:64) loss mse optimizer sgd epochs 1 metrics accuracy,recall}\n`;
    const out = format(src, 'f.dlm').result!;
    expect(out).toBe(
      [
        '// header',
        'let a = 1 // trailing',
        '',
        'model M {',
        '  input x: f32[batch, 4]',
        '  output y: f32[batch, 2]',
        '',
        '  // before y',
        '  y = x',
        '    |> dense(8)',
        '    |> relu',
        '    |> dense(4)',
        '    |> relu',
        '    |> dense(2) // end',
        '}',
        '',
        'train M {',
        '  data mnist(batch: 64)',
        '  loss mse',
        '  optimizer sgd',
        '  epochs 1',
        '  metrics accuracy, recall',
        '}',
        '',
      ].join('\n'),
    );
    expect(format(out, 'f.dlm').result).toBe(out);
  });

  it('refuses to format text with syntax errors', () => {
    const r = format('model M {', 'f.dlm');
    expect(r.result).toBeUndefined();
    expect(r.diagnostics[0]!.code).toBe('DLM1002');
  });
});
