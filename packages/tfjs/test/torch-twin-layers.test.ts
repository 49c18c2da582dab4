/**
 * PyTorch twin of the layers added for transformers: fixtures/new_layers.dlm (reductions, math,
 * comparisons, where, cast, matmul, axis shuffles, expand, arange/ones/zeros/tril read from the
 * run-time shape, an embedding) run by @dlm/tfjs on cpu and the same model written in PyTorch
 * (tools/reference/torch_new_layers.py, Debian python3-torch) agree within 1e-4, at two sequence
 * lengths. Skipped when python3-torch is absent, required when CI is set.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInference, setupBackend } from '../src/index.js';
import { compileModel, expectClose, rand } from './helpers.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'tools/reference/torch_new_layers.py');
const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
const haveTorch = probe.status === 0;
const required = Boolean(process.env['CI']);

describe('the new layers against PyTorch', { timeout: 120_000 }, () => {
  it.skipIf(!haveTorch && !required).each([4, 9])(`time %i: outputs within 1e-4${haveTorch ? '' : ' (skipped: /usr/bin/python3 has no torch; install python3-torch)'}`, async (time) => {
    expect(haveTorch, 'python3-torch is required when CI is set').toBe(true);
    const g = compileModel(readFileSync(join(ROOT, 'packages/tfjs/test/fixtures/new_layers.dlm'), 'utf8'));
    const batch = 2;
    const x = rand(batch * time * 8, 31 + time);
    const ids = Int32Array.from({ length: batch * time }, (_, i) => (i * 7 + time) % 10);
    const weight = rand(10 * 8, 77, 0.5);
    await setupBackend('cpu');
    const ours = await runInference(g, new Map([[g.params[0]!.name, weight]]), { x: { data: x, shape: [batch, time, 8] }, ids: { data: ids, shape: [batch, time] } });
    const file = join(mkdtempSync(join(tmpdir(), 'dlm-twin-')), 'in.json');
    const host = (data: ArrayLike<number>, shape: number[]) => ({ shape, data: Array.from(data) });
    writeFileSync(file, JSON.stringify({ x: host(x, [batch, time, 8]), ids: host(ids, [batch, time]), weight: host(weight, [10, 8]) }));
    const r = spawnSync('/usr/bin/python3', [SCRIPT, file], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as Record<string, { shape: number[]; data: number[] }>;
    for (const name of ['y', 'stats', 'picked']) {
      expect(ours[name]!.shape, name).toEqual(theirs[name]!.shape);
      expectClose(ours[name]!.data, theirs[name]!.data, 1e-4, 1e-4, name);
    }
  });
});
