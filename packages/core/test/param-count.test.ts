import { describe, expect, it } from 'vitest';
import { countParams, countParamsUnder, paramCountsByPath, scopeKey, summarize, totalsByScope, type Dim, type Graph, type Param } from '../src/index.js';

function param(name: string, scope: string[], shape: Dim[], o: { trainable?: boolean; buffer?: boolean } = {}): Param {
  return {
    name,
    type: { dtype: 'f32', shape },
    init: { kind: 'zeros', args: {} },
    trainable: o.buffer ? false : (o.trainable ?? true),
    regularizers: [],
    scope,
    ...(o.buffer ? { buffer: true } : {}),
  };
}

/** conv (weight 16·3·3·3, frozen bias 16) → block/bn (weight, bias 16 each; running mean, var 16 each). */
const graph: Graph = {
  name: 'Counts',
  inputs: [],
  outputs: [],
  nodes: [],
  values: [],
  layers: [],
  params: [
    param('conv.weight', ['conv'], [16, 3, 3, 3]),
    param('conv.bias', ['conv'], [16], { trainable: false }),
    param('block.bn.weight', ['block', 'bn'], [16]),
    param('block.bn.bias', ['block', 'bn'], [16]),
    param('block.bn.running_mean', ['block', 'bn'], [16], { buffer: true }),
    param('block.bn.running_var', ['block', 'bn'], [16], { buffer: true }),
  ],
};

describe('countParams', () => {
  it('counts buffers and frozen parameters as non-trainable, as Keras does', () => {
    expect(countParams(graph.params)).toEqual({ total: 432 + 16 + 64, trainable: 432 + 32, nonTrainable: 16 + 32, buffers: 32 });
  });
  it('counts a layer with everything nested in it, and the model with []', () => {
    expect(countParamsUnder(graph, ['block', 'bn'])).toEqual({ total: 64, trainable: 32, nonTrainable: 32, buffers: 32 });
    expect(countParamsUnder(graph, ['block'])).toEqual(countParamsUnder(graph, ['block', 'bn']));
    expect(countParamsUnder(graph, ['conv'])).toEqual({ total: 448, trainable: 432, nonTrainable: 16, buffers: 0 });
    expect(countParamsUnder(graph)).toEqual(countParams(graph.params));
    // a path is matched by segments, not by string prefix
    expect(countParamsUnder(graph, ['con']).total).toBe(0);
  });
  it('an empty model has no parameters', () => {
    expect(countParams([])).toEqual({ total: 0, trainable: 0, nonTrainable: 0, buffers: 0 });
  });
  it('the summary totals are these counts', () => {
    const s = summarize(graph);
    expect([s.totalParams, s.trainableParams, s.nonTrainableParams, s.bufferElements]).toEqual([512, 464, 48, 32]);
  });
  it('paramCountsByPath gives countParamsUnder for every path, segments matched whole', () => {
    const countsOf = paramCountsByPath(graph);
    for (const path of [[], ['conv'], ['block'], ['block', 'bn'], ['con'], ['block', 'b'], ['conv', 'x'], ['']]) {
      expect(countsOf(path), path.join('/')).toEqual(countParamsUnder(graph, path));
    }
  });
});

describe('totalsByScope', () => {
  it('sums each item into every prefix of its scope, and only there', () => {
    const items: [string[], number][] = [[['a', 'b'], 1], [['a'], 2], [['ab'], 4], [[], 8], [['a', 'b', 'c'], 16]];
    const t = totalsByScope(items, ([s]) => s, ([, v]) => v);
    expect(t.get(scopeKey([]))).toBe(31);
    expect(t.get(scopeKey(['a']))).toBe(19);
    expect(t.get(scopeKey(['a', 'b']))).toBe(17);
    expect(t.get(scopeKey(['a', 'b', 'c']))).toBe(16);
    expect(t.get(scopeKey(['ab']))).toBe(4);
    expect(t.has(scopeKey(['b']))).toBe(false);
  });
  it('reads each item once however many layers there are (linear, not layers × items)', () => {
    let reads = 0;
    const items = Array.from({ length: 2000 }, (_, i) => ['block' + (i % 50), 'layer' + i]);
    totalsByScope(items, (s) => s, () => (reads++, 1));
    expect(reads).toBe(2000);
  });
});

