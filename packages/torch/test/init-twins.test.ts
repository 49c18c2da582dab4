/**
 * Initializers the generated module computes itself rather than draws: `reset_parameters()` of a
 * model with sinusoidal_positions fills its `pe` buffer with exactly dlm's table (float64, rounded
 * once), so an untrained PyTorch module and dlm start from the same positions.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initializeParams, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { exportPytorch } from '../src/index.js';
import { TORCH, TORCH_SKIP } from './helpers/env.js';

describe.skipIf(!TORCH)(`computed initializers in PyTorch${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  it('sinusoidal: reset_parameters writes dlm’s table, any base, odd widths too', () => {
    const registry = new PluginRegistry();
    registry.register(stdPlugin);
    const src = `model Tables {
  input x: f32[batch, time, 16]
  input y: f32[batch, time, 7]
  output a: f32[batch, time, 16]
  output b: f32[batch, time, 7]
  a = x |> sinusoidal_positions(max_len: 50, dim: 16)
  b = y |> sinusoidal_positions(max_len: 9, dim: 7, base: 100)
}`;
    const graph = compileSource(src, 'tables.dlm', { registry }).program.models[0]!;
    const source = exportPytorch(graph).result!;
    const dir = mkdtempSync(join(tmpdir(), 'dlm-init-'));
    writeFileSync(join(dir, 'tables.py'), source);
    const script = `import json, sys\nsys.path.insert(0, ${JSON.stringify(dir)})\nimport tables\nm = tables.Tables()\nprint(json.dumps({k: v.reshape(-1).tolist() for k, v in m.state_dict().items()}))`;
    const r = spawnSync(TORCH!.python, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 24 });
    expect(r.status, r.stderr).toBe(0);
    const theirs = JSON.parse(r.stdout) as Record<string, number[]>;
    const ours = initializeParams(graph, 0);
    for (const name of ['sinusoidal_positions_1.pe', 'sinusoidal_positions_2.pe']) expect(theirs[name], name).toEqual(Array.from(ours.get(name)!));
  });
});
