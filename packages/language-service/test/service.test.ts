/**
 * The service resolves names the way the compiler does, because it reads the compiler's binder:
 * imported declarations, a local declaration clashing with an imported one, shadowing in bodies.
 */
import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { analyze, complete, definition, hover, rename } from '../src/index.js';

const registry = new PluginRegistry();
registry.register(stdPlugin);

const LIB = `let width = 8

block Widen(n: int) {
  input x
  output y
  y = x |> dense(n)
}
`;

const MAIN = `import "lib.dlm"

let width = 4

model M {
  input x: f32[batch, 3]
  output y: f32[batch, 2]

  width = x |> Widen(n: 6)
  y = width |> dense(2)
}
`;

const files: Record<string, string> = { '/p/lib.dlm': LIB, '/p/main.dlm': MAIN };
const an = () => analyze(MAIN, '/p/main.dlm', registry, (p) => files[p]);

describe('names as the compiler binds them', () => {
  it('an imported block: definition goes to the imported file', () => {
    const a = an();
    const at = MAIN.indexOf('Widen(') + 1;
    expect(definition(a, at)).toMatchObject({ file: '/p/lib.dlm', start: LIB.indexOf('Widen') });
  });

  it('a local constant clashing with an imported one: the compiler reports DLM2011 and keeps the local one; so does the service', () => {
    const a = an();
    expect(a.diagnostics.map((d) => d.code)).toContain('DLM2011');
    const local = a.symbols.moduleScope.get('width')!;
    expect(local.span.file).toBe('/p/main.dlm');
    expect(local.span.start).toBe(MAIN.indexOf('width = 4'));
  });

  it('a body value shadows the module constant: rename touches the value and its use only', () => {
    const a = an();
    const at = MAIN.indexOf('width = x') + 1;
    const r = rename(a, at, 'wide');
    expect('edits' in r).toBe(true);
    const starts = 'edits' in r ? r.edits.map((s) => s.start).sort((x, y) => x - y) : [];
    expect(starts).toEqual([MAIN.indexOf('width = x'), MAIN.indexOf('width |> dense')]);
  });

  it('a named argument resolves to the imported block parameter; hover and completion answer', () => {
    const a = an();
    const at = MAIN.indexOf('n: 6');
    expect(definition(a, at)).toMatchObject({ file: '/p/lib.dlm', start: LIB.indexOf('n: int') });
    expect(hover(a, at)?.markdown).toBe('(argument of Widen) **n**: block parameter: int');
    expect(hover(a, MAIN.indexOf('dense(2)') + 1)?.markdown).toContain('dense');
    expect(complete(a, MAIN.indexOf('dense(2)')).map((c) => c.label)).toEqual(expect.arrayContaining(['Widen', 'dense']));
  });
});

describe('hover on the transformer-era statements', () => {
  const TEXT = `model M {
  input x: f32[batch, 10, 48]
  output y: f32[batch, 10, 16]
  q, k, v = x |> split(sizes: [16, 16, 16])
  h = q
  for i in 0..2 {
    h = h |> dense(16)
  }
  y = (q @ (k |> transpose)) @ v + h
}
`;
  const a = () => analyze(TEXT, '/p/m.dlm', registry, () => undefined);
  const at = (word: string) => hover(a(), TEXT.indexOf(word))!.markdown;

  it('each destructured name has its own output type', () => {
    expect(a().diagnostics).toEqual([]);
    expect(at('q, k')).toBe('(value) **q**: `f32[batch, 10, 16]`\n\nfrom **split** · 0 params');
    expect(at('k, v')).toBe('(value) **k**: `f32[batch, 10, 16]`\n\nfrom **split** · 0 params');
    expect(at('v = x')).toBe('(value) **v**: `f32[batch, 10, 16]`\n\nfrom **split** · 0 params');
  });

  it('a loop variable says what it runs over', () => {
    expect(at('i in')).toBe('(loop variable) **i** in `0..2`');
  });
});

