/**
 * Real data parallelism: the generated MNIST CNN trained for N steps by 2 gloo processes launched
 * with torchrun (or, where Debian's torchrun does not start, torch's elastic_launch from Python)
 * ends with the same weights as one process on the same global batches, within 1e-4. The data are
 * raw shards both runs memory-map; progress arrives as JSON lines while the ranks run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { initializeParams, writeSafetensors, type SafetensorsTensor } from '@dlm/core';
import { exportPytorch } from '../src/index.js';
import { launch, probeTorchrun } from '../src/node.js';
import { exampleModels, TORCH, TORCH_SKIP } from './helpers/env.js';
import { rng } from './helpers/parity.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const N = 64;
const STEPS = 6;
const BATCH = 16;
const LR = 0.05;

describe.skipIf(!TORCH)(`DDP with 2 gloo processes${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  it('equals single-process training with the same global batch (1e-4), streaming JSON progress', async () => {
    const graph = exampleModels().find((m) => m.graph.name === 'MnistCnn')!.graph;
    const dir = mkdtempSync(join(tmpdir(), 'dlm-torch-ddp-'));
    writeFileSync(join(dir, 'model.py'), exportPytorch(graph).result!);
    const w = initializeParams(graph, 0);
    writeFileSync(join(dir, 'w.safetensors'), writeSafetensors(new Map(graph.params.map((p) => [p.name, { dtype: 'F32', shape: p.type.shape as number[], data: w.get(p.name)! } as SafetensorsTensor]))));
    const r = rng(3);
    writeFileSync(join(dir, 'images.f32'), Float32Array.from({ length: N * 784 }, () => r()));
    writeFileSync(join(dir, 'labels.i32'), Int32Array.from({ length: N }, () => Math.floor(r() * 10)));
    const args = (out: string) => [join(dir, 'model.py'), 'MnistCnn', join(dir, 'w.safetensors'), join(dir, 'images.f32'), join(dir, 'labels.i32'), String(N), String(STEPS), String(BATCH), String(LR), join(dir, out)];

    const single = spawnSync(TORCH!.python, [join(HERE, 'helpers/ddp_train.py'), ...args('single.json')], { encoding: 'utf8' });
    expect(single.status, single.stderr).toBe(0);

    const launcher = probeTorchrun(TORCH!);
    console.log(`launcher: ${launcher.kind} — ${launcher.why}`);
    const seen: number[] = [];
    const res = await launch(TORCH!, launcher, join(HERE, 'helpers/ddp_train.py'), args('ddp.json'), { nprocPerNode: 2, masterPort: 29600 + Math.floor(Math.random() * 300) }, (e) => seen.push(e['step'] as number));
    expect(res.code, res.log).toBe(0);
    expect(seen).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(res.events.every((e) => e['world'] === 2)).toBe(true);

    const a = JSON.parse(readFileSync(join(dir, 'single.json'), 'utf8')) as Record<string, number[]>;
    const b = JSON.parse(readFileSync(join(dir, 'ddp.json'), 'utf8')) as Record<string, number[]>;
    expect(Object.keys(b).sort()).toEqual(graph.params.map((p) => p.name).sort());
    let worst = 0;
    let moved = 0;
    for (const [k, v] of Object.entries(a)) {
      v.forEach((x, i) => {
        worst = Math.max(worst, Math.abs(x - b[k]![i]!));
        moved = Math.max(moved, Math.abs(x - w.get(k)![i]!));
      });
    }
    console.log(`DDP (2 ranks) vs single process after ${STEPS} steps: max |Δw| ${worst.toExponential(2)} (weights moved up to ${moved.toExponential(2)})`);
    expect(moved).toBeGreaterThan(1e-3);
    expect(worst).toBeLessThanOrEqual(1e-4);
  }, 300_000);
});
