/**
 * PyTorch twins of multi_head_attention and the transformer layers: fixtures/attention.dlm (self-attention, causal with a
 * lengths mask, cross-attention with a bool key-padding mask) run by @dlm/tfjs on cpu and the same
 * three nn.MultiheadAttention(batch_first=True) modules with the weights transplanted
 * (tools/reference/torch_attention.py, Debian python3-torch) agree within 1e-4 and have the same
 * parameter counts, at two sequence lengths; and fixtures/transformer.dlm (encoder and decoder layers, post- and
 * pre-norm, relu and gelu) against nn.TransformerEncoderLayer/DecoderLayer
 * (tools/reference/torch_transformer.py) with the parameters loaded by name. Skipped when python3-torch is absent, required when CI is set.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInference, setupBackend } from '../src/index.js';
import { initializeParams } from '@dlm/core';
import { compileModel, expectClose, rand } from './helpers.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'tools/reference/torch_attention.py');
const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
const haveTorch = probe.status === 0;
const required = Boolean(process.env['CI']);

describe('multi_head_attention against PyTorch', { timeout: 120_000 }, () => {
  it.skipIf(!haveTorch && !required).each([[5, 3], [7, 6]])(`time %i, memory %i: outputs within 1e-4${haveTorch ? '' : ' (skipped: /usr/bin/python3 has no torch; install python3-torch)'}`, async (time, src) => {
    expect(haveTorch, 'python3-torch is required when CI is set').toBe(true);
    const g = compileModel(readFileSync(join(ROOT, 'packages/tfjs/test/fixtures/attention.dlm'), 'utf8'));
    const batch = 2;
    const x = rand(batch * time * 8, 11 + time);
    const mem = rand(batch * src * 8, 13 + src);
    const lens = Int32Array.from([time, 2]); // the second sequence ends early
    const pad = Int32Array.from({ length: batch * src }, (_, i) => (i % src >= src - 1 - (i < src ? 0 : 1) ? 1 : 0)); // last 1 or 2 keys padded
    // Random biases too (PyTorch starts them at zero), so a misplaced bias would show.
    const weights = new Map(g.params.map((p, i) => [p.name, rand((p.type.shape as number[]).reduce((a, b) => a * b, 1), 100 + i, 0.5)]));
    await setupBackend('cpu');
    const inputs = { x: { data: x, shape: [batch, time, 8] }, mem: { data: mem, shape: [batch, src, 8] }, lens: { data: lens, shape: [batch] }, pad: { data: pad, shape: [batch, src] } };
    const ours = await runInference(g, weights, inputs);
    const file = join(mkdtempSync(join(tmpdir(), 'dlm-twin-')), 'in.json');
    const host = (data: ArrayLike<number>, shape: number[]) => ({ shape, data: Array.from(data) });
    const params = Object.fromEntries(g.params.map((p) => [p.name, host(weights.get(p.name)!, p.type.shape as number[])]));
    writeFileSync(file, JSON.stringify({ ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, host(v.data, v.shape)])), params }));
    const r = spawnSync('/usr/bin/python3', [SCRIPT, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as Record<string, { shape: number[]; data: number[] }> & { counts: number[] };
    const counts = [1, 2, 3].map((n) => g.params.filter((p) => p.name.startsWith(`multi_head_attention_${n}.`)).reduce((a, p) => a + (p.type.shape as number[]).reduce((x, y) => x * y, 1), 0));
    expect(counts).toEqual(theirs.counts);
    for (const name of ['plain', 'causal', 'cross']) {
      expect(ours[name]!.shape, name).toEqual(theirs[name]!.shape);
      expectClose(ours[name]!.data, theirs[name]!.data, 1e-4, 1e-4, name);
    }
  });
});

describe('transformer layers against PyTorch', { timeout: 120_000 }, () => {
  it.skipIf(!haveTorch && !required)(`encoder and decoder, both norm orders: same parameter names and counts, outputs within 1e-4${haveTorch ? '' : ' (skipped: /usr/bin/python3 has no torch; install python3-torch)'}`, async () => {
    expect(haveTorch, 'python3-torch is required when CI is set').toBe(true);
    const g = compileModel(readFileSync(join(ROOT, 'packages/tfjs/test/fixtures/transformer.dlm'), 'utf8'));
    const [batch, time, src] = [2, 6, 4];
    const size = (shape: readonly unknown[]) => (shape as number[]).reduce((a, b) => a * b, 1);
    const weights = new Map(g.params.map((p, i) => [p.name, rand(size(p.type.shape), 200 + i, 0.5)]));
    const inputs = { x: { data: rand(batch * time * 8, 5), shape: [batch, time, 8] }, mem: { data: rand(batch * src * 8, 6), shape: [batch, src, 8] }, lens: { data: Int32Array.from([time, 3]), shape: [batch] } };
    await setupBackend('cpu');
    const ours = await runInference(g, weights, inputs);
    const file = join(mkdtempSync(join(tmpdir(), 'dlm-twin-')), 'in.json');
    const host = (data: ArrayLike<number>, shape: number[]) => ({ shape, data: Array.from(data) });
    const params = Object.fromEntries(g.params.map((p) => [p.name, host(weights.get(p.name)!, p.type.shape as number[])]));
    writeFileSync(file, JSON.stringify({ ...Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, host(v.data, v.shape)])), params }));
    const r = spawnSync('/usr/bin/python3', [join(ROOT, 'tools/reference/torch_transformer.py'), file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as Record<string, { shape: number[]; data: number[] }> & { counts: Record<string, number> };
    for (const [layer, n] of Object.entries(theirs.counts)) {
      expect(g.params.filter((p) => p.name.startsWith(`${layer}.`)).reduce((a, p) => a + size(p.type.shape), 0), layer).toBe(n);
    }
    for (const name of ['enc_post', 'enc_pre', 'dec_post', 'dec_pre']) {
      expect(ours[name]!.shape, name).toEqual(theirs[name]!.shape);
      expectClose(ours[name]!.data, theirs[name]!.data, 1e-4, 1e-4, name);
    }
  });
});

describe('sinusoidal_positions against PyTorch', { timeout: 120_000 }, () => {
  it.skipIf(!haveTorch && !required)(`the tutorial's PositionalEncoding: same table (no parameters), x + pe[:T] within 1e-4 at two lengths, even and odd dim${haveTorch ? '' : ' (skipped: /usr/bin/python3 has no torch; install python3-torch)'}`, async () => {
    expect(haveTorch, 'python3-torch is required when CI is set').toBe(true);
    const g = compileModel(`model Positions {
  input x: f32[batch, time, 16]
  input y: f32[batch, time, 7]
  output a: f32[batch, time, 16]
  output b: f32[batch, time, 7]
  a = x |> sinusoidal_positions(max_len: 512, dim: 16)
  b = y |> sinusoidal_positions(max_len: 40, dim: 7, base: 100)
}`);
    expect(g.params.map((p) => [p.name, p.trainable, p.buffer])).toEqual([['sinusoidal_positions_1.pe', false, true], ['sinusoidal_positions_2.pe', false, true]]);
    const weights = initializeParams(g, 7);
    await setupBackend('cpu');
    const host = (data: ArrayLike<number>, shape: number[]) => ({ shape, data: Array.from(data) });
    const cases: { x: { data: Float32Array; shape: number[] }; max_len: number; dim: number; base: number }[] = [];
    const ours: { data: ArrayLike<number>; shape: number[] }[] = [];
    for (const time of [5, 40]) {
      const x = { data: rand(2 * time * 16, time), shape: [2, time, 16] };
      const y = { data: rand(2 * time * 7, time + 1), shape: [2, time, 7] };
      const out = await runInference(g, weights, { x, y });
      cases.push({ x, max_len: 512, dim: 16, base: 10000 }, { x: y, max_len: 40, dim: 7, base: 100 });
      ours.push(out['a']!, out['b']!);
    }
    const file = join(mkdtempSync(join(tmpdir(), 'dlm-twin-')), 'in.json');
    writeFileSync(file, JSON.stringify({ cases: cases.map((c) => ({ ...c, x: host(c.x.data, c.x.shape) })) }));
    const r = spawnSync('/usr/bin/python3', [join(ROOT, 'tools/reference/torch_sinusoidal.py'), file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as { outputs: { shape: number[]; data: number[] }[]; tables: { shape: number[]; data: number[] }[] };
    expect(theirs.tables[0]!.shape).toEqual([512, 16]);
    expectClose(weights.get('sinusoidal_positions_1.pe')!, theirs.tables[0]!.data, 1e-6, 1e-6, 'table 512×16');
    expectClose(weights.get('sinusoidal_positions_2.pe')!, theirs.tables[1]!.data, 1e-6, 1e-6, 'table 40×7, base 100');
    ours.forEach((o, i) => {
      expect(o.shape).toEqual(theirs.outputs[i]!.shape);
      expectClose(o.data, theirs.outputs[i]!.data, 1e-4, 1e-4, `case ${i}`);
    });
  });
});
