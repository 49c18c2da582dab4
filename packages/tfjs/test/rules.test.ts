/**
 * The standard plugin's losses and optimizers, run through tfjsMath, against PyTorch.
 * Fixture: tools/reference/training_rules.py → test/fixtures/torch-training-rules.json.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { losses, metrics, optimizers, regularizers } from '@dlm/plugin-std';
import type { Args } from '@dlm/core';
import { createTfjsMath, tfjsMath } from '../src/tensor-math.js';
import { ensureGradients } from '../src/backend-gradients.js';

interface LossCase {
  loss: string;
  args: Args;
  output: number[];
  outputShape: number[];
  target: number[];
  targetShape: number[];
  targetDType: 'f32' | 'i32';
  value: number;
  grad: number[];
}
interface OptCase {
  optimizer: string;
  args: Args;
  shape: number[];
  p0: number[];
  grads: number[][];
  trajectory: number[][];
}
const ref = JSON.parse(readFileSync(new URL('./fixtures/torch-training-rules.json', import.meta.url), 'utf8')) as {
  losses: LossCase[];
  optimizers: OptCase[];
};

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Math.abs(a - e) > tol * Math.max(1, Math.abs(e))) {
      throw new Error(`element ${i}: ${a} vs reference ${e} (tolerance ${tol})`);
    }
  }
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  await ensureGradients();
}, 60_000);

describe('losses match PyTorch (value and gradient)', () => {
  for (const c of ref.losses) {
    it(`${c.loss}(${JSON.stringify(c.args)}) with ${c.targetDType} targets`, () => {
      const def = losses.find((l) => l.name === c.loss)!;
      const out = tf.tensor(c.output, c.outputShape);
      const target = tf.tensor(c.target, c.targetShape, c.targetDType === 'i32' ? 'int32' : 'float32');
      const { value, grad } = tf.valueAndGrad((o: tf.Tensor) => def.compute(tfjsMath, o, target, c.args))(out);
      close(value.dataSync(), [c.value], 2e-5);
      close(grad.dataSync(), c.grad, 2e-5);
      tf.dispose([out, target, value, grad]);
    });
  }
});

describe('optimizers follow PyTorch trajectories', () => {
  for (const c of ref.optimizers) {
    it(`${c.optimizer}(${JSON.stringify(c.args)}) over ${c.trajectory.length} steps`, () => {
      const def = optimizers.find((o) => o.name === c.optimizer)!;
      const before = tf.memory().numTensors;
      let p = tf.tensor(c.p0, c.shape);
      let slots = tf.tidy(() => def.initSlots(tfjsMath, p, c.args));
      c.grads.forEach((gv, i) => {
        const g = tf.tensor(gv, c.shape);
        const r = tf.tidy(() => {
          const u = def.update(tfjsMath, p, g, slots, c.args, c.args['lr'] as number, i + 1);
          return { param: u.param, slots: u.slots };
        });
        // An update may return one of its inputs (sgd's first momentum buffer is the gradient).
        const kept = new Set<tf.Tensor>([r.param, ...Object.values(r.slots)]);
        tf.dispose([p, g, ...Object.values(slots)].filter((t) => !kept.has(t)));
        p = r.param;
        slots = r.slots;
        close(p.dataSync(), c.trajectory[i]!, 1e-5);
      });
      tf.dispose([p, ...Object.values(slots)]);
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});

describe('metrics (hand-computed)', () => {
  // 6 samples, 3 classes. Predictions (argmax): 0, 1, 2, 2, 1, 0; labels: 0, 1, 1, 2, 1, 2.
  const logits = () =>
    tf.tensor2d([
      [3, 1, 0],
      [0, 2, 1],
      [0, 1, 5],
      [1, 0, 2],
      [0, 9, 1],
      [4, 0, 3],
    ]);
  const labels = () => tf.tensor1d([0, 1, 1, 2, 1, 2], 'int32');
  const run = (name: string, args: Args, classes = 3): { value: number; stats: Record<string, Float32Array | Int32Array> } => {
    const def = metrics.find((m) => m.name === name)!;
    const fullArgs: Args = {};
    for (const a of def.args) if (a.default !== undefined) fullArgs[a.name] = a.default;
    Object.assign(fullArgs, args);
    const stats = tf.tidy(() => def.batchStats(tfjsMath, logits(), labels(), fullArgs, classes));
    const read: Record<string, Float32Array | Int32Array> = {};
    for (const [k, t] of Object.entries(stats)) {
      read[k] = t.dataSync() as Float32Array;
      t.dispose();
    }
    return { value: def.finalize(read, fullArgs, classes), stats: read };
  };
  it('accuracy = 4/6', () => expect(run('accuracy', {}).value).toBeCloseTo(4 / 6, 6));
  // Per class: tp = [1, 2, 1], predicted = [2, 2, 2], actual = [1, 3, 2].
  it('macro precision = mean(1/2, 2/2, 1/2)', () => expect(run('precision', {}).value).toBeCloseTo((0.5 + 1 + 0.5) / 3, 6));
  it('macro recall = mean(1/1, 2/3, 1/2)', () => expect(run('recall', {}).value).toBeCloseTo((1 + 2 / 3 + 0.5) / 3, 6));
  it('macro f1 = mean(2·tp/(pred+actual))', () => expect(run('f1', {}).value).toBeCloseTo((2 / 3 + 4 / 5 + 2 / 4) / 3, 6));
  it('micro precision = 4/6', () => expect(run('precision', { average: 'micro' }).value).toBeCloseTo(4 / 6, 6));
  it('confusion matrix rows = true, cols = predicted', () => {
    const r = run('confusion_matrix', {});
    expect([...r.stats['matrix']!]).toEqual([1, 0, 0, 0, 2, 1, 1, 0, 1]);
    expect(r.value).toBeCloseTo(4 / 6, 6);
  });
  it('binary accuracy thresholds a single sigmoid unit at 0.5', () => {
    const def = metrics.find((m) => m.name === 'accuracy')!;
    const stats = tf.tidy(() => def.batchStats(tfjsMath, tf.tensor2d([[0.9], [0.2], [0.6], [0.4]]), tf.tensor2d([[1], [0], [0], [0]]), { threshold: 0.5 }, 2));
    const read = Object.fromEntries(Object.entries(stats).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    tf.dispose(Object.values(stats));
    expect(def.finalize(read, { threshold: 0.5 }, 2)).toBeCloseTo(3 / 4, 6);
  });
});

describe('regression metrics', () => {
  it('mae and mse average over all output elements', () => {
    for (const [name, want] of [['mae', (1 + 2 + 0 + 3) / 4], ['mse', (1 + 4 + 0 + 9) / 4]] as const) {
      const def = metrics.find((m) => m.name === name)!;
      const stats = tf.tidy(() => def.batchStats(tfjsMath, tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[0, 4], [3, 1]]), {}, 0));
      const read = Object.fromEntries(Object.entries(stats).map(([k, t]) => [k, t.dataSync() as Float32Array]));
      tf.dispose(Object.values(stats));
      expect(def.finalize(read, {}, 0)).toBeCloseTo(want, 6);
      expect(def.higherIsBetter).toBe(false);
    }
  });
});

describe('regularizers', () => {
  it('l1 and l2 penalties', () => {
    const p = tf.tensor1d([1, -2, 3]);
    const l1 = regularizers.find((r) => r.name === 'l1')!;
    const l2 = regularizers.find((r) => r.name === 'l2')!;
    if (l1.kind !== 'penalty' || l2.kind !== 'penalty') throw new Error('kinds');
    expect(l1.penalty(tfjsMath, p, { weight: 0.5 }).dataSync()[0]).toBeCloseTo(3, 6);
    expect(l2.penalty(tfjsMath, p, { weight: 0.1 }).dataSync()[0]).toBeCloseTo(1.4, 6);
  });

  it("l2's stated gradient is autodiff's gradient of its penalty, bit for bit", () => {
    const l2 = regularizers.find((r) => r.name === 'l2')!;
    if (l2.kind !== 'penalty' || !l2.gradient) throw new Error('l2 states its gradient');
    // Ordinary, tiny, subnormal, huge and signed-zero entries; weights that are not powers of two.
    // (Only above 2^127 ≈ 1.7e38 do they differ: autodiff's 2p overflows to Infinity there, where
    // the penalty itself is already infinite.)
    const values = Float32Array.from([0.3, -1.7e-3, 123.456, 1e-38, -3e-42, 1.7e38, -1.5e38, -0, 0, ...Array.from({ length: 96 }, (_, i) => Math.sin(i * 12.9898) * 4)]);
    for (const weight of [1e-4, 0.1, 3.7e-5, 1]) {
      for (const shape of [[values.length], [5, 21], [1, 105]]) {
        const p = tf.tensor(values, shape);
        const auto = tf.grad((x: tf.Tensor) => l2.penalty(tfjsMath, x, { weight }) as tf.Scalar)(p);
        const stated = l2.gradient(tfjsMath, p, { weight });
        expect(stated.shape).toEqual(shape);
        const a = auto.dataSync() as Float32Array;
        const b = stated.dataSync() as Float32Array;
        for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) throw new Error(`weight ${weight}, entry ${i} (${values[i]}): autodiff ${a[i]}, stated ${b[i]}`);
        tf.dispose([p, auto, stated]);
      }
    }
  });

  it('random_shift moves each image by a whole number of pixels within ±pad, filling with zeros', () => {
    const def = regularizers.find((r) => r.name === 'random_shift')!;
    if (def.kind !== 'augmentation') throw new Error('kind');
    const m = createTfjsMath(7);
    // One bright pixel in the middle of each 7×7 image: after the shift it is still one pixel of value 1.
    const x = tf.tidy(() => tf.pad(tf.ones([8, 1, 1, 1]), [[0, 0], [0, 0], [3, 3], [3, 3]]));
    const y = def.augment(m, x, { pad: 2 });
    expect(y.shape).toEqual([8, 1, 7, 7]);
    const d = y.dataSync() as Float32Array;
    const offsets = new Set<string>();
    for (let s = 0; s < 8; s++) {
      const img = d.slice(s * 49, s * 49 + 49);
      expect(img.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const at = img.findIndex((v) => v > 0.5);
      const dy = Math.floor(at / 7) - 3;
      const dx = (at % 7) - 3;
      expect(Math.abs(dy)).toBeLessThanOrEqual(2);
      expect(Math.abs(dx)).toBeLessThanOrEqual(2);
      offsets.add(`${dy},${dx}`);
    }
    expect(offsets.size).toBeGreaterThan(1); // per-sample, not one shift for the batch
    tf.dispose([x, y]);
  });

  it('random_flip flips some samples and leaves the others, reproducibly for a seed', () => {
    const def = regularizers.find((r) => r.name === 'random_flip')!;
    if (def.kind !== 'augmentation') throw new Error('kind');
    const x = tf.tile(tf.tensor4d([1, 2, 3], [1, 1, 1, 3]), [16, 1, 1, 1]);
    const a = def.augment(createTfjsMath(3), x, { horizontal: true, vertical: false, p: 0.5 });
    const b = def.augment(createTfjsMath(3), x, { horizontal: true, vertical: false, p: 0.5 });
    const rows = (t: tf.Tensor) => (t.arraySync() as number[][][][]).map((s) => s[0]![0]!.join(','));
    const ra = rows(a);
    expect(new Set(ra)).toEqual(new Set(['1,2,3', '3,2,1']));
    expect(rows(b)).toEqual(ra);
    tf.dispose([x, a, b]);
  });
});
