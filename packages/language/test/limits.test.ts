/**
 * Issue 13's "inputs that take the checker down", each reproduced: expansion limits checked
 * before expanding, diagnostics linear in their number, and the language misuses that used to
 * give misleading or cascading messages.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '@dlm/core';
import { compileSource, MAX_LAYERS } from '../src/index.js';
import { ExpansionBudget, minLayers } from '../src/budget.js';
import { parse } from '../src/parse.js';
import { MAX_SYNTAX_ERRORS } from '../src/grammar.js';
import { MAX_STRAY_REPORTS } from '../src/lexer.js';
import { makeRegistry } from './helpers.js';

const registry = makeRegistry();
const noImports = () => undefined;
const compile = (text: string) => compileSource(text, 'm.dlm', { registry, readFile: noImports });
const codes = (text: string) => compile(text).diagnostics.map((d) => d.code);
const model = (body: string) => `model M {\n  input x: f32[batch, 10]\n  output y: f32[batch, 10]\n${body}\n}\n`;

describe('expansion budget', () => {
  it('refuses a million layers before expanding them, at the outer repeat count', () => {
    const t0 = performance.now();
    const out = compile(model('  y = x |> repeat 1000 { repeat 1000 { dense(10) } }'));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(out.diagnostics.map((d) => d.code)).toEqual(['DLM2061']);
    expect(out.diagnostics[0]!.message).toBe(`This repeat expands to 1000000 layers (1000 × 1000), more than the ${MAX_LAYERS} left of the limit of ${MAX_LAYERS} layers per model.`);
    expect(out.diagnostics[0]!.span!.col).toBe(19);
  });

  it('measures a body of blocks on its first repetition and refuses the rest', () => {
    const text = `block B() {\n  input x\n  output y\n  y = x |> repeat 200 { dense(10) }\n}\n${model('  y = x |> repeat 1000 { B() }')}`;
    const out = compile(text);
    expect(out.diagnostics.map((d) => d.code)).toEqual(['DLM2061']);
    expect(out.program.models[0]!.layers.length).toBeLessThan(500);
  });

  // A repeat with an index may expand differently in each repetition (`if i == 0` in a block it
  // calls): its first repetition says nothing about the others, so it is not extrapolated; the
  // layers are charged as they are made and the limit is reported where it is reached.
  const byIndex = (cond: string) =>
    `block B(i: int) {\n  input x\n  output y\n  if ${cond} {\n    y = x |> repeat 300 { dense(10) }\n  } else {\n    y = x |> dense(10)\n  }\n}\n` +
    model('  y = x |> repeat 1000 as i { B(i: i) }');

  it('an indexed repeat whose first repetition is the large one is accepted when the whole fits', () => {
    // First repetition: 300 × (scope + dense) + the instance and its scope ≈ 600 layers; the other
    // 999 make 3 each. Extrapolated from the first, 1000 × 600 would be over the limit.
    const out = compile(byIndex('i == 0'));
    expect(out.diagnostics).toEqual([]);
    const layers = out.program.models[0]!.layers.length;
    expect(layers).toBeGreaterThan(600 + 999 * 2);
    expect(layers).toBeLessThan(MAX_LAYERS);
  });

  it('an indexed repeat whose later repetitions are large is refused where the limit is reached, at the repeat', () => {
    const out = compile(byIndex('i >= 500'));
    expect(out.diagnostics.map((d) => `${d.code} ${d.span!.line}:${d.span!.col}`)).toEqual(['DLM2067 13:19']);
    expect(out.diagnostics[0]!.message).toMatch(/^This repeat expands to more than the limit of 100000 layers per model: the limit runs out in iteration (\d+) of 1000, after \d+ layers of the loop\.$/);
    const iteration = Number(/iteration (\d+)/.exec(out.diagnostics[0]!.message)![1]);
    expect(iteration).toBeGreaterThan(500);
    expect(iteration).toBeLessThan(1000);
  }, 60_000);

  it('a budget any expansion can charge: fits, charge, remaining', () => {
    const b = new ExpansionBudget(10);
    expect(b.charge(4)).toBe(true);
    expect(b.fits(6)).toBe(true);
    expect(b.charge(7)).toBe(false);
    expect(b.remaining).toBe(6);
    const stages = parse(model('  y = x |> repeat 3 { dense(1) |> repeat 4 { relu } }'), 'm.dlm').ast;
    const m = stages.items[0] as { body: { value?: { stages?: never[] } }[] };
    expect(minLayers(m.body[2]!.value!.stages!)).toBe(3 * (1 + 4));
  });

  it('refuses nested for loops before unrolling them, at the outer loop', () => {
    const t0 = performance.now();
    const out = compile(model('  h = x\n  for i in 0..1000 {\n    for j in 0..1000 {\n      h = h |> relu\n    }\n  }\n  y = h'));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(out.diagnostics.map((d) => d.code)).toEqual(['DLM2066']);
    expect(out.diagnostics[0]!.message).toBe(`This 'for' expands to at least 1000000 layers (1000 iterations × 1000), more than the ${MAX_LAYERS} left of the limit of ${MAX_LAYERS} layers per model.`);
    expect(out.diagnostics[0]!.span).toMatchObject({ line: 5, col: 12 });
  });

  it('stops unrolling once the budget is spent, when the layers were not known before (a loop of ifs)', () => {
    const t0 = performance.now();
    const body = '  h = x\n  for i in 0..999 {\n    for j in 0..999 {\n      for k in 0..999 {\n        if k >= 0 {\n          h = h |> relu\n        }\n      }\n    }\n  }\n  y = h';
    const out = compile(model(body));
    expect(performance.now() - t0).toBeLessThan(30_000); // 4.4 s here; it ran for minutes, unrolling 10^9 iterations
    expect(out.diagnostics.map((d) => d.code)).toEqual(['DLM2060']);
  }, 120_000);

  it("a block instance that runs out is reported at the model's loop, with the real numbers and a note into the block", () => {
    const block = 'block B() {\n  input x\n  output y\n  y = x |> repeat 1000 { dense(10) }\n}\n';
    const out = compile(block + model('  h = x\n  for i in 0..200 {\n    h = h |> B()\n  }\n  y = h'));
    expect(out.diagnostics.map((d) => d.code)).toEqual(['DLM2067']);
    const d = out.diagnostics[0]!;
    // Each instance is 2001: itself, 1000 layers and 1000 repeat scopes; 49 make 98049, and the
    // 50th (its instance and first repetition made: 98052) needs 999 × 2 more than are left.
    expect(d.message).toBe(
      `This 'for' expands to more than the limit of ${MAX_LAYERS} layers per model: the limit runs out in iteration 50 of 200, after 98052 layers of the loop.`,
    );
    expect(d.span).toMatchObject({ line: 10, col: 12 });
    expect(d.notes).toEqual([expect.objectContaining({ message: "the limit runs out here, in block 'B'", span: expect.objectContaining({ line: 4, col: 19 }) })]);
  }, 60_000);

  it('a block called in a pipeline that runs out is reported at its call, counting the layers before it', () => {
    const block = 'block B() {\n  input x\n  output y\n  y = x |> repeat 500 { repeat 40 { dense(10) } }\n}\n';
    const out = compile(block + model('  y = x |> relu |> B() |> B() |> B() |> B() |> B()'));
    // Each instance is 1 + 500 × (1 + 40 × 2) = 40501: after relu and two of them (81003), the
    // third (itself: 81004) finds 18996 left for its 20000 layers.
    expect(out.diagnostics.map((d) => `${d.code} ${d.span!.line}:${d.span!.col}`)).toEqual(['DLM2067 9:34']);
    expect(out.diagnostics[0]!.message).toBe(
      `This call of block 'B' expands to more than the limit of ${MAX_LAYERS} layers per model: the limit runs out after 0 of its layers and 81004 before it.`,
    );
  });

  it('a model within the limit compiles as before', () => {
    expect(codes(model('  y = x |> repeat 10 { repeat 10 { dense(10) } }'))).toEqual([]);
  });
});

describe('diagnostics are linear in their number', () => {
  const errors = (n: number) => model(Array.from({ length: n }, (_, i) => `  v${i} = x |> nosuch`).join('\n') + '\n  y = x |> relu');
  const time = (n: number) => {
    const t0 = performance.now();
    const out = compile(errors(n));
    formatDiagnostics(out.diagnostics, { sources: out.sources, maxErrors: 0 });
    expect(out.diagnostics.length).toBe(2 * n);
    return performance.now() - t0;
  };
  it('4 times the errors take far less than 16 times as long', () => {
    time(500); // warm up
    const small = time(1000);
    const big = time(4000);
    expect(big / small).toBeLessThan(10);
  }, 120_000);
});

describe('misuses that used to mislead', () => {
  it('a reserved word as a value name is one error, also where the name is used later', () => {
    const out = compile(model('  model = x |> relu\n  train = model |> dense(10)\n  y = train'));
    expect(out.diagnostics.map((d) => `${d.code} ${d.span!.line}`)).toEqual(['DLM1023 4', 'DLM1023 5']);
    expect(out.diagnostics[0]!.message).toBe("'model' is a reserved word and cannot name a value; choose another name, such as 'model_'.");
    expect(codes(model('  y = x |> relu\n  let input = 3'))).toEqual(['DLM1023']);
  });

  it('use before definition names the later line, and the value is not also "never used"', () => {
    const out = compile(model('  a = c |> relu\n  y = a |> dense(10)\n  c = x |> dense(10)'));
    expect(out.diagnostics.map((d) => d.code)).toEqual(['DLM2062']);
    expect(out.diagnostics[0]!.message).toBe("'c' is used before it is defined: it is defined later, at line 6.");
    // A name defined nowhere is still "unknown".
    expect(codes(model('  y = nowhere |> relu'))).toContain('DLM2010');
    expect(codes(model('  y = nowhere |> relu'))).not.toContain('DLM2062');
  });

  it('1.2.3 is not a number; integers above 2^53 are not silently rounded', () => {
    expect(codes(model('  y = x |> dropout(1.2.3)'))).toEqual(['DLM1021']);
    expect(codes('let a = -99999999999999999999 % 7\n')).toEqual(['DLM1022']);
    expect(codes('let a = 9007199254740991\n')).toEqual([]);
    expect(codes('let a = 4294967296 * 4294967296\n')).toEqual(['DLM2065']);
    expect(codes('let a = 0.1 * 3\n')).toEqual([]);
  });

  it('a byte-order mark and CRLF: accepted, with columns counted after the mark', () => {
    const text = '\ufeff' + model('  y = x |> relu |> nosuch').replace(/\n/g, '\r\n');
    const out = compile(text);
    expect(out.diagnostics.map((d) => `${d.code} ${d.span!.line}:${d.span!.col}`)).toEqual(['DLM2001 4:20']);
    const first = compile('\ufefflet a = 1 +\r\n');
    expect(first.diagnostics.map((d) => `${d.code} ${d.span!.line}:${d.span!.col}`)).toEqual(['DLM1002 1:12']);
    expect(compile('\ufeff' + model('  y = x |> relu')).diagnostics).toEqual([]);
  });

  it('a run of stray characters is one diagnostic, however long', () => {
    const out = compile(`let a = 1 ${'# ^ $ '.repeat(20000)}\n`);
    expect(out.diagnostics.map((d) => d.code)).toEqual(['DLM1020']);
    expect(out.diagnostics[0]!.message).toBe("Unexpected characters '# ^ $ # ^ $ # ^ $ # …' (119999 characters the language does not use).");
  });

  it('stray characters between tokens: the first 1000 runs listed, the rest counted in one', () => {
    const out = compile(`let a = 1 ${'# @ '.repeat(1500)}\n`);
    const counts = new Map<string, number>();
    for (const d of out.diagnostics) counts.set(d.code, (counts.get(d.code) ?? 0) + 1);
    expect(counts.get('DLM1001')).toBe(MAX_STRAY_REPORTS);
    const rest = out.diagnostics.find((d) => d.code === 'DLM1025')!;
    expect(rest.message).toBe('Too many unexpected characters: 500 more from here to line 1 are not listed one by one.');
    expect(rest.span!.col).toBe(11 + 4 * MAX_STRAY_REPORTS);
  });

  it('the parser stops after MAX_SYNTAX_ERRORS errors and says where; fewer errors are all reported', () => {
    const lines = (n: number) => model(Array.from({ length: n }, (_, i) => `  v${i} = x |> )`).join('\n'));
    const many = parse(lines(MAX_SYNTAX_ERRORS + 200), 'm.dlm').diagnostics;
    const stop = many.find((d) => d.code === 'DLM1024')!;
    expect(stop.message).toBe(`Too many syntax errors (${MAX_SYNTAX_ERRORS}): parsing stopped here, and the rest of the file was not checked.`);
    expect(stop.span!.line).toBeGreaterThan(MAX_SYNTAX_ERRORS / 2);
    expect(stop.span!.line).toBeLessThan(MAX_SYNTAX_ERRORS + 200);
    const few = parse(lines(300), 'm.dlm').diagnostics;
    expect(few.map((d) => d.code)).toEqual(Array(300).fill('DLM1002'));
  });
});
