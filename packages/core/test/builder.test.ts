import { describe, expect, it } from 'vitest';
import { DiagnosticBag, formatType, GraphBuilder, LineMap, PLUGIN_API_VERSION, PluginRegistry, type LayerDef, type SourceSpan } from '../src/index.js';
import { testRegistry } from './fixtures.js';

const span = (start: number, end: number): SourceSpan => new LineMap('m.dlm', 'x'.repeat(200)).span(start, end);
const args = (o: Record<string, unknown>) => Object.entries(o).map(([name, value]) => ({ name, value: value as never }));

function builder() {
  const bag = new DiagnosticBag();
  return { bag, b: new GraphBuilder('M', testRegistry(), bag, span(0, 1), 'm.dlm') };
}

describe('GraphBuilder', () => {
  it('expands layers into scoped nodes and parameters, runs shape rules, and names outputs', () => {
    const { bag, b } = builder();
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 20] });
    const [h] = b.callLayer('linear', [x], args({ units: 8 }), span(10, 20));
    const [y] = b.callLayer('relu', [h!], [], span(21, 25));
    b.addOutput('y', y!, { dtype: 'f32', shape: ['batch', 8] });
    const g = b.finish();
    expect(bag.items).toEqual([]);
    expect(g.nodes.map((n) => [n.id, n.op, n.scope.join('/'), n.inputs.join(','), n.outputs.join(',')])).toEqual([
      ['linear_1/gemm', 'Gemm', 'linear_1', 'x,linear_1.weight,linear_1.bias', 'linear_1/gemm'],
      ['relu_1/relu', 'Relu', 'relu_1', 'linear_1/gemm', 'y'],
    ]);
    expect(g.nodes[0]!.attrs).toEqual({ alpha: 1, beta: 1, transA: 0, transB: 1 });
    expect(g.params.map((p) => [p.name, formatType(p.type), p.trainable])).toEqual([
      ['linear_1.weight', 'f32[8, 20]', true],
      ['linear_1.bias', 'f32[8]', true],
    ]);
    expect(g.layers.map((l) => [l.path.join('/'), l.kind, l.label, l.plugin])).toEqual([
      ['linear_1', 'linear', 'linear 8', 'test-plugin'],
      ['relu_1', 'relu', 'relu', 'test-plugin'],
    ]);
    expect(g.outputs).toEqual([{ name: 'y', type: { dtype: 'f32', shape: ['batch', 8] } }]);
    expect(g.source).toBe('m.dlm');
  });

  it('nests sub-layers and blocks in scopes', () => {
    const { bag, b } = builder();
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 4] });
    b.enterBlock('Head', undefined, {}, [x]);
    const [y] = b.callLayer('mlp', [x], args({ units: 3 }), undefined);
    b.exitBlock([y!]);
    const g = b.finish();
    expect(bag.items).toEqual([]);
    expect(g.layers.map((l) => l.path.join('/'))).toEqual(['head_1', 'head_1/mlp_1', 'head_1/mlp_1/linear_1', 'head_1/mlp_1/relu_1']);
    expect(g.params.map((p) => p.name)).toEqual(['head_1.mlp_1.linear_1.weight', 'head_1.mlp_1.linear_1.bias']);
    expect(g.layers[0]!.outputs).toEqual([y]);
  });

  it('reports a shape mismatch once, with notes, and does not cascade', () => {
    const { bag, b } = builder();
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 'feat'] }, span(3, 4));
    const [h] = b.callLayer('linear', [x], args({ units: 8 }), span(10, 20));
    const [y0] = b.callLayer('relu', [h!], [], span(21, 25));
    // linear checks its input's feature dim: it must not complain about the unknown value.
    const [y1] = b.callLayer('linear', [y0!], args({ units: 8 }), span(26, 30));
    const [y] = b.callLayer('mlp', [y1!], args({ units: 8 }), span(31, 35));
    b.addOutput('y', y!, { dtype: 'f32', shape: ['batch', 8] });
    expect(bag.items.map((d) => `${d.code} ${d.message}`)).toEqual(['DLM3005 linear: needs a fixed feature dim, got feat']);
    expect(b.finish().layers.map((l) => l.kind)).toEqual(['linear', 'relu', 'linear', 'mlp']);
    expect(bag.items[0]!.span).toEqual(span(10, 20));
    expect(b.typeOf(y!).unknown).toBe(true);
  });

  it('turns op shape errors into DLM3001 naming each input and its producer', () => {
    const { bag, b } = builder();
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 'time', 20] });
    b.callLayer('linear', [x], args({ units: 8 }), span(10, 20));
    expect(bag.items.map((d) => d.code)).toEqual(['DLM3005']); // 'time' is not a fixed feature dim
    const { bag: bag2, b: b2 } = builder();
    const x2 = b2.addInput('x', { dtype: 'f32', shape: ['batch', 20, 3] });
    // linear reads shape[1] = 20 but Gemm needs rank 2: the op rule rejects it.
    b2.callLayer('linear', [x2], args({ units: 8 }), span(10, 20));
    expect(bag2.items.map((d) => `${d.code} ${d.message}`)).toEqual(['DLM3001 Gemm: A must have rank 2, got f32[batch, 20, 3] of rank 3']);
    expect(bag2.items[0]!.notes[0]!.message).toBe('input 1 (A) has shape f32[batch, 20, 3], from input x');
  });

  it('rejects an enum attribute value its op schema does not list, as a located DLM3001', () => {
    const { bag, b } = builder();
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 4] });
    // the node is not emitted (its output is poisoned), and the diagnostic is the only report
    expect(() => b.emitNode('Gelu', [x], { approximate: 'fast' }, undefined, span(1, 5))).toThrow();
    expect(bag.items.map((d) => `${d.code} ${d.message}`)).toEqual([`DLM3001 Gelu: attribute approximate must be one of 'none', 'tanh', got "fast"`]);
    expect(bag.items[0]!.span).toEqual(span(1, 5));
    expect(b.finish().nodes).toEqual([]);
  });

  it('reports declared-output mismatches with both types', () => {
    const { bag, b } = builder();
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 20] });
    const [h] = b.callLayer('linear', [x], args({ units: 8 }), span(10, 20));
    b.addOutput('y', h!, { dtype: 'f32', shape: ['batch', 10] }, span(30, 31));
    expect(bag.items.map((d) => `${d.code} ${d.message}`)).toEqual(["DLM3003 Output 'y' is declared as f32[batch, 10] but the model computes f32[batch, 8]."]);
    expect(bag.items[0]!.notes[0]!.message).toBe("the value was produced by linear 'linear_1'");
  });

  it('reports unknown layers with a suggestion, wrong arity, bad args, plugin bugs and lying shape rules', () => {
    const { bag, b } = builder();
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 20] });
    b.callLayer('lineer', [x], [], span(1, 2));
    b.callLayer('relu', [x, x], [], span(3, 4));
    b.callLayer('linear', [x], args({ unit: 3 }), span(5, 6));
    b.callLayer('broken', [x], [], span(7, 8));
    b.callLayer('liar', [x], [], span(9, 10));
    expect(bag.items.map((d) => `${d.code} ${d.message}`)).toEqual([
      "DLM2001 Unknown layer 'lineer'. Did you mean 'linear'?",
      "DLM3004 'relu' takes 1 input(s), got 2.",
      "DLM4003 Unknown argument 'unit' for 'linear'. Did you mean 'units'?",
      "DLM4004 Missing required argument 'units' for 'linear'.",
      "DLM8005 Layer 'broken' from plugin 'test-plugin' failed while expanding: cannot read properties of undefined",
      "DLM8006 Layer 'liar' from plugin 'test-plugin' contradicts its own shape rule: the rule says f32[batch, 20, 1], the expansion produced f32[batch, 20].",
    ]);
  });

  it('applies per-parameter settings and rejects settings for parameters the layer lacks', () => {
    const { bag, b } = builder();
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 20] });
    b.callLayer('linear', [x], args({ units: 4 }), undefined, {
      paramSettings: { weight: { init: { kind: 'he_normal', args: {} }, trainable: false }, bais: { trainable: false } },
    });
    const g = b.finish();
    expect(g.params[0]!.init.kind).toBe('he_normal');
    expect(g.params[0]!.trainable).toBe(false);
    expect(g.params[1]!.trainable).toBe(true);
    expect(bag.items.map((d) => `${d.code} ${d.message}`)).toEqual(["DLM2004 Parameter setting 'bais' does not name a parameter of 'linear'. Did you mean 'bias'?"]);
  });

  it('gives stable, unique ids to repeated layers', () => {
    const { b } = builder();
    let v = b.addInput('x', { dtype: 'f32', shape: ['batch', 4] });
    for (let i = 0; i < 3; i++) v = b.callLayer('relu', [v], [], undefined)[0]!;
    expect(b.finish().nodes.map((n) => n.id)).toEqual(['relu_1/relu', 'relu_2/relu', 'relu_3/relu']);
  });

  it('keeps parameter names unique when a local name holds a dot, whichever layer claims first', () => {
    // `outer` declares `inner_1.c` itself and calls `inner`, whose `c` is then `outer_1.inner_1.c`
    // as well: the second claim of that name gets a suffix, in either order.
    const init = { kind: 'zeros' as const, args: {} };
    const inner: LayerDef = { name: 'inner', family: 'custom', doc: '', args: [], expand: (ctx, [x]) => (ctx.param('c', [2], init), [x!].flatMap((v) => ctx.op('Relu', [v]))) };
    const outer = (dottedFirst: boolean): LayerDef => ({
      name: dottedFirst ? 'outer_dotted_first' : 'outer',
      family: 'custom',
      doc: '',
      args: [],
      expand(ctx, [x]) {
        if (dottedFirst) ctx.param('inner_1.c', [3], init);
        const out = ctx.layerCall('inner', [x!], {});
        if (!dottedFirst) ctx.param('inner_1.c', [3], init);
        ctx.param('w', [4], init);
        return out;
      },
    });
    const registry = new PluginRegistry();
    expect(registry.register({ name: 'dots', apiVersion: PLUGIN_API_VERSION, layers: [inner, outer(false), outer(true)] })).toEqual([]);
    for (const [layer, want] of [
      ['outer', [['outer_1.inner_1.c', 'f32[2]'], ['outer_1.inner_1.c_2', 'f32[3]'], ['outer_1.w', 'f32[4]']]],
      ['outer_dotted_first', [['outer_dotted_first_1.inner_1.c', 'f32[3]'], ['outer_dotted_first_1.inner_1.c_2', 'f32[2]'], ['outer_dotted_first_1.w', 'f32[4]']]],
    ] as const) {
      const bag = new DiagnosticBag();
      const b = new GraphBuilder('M', registry, bag);
      const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 2] });
      // A layer before it, so that names claimed before the first dotted one are kept too.
      b.callLayer('inner', [x], [], undefined);
      b.callLayer(layer, [x], [], undefined);
      expect(bag.items).toEqual([]);
      expect(b.finish().params.map((p) => [p.name, formatType(p.type)])).toEqual([['inner_1.c', 'f32[2]'], ...want]);
    }
  });
});

