/**
 * `dlm train --engine torch` end to end, with Debian's python3-torch: the run folder is the tfjs
 * engine's (same checkpoint names, layouts and SHA-256s, state.json, last, report.html, loss.svg),
 * each engine resumes the other's run, and `dlm eval`, `predict` and `export` take a torch-trained
 * checkpoint. Reference: the same train block on the tfjs engine, in the same test.
 *
 * Tolerance 1e-4 on the weights: both engines see the same initial weights, the same seeded sample
 * order and the same optimizer math, so they differ only by float32 rounding of different kernels
 * (PyTorch's vs tfjs' matmul summation order, ~1e-7 per step); Adam normalizes its updates, so
 * these do not grow much over the 24 steps here (measured: printed below, ~1e-6).
 */
import { readFileSync, existsSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readSafetensors } from '@dlm/core';
import { needs } from '../../../tools/test-support/system-tools.js';
import { dlm, PLUGIN_FIXTURES, REPO_ROOT, tempDir } from './helpers.js';
import { checkpointWeights as weights, maxWeightDiff as maxDiff, NET_MODEL, torch } from './torch-helpers.js';

const FILE = `${NET_MODEL}
train Net {
  data csv(path: "points.csv", batch: 32, shuffle: true)
  loss bce
  optimizer adam(lr: 0.02)
  regularize l2(1e-4)
  validation_split 0.2
  epochs 3
  metrics accuracy
  seed 7
}
`;

function state(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, unknown>;
}

