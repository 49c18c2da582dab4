/**
 * The torch engine's adversarial step against the tfjs engine's: dlm's own `train()` (the tfjs
 * runtime, the GAN strategy of packages/train/src/gan.ts) runs one epoch of a small GAN — batch
 * norm in both models, so the rules for their statistics are exercised: G's first pass leaves
 * them, D's are updated once on the concatenated batch, the G step leaves D's — with clipping and
 * Adam. (No bias feeds a batch norm directly: such a bias has a zero gradient up to rounding, which
 * Adam normalizes into full steps of either sign, so it would compare rounding noise.) The tfjs run's noise draws are recorded and fed, in order, to the Python program's
 * `adversarial_step` from the same initial weights and batches: after the 3 steps both models'
 * weights, batch-norm statistics and Adam slots agree within 1e-5.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostics, hasErrors, initializeParams, PluginRegistry, PLUGIN_API_VERSION, readSafetensors, writeSafetensors, type DatasetSplit, type Graph, type Runtime, type SafetensorsTensor, type SeededMath } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { createTfjsRuntime, setupBackend } from '@dlm/tfjs';
import { train, type CheckpointData } from '@dlm/train';
import { exportPytorch } from '../src/index.js';
import { ganTrainingProgram } from '../src/node.js';
import { TORCH, TORCH_SKIP } from './helpers/env.js';
import { rng } from './helpers/parity.js';

const N = 12;
const BATCH = 4;
const SOURCE = `
model Gen {
  input noise: f32[batch, 4]
  output image: f32[batch, 1, 4, 4]
  image = noise |> dense(16) |> relu |> reshape([batch, 1, 4, 4]) |> batch_norm |> conv2d(1, kernel: 3, padding: 1) |> tanh
}
model Disc {
  input image: f32[batch, 1, 4, 4]
  output real: f32[batch, 1]
  real = image |> conv2d(2, kernel: 3, padding: 1) |> leaky_relu(0.2) |> batch_norm |> flatten |> dense(1) |> sigmoid
}
train Gan {
  generator Gen
  discriminator Disc
  data tiny_images(batch: ${BATCH})
  loss bce
  optimizer adam(lr: 0.05)
  clip 0.5
  epochs 1
  seed 3
}
`;

const r = rng(21);
const X = Float32Array.from({ length: N * 16 }, () => r() * 2 - 1);
const split: DatasetSplit = {
  info: { inputShape: [1, 4, 4], inputDType: 'f32', targetShape: [] },
  size: N,
  slice: (start, count) => ({ x: X.slice(start * 16, (start + count) * 16), xShape: [count, 1, 4, 4], y: new Float32Array(count), yShape: [count] }),
};

function registry(): PluginRegistry {
  const reg = new PluginRegistry();
  reg.register(stdPlugin);
  reg.register({
    name: 'gan-step-test',
    apiVersion: PLUGIN_API_VERSION,
    datasets: [
      {
        name: 'tiny_images',
        doc: 'Random 1×4×4 images in [-1, 1].',
        args: [
          { name: 'batch', type: 'int', default: BATCH, doc: 'Batch size.' },
          { name: 'shuffle', type: 'bool', default: false, doc: 'Shuffle.' },
        ],
        open: async () => split,
      },
    ],
  });
  return reg;
}

/** The runtime with every `randomNormal` of its maths recorded (the GAN's noise; nothing else draws here). */
function recording<T>(rt: Runtime<T>, draws: Float32Array[]): Runtime<T> {
  const wrap = (m: SeededMath<T>): SeededMath<T> =>
    new Proxy(m, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target) as unknown;
        if (prop === 'randomNormal') {
          return (shape: number[], mean?: number, std?: number) => {
            const t = target.randomNormal(shape, mean, std);
            draws.push(Float32Array.from((t as unknown as { dataSync(): Float32Array }).dataSync())); // a tfjs tensor
            return t;
          };
        }
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
  return new Proxy(rt, {
    get(target, prop) {
      if (prop === 'createMath') return (seed: number) => wrap(target.createMath(seed));
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

const tensors = (graph: Graph, seed: number, prefix: string): [string, SafetensorsTensor][] =>
  [...initializeParams(graph, seed)].map(([name, data]) => [prefix + name, { dtype: data instanceof Int32Array ? 'I32' : 'F32', shape: graph.params.find((p) => p.name === name)!.type.shape as number[], data }]);

const HARNESS = `
import importlib.util, json, sys
import numpy as np
import torch

cfg = json.load(open(sys.argv[1]))
loader = importlib.util.spec_from_file_location("program", cfg["program"])
prog = importlib.util.module_from_spec(loader)
loader.loader.exec_module(prog)
gs, ds = cfg["generator"], cfg["discriminator"]
gmod, dmod = prog.import_module(gs), prog.import_module(ds)
weights = gmod.load_safetensors(cfg["weights"])
G, D = prog.build_model(gmod, gs, weights), prog.build_model(dmod, ds, weights)
G.train()
D.train()
g_named = {gs["prefix"] + k: p for k, p in G.named_parameters() if p.requires_grad}
d_named = {ds["prefix"] + k: p for k, p in D.named_parameters() if p.requires_grad}
opt_g, opt_d = prog.make_optimizer(list(g_named.values())), prog.make_optimizer(list(d_named.values()))
x = np.fromfile(cfg["x"], dtype="<f4").reshape([-1, 1, 4, 4])
noise = np.fromfile(cfg["noise"], dtype="<f4").reshape([-1] + cfg["noiseShape"])
b = cfg["batch"]
for s in range(len(x) // b):
    real = torch.from_numpy(x[s * b : (s + 1) * b].copy())
    z = torch.from_numpy(noise[s * b : (s + 1) * b].copy())
    r = prog.adversarial_step(G, D, opt_g, opt_d, list(g_named.values()), list(d_named.values()), real, z, cfg["lr"], cfg)
    assert "who" not in r, r
out = {gs["prefix"] + k: v for k, v in G.state_dict().items()}
out.update({ds["prefix"] + k: v for k, v in D.state_dict().items()})
prog.save_safetensors(out, cfg["out"] + "/weights.safetensors")
prog.save_safetensors({**prog.optimizer_tensors(opt_g, g_named), **prog.optimizer_tensors(opt_d, d_named)}, cfg["out"] + "/optimizer.safetensors")
`;

describe.skipIf(!TORCH)(`the GAN step vs the tfjs engine's${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlm-torch-gan-'));
  let saved: CheckpointData | undefined;
  let theirs: { weights: Map<string, SafetensorsTensor>; optimizer: Map<string, SafetensorsTensor> };
  beforeAll(async () => {
    await setupBackend('cpu');
    const reg = registry();
    const c = compileSource(SOURCE, 'gan.dlm', { registry: reg });
    if (hasErrors(c.diagnostics)) throw new Error(formatDiagnostics(c.diagnostics));
    const [G, D] = [c.program.models.find((m) => m.name === 'Gen')!, c.program.models.find((m) => m.name === 'Disc')!];
    const draws: Float32Array[] = [];
    const rt = recording(await createTfjsRuntime(), draws);
    const res = await train({
      runtime: rt,
      program: c.program,
      training: c.program.trainings[0]!,
      registry: reg,
      checkpoints: { location: 'memory', irHash: () => '', last: async () => undefined, save: async (d) => ((saved = d), 'memory/epoch-1') },
    });
    if (!res.result) throw new Error(formatDiagnostics(res.diagnostics));
    expect(draws.length).toBe(N / BATCH);
    writeFileSync(join(dir, 'generator.py'), exportPytorch(G, { className: 'DlmGenerator' }).result!);
    writeFileSync(join(dir, 'discriminator.py'), exportPytorch(D, { className: 'DlmDiscriminator' }).result!);
    writeFileSync(join(dir, 'weights.safetensors'), writeSafetensors(new Map([...tensors(G, 3, 'Gen/'), ...tensors(D, 4, 'Disc/')])));
    writeFileSync(join(dir, 'program.py'), ganTrainingProgram('Gen+Disc', 'adam', { lr: 0.05, beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: 0 })!);
    writeFileSync(join(dir, 'x.f32'), new Uint8Array(X.buffer));
    const noise = new Float32Array(draws.reduce((a, d) => a + d.length, 0));
    draws.reduce((off, d) => (noise.set(d, off), off + d.length), 0);
    writeFileSync(join(dir, 'noise.f32'), new Uint8Array(noise.buffer));
    const cfg = {
      program: join(dir, 'program.py'),
      generator: { module: join(dir, 'generator.py'), className: 'DlmGenerator', prefix: 'Gen/' },
      discriminator: { module: join(dir, 'discriminator.py'), className: 'DlmDiscriminator', prefix: 'Disc/' },
      weights: join(dir, 'weights.safetensors'),
      x: join(dir, 'x.f32'),
      noise: join(dir, 'noise.f32'),
      noiseShape: [4],
      batch: BATCH,
      lr: 0.05,
      clip: 0.5,
      loss: { name: 'bce', args: {} },
      out: join(dir, 'out'),
    };
    mkdirSync(cfg.out);
    writeFileSync(join(dir, 'cfg.json'), JSON.stringify(cfg));
    writeFileSync(join(dir, 'harness.py'), HARNESS);
    const run = spawnSync(TORCH!.python, [join(dir, 'harness.py'), join(dir, 'cfg.json')], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(run.stderr);
    const read = (f: string) => readSafetensors(readFileSync(join(dir, 'out', f))).tensors;
    theirs = { weights: read('weights.safetensors'), optimizer: read('optimizer.safetensors') };
  }, 180_000);

  it('the same weights and batch-norm statistics of both models after 3 steps (1e-5)', () => {
    const ours = saved!.weights;
    expect([...theirs.weights.keys()].sort()).toEqual([...ours.keys()].sort());
    let worst = 0;
    let moved = 0;
    const initial = readSafetensors(readFileSync(join(dir, 'weights.safetensors'))).tensors;
    for (const [k, t] of ours) {
      const a = t.data as Float32Array;
      const b = theirs.weights.get(k)!.data as Float32Array;
      const w0 = initial.get(k)!.data as Float32Array;
      a.forEach((v, i) => {
        worst = Math.max(worst, Math.abs(v - b[i]!) / Math.max(1, Math.abs(v)));
        moved = Math.max(moved, Math.abs(v - w0[i]!));
      });
    }
    console.log(`GAN step: torch vs tfjs after ${N / BATCH} steps: worst ${worst.toExponential(2)} (weights moved up to ${moved.toExponential(2)})`);
    expect(moved).toBeGreaterThan(1e-2);
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it("the same Adam slots of both models' parameters (1e-5)", () => {
    const ours = new Map([...saved!.optimizer].filter(([k]) => k !== 'step'));
    expect([...theirs.optimizer.keys()].sort()).toEqual([...ours.keys()].sort());
    let worst = 0;
    for (const [k, t] of ours) {
      const b = theirs.optimizer.get(k)!.data as Float32Array;
      (t.data as Float32Array).forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]!) / Math.max(1, Math.abs(v)))));
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });
});
