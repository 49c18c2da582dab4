/**
 * The torch engine's augmentation twins against the TensorMath originals run on @dlm/tfjs: each of
 * plugin-std's augmentations (and dlm-plugin-extras' `random_brightness`, whose twin the plugin
 * declares in its `torch` field) gets the same batch and the same random draws — the tfjs run's
 * `randomUniform` / `randomNormal` results are recorded and replayed, in order, as the twin's
 * `draw.uniform` / `draw.normal` — and must give the same batch within 1e-5. The twin must also
 * ask for draws of the same kinds and shapes in the same order (the replay checks each).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticBag, formatDiagnostics, validateArgs, type ArgValue, type Args, type RegularizerDef, type TensorMath } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { setupBackend, tfjsMath } from '@dlm/tfjs';
import { random_brightness } from '../../../examples/plugins/dlm-plugin-extras/src/regularizers/random-brightness.js';
import { AUGMENT_SOURCE, augmentationTwin } from '../src/index.js';
import { TORCH, TORCH_SKIP } from './helpers/env.js';
import { rng } from './helpers/parity.js';

type Augmentation = Extract<RegularizerDef, { kind: 'augmentation' }>;
const std = (name: string) => stdPlugin.regularizers!.find((d) => d.name === name) as Augmentation;

const CASES: { def: Augmentation; args: Record<string, ArgValue> }[] = [
  { def: std('random_flip'), args: {} },
  { def: std('random_flip'), args: { horizontal: true, vertical: true, p: 0.5 } },
  { def: std('random_flip'), args: { horizontal: false, vertical: true, p: 0.8 } },
  { def: std('random_shift'), args: { pad: 1 } },
  { def: std('random_shift'), args: { pad: 3 } },
  { def: std('gaussian_noise'), args: { std: 0.3 } },
  { def: random_brightness as Augmentation, args: { delta: 0.2 } },
];

const SHAPE = [16, 3, 7, 6];

function resolveArgs(def: Augmentation, given: Record<string, ArgValue>): Args {
  const bag = new DiagnosticBag();
  const args = validateArgs(def.name, def.args, Object.entries(given).map(([name, value]) => ({ name, value })), bag);
  if (!args) throw new Error(formatDiagnostics(bag.items));
  return args;
}

type Draw = { kind: 'uniform' | 'normal'; shape: number[]; data: number[] };

/** tfjsMath with its random draws recorded (as the draws come out, after mean and std). */
function recording(draws: Draw[]): TensorMath<tf.Tensor> {
  const m = tfjsMath as unknown as TensorMath<tf.Tensor>;
  return {
    ...m,
    randomUniform: (shape: number[]) => {
      const t = m.randomUniform(shape);
      draws.push({ kind: 'uniform', shape, data: Array.from(t.dataSync()) });
      return t;
    },
    randomNormal: (shape: number[], mean?: number, std?: number) => {
      const t = m.randomNormal(shape, mean, std);
      draws.push({ kind: 'normal', shape, data: Array.from(t.dataSync()) });
      return t;
    },
  };
}

/** Runs every case's twin on its input with the recorded draws replayed; returns the outputs. */
const HARNESS = `
import json, math, sys
import torch
import torch.nn.functional as F

${AUGMENT_SOURCE}


class ReplayDraw:
    def __init__(self, draws):
        self.draws = list(draws)

    def take(self, kind, shape, mean=0.0, std=1.0):
        d = self.draws.pop(0)
        assert d["kind"] == kind and d["shape"] == [int(s) for s in shape], f"asked for {kind} {list(shape)}, the original drew {d['kind']} {d['shape']}"
        return torch.tensor(d["data"], dtype=torch.float32).reshape(d["shape"])

    def uniform(self, shape):
        return self.take("uniform", shape)

    def normal(self, shape, mean=0.0, std=1.0):
        return self.take("normal", shape)


cases = json.load(open(sys.argv[1]))
out = []
for c in cases:
    draw = ReplayDraw(c["draws"])
    run = dlm_augmenter([{"name": c["name"], "args": c["args"], "source": c["source"]}], draw)
    x = torch.tensor(c["x"], dtype=torch.float32).reshape(c["shape"])
    y = run(x)
    assert not draw.draws, "the twin made fewer draws than the original"
    out.append(y.reshape(-1).tolist())
json.dump(out, open(sys.argv[2], "w"))
`;

describe.skipIf(!TORCH)(`augmentation twins vs the TensorMath originals${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlm-torch-augment-'));
  const expected: number[][] = [];
  let got: number[][] = [];
  let inputs: number[][] = [];
  beforeAll(async () => {
    await setupBackend('cpu');
    const r = rng(11);
    const payload = CASES.map((c, i) => {
      const x = Array.from({ length: SHAPE.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1);
      const draws: Draw[] = [];
      const args = resolveArgs(c.def, c.args);
      const y = tf.tidy(() => c.def.augment(recording(draws), tf.tensor(x, SHAPE), args).dataSync());
      expected[i] = Array.from(y);
      const source = augmentationTwin(c.def);
      if (!source) throw new Error(`${c.def.name} has no twin`);
      return { name: c.def.name, args, source, x, shape: SHAPE, draws };
    });
    inputs = payload.map((p) => p.x);
    writeFileSync(join(dir, 'cases.json'), JSON.stringify(payload));
    writeFileSync(join(dir, 'harness.py'), HARNESS);
    const run = spawnSync(TORCH!.python, [join(dir, 'harness.py'), join(dir, 'cases.json'), join(dir, 'out.json')], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    got = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as number[][];
  }, 120_000);

  it.each(CASES.map((c, i) => [`${c.def.name}(${JSON.stringify(c.args)})`, i] as const))('%s: the same batch from the same draws (1e-5)', (_n, i) => {
    const e = expected[i]!;
    const g = got[i]!;
    expect(g.length).toBe(e.length);
    let worst = 0;
    e.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - g[j]!) / Math.max(1, Math.abs(v)))));
    expect(worst).toBeLessThanOrEqual(1e-5);
    // Not vacuous: the augmentation changed the batch (a flip or shift that never fires proves nothing).
    const x = inputs[i]!;
    expect(e.some((v, j) => Math.abs(v - x[j]!) > 1e-3)).toBe(true);
  });

  it('plugin-std has a twin for each of its augmentations; an augmentation without one has none', () => {
    const augs = stdPlugin.regularizers!.filter((d) => d.kind === 'augmentation') as Augmentation[];
    expect(augs.map((d) => d.name).sort()).toEqual(['gaussian_noise', 'random_flip', 'random_shift']);
    for (const d of augs) expect(augmentationTwin(d), d.name).toMatch(/^def augment\(x, args, draw\):/);
    expect(augmentationTwin({ name: 'my_own_augmentation' })).toBeUndefined();
  });
});
