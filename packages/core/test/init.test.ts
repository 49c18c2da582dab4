import { describe, expect, it } from 'vitest';
import { fansOf, initializeParams, initializeTensor, INITIALIZER_KINDS, RandomStream, type Graph, type Initializer, type InitializerKind, type Param } from '../src/index.js';

function stats(a: Float32Array): { mean: number; std: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of a) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const mean = s / a.length;
  let v2 = 0;
  for (const v of a) v2 += (v - mean) ** 2;
  return { mean, std: Math.sqrt(v2 / a.length), min, max };
}

const param = (name: string, shape: number[], init: Initializer, extra: Partial<Param> = {}): Param => ({
  name,
  type: { dtype: 'f32', shape },
  init,
  trainable: true,
  regularizers: [],
  scope: [],
  ...extra,
});
const graphOf = (params: Param[]): Graph => ({ name: 'G', inputs: [], outputs: [], nodes: [], params, values: [], layers: [] });
const draw = (kind: InitializerKind, shape: number[], args: Record<string, number> = {}, seed = 1) => initializeTensor({ kind, args }, shape, new RandomStream(seed, 'p'));

describe('RandomStream', () => {
  it('uniforms are in [0, 1) with mean 1/2 and variance 1/12', () => {
    const r = new RandomStream(42);
    const a = Float32Array.from({ length: 100000 }, () => r.uniform());
    const s = stats(a);
    expect(s.min).toBeGreaterThanOrEqual(0);
    expect(s.max).toBeLessThan(1);
    expect(s.mean).toBeCloseTo(0.5, 2);
    expect(s.std).toBeCloseTo(Math.sqrt(1 / 12), 2);
  });
  it('normals have mean 0 and std 1, and are not correlated with their neighbour', () => {
    const r = new RandomStream(7);
    const a = Float64Array.from({ length: 100000 }, () => r.normal());
    const s = stats(Float32Array.from(a));
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
    expect(s.std).toBeCloseTo(1, 2);
    let c = 0;
    for (let i = 1; i < a.length; i++) c += a[i]! * a[i - 1]!;
    expect(Math.abs(c / a.length)).toBeLessThan(0.01);
    // about 4.55% of a normal lies beyond 2σ
    const tail = a.filter((v) => Math.abs(v) > 2).length / a.length;
    expect(tail).toBeGreaterThan(0.04);
    expect(tail).toBeLessThan(0.051);
  });
  it('is deterministic per (seed, key) and differs across seeds, keys and high seed bits', () => {
    const seq = (seed: number, key: string) => Array.from({ length: 5 }, ((r) => () => r.nextU32())(new RandomStream(seed, key)));
    expect(seq(1, 'a')).toEqual(seq(1, 'a'));
    expect(seq(1, 'a')).not.toEqual(seq(2, 'a'));
    expect(seq(1, 'a')).not.toEqual(seq(1, 'b'));
    expect(seq(1, 'a')).not.toEqual(seq(1 + 2 ** 32, 'a'));
  });
});

