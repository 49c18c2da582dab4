/**
 * Shuffled batches through a split's optional `gather` (one pass) are the batches one `slice` per
 * sample gives, and a throwing `gather` is a located DLM5060 like a throwing `slice`. Likewise the
 * optional `targets` (labels without the inputs), which the label check before training and the
 * torch engine's epoch metrics use.
 */
import { PLUGIN_API_VERSION, PluginRegistry, type Batch, type DatasetSplit } from '@dlm/core';
import { describe, expect, it } from 'vitest';
import { createTfjsRuntime } from '@dlm/tfjs';
import { SplitView, TrainingError, permutation, resolveRules } from '../src/common.js';
import { openSplit } from '../src/run-setup.js';
import { checkData, metricsOfOutputs, type Setup } from '../src/supervised.js';
import { compile, makeRegistry } from './helpers/train-fixtures.js';

function split(withGather: boolean, gatherThrows = false, withTargets = false): DatasetSplit {
  const n = 40;
  const xs = Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i));
  const ys = Int32Array.from({ length: n }, (_, i) => i % 7);
  const s: DatasetSplit = {
    info: { inputShape: [3], inputDType: 'f32', targetShape: [] },
    size: n,
    slice: (start, count): Batch => ({ x: xs.slice(start * 3, (start + count) * 3), xShape: [count, 3], y: ys.slice(start, start + count), yShape: [count] }),
  };
  if (!withGather) return s;
  return {
    ...s,
    ...(withTargets ? { targets: (at: Int32Array) => {
      if (gatherThrows) throw new Error('boom in targets');
      return Int32Array.from(at, (j) => ys[j]!);
    } } : {}),
    gather(at: Int32Array): Batch {
      if (gatherThrows) throw new Error('boom in gather');
      const x = new Float32Array(at.length * 3);
      at.forEach((j, i) => x.set(xs.subarray(j * 3, j * 3 + 3), i * 3));
      return { x, xShape: [at.length, 3], y: Int32Array.from(at, (j) => ys[j]!), yShape: [at.length] };
    },
  };
}

describe('SplitView.batch with gather', () => {
  it('gives the same shuffled batches as one slice per sample, through a carved view too', () => {
    const order = permutation(30, 3, 'epoch');
    for (const [a, b] of [
      [SplitView.all(split(false), 30), SplitView.all(split(true), 30)],
      [SplitView.all(split(false)).carve(0.25, 9).train, SplitView.all(split(true)).carve(0.25, 9).train],
    ] as const) {
      for (const start of [0, 8, 16, 24]) {
        const count = Math.min(8, a.size - start);
        const ord = order.filter((i) => i < a.size);
        const want = a.batch(ord, start, count);
        const got = b.batch(ord, start, count);
        expect(got.xShape).toEqual(want.xShape);
        expect(Array.from(got.x)).toEqual(Array.from(want.x));
        expect(Array.from(got.y)).toEqual(Array.from(want.y));
      }
    }
  });
});

describe('openSplit guards gather', () => {
  it('a throwing gather is DLM5060 naming the dataset', async () => {
    const registry = new PluginRegistry();
    registry.register({
      name: 'gather-test',
      apiVersion: PLUGIN_API_VERSION,
      datasets: [{ name: 'gathering', doc: 'test', args: [], open: async () => split(true, true) }],
    });
    const opened = await openSplit(registry, { name: 'gathering', args: {} } as never, 'train', 'training', {});
    expect(opened.slice(0, 2).yShape).toEqual([2]);
    let caught: unknown;
    try {
      opened.gather!(Int32Array.from([3, 1]));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TrainingError);
    const d = (caught as TrainingError).diagnostics[0]!;
    expect(d.code).toBe('DLM5060');
    expect(d.message).toMatch(/^dataset 'gathering' failed while training: boom in gather \(in gather\(\) of 2 samples of the train split\)$/);
  });
});

