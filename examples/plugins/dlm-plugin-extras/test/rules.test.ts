/**
 * Lion and max_norm run on @dlm/tfjs's TensorMath. The references are computed by hand (Lion: the
 * three steps below, following Algorithm 2 of Chen et al. 2023) and by a plain-number loop.
 */
import { describe, expect, it } from 'vitest';
import { createTfjsMath, setupBackend } from '@dlm/tfjs';
import type { Args } from '@dlm/core';
import { lion, max_norm, random_brightness } from '../src/index.js';

await setupBackend('cpu');
const m = createTfjsMath(0);
const vec = (v: number[]) => m.concat(v.map((x) => m.reshape(m.scalar(x), [1])), 0);
const read = async (t: ReturnType<typeof m.scalar>) => Array.from(await m.read(t));

const LION: Args = { lr: 0.1, beta1: 0.9, beta2: 0.99, weight_decay: 0.5 };

describe('lion', () => {
  it('follows the hand-computed trajectory (sign of the interpolated momentum, decoupled decay)', async () => {
    // p0 = 1, m0 = 0, lr 0.1, β1 0.9, β2 0.99, wd 0.5; gradients 0.2, −0.5, 0.01.
    // step 1: c = 0.1·0.2 = 0.02 → +1;   p = 1 − 0.1·(1 + 0.5·1) = 0.85;           m = 0.01·0.2 = 0.002
    // step 2: c = 0.0018 − 0.05 → −1;   p = 0.85 − 0.1·(−1 + 0.425) = 0.9075;      m = 0.00198 − 0.005 = −0.00302
    // step 3: c = −0.002718 + 0.001 → −1 (momentum outvotes the positive gradient);
    //         p = 0.9075 − 0.1·(−1 + 0.45375) = 0.962125;                           m = −0.0029898 + 0.0001 = −0.0028898
    let p = vec([1]);
    let slots = lion.initSlots(m, p, LION);
    expect(await read(slots['exp_avg']!)).toEqual([0]);
    const expected = [
      [0.85, 0.002],
      [0.9075, -0.00302],
      [0.962125, -0.0028898],
    ];
    const grads = [0.2, -0.5, 0.01];
    for (let step = 1; step <= 3; step++) {
      ({ param: p, slots } = lion.update(m, p, vec([grads[step - 1]!]), slots, LION, 0.1, step));
      expect((await read(p))[0]).toBeCloseTo(expected[step - 1]![0]!, 6);
      expect((await read(slots['exp_avg']!))[0]).toBeCloseTo(expected[step - 1]![1]!, 7);
    }
  });

  it('matches a plain-number implementation on a vector over 5 steps (scheduled lr, no decay)', async () => {
    const args: Args = { lr: 0.01, beta1: 0.9, beta2: 0.99, weight_decay: 0 };
    const p0 = [0.3, -1.2, 0.0, 2.5];
    const grads = [
      [0.1, -0.2, 0.0, 1.0],
      [-0.3, -0.1, 0.5, 0.2],
      [0.05, 0.4, -0.5, -2.0],
      [0.0, 0.0, 0.0, 0.0],
      [1.0, -1.0, 0.1, -0.1],
    ];
    const lrs = [0.01, 0.008, 0.006, 0.004, 0.002];
    let refP = [...p0];
    let refM = [0, 0, 0, 0];
    let p = vec(p0);
    let slots = lion.initSlots(m, p, args);
    for (let s = 0; s < 5; s++) {
      const g = grads[s]!;
      const c = refM.map((mi, i) => 0.9 * mi + 0.1 * g[i]!);
      refP = refP.map((pi, i) => pi - lrs[s]! * Math.sign(c[i]!));
      refM = refM.map((mi, i) => 0.99 * mi + 0.01 * g[i]!);
      ({ param: p, slots } = lion.update(m, p, vec(g), slots, args, lrs[s]!, s + 1));
    }
    const got = await read(p);
    got.forEach((v, i) => expect(v).toBeCloseTo(refP[i]!, 6));
    (await read(slots['exp_avg']!)).forEach((v, i) => expect(v).toBeCloseTo(refM[i]!, 7));
  });

  it('moves each weight by exactly lr per step, whatever the gradient’s size', async () => {
    const { param } = lion.update(m, vec([0, 0]), vec([1e-6, -1e6]), { exp_avg: vec([0, 0]) }, { ...LION, weight_decay: 0 }, 0.05, 1);
    const got = await read(param);
    expect(got[0]).toBeCloseTo(-0.05, 7);
    expect(got[1]).toBeCloseTo(0.05, 7);
  });
});

describe('max_norm', () => {
  it('penalizes only the part of each unit’s norm above max, squared', async () => {
    // Rows of a [2, 2] weight: ‖(3, 4)‖ = 5 → excess 3 (max 2) → 9; ‖(1, 0)‖ = 1 → 0. Weight 0.5 → 4.5.
    const w = m.reshape(vec([3, 4, 1, 0]), [2, 2]);
    const pen = max_norm.kind === 'penalty' ? max_norm.penalty(m, w, { max: 2, weight: 0.5 }) : undefined;
    expect((await read(pen!))[0]).toBeCloseTo(4.5, 5);
  });

  it('treats a bias vector as one unit and a conv filter [out, in, kh, kw] per output channel', async () => {
    if (max_norm.kind !== 'penalty') throw new Error('max_norm must be a penalty');
    // Bias (3, 4): norm 5, max 4 → 1² · 1.
    expect((await read(max_norm.penalty(m, vec([3, 4]), { max: 4, weight: 1 })))[0]).toBeCloseTo(1, 5);
    // Two 1×2×2 filters: all 1s (norm 2) and all 2s (norm 4); max 3 → 0 + 1² = 1.
    const f = m.reshape(vec([1, 1, 1, 1, 2, 2, 2, 2]), [2, 1, 2, 2]);
    expect((await read(max_norm.penalty(m, f, { max: 3, weight: 1 })))[0]).toBeCloseTo(1, 5);
    // Inside the ball: nothing.
    expect((await read(max_norm.penalty(m, f, { max: 10, weight: 1 })))[0]).toBeCloseTo(0, 7);
  });
});

describe('random_brightness', () => {
  it('shifts each image by one offset in [−delta, delta], different per image', async () => {
    if (random_brightness.kind !== 'augmentation') throw new Error('random_brightness must be an augmentation');
    const n = 16;
    const x = m.reshape(vec(Array.from({ length: n * 2 * 3 * 3 }, (_, i) => (i % 7) / 7)), [n, 2, 3, 3]);
    const y = random_brightness.augment(m, x, { delta: 0.2 });
    expect(m.shape(y)).toEqual([n, 2, 3, 3]);
    const d = Array.from(await m.read(m.sub(y, x)));
    const offsets: number[] = [];
    for (let i = 0; i < n; i++) {
      const mine = d.slice(i * 18, (i + 1) * 18);
      for (const v of mine) expect(v).toBeCloseTo(mine[0]!, 5);
      expect(Math.abs(mine[0]!)).toBeLessThanOrEqual(0.2 + 1e-6);
      offsets.push(mine[0]!);
    }
    expect(new Set(offsets.map((o) => o.toFixed(4))).size).toBeGreaterThan(n / 2);
    expect(Math.min(...offsets)).toBeLessThan(0);
    expect(Math.max(...offsets)).toBeGreaterThan(0);
  });
});
