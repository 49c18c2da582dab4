import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Graph, SafetensorsTensor } from '@dlm/core';
import { CHECKPOINT_FORMAT, type CheckpointData } from '../src/state.js';
import { irHash, lastCheckpoint, loadCheckpoint, saveCheckpoint } from '../src/node/checkpoint.js';

const graph = (shapeB = [3]): Graph => ({
  name: 'Net',
  inputs: [{ name: 'x', type: { dtype: 'f32', shape: ['batch', 2] } }],
  outputs: [{ name: 'y', type: { dtype: 'f32', shape: ['batch', 3] } }],
  nodes: [{ id: 'gemm', op: 'Gemm', inputs: ['x', 'dense_1.weight', 'dense_1.bias'], outputs: ['y'], attrs: { alpha: 1, beta: 1, transA: 0, transB: 0 }, scope: ['dense_1'] }],
  params: [
    { name: 'dense_1.weight', type: { dtype: 'f32', shape: [2, 3] }, init: { kind: 'zeros', args: {} }, trainable: true, regularizers: [], scope: ['dense_1'] },
    { name: 'dense_1.bias', type: { dtype: 'f32', shape: shapeB }, init: { kind: 'zeros', args: {} }, trainable: true, regularizers: [], scope: ['dense_1'] },
  ],
  values: [],
  layers: [],
});