describe('targets without the inputs', () => {
  it('SplitView.targets equals the batches\' targets, through a carved view, with and without the split\'s targets', () => {
    for (const s of [split(false), split(true, false, true)]) {
      const view = SplitView.all(s).carve(0.25, 9).train;
      for (const [start, count] of [[0, 30], [5, 7], [29, 1]] as const) {
        expect(Array.from(view.targets(undefined, start, count).y)).toEqual(Array.from(view.batch(undefined, start, count).y));
      }
    }
  });

  it('the label check reads no inputs when the split has targets, and names the bad row', () => {
    const s = split(true, false, true);
    let inputsRead = 0;
    const counted: DatasetSplit = {
      ...s,
      slice: (a, b) => (inputsRead++, s.slice(a, b)),
      gather: (at) => (inputsRead++, s.gather!(at)),
      info: { ...s.info, classes: 6 }, // labels are 0..6: 6 is out of range
    };
    const graph = compile(`
model M {
  input x: f32[batch, 3]
  output y: f32[batch, 6]
  y = x |> dense(6)
}`).models[0]!;
    const view = SplitView.all(counted).carve(0.25, 9).train;
    let caught: unknown;
    try {
      checkData(graph, undefined as never, view, 'counted', undefined);
    } catch (e) {
      caught = e;
    }
    expect(inputsRead).toBe(0);
    const d = (caught as TrainingError).diagnostics[0]!;
    expect(d.code).toBe('DLM5053');
    const firstBad = Array.from(view.indices).find((i) => i % 7 === 6)!;
    expect(d.message).toMatch(new RegExp(`^Row ${firstBad} of the training split of 'counted' has the label 6`));
  });

  it('a throwing targets is DLM5060 naming the dataset', async () => {
    const registry = new PluginRegistry();
    registry.register({
      name: 'targets-test',
      apiVersion: PLUGIN_API_VERSION,
      datasets: [{ name: 'labelled', doc: 'test', args: [], open: async () => split(true, true, true) }],
    });
    const opened = await openSplit(registry, { name: 'labelled', args: {} } as never, 'train', 'training', {});
    let caught: unknown;
    try {
      opened.targets!(Int32Array.from([3, 1, 2]));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TrainingError);
    const d = (caught as TrainingError).diagnostics[0]!;
    expect(d.code).toBe('DLM5060');
    expect(d.message).toMatch(/^dataset 'labelled' failed while training: boom in targets \(in targets\(\) of 3 samples of the train split\)$/);
  });
});

describe('targets of the wrong length', () => {
  it('is DLM5060 naming the dataset, not a label check that silently skips or misplaces rows', async () => {
    const registry = new PluginRegistry();
    const short: DatasetSplit = { ...split(true, false, true) };
    const ys = short.targets!;
    short.targets = (at) => ys(at).subarray(0, Math.max(0, at.length - 1)); // one label short
    registry.register({
      name: 'short-targets',
      apiVersion: PLUGIN_API_VERSION,
      datasets: [{ name: 'short', doc: 'test', args: [], open: async () => short }],
    });
    const opened = await openSplit(registry, { name: 'short', args: {} } as never, 'train', 'training', {});
    let caught: unknown;
    try {
      opened.targets!(Int32Array.from([3, 1, 2]));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TrainingError);
    const d = (caught as TrainingError).diagnostics[0]!;
    expect(d.code).toBe('DLM5060');
    expect(d.message).toMatch(/^dataset 'short' failed while training: targets\(\) returned 2 values for 3 samples of 1 each \(in targets\(\) of 3 samples of the train split\)$/);
  });
});

describe('the torch engine\'s epoch metrics read targets only', () => {
  it('SplitView.targets in a shuffled order equals the batches\' targets and shapes, with and without the split\'s targets', () => {
    for (const s of [split(false), split(true, false, true)]) {
      const view = SplitView.all(s).carve(0.25, 9).train;
      const order = permutation(view.size, 4, 'epoch');
      for (const [start, count] of [[0, 30], [5, 7], [29, 1]] as const) {
        const b = view.batch(order, start, count);
        const t = view.targets(order, start, count);
        expect(t.yShape).toEqual(b.yShape);
        expect(Array.from(t.y)).toEqual(Array.from(b.y));
      }
    }
  });

  it('metricsOfOutputs reads no inputs where the split has targets, and gives the metrics the batches give', async () => {
    const registry = makeRegistry();
    const program = compile(`
model M {
  input x: f32[batch, 3]
  output y: f32[batch, 7]
  y = x |> dense(7)
}
train M {
  data xor_points(batch: 16, n: 64)
  loss cross_entropy
  optimizer sgd(lr: 0.1)
  metrics accuracy
  epochs 1
}`, registry);
    const rules = resolveRules(registry, program.trainings[0]!);
    const rt = await createTfjsRuntime('cpu');
    const math = rt.createMath(3);
    const outputs = Float32Array.from({ length: 40 * 7 }, (_, i) => Math.cos(i * 1.7)); // argmax matches some labels, not all
    const metricsOf = async (s: DatasetSplit) => {
      const view = SplitView.all(s).carve(0.25, 9).train;
      const setup = { graph: program.models[0]!, classes: 7, info: s.info } as unknown as Setup<unknown>;
      return metricsOfOutputs(rt, setup, rules, math, view, permutation(view.size, 4, 'epoch'), outputs.subarray(0, view.size * 7), 8);
    };
    const withTargets = split(true, false, true);
    let inputsRead = 0;
    const counted: DatasetSplit = { ...withTargets, slice: (a, b) => (inputsRead++, withTargets.slice(a, b)), gather: (at) => (inputsRead++, withTargets.gather!(at)) };
    const fromTargets = await metricsOf(counted);
    expect(inputsRead).toBe(0);
    const fromBatches = await metricsOf(split(true));
    expect(fromTargets['accuracy']).toBeGreaterThan(0);
    expect(fromTargets['accuracy']).toBeLessThan(1);
    expect(fromTargets).toEqual(fromBatches);
  });
});
