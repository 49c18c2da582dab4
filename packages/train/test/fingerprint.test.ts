/**
 * A run folder belongs to one run (model, dataset, training settings): another combination trains
 * beside it, --resume finds or refuses, eval and predict refuse a checkpoint trained for something
 * else, old folders without a fingerprint warn and go on, and --init-from fine-tunes into a new run.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '@dlm/tfjs';
import type { PluginCall } from '@dlm/core';
import { evaluate, predict, train } from './helpers/tfjs.js';
import { loadCheckpoint } from '../src/node/checkpoint.js';
import { runFingerprint } from '../src/node/fingerprint.js';
import { compile, makeRegistry, removeTempRunDirs, tempRunDir } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);
beforeAll(async () => {
  await setupBackend('cpu');
}, 60_000);

const SOURCE = (activation = 'relu', width = 8, lr = 0.02) => `
model Mlp {
  input point: f32[batch, 2]
  output prob: f32[batch, 1]
  prob = point |> dense(${width}) |> ${activation} |> dense(1) |> sigmoid
}
train Mlp {
  data xor_points(batch: 16, n: 64)
  loss bce
  optimizer adam(lr: ${lr})
  epochs 1
  seed 3
}`;

const xor = (n: number): PluginCall => ({ name: 'xor_points', args: { batch: 16, n } });

async function run(opts: { src?: string; runDir: string; data?: PluginCall; resume?: boolean; epochs?: number; initFrom?: string }) {
  const registry = makeRegistry();
  const program = compile(opts.src ?? SOURCE(), registry);
  const log: string[] = [];
  const { src: _, ...rest } = opts;
  const r = await train({ program, training: program.trainings[0]!, registry, log: (m) => log.push(m), ...rest });
  return { ...r, log, program, registry };
}

const state = (dir: string) => JSON.parse(readFileSync(path.join(dir, readFileSync(path.join(dir, 'last'), 'utf8').trim(), 'state.json'), 'utf8'));

describe('run-folder fingerprints', () => {
  it('records model, dataset and settings; leaves out what may change on resume', () => {
    const registry = makeRegistry();
    const program = compile(SOURCE(), registry);
    const base = runFingerprint({ program, training: program.trainings[0]!, registry });
    expect(base.data).toBe('xor_points(classes: 2, label_offset: 0, n: 64, scale: 1, slice_throws: false)');
    expect(base.task).toBe('supervised, loss bce(), optimizer adam, seed 3, validation_split 0');
    const same = (src: string, extra = {}) => {
      const p = compile(src, registry);
      return runFingerprint({ program: p, training: p.trainings[0]!, registry, ...extra }).hash === base.hash;
    };
    expect(same(SOURCE('relu', 8, 0.5))).toBe(true); // learning rate
    expect(same(SOURCE().replace('epochs 1', 'epochs 9').replace('batch: 16', 'batch: 4'))).toBe(true);
    expect(same(SOURCE('tanh'))).toBe(false); // same parameters, other computation
    expect(same(SOURCE().replace('seed 3', 'seed 4'))).toBe(false);
    expect(same(SOURCE().replace('loss bce', 'loss mse'))).toBe(false);
    expect(same(SOURCE(), { data: xor(32) })).toBe(false);
    expect(same(SOURCE(), { limit: { trainSamples: 10 } })).toBe(false);
    expect(same(SOURCE(), { initFrom: '/somewhere/epoch-1' })).toBe(false);
  });

  it('another dataset trains beside the folder (path in the log); --resume finds it there, or names both sides', async () => {
    const runDir = tempRunDir();
    const first = await run({ runDir });
    expect(first.diagnostics).toEqual([]);
    expect(first.result!.runDir).toBe(runDir);
    expect(state(runDir).fingerprint.data).toContain('n: 64');
    const weights = readFileSync(path.join(runDir, 'epoch-1', 'weights.safetensors'));

    const other = await run({ runDir, data: xor(32) });
    expect(other.diagnostics).toEqual([]);
    expect(other.result!.runDir).toBe(`${runDir}-xor_points`);
    expect(other.log.join('\n')).toContain(`${runDir} holds another dataset (dataset: this run has xor_points(classes: 2, label_offset: 0, n: 32,`);
    expect(other.log.join('\n')).toContain(`this run goes to ${runDir}-xor_points`);
    // The first run's folder is untouched.
    expect(readFileSync(path.join(runDir, 'epoch-1', 'weights.safetensors')).equals(weights)).toBe(true);
    expect(state(runDir).fingerprint.data).toContain('n: 64');

    const resumed = await run({ runDir, data: xor(32), resume: true, epochs: 2 });
    expect(resumed.diagnostics).toEqual([]);
    expect(resumed.result!.runDir).toBe(`${runDir}-xor_points`);
    expect(readFileSync(path.join(`${runDir}-xor_points`, 'last'), 'utf8').trim()).toBe('epoch-2');

    // Settings outside the fingerprint (epochs, learning rate) resume in place.
    const more = await run({ src: SOURCE('relu', 8, 0.01), runDir, resume: true, epochs: 2 });
    expect(more.diagnostics).toEqual([]);
    expect(more.result!.runDir).toBe(runDir);

    const refused = await run({ runDir, data: xor(16), resume: true, epochs: 3 });
    expect(refused.result).toBeUndefined();
    expect(refused.diagnostics.map((d) => d.code)).toEqual(['DLM5084']);
    expect(refused.diagnostics[0]!.message).toContain(`Run folder '${runDir}' holds another run (another dataset)`);
    expect(refused.diagnostics[0]!.notes[0]!.message).toMatch(/^dataset: this run has xor_points\(.*n: 16.*\); the folder has xor_points\(.*n: 64/);
  }, 60_000);

  it('eval and predict refuse a checkpoint trained on another dataset or model, naming both sides', async () => {
    const runDir = tempRunDir();
    const first = await run({ runDir });
    expect(first.diagnostics).toEqual([]);
    const { program, registry } = first;
    const ok = await evaluate({ program, training: program.trainings[0]!, registry, checkpoint: runDir });
    expect(ok.diagnostics).toEqual([]);
    const wrongData = await evaluate({ program, training: program.trainings[0]!, registry, checkpoint: runDir, data: xor(32) });
    expect(wrongData.result).toBeUndefined();
    expect(wrongData.diagnostics.map((d) => d.code)).toEqual(['DLM5086']);
    expect(wrongData.diagnostics[0]!.message).toContain(`Checkpoint '${path.join(runDir, 'epoch-1')}' was not trained for this evaluation: it was trained for another dataset.`);
    expect(wrongData.diagnostics[0]!.notes[0]!.message).toMatch(/^dataset: this evaluation has xor_points\(.*n: 32.*; the checkpoint has xor_points\(.*n: 64/);

    const input = { point: { data: new Float32Array([0.5, -0.5]), shape: [1, 2] } };
    const same = await predict({ graph: program.models[0]!, checkpoint: runDir, inputs: input });
    expect(same.diagnostics).toEqual([]);
    const tanh = compile(SOURCE('tanh'), registry).models[0]!;
    const changed = await predict({ graph: tanh, checkpoint: runDir, inputs: input });
    expect(changed.result).toBeUndefined();
    expect(changed.diagnostics.map((d) => d.code)).toEqual(['DLM5086']);
    expect(changed.diagnostics[0]!.notes[0]!.message).toMatch(/^model: this prediction has Mlp \(IR hash \w+\); the checkpoint has Mlp \(IR hash \w+\)$/);
  }, 60_000);

  it('a folder from before fingerprints: warning DLM5085, training goes on and records one', async () => {
    const runDir = tempRunDir();
    expect((await run({ runDir })).diagnostics).toEqual([]);
    const file = path.join(runDir, 'epoch-1', 'state.json');
    const { fingerprint: _, ...old } = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify(old));
    const r = await run({ runDir, resume: true, epochs: 2 });
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['DLM5085', 'warning']]);
    expect(r.result!.runDir).toBe(runDir);
    expect(state(runDir).fingerprint.hash).toMatch(/^[0-9a-f]{16}$/);
  }, 60_000);

  it('--init-from fine-tunes from a checkpoint into a new run; a checkpoint of another layout is DLM5050', async () => {
    const source = tempRunDir();
    expect((await run({ runDir: source })).diagnostics).toEqual([]);
    // Learning rate 0: the fine-tune's weights stay exactly the ones it started from.
    const tuned = await run({ src: SOURCE('relu', 8, 0), runDir: source, initFrom: source });
    expect(tuned.diagnostics).toEqual([]);
    expect(tuned.result!.runDir).toBe(`${source}-xor_points`);
    expect(tuned.log).toContain(`fine-tuning: starting from the weights of ${path.join(source, 'epoch-1')}`);
    expect(state(tuned.result!.runDir).fingerprint.initFrom).toBe(path.join(source, 'epoch-1'));
    const graph = tuned.program.models[0]!;
    const a = (await loadCheckpoint(path.join(source, 'epoch-1'), graph)).result!;
    const b = (await loadCheckpoint(tuned.result!.checkpoint!, graph)).result!;
    for (const [k, t] of a.weights) expect([...b.weights.get(k)!.data]).toEqual([...t.data]);

    const wider = await run({ src: SOURCE('relu', 12), runDir: tempRunDir(), initFrom: source });
    expect(wider.result).toBeUndefined();
    expect(wider.diagnostics.map((d) => d.code)).toEqual(['DLM5050']);
    expect(wider.diagnostics[0]!.notes.map((n) => n.message)).toContain("parameter 'dense_1.weight': checkpoint has F32[8, 2], model has F32[12, 2]");

    const both = await run({ runDir: tempRunDir(), initFrom: source, resume: true });
    expect(both.diagnostics.map((d) => d.code)).toEqual(['DLM5062']);
  }, 60_000);
});
