/**
 * `dlm export --format pytorch`: model.py + model.safetensors that import and run in python3 with
 * torch, and give the same outputs as dlm's own forward pass on the same (initial) weights.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initializeParams, PluginRegistry } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { runInference } from '@dlm/tfjs';
import { findTorchPython } from '@dlm/torch/node';
import { dlm, EXTRAS_DIR, REPO_ROOT, tempDir } from './helpers.js';

const torch = findTorchPython().result;
const SKIP = torch ? '' : 'python3-torch is not installed';
if (!torch && process.env['CI']) throw new Error(`CI is set but ${SKIP}`);

/** Imports model.py, loads model.safetensors strictly, runs a fixed input, prints the output. */
const RUN = `
import importlib.util, json, sys, torch
spec = importlib.util.spec_from_file_location("m", sys.argv[1]); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
cls = getattr(m, sys.argv[2]); model = cls(); model.load_state_dict(m.load_safetensors(sys.argv[3]), strict=True); model.eval()
x = torch.linspace(-1, 1, 28 * 28).reshape(1, 1, 28, 28)
print(json.dumps(model(x).flatten().tolist()))
`;

describe("dlm export --format pytorch", { timeout: 120_000 }, () => {
  it('writes model.py and model.safetensors; nothing when the format is unknown', async () => {
    const dir = tempDir();
    const r = await dlm(['export', join(REPO_ROOT, 'examples/mnist/mnist_cnn.dlm'), '--format', 'pytorch', '--initial', '-o', 'model.py'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*model\.py \(MnistCnn, PyTorch module\) and .*model\.safetensors \(initial weights \(seed 0\)\)\n$/);
    expect(readFileSync(join(dir, 'model.py'), 'utf8')).toContain('class MnistCnn(nn.Module):');
    const bad = await dlm(['export', join(REPO_ROOT, 'examples/mnist/mnist_cnn.dlm'), '--format', 'keras', '--initial', '-o', 'k.py'], dir);
    expect(bad.code).toBe(2);
    expect(existsSync(join(dir, 'k.py'))).toBe(false);
  });

  it.skipIf(!torch)(`model.py runs in python3 and matches dlm's forward on the same weights${SKIP ? ` (skipped: ${SKIP})` : ''}`, async () => {
    const dir = tempDir();
    const file = join(REPO_ROOT, 'examples/mnist/mnist_cnn.dlm');
    expect((await dlm(['export', file, '--format', 'pytorch', '--initial', '-o', 'model.py'], dir)).code).toBe(0);
    const py = spawnSync(torch!.python, ['-c', RUN, join(dir, 'model.py'), 'MnistCnn', join(dir, 'model.safetensors')], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    const theirs = JSON.parse(py.stdout) as number[];
    const registry = new PluginRegistry();
    registry.register(stdPlugin);
    const graph = compileFile(file, { registry }).program.models[0]!;
    const x = Float32Array.from({ length: 784 }, (_, i) => -1 + (2 * i) / 783);
    const ours = await runInference(graph, initializeParams(graph, 0), { image: { data: x, shape: [1, 1, 28, 28] } });
    const worst = Math.max(...theirs.map((v, i) => Math.abs(v - ours['logits']!.data[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it.skipIf(!torch)(`a model made of plugin layers runs as PyTorch too${SKIP ? ` (skipped: ${SKIP})` : ''}`, async () => {
    const dir = tempDir();
    expect((await dlm(['export', 'stripes.dlm', '--format', 'pytorch', '--initial', '-o', join(dir, 'stripes.py')], join(EXTRAS_DIR, 'examples'))).code).toBe(0);
    const py = spawnSync(torch!.python, [join(dir, 'stripes.py')], { encoding: 'utf8' });
    expect(py.stderr).toBe('');
    expect(py.stdout).toMatch(/^\w+ \(2, \d+\)\n$/);
  });
});