describe('initializers', () => {
  it('lists every InitializerKind', () => {
    expect(INITIALIZER_KINDS.length).toBe(14);
    for (const k of INITIALIZER_KINDS) expect(() => draw(k, [4, 3], { fan_in: 3, fan_out: 4 })).not.toThrow();
  });
  it('constants', () => {
    expect([...draw('zeros', [3])]).toEqual([0, 0, 0]);
    expect([...draw('ones', [2])]).toEqual([1, 1]);
    expect([...draw('constant', [2], { value: 0.25 })]).toEqual([0.25, 0.25]);
  });
  const U = (bound: number) => ({ mean: 0, std: bound / Math.sqrt(3), bound });
  const cases: [InitializerKind, Record<string, number>, { mean: number; std: number; bound?: number }][] = [
    ['uniform', { low: -0.2, high: 0.6 }, { mean: 0.2, std: 0.8 / Math.sqrt(12) }],
    ['normal', { mean: 1, std: 0.5 }, { mean: 1, std: 0.5 }],
    ['torch_default', { fan_in: 400 }, U(1 / 20)],
    ['glorot_uniform', { fan_in: 300, fan_out: 100 }, U(Math.sqrt(6 / 400))],
    ['glorot_normal', { fan_in: 300, fan_out: 100 }, { mean: 0, std: Math.sqrt(2 / 400) }],
    ['he_uniform', { fan_in: 300 }, U(Math.sqrt(6 / 300))],
    ['he_normal', { fan_in: 300 }, { mean: 0, std: Math.sqrt(2 / 300) }],
    ['lecun_uniform', { fan_in: 300 }, U(Math.sqrt(3 / 300))],
    ['lecun_normal', { fan_in: 300 }, { mean: 0, std: Math.sqrt(1 / 300) }],
  ];
  it.each(cases)('%s has the expected mean and std', (kind, args, want) => {
    const a = draw(kind, [200, 300], args);
    const s = stats(a);
    expect(Math.abs(s.mean - want.mean)).toBeLessThan(0.01 * want.std + 1e-3 * Math.abs(want.mean));
    expect(s.std / want.std).toBeGreaterThan(0.99);
    expect(s.std / want.std).toBeLessThan(1.01);
    if (want.bound !== undefined) {
      expect(s.max).toBeLessThanOrEqual(want.bound);
      expect(s.min).toBeGreaterThanOrEqual(-want.bound);
      expect(s.max).toBeGreaterThan(0.99 * want.bound);
    }
  });
  it('falls back to PyTorch fans from the shape when the layer did not set them', () => {
    expect(fansOf({ kind: 'he_normal', args: {} }, [64, 32, 3, 3])).toEqual({ fanIn: 288, fanOut: 576 });
    expect(fansOf({ kind: 'he_normal', args: {} }, [50, 320])).toEqual({ fanIn: 320, fanOut: 50 });
    expect(fansOf({ kind: 'he_normal', args: { fan_in: 7 } }, [50, 320])).toEqual({ fanIn: 7, fanOut: 50 });
    const s = stats(draw('he_normal', [100, 500]));
    expect(s.std).toBeCloseTo(Math.sqrt(2 / 500), 3);
  });
  it.each([[8, 20], [20, 8], [16, 16], [6, 2, 3, 3]])('orthogonal %s: rows or columns orthonormal, times gain', (...shape) => {
    const gain = 2;
    const a = draw('orthogonal', shape, { gain });
    const rows = shape[0]!;
    const cols = a.length / rows;
    const dot = (i: number, j: number, byRow: boolean) => {
      let s = 0;
      const n = byRow ? cols : rows;
      for (let k = 0; k < n; k++) s += byRow ? a[i * cols + k]! * a[j * cols + k]! : a[k * cols + i]! * a[k * cols + j]!;
      return s;
    };
    const byRow = rows <= cols;
    const k = Math.min(rows, cols);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) expect(dot(i, j, byRow)).toBeCloseTo(i === j ? gain * gain : 0, 4);
  });
});

describe('initializeParams', () => {
  const g = graphOf([
    param('dense.weight', [50, 320], { kind: 'torch_default', args: { fan_in: 320 } }),
    param('bn.running_mean', [16], { kind: 'zeros', args: {} }, { buffer: true, trainable: false }),
    param('bn.running_var', [16], { kind: 'ones', args: {} }, { buffer: true, trainable: false }),
  ]);
  it('initializes every parameter and buffer (running_mean 0, running_var 1)', () => {
    const v = initializeParams(g, 1);
    expect([...v.keys()]).toEqual(['dense.weight', 'bn.running_mean', 'bn.running_var']);
    expect(v.get('dense.weight')!.length).toBe(16000);
    expect(v.get('bn.running_mean')!.every((x) => x === 0)).toBe(true);
    expect(v.get('bn.running_var')!.every((x) => x === 1)).toBe(true);
  });
  it('is deterministic, seed-dependent, and independent of parameter order', () => {
    const a = initializeParams(g, 123).get('dense.weight')!;
    expect(initializeParams(g, 123).get('dense.weight')).toEqual(a);
    expect(initializeParams(g, 124).get('dense.weight')).not.toEqual(a);
    const reordered = graphOf([...g.params].reverse());
    expect(initializeParams(reordered, 123).get('dense.weight')).toEqual(a);
  });
  it('rejects symbolic parameter shapes as an internal error', () => {
    const bad = graphOf([{ ...param('w', [1], { kind: 'zeros', args: {} }), type: { dtype: 'f32', shape: ['batch'] } }]);
    expect(() => initializeParams(bad, 1)).toThrow(/symbolic dim batch/);
  });
});

describe('sinusoidal', () => {
  it('is the "Attention is all you need" table: sin at even columns, cos at odd, over [positions, dim], repeated on leading axes', () => {
    const table = initializeTensor({ kind: 'sinusoidal', args: {} }, [2, 50, 6], new RandomStream(1));
    for (const [pos, j] of [[0, 0], [0, 1], [7, 2], [49, 5], [13, 4]] as const) {
      const angle = pos / Math.pow(10000, (2 * Math.floor(j / 2)) / 6);
      const want = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      expect(table[pos * 6 + j]).toBeCloseTo(want, 6);
      expect(table[300 + pos * 6 + j]).toBe(table[pos * 6 + j]);
    }
    const base100 = initializeTensor({ kind: 'sinusoidal', args: { base: 100 } }, [50, 6], new RandomStream(1));
    expect(base100[7 * 6 + 2]).toBeCloseTo(Math.sin(7 / Math.pow(100, 2 / 6)), 6);
  });
});
