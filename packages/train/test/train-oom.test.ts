/**
 * Running out of memory mid-run (the WASM heap cannot grow, a GPU buffer cannot be allocated) is
 * a clear DLM5066 diagnostic, not an internal error, and the checkpoints already written survive.
 * The failure is injected where a real one happens: while a batch is being materialized.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PLUGIN_API_VERSION, PluginRegistry, type Batch, type DatasetDef } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { setupBackend } from '@dlm/tfjs';
import { lastCheckpoint } from '../src/node/index.js';
import { train } from './helpers/tfjs.js';
import { compile, removeTempRunDirs, tempRunDir } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);
beforeAll(async () => {
  await setupBackend('cpu');
});

let slices = 0;
const failAfter = { slices: Infinity };
const points: DatasetDef = {
  name: 'points_oom',
  doc: 'test data that runs out of memory after some batches',
  args: [{ name: 'batch', type: 'int', default: 16, doc: 'batch size' }],
  open: async () => ({
    info: { inputShape: [2], inputDType: 'f32', targetShape: [], classes: 2 },
    size: 64,
    slice(start: number, count: number): Batch {
      if (++slices > failAfter.slices) throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded');
      const x = Float32Array.from({ length: count * 2 }, (_, i) => ((start * 2 + i) % 7) / 7 - 0.5);
      const y = Int32Array.from({ length: count }, (_, i) => ((start + i) % 2));
      return { x, xShape: [count, 2], y, yShape: [count] };
    },
  }),
};

it('out of memory in epoch 2 is DLM5066 and keeps the epoch-1 checkpoint', async () => {
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  registry.register({ name: 'oom-test', apiVersion: PLUGIN_API_VERSION, datasets: [points] });
  const program = compile(
    `model M {\n  input p: f32[batch, 2]\n  output y: f32[batch, 1]\n  y = p |> dense(4) |> relu |> dense(1) |> sigmoid\n}\ntrain M {\n  data points_oom(batch: 16)\n  loss bce\n  optimizer sgd(lr: 0.1)\n  epochs 3\n}\n`,
    registry,
  );
  const runDir = tempRunDir();
  // A clean run tells how many reads an epoch makes; the failure is then injected mid-epoch 2.
  slices = 0;
  failAfter.slices = Infinity;
  const clean = await train({ program, training: program.trainings[0]!, registry, runDir: tempRunDir() });
  expect(clean.result!.history).toHaveLength(3);
  const perEpoch = slices / 3;
  slices = 0;
  failAfter.slices = Math.floor(perEpoch * 1.5);
  const r = await train({ program, training: program.trainings[0]!, registry, runDir });
  expect(r.result).toBeUndefined();
  expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM5066']);
  expect(r.diagnostics[0]!.message).toMatch(/^Out of memory on the cpu backend: WebAssembly\.Memory\.grow\(\): Maximum memory size exceeded\. Use a smaller batch/);
  const last = await lastCheckpoint(runDir);
  expect(last).toBe(join(runDir, 'epoch-1'));
  expect(existsSync(join(last!, 'weights.safetensors'))).toBe(true);
});