const data = (epoch: number, g = graph()): CheckpointData => ({
  weights: new Map<string, SafetensorsTensor>([
    ['dense_1.weight', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6].map((v) => v * epoch)) }],
    ['dense_1.bias', { dtype: 'F32', shape: [3], data: Float32Array.from([0.5, -0.5, epoch]) }],
  ]),
  optimizer: new Map<string, SafetensorsTensor>([
    ['dense_1.weight/exp_avg', { dtype: 'F32', shape: [2, 3], data: new Float32Array(6).fill(0.1) }],
    ['step', { dtype: 'I64', shape: [], data: BigInt64Array.from([BigInt(10 * epoch)]) }],
  ]),
  state: {
    format: CHECKPOINT_FORMAT,
    model: 'Net',
    irHash: { Net: irHash(g) },
    epoch,
    step: 10 * epoch,
    rng: { seed: 1, counter: 7 },
    history: [],
    optimizer: { name: 'adam', args: { lr: 0.001 } },
  },
});

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'dlm-ckpt-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoints', () => {
  it('save → last → load round-trips weights, optimizer state and training state', async () => {
    await saveCheckpoint(dir, data(1));
    const where = await saveCheckpoint(dir, data(2));
    expect(where).toBe(path.join(dir, 'epoch-2'));
    expect(readFileSync(path.join(dir, 'last'), 'utf8')).toBe('epoch-2\n');
    expect(await lastCheckpoint(dir)).toBe(where);
    const { result, diagnostics } = await loadCheckpoint(where, graph(), { sameGraph: true });
    expect(diagnostics).toEqual([]);
    expect([...result!.weights.get('dense_1.weight')!.data]).toEqual([2, 4, 6, 8, 10, 12]);
    expect(result!.optimizer.get('step')!.data[0]).toBe(20n);
    expect(result!.state.rng).toEqual({ seed: 1, counter: 7 });
    // no temp directories are left behind
    expect(readdirSync(dir).sort()).toEqual(['epoch-1', 'epoch-2', 'last']);
  });

  it('replaces an existing checkpoint of the same epoch and prunes with keepLast', async () => {
    await saveCheckpoint(dir, data(1));
    await saveCheckpoint(dir, data(2));
    const d = data(2);
    (d.weights.get('dense_1.bias')!.data as Float32Array)[0] = 42;
    await saveCheckpoint(dir, d, { keepLast: 1 });
    expect(readdirSync(dir).sort()).toEqual(['epoch-2', 'last']);
    const { result } = await loadCheckpoint(path.join(dir, 'epoch-2'), graph());
    expect(result!.weights.get('dense_1.bias')!.data[0]).toBe(42);
  });

  it('lists every parameter mismatch', async () => {
    const where = await saveCheckpoint(dir, data(1));
    const other: Graph = graph([4]);
    other.params.push({ name: 'dense_2.weight', type: { dtype: 'f32', shape: [3, 1] }, init: { kind: 'zeros', args: {} }, trainable: true, regularizers: [], scope: [] });
    other.params.splice(0, 1); // dense_1.weight missing from the model → "unexpected" in the checkpoint
    const { result, diagnostics } = await loadCheckpoint(where, other);
    expect(result).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.code).toBe('DLM5050');
    expect(diagnostics[0]!.message).toContain('3 parameter mismatches');
    expect(diagnostics[0]!.notes.map((n) => n.message)).toEqual([
      "parameter 'dense_1.bias': checkpoint has F32[3], model has F32[4]",
      "missing parameter 'dense_2.weight' [3, 1]",
      "unexpected parameter 'dense_1.weight' F32[2, 3] (not in the model)",
    ]);
  });

  it('refuses a changed model on resume even when the parameters still fit', async () => {
    const where = await saveCheckpoint(dir, data(1));
    const changed = graph();
    changed.nodes[0]!.attrs['alpha'] = 2;
    expect((await loadCheckpoint(where, changed)).diagnostics).toEqual([]);
    const r = await loadCheckpoint(where, changed, { sameGraph: true });
    expect(r.diagnostics[0]!.code).toBe('DLM5050');
    expect(r.diagnostics[0]!.message).toContain('the model changed');
  });

  it('reports a corrupt file of a checkpoint without checksums (older format) as DLM5051', async () => {
    const where = await saveCheckpoint(dir, data(1));
    const statePath = path.join(where, 'state.json');
    const { checksums: _, ...old } = JSON.parse(readFileSync(statePath, 'utf8'));
    writeFileSync(statePath, JSON.stringify(old));
    const f = path.join(where, 'weights.safetensors');
    const bytes = readFileSync(f);
    writeFileSync(f, bytes.subarray(0, bytes.length - 3));
    const r = await loadCheckpoint(where, graph());
    expect(r.diagnostics[0]!.code).toBe('DLM5051');
    expect(r.diagnostics[0]!.message).toMatch(/corrupt safetensors file: .*truncated/);
  });

  it('records a SHA-256 per tensor file and names the file whose bits flipped', async () => {
    const where = await saveCheckpoint(dir, data(1));
    const state = JSON.parse(readFileSync(path.join(where, 'state.json'), 'utf8'));
    expect(Object.keys(state.checksums).sort()).toEqual(['optimizer.safetensors', 'weights.safetensors']);
    const f = path.join(where, 'weights.safetensors');
    const bytes = readFileSync(f);
    bytes[bytes.length - 2]! ^= 0x10; // one bit inside a weight: still a valid safetensors file
    writeFileSync(f, bytes);
    for (const opts of [{}, { optimizerOptional: true }, { sameGraph: true }]) {
      const r = await loadCheckpoint(where, graph(), opts);
      expect(r.result).toBeUndefined();
      expect(r.diagnostics[0]!.code).toBe('DLM5069');
      expect(r.diagnostics[0]!.message).toContain("file 'weights.safetensors' is damaged");
    }
  });

  it('a damaged optimizer file: weights still load for eval/export with an honest warning; resume refuses', async () => {
    const where = await saveCheckpoint(dir, data(1));
    const f = path.join(where, 'optimizer.safetensors');
    const bytes = readFileSync(f);
    bytes[bytes.length - 1]! ^= 0x01;
    writeFileSync(f, bytes);
    const forEval = await loadCheckpoint(where, graph(), { optimizerOptional: true });
    expect([...forEval.result!.weights.get('dense_1.bias')!.data]).toEqual([0.5, -0.5, 1]);
    expect(forEval.result!.optimizer.size).toBe(0);
    expect(forEval.diagnostics.map((d) => [d.code, d.severity])).toEqual([['DLM5071', 'warning']]);
    expect(forEval.diagnostics[0]!.message).toContain("optimizer state 'optimizer.safetensors' is unusable");
    expect(forEval.diagnostics[0]!.message).not.toContain('do not fit');
    const forResume = await loadCheckpoint(where, graph(), { sameGraph: true });
    expect(forResume.result).toBeUndefined();
    expect(forResume.diagnostics[0]!.code).toBe('DLM5069');
    expect(forResume.diagnostics[0]!.message).toContain('optimizer.safetensors');
  });

  it('refuses non-finite weights on load, naming the parameter', async () => {
    const d = data(1);
    (d.weights.get('dense_1.weight')!.data as Float32Array)[4] = Number.NaN;
    (d.weights.get('dense_1.weight')!.data as Float32Array)[5] = Number.POSITIVE_INFINITY;
    const where = await saveCheckpoint(dir, d);
    for (const opts of [{}, { optimizerOptional: true }, { sameGraph: true }]) {
      const r = await loadCheckpoint(where, graph(), opts);
      expect(r.result).toBeUndefined();
      expect(r.diagnostics[0]!.code).toBe('DLM5070');
      expect(r.diagnostics[0]!.message).toContain("2 non-finite value(s) (NaN or Infinity) in parameter 'dense_1.weight'");
    }
  });

  it('checkpoint folders follow the umask (not mkdtemp\'s 0700)', async () => {
    const old = process.umask(0o022);
    try {
      const where = await saveCheckpoint(dir, data(1));
      expect(statSync(where).mode & 0o777).toBe(0o755);
      process.umask(0o077);
      const private_ = await saveCheckpoint(dir, data(2));
      expect(statSync(private_).mode & 0o777).toBe(0o700);
    } finally {
      process.umask(old);
    }
  });

  it('has no last checkpoint in an empty run directory', async () => {
    expect(await lastCheckpoint(dir)).toBeUndefined();
  });
});