describe('dlm train --engine torch', () => {
  beforeEach(needs('python3-torch'));
  const dir = tempDir({ 'net.dlm': FILE, 'point.json': '[[0.5, 0.2]]' });
  copyFileSync(join(REPO_ROOT, 'examples/mlp/points.csv'), join(dir, 'points.csv'));
  const file = join(dir, 'net.dlm');
  const train = (runDir: string, ...more: string[]) => dlm(['train', file, '--backend', 'cpu', '--workers', '1', '--run-dir', join(dir, runDir), ...more], dir, { DLM_PYTHON: torch.path });
  const reference = join(dir, 'tfjs');

  beforeAll(async () => {
    if (!torch.available) return;
    const r = await train('tfjs');
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('writes the tfjs engine run folder, with the same weights (1e-4); eval, predict and export take it; tfjs resumes it', async () => {
    const r = await train('torch', '--engine', 'torch', '--epochs', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^device: engine torch \S+, python \S+ \(DLM_PYTHON\), device cpu, 1 process, no process group \(one process\), launcher none \(one process\)$/m);
    expect(r.stderr).toMatch(/training Net on torch: 256 samples, batch 32, epochs 1\.\.2, evaluating on 64 validation samples/);
    expect(r.stderr).toMatch(/^epoch 2\/2 {2}loss \S+ {2}accuracy \S+ {2}val_loss \S+ {2}val_accuracy \S+/m);
    const run = join(dir, 'torch');
    for (const f of ['last', 'report.html', 'loss.svg', 'metrics.csv', 'epoch-1/state.json', 'epoch-2/weights.safetensors', 'epoch-2/optimizer.safetensors']) expect(existsSync(join(run, f)), f).toBe(true);
    expect(existsSync(join(run, '.torch')), 'a finished run removes its work folder, shards included').toBe(false);
    const st = state(join(run, 'epoch-2'));
    const ref = state(join(reference, 'epoch-2'));
    expect(Object.keys(st).sort()).toEqual(Object.keys(ref).sort());
    expect(st['step']).toBe(ref['step']);
    expect(Object.keys(st['checksums'] as object).sort()).toEqual(['optimizer.safetensors', 'weights.safetensors']);
    const opt = readSafetensors(readFileSync(join(run, 'epoch-2/optimizer.safetensors'))).tensors;
    const refOpt = readSafetensors(readFileSync(join(reference, 'epoch-2/optimizer.safetensors'))).tensors;
    expect([...opt.keys()].sort()).toEqual([...refOpt.keys()].sort());
    const d2 = maxDiff(weights(join(run, 'epoch-2')), weights(join(reference, 'epoch-2')));
    console.log(`torch vs tfjs after 2 epochs: max |Δw| ${d2.toExponential(2)}`);
    expect(d2).toBeLessThanOrEqual(1e-4);
    // Same weights, so dlm's own evaluation gives the same numbers.
    type Rec = { loss: number; metrics: { accuracy: number }; val: { loss: number; metrics: { accuracy: number } } };
    const h = (s: Record<string, unknown>) => (s['history'] as Rec[])[1]!;
    expect(h(st).val.loss).toBeCloseTo(h(ref).val.loss, 4);
    expect(h(st).val.metrics.accuracy).toBe(h(ref).val.metrics.accuracy);
    // Training loss and metrics too: the engine records its training-mode outputs for dlm's metrics.
    expect(h(st).loss).toBeCloseTo(h(ref).loss, 4);
    expect(h(st).metrics.accuracy).toBe(h(ref).metrics.accuracy);

    const ev = await dlm(['eval', file, '--backend', 'cpu', '--checkpoint', run, '--json'], dir);
    expect(ev.code, ev.stderr).toBe(0);
    const pr = await dlm(['predict', file, '--backend', 'cpu', '--checkpoint', run, '--input', join(dir, 'point.json'), '--json'], dir);
    expect(pr.code, pr.stderr).toBe(0);
    const ex = await dlm(['export', file, '--checkpoint', run, '-o', join(dir, 'net.onnx')], dir);
    expect(ex.code, ex.stderr).toBe(0);

    // The tfjs engine resumes the torch run: one more epoch lands on the tfjs-only run's weights.
    const resumed = await train('torch', '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${join(run, 'epoch-2')} (epoch 2, step 16)`);
    const d3 = maxDiff(weights(join(run, 'epoch-3')), weights(join(reference, 'epoch-3')));
    console.log(`torch 2 epochs + tfjs --resume 1 epoch vs tfjs 3 epochs: max |Δw| ${d3.toExponential(2)}`);
    expect(d3).toBeLessThanOrEqual(1e-4);
  }, 240_000);

  it('resumes a tfjs run with --engine torch on 2 DDP processes (weights after one more epoch within 1e-4)', async () => {
    const first = await train('mixed', '--epochs', '2');
    expect(first.code, first.stderr).toBe(0);
    const r = await train('mixed', '--engine', 'torch', '--resume', '--nproc-per-node', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/device: .*, 2 processes, backend gloo, launcher (torchrun|elastic_launch from Python)/);
    expect(r.stderr).toMatch(/training Net on torch: .*epochs 3\.\.3/);
    const d = maxDiff(weights(join(dir, 'mixed/epoch-3')), weights(join(reference, 'epoch-3')));
    console.log(`tfjs 2 epochs + torch --resume 1 epoch vs tfjs 3 epochs: max |Δw| ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(1e-4);
  }, 240_000);

  it('writes the optimizer slots of a parameter that gets no gradient, so each engine resumes the other (1e-4 from a tfjs-only run)', async () => {
    // No penalty: an l2 term would give the spare layer a gradient.
    const unused = tempDir({ 'unused.dlm': FILE.replace('  prob = h', '  spare = point |> dense(3)\n  prob = h').replace('  regularize l2(1e-4)\n', '') });
    copyFileSync(join(dir, 'points.csv'), join(unused, 'points.csv'));
    const run = (runDir: string, ...more: string[]) => dlm(['train', join(unused, 'unused.dlm'), '--backend', 'cpu', '--workers', '1', '--run-dir', join(unused, runDir), ...more], unused, { DLM_PYTHON: torch.path });
    const ref = await run('tfjs', '--epochs', '3');
    expect(ref.code, ref.stderr).toBe(0);
    const t1 = await run('mixed', '--engine', 'torch', '--epochs', '1');
    expect(t1.code, t1.stderr).toBe(0);
    // torch.optim keeps no state for the unused dense layer; the checkpoint holds Adam's initial (zero) slots for it, as tfjs does.
    const refSlots = readSafetensors(readFileSync(join(unused, 'tfjs/epoch-1/optimizer.safetensors'))).tensors;
    const slots = readSafetensors(readFileSync(join(unused, 'mixed/epoch-1/optimizer.safetensors'))).tensors;
    expect([...slots.keys()].sort()).toEqual([...refSlots.keys()].sort());
    // The spare layer's slots: the ones the tfjs run left at zero.
    const spare = [...refSlots.keys()].filter((k) => [...(refSlots.get(k)!.data as Float32Array)].every((v) => v === 0));
    expect(spare.length).toBe(4); // weight and bias, exp_avg and exp_avg_sq
    for (const k of spare) expect([...(slots.get(k)!.data as Float32Array)].every((v) => v === 0), k).toBe(true);
    const t2 = await run('mixed', '--resume', '--epochs', '2');
    expect(t2.code, t2.stderr).toBe(0);
    const t3 = await run('mixed', '--engine', 'torch', '--resume', '--epochs', '3');
    expect(t3.code, t3.stderr).toBe(0);
    // The first torch run finished, so its shards went with it: the resume writes them again
    // (an interrupted run's shards are kept for its resume: torch-fault.test.ts).
    expect(t1.stderr).toMatch(/torch engine: \d+ training samples written to 1 memory-mapped shard/);
    expect(t3.stderr).toMatch(/torch engine: \d+ training samples written to 1 memory-mapped shard/);
    const d = maxDiff(weights(join(unused, 'mixed/epoch-3')), weights(join(unused, 'tfjs/epoch-3')));
    console.log(`unused parameter: torch 1 + tfjs 1 + torch 1 epochs vs tfjs 3 epochs: max |Δw| ${d.toExponential(2)}`);
    expect(d).toBeLessThanOrEqual(1e-4);
  }, 240_000);

  it('works in the run folder openRunFolder chose when the asked one holds another run', async () => {
    // Another seed is another run: the reference folder is left alone and the run goes beside it.
    const other = tempDir({ 'net.dlm': FILE.replace('seed 7', 'seed 8') });
    copyFileSync(join(dir, 'points.csv'), join(other, 'points.csv'));
    const r = await dlm(['train', join(other, 'net.dlm'), '--backend', 'cpu', '--engine', 'torch', '--epochs', '1', '--run-dir', reference], other, { DLM_PYTHON: torch.path });
    expect(r.code, r.stderr).toBe(0);
    const moved = `${reference}-csv`;
    expect(r.stderr).toContain(`this run goes to ${moved}`);
    expect(r.stderr).toContain(`memory-mapped shard(s) in ${join(moved, '.torch', 'shards')}`);
    expect(existsSync(join(moved, 'epoch-1/weights.safetensors'))).toBe(true);
    expect(existsSync(join(reference, '.torch'))).toBe(false);
    expect(existsSync(join(moved, '.torch'))).toBe(false);
    expect((state(join(reference, 'epoch-1'))['history'] as unknown[]).length).toBe(1);
  }, 120_000);

  it("runs augmentations (plugin-std's and a plugin's declared twin) and early stopping on a training metric", async () => {
    const augmented = FILE.replace('  seed 7', '  regularize gaussian_noise(std: 0.05), jitter(delta: 0.05), early_stopping(monitor: "accuracy", patience: 1)\n  seed 7');
    const aug = tempDir({ 'aug.dlm': augmented });
    copyFileSync(join(dir, 'points.csv'), join(aug, 'points.csv'));
    const plugin = join(PLUGIN_FIXTURES, 'augmentations.mjs');
    const a = await dlm(['train', join(aug, 'aug.dlm'), '--backend', 'cpu', '--engine', 'torch', '--plugin', plugin, '--epochs', '2', '--run-dir', join(aug, 'run')], aug, { DLM_PYTHON: torch.path });
    expect(a.code, a.stderr).toBe(0);
    const st = state(join(aug, 'run', readFileSync(join(aug, 'run/last'), 'utf8').trim()));
    // The training metric is computed (from the training-mode outputs on the augmented batches) and monitored.
    expect((st['best'] as { monitor: string }).monitor).toBe('accuracy');
    type Rec = { loss: number; metrics: { accuracy: number } };
    const hist = st['history'] as Rec[];
    for (const r of hist) expect(Number.isFinite(r.metrics.accuracy)).toBe(true);
    // The augmentations ran: from the same weights and batches, epoch 1's training loss is not the plain run's.
    const plain = (state(join(reference, 'epoch-1'))['history'] as Rec[])[0]!;
    expect(Math.abs(hist[0]!.loss - plain.loss)).toBeGreaterThan(1e-6);
  }, 120_000);

  it('refuses before anything runs: --precision on the CPU, a port out of range, torch flags without --engine torch, no Python, an augmentation without a twin', async () => {
    const p = await train('bad', '--engine', 'torch', '--device', 'cpu', '--precision', 'bf16');
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('--precision bf16 needs --device cuda');
    const port = await train('bad', '--engine', 'torch', '--nproc-per-node', '2', '--master-port', '99999');
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--master-port must be a port number, 1 to 65535, got 99999');
    const f = await train('bad', '--nproc-per-node', '2');
    expect(f.code).toBe(2);
    expect(f.stderr).toContain('--nproc-per-node applies to --engine torch only');
    const nopy = await train('bad', '--engine', 'torch', '--python', join(dir, 'no-such-python'));
    expect(nopy.code).toBe(1);
    expect(nopy.stderr).toMatch(/DLM6104.*no-such-python \(--python\): not found.*apt-get install python3-torch/s);
    const aug = tempDir({ 'aug.dlm': FILE.replace('  seed 7', '  regularize gaussian_noise(std: 0.1), untwinned_jitter(delta: 0.1)\n  seed 7') });
    copyFileSync(join(dir, 'points.csv'), join(aug, 'points.csv'));
    const a = await dlm(['train', join(aug, 'aug.dlm'), '--backend', 'cpu', '--engine', 'torch', '--plugin', join(PLUGIN_FIXTURES, 'augmentations.mjs'), '--run-dir', join(aug, 'run')], aug, { DLM_PYTHON: torch.path });
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/DLM6107.*the augmentation 'untwinned_jitter' has no twin in the torch engine/);
    expect(a.stderr).not.toContain("'gaussian_noise'");
    expect(a.stderr).toMatch(/aug\.dlm:\d+:\d+/);
    expect(existsSync(join(aug, 'run/epoch-1'))).toBe(false);
  }, 120_000);
});
