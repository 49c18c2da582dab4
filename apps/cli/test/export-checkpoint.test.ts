/**
 * `dlm export --checkpoint` only reads weights, so it must not start a tfjs backend: the weights
 * come from @dlm/train/node (which may not import a runtime). Run in a child process so that no
 * other test's backend is in the same tfjs engine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, TEST_DIR, tempDir } from './helpers.js';

const SCRIPT = `
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initializeParams, PluginRegistry } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { CHECKPOINT_FORMAT } from '@dlm/train';
import { irHash, saveCheckpoint } from '@dlm/train/node';
import { runCli } from ${JSON.stringify(join(TEST_DIR, '../src/index.ts'))};
const [file, dir, damage] = process.argv.slice(-3);
const registry = new PluginRegistry();
registry.register(stdPlugin);
const graph = compileFile(file, { registry }).program.models[0];
const weights = new Map([...initializeParams(graph, 7)].map(([k, v]) => [k, { dtype: 'F32', shape: graph.params.find((p) => p.name === k).type.shape, data: v }]));
const state = { format: CHECKPOINT_FORMAT, model: graph.name, irHash: { [graph.name]: irHash(graph) }, epoch: 1, step: 1, rng: { seed: 0, counter: 0 }, history: [], optimizer: { name: 'sgd', args: {} } };
const where = await saveCheckpoint(dir + '/run', { weights, optimizer: new Map(), state });
if (damage === 'optimizer') {
  const f = where + '/optimizer.safetensors';
  const bytes = readFileSync(f);
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(f, bytes);
}
let out = '';
const code = await runCli(['export', file, '--checkpoint', dir + '/run', '-o', dir + '/m.onnx'], { cwd: dir, stdout: (t) => (out += t), stderr: (t) => (out += t), isTTY: false, env: {} });
console.log(JSON.stringify({ code, out, backend: tf.engine().backendName ?? null, initialized: Object.keys(tf.engine().registry) }));
`;

describe('dlm export --checkpoint', () => {
  it('reads the checkpoint without starting a tfjs backend', () => {
    const dir = tempDir();
    const file = join(REPO_ROOT, 'examples/mlp/mlp.dlm');
    const r = spawnSync(process.execPath, ['--conditions=@dlm/source', '--import', 'tsx', '--input-type=module', '-e', SCRIPT, file, dir, 'none'], { cwd: REPO_ROOT, encoding: 'utf8' });
    expect(r.stderr.replace(/^npm warn.*\n/gm, '')).toBe('');
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: number; out: string; backend: string | null; initialized: string[] };
    expect(res.out).toMatch(/^wrote .*m\.onnx \(.*, opset \d+, .*run\/epoch-1/);
    expect(res.code).toBe(0);
    expect(existsSync(join(dir, 'm.onnx'))).toBe(true);
    expect(res.backend).toBeNull();
    expect(res.initialized).toEqual([]);
  }, 60_000);

  it('exports when only the optimizer file is damaged, and says so honestly', () => {
    const dir = tempDir();
    const file = join(REPO_ROOT, 'examples/mlp/mlp.dlm');
    const r = spawnSync(process.execPath, ['--conditions=@dlm/source', '--import', 'tsx', '--input-type=module', '-e', SCRIPT, file, dir, 'optimizer'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: number; out: string };
    expect(res.out).toContain('DLM5071');
    expect(res.out).toContain("the optimizer state 'optimizer.safetensors' is unusable");
    expect(res.out).not.toContain('do not fit');
    expect(res.out).toMatch(/wrote .*m\.onnx/);
    expect(res.code).toBe(0);
    expect(existsSync(join(dir, 'm.onnx'))).toBe(true);
  }, 60_000);
});