describe('completion offers the names visible at the cursor', () => {
  const LOOPS = `model M {
  input x: f32[batch, 4]
  output y: f32[batch, 4]

  h = x
  for i in 0..2 {
    inner = h |> relu
    h = inner
  }
  for j in 0..2 {
    h = h |> relu
  }
  y = h
}
`;
  const labels = (offset: number) => complete(analyze(LOOPS, '/p/loops.dlm', registry, () => undefined), offset).map((c) => c.label);

  it("inside one loop, its own variable and names but not another loop's", () => {
    const inFirst = labels(LOOPS.indexOf('h = inner'));
    expect(inFirst).toEqual(expect.arrayContaining(['i', 'inner', 'h', 'x']));
    expect(inFirst).not.toContain('j');
    const inSecond = labels(LOOPS.indexOf('h = h |> relu\n  }\n  y'));
    expect(inSecond).toEqual(expect.arrayContaining(['j', 'h', 'x']));
    expect(inSecond).not.toContain('i');
    expect(inSecond).not.toContain('inner');
  });

  it("after the loops, neither loop's variable nor the names defined inside them", () => {
    const after = labels(LOOPS.indexOf('y = h'));
    expect(after).toEqual(expect.arrayContaining(['h', 'x', 'y']));
    for (const hidden of ['i', 'j', 'inner']) expect(after).not.toContain(hidden);
  });

  it('a name defined in a loop and again after it is visible after it; a nested loop sees the outer variable', () => {
    const text = `model M {
  input x: f32[batch, 4]
  output y: f32[batch, 4]

  h = x
  for i in 0..2 {
    t = h |> relu
    for k in 0..2 {
      h = t
    }
  }
  t = h
  y = t
}
`;
    const at = (s: string) => complete(analyze(text, '/p/t.dlm', registry, () => undefined), text.indexOf(s)).map((c) => c.label);
    expect(at('h = t')).toEqual(expect.arrayContaining(['i', 'k', 't']));
    expect(at('y = t')).toContain('t');
    expect(at('y = t')).not.toContain('k');
  });
});

describe('hover on a block', () => {
  const TEXT = `block Res(units: int) {
  input x
  output y
  y = relu(x + (x |> dense(units)))
}

model M {
  input x: f32[batch, 8]
  output y: f32[batch, 8]
  y = x |> repeat 3 { Res(8) } |> Res(units: 8)
}
`;
  it('counts its instances and the parameters of each (nested layers included)', () => {
    const a = analyze(TEXT, '/p/m.dlm', registry, () => undefined);
    expect(a.diagnostics).toEqual([]);
    // dense(8) on 8 features: 8·8 + 8 = 72 per instance; 3 repeated + 1 direct
    expect(hover(a, TEXT.indexOf('Res('))!.markdown).toBe('(block) **Res**(units: int)\n\n4 instances · 72 params each');
  });
});

describe('argument completion in a train entry', () => {
  // A loss and an optimizer of the same name with different arguments: which one a call's
  // arguments come from depends on the entry's key, the first token on the call's line.
  const mse = stdPlugin.losses!.find((l) => l.name === 'mse')!;
  const sgd = stdPlugin.optimizers!.find((o) => o.name === 'sgd')!;
  const twins = new PluginRegistry();
  twins.register(stdPlugin);
  twins.register({
    name: 'twins',
    apiVersion: stdPlugin.apiVersion,
    losses: [{ ...mse, name: 'twin', args: [{ name: 'margin', type: 'float', default: 1, doc: 'margin' }] }],
    optimizers: [{ ...sgd, name: 'twin', args: [{ name: 'lr', type: 'float', default: 0.1, doc: 'rate' }, { name: 'decay', type: 'float', default: 0, doc: 'decay' }] }],
  });
  const TEXT = `model M {
  input x: f32[batch, 3]
  output y: f32[batch, 2]
  y = x |> dense(2)
}

train T {
  model: M
  loss: twin(), optimizer:
    twin()
  epochs: 1
}
`;
  const labels = (offset: number) => complete(analyze(TEXT, '/p/t.dlm', twins, () => undefined), offset).map((c) => c.label);

  it("a call after the entry's key on its line takes that kind's arguments", () => {
    const loss = labels(TEXT.indexOf('twin(') + 5);
    expect(loss).toContain('margin');
    expect(loss).not.toContain('lr');
  });

  it('a call on a line of its own is read against the first token of that line', () => {
    const own = labels(TEXT.lastIndexOf('twin(') + 5);
    expect(own).not.toContain('margin');
  });
});
