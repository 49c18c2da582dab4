/**
 * `dlm train examples/gan/dcgan.dlm --engine torch`, end to end on a small slice of the embedded
 * MNIST sample (Debian's python3-torch): the run folder is the tfjs engine's GAN run folder (both
 * models in every checkpoint under their prefixes, each model's optimizer slots, a sample grid per
 * epoch, d_loss and g_loss per epoch). Each engine resumes the other's GAN run (a small GAN: the
 * tfjs engine takes ~40 s per DCGAN step of 64 on this loaded machine's CPU backend). The step's
 * numbers are proved against the tfjs step in packages/torch/test/gan-step.test.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readSafetensors } from '@dlm/core';
import { needs } from '../../../tools/test-support/system-tools.js';
import { dlm, REPO_ROOT, tempDir } from './helpers.js';
import { torch } from './torch-helpers.js';

const DCGAN = join(REPO_ROOT, 'examples/gan/dcgan.dlm');
const SMALL = `model Gen {
  input noise: f32[batch, 8]
  output image: f32[batch, 1, 28, 28]
  image = noise |> dense(49) |> reshape([batch, 1, 7, 7]) |> batch_norm |> relu
    |> conv2d_transpose(2, kernel: 4, stride: 2, padding: 1) |> batch_norm |> relu
    |> conv2d_transpose(1, kernel: 4, stride: 2, padding: 1) |> tanh
}
model Disc {
  input image: f32[batch, 1, 28, 28]
  output real: f32[batch, 1]
  real = image |> flatten |> dense(16) |> leaky_relu(0.2) |> dense(1) |> sigmoid
}
train Gan {
  generator Gen
  discriminator Disc
  data mnist(batch: 16, normalize: tanh)
  loss bce
  optimizer adam(lr: 2e-4)
  epochs 2
  seed 5
}
`;

function state(dir: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as Record<string, unknown>;
}

describe('dlm train --engine torch on a GAN', () => {
  beforeEach(needs('python3-torch'));
  const dir = tempDir({ 'gan.dlm': SMALL });
  const train = (file: string, runDir: string, ...more: string[]) =>
    dlm(['train', file, '--backend', 'cpu', '--workers', '1', '--limit', '96', '--run-dir', join(dir, runDir), '--cache-dir', join(dir, 'cache'), ...more], dir, { DLM_PYTHON: torch.path });

  it('trains the DCGAN example: both models checkpointed with their optimizer slots, a sample grid per epoch', async () => {
    const r = await train(DCGAN, 'torch', '--engine', 'torch', '--epochs', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/training Generator\+Discriminator on torch: 96 samples, batch 64, epochs 1\.\.2/);
    const run = join(dir, 'torch');
    for (const e of [1, 2]) {
      const png = readFileSync(join(run, 'samples', `epoch-${e}.png`));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    }
    expect(existsSync(join(run, '.torch')), 'a finished run removes its work folder, shards included').toBe(false);
    const st = state(join(run, 'epoch-2'));
    expect(st['step']).toBe(4);
    const history = st['history'] as { extra: { d_loss: number; g_loss: number } }[];
    expect(history).toHaveLength(2);
    for (const h of history) {
      expect(h.extra.d_loss).toBeGreaterThan(0);
      expect(h.extra.g_loss).toBeGreaterThan(0);
    }
    const weights = readSafetensors(readFileSync(join(run, 'epoch-2/weights.safetensors'))).tensors;
    const names = [...weights.keys()];
    expect(names.some((n) => n.startsWith('Generator/')) && names.some((n) => n.startsWith('Discriminator/'))).toBe(true);
    expect(names.every((n) => n.startsWith('Generator/') || n.startsWith('Discriminator/'))).toBe(true);
    const slots = [...readSafetensors(readFileSync(join(run, 'epoch-2/optimizer.safetensors'))).tensors.keys()];
    expect(slots.filter((n) => n.startsWith('Generator/')).length).toBeGreaterThan(0);
    expect(slots.filter((n) => n.startsWith('Discriminator/')).length).toBeGreaterThan(0);
  }, 300_000);

  it('each engine resumes the other one\'s GAN run; several processes are refused for a GAN', async () => {
    const gan = join(dir, 'gan.dlm');
    // torch, then the tfjs engine from its checkpoint (weights, both models' Adam slots, the step).
    const t = await train(gan, 'from-torch', '--engine', 'torch', '--epochs', '1');
    expect(t.code, t.stderr).toBe(0);
    const t2 = await train(gan, 'from-torch', '--resume', '--epochs', '2');
    expect(t2.code, t2.stderr).toBe(0);
    expect(t2.stderr).toMatch(/on cpu: .*epochs 2\.\.2 \(resumed from .*epoch-1\)/);
    expect(state(join(dir, 'from-torch/epoch-2'))['step']).toBe(12);
    // tfjs, then torch.
    const f = await train(gan, 'from-tfjs', '--epochs', '1');
    expect(f.code, f.stderr).toBe(0);
    const f2 = await train(gan, 'from-tfjs', '--engine', 'torch', '--resume', '--epochs', '2');
    expect(f2.code, f2.stderr).toBe(0);
    expect(f2.stderr).toMatch(/on torch: .*epochs 2\.\.2 \(resumed from .*epoch-1\)/);
    expect(state(join(dir, 'from-tfjs/epoch-2'))['step']).toBe(12);
    expect(existsSync(join(dir, 'from-tfjs/samples/epoch-2.png'))).toBe(true);
    const ddp = await train(DCGAN, 'ddp', '--engine', 'torch', '--nproc-per-node', '2');
    expect(ddp.code).toBe(1);
    expect(ddp.stderr).toMatch(/DLM6107.*adversarial \(GAN\) training runs in one process/);
    expect(ddp.stderr).toMatch(/dcgan\.dlm:\d+:\d+/);
    expect(existsSync(join(dir, 'ddp/epoch-1'))).toBe(false);
  }, 300_000);
});
