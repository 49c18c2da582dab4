/**
 * The example model end to end, with nothing but public APIs: compile examples/stripes.dlm with
 * the standard plugin and this one, train a few steps on tfjs (cpu) on the shipped PNG fixtures,
 * export to ONNX and run it in onnxruntime against dlm's own forward pass, and draw it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostics, initializeParams, readSafetensors } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { exportOnnx } from '@dlm/onnx';
import { toMermaid } from '@dlm/mermaid';
import { createTfjsRuntime, runInference } from '@dlm/tfjs';
import { train } from '@dlm/train/node';
import { PACKAGE_DIR, registry } from './helpers/compile.js';
import { rng } from './helpers/fixtures.js';
import { needs, PYTHON3 } from '../../../../tools/test-support/system-tools.js';

const require = createRequire(import.meta.url);
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const reg = registry();
const compiled = compileFile(join(PACKAGE_DIR, 'examples/stripes.dlm'), { registry: reg });
const runDir = mkdtempSync(join(tmpdir(), 'dlm-extras-run-'));
afterAll(() => rmSync(runDir, { recursive: true, force: true }));

describe('examples/stripes.dlm', () => {
  it('compiles cleanly with the plugin’s layers next to standard ones', () => {
    expect(formatDiagnostics(compiled.diagnostics, { sources: compiled.sources })).toBe('');
    const g = compiled.program.models[0]!;
    expect(g.layers.map((l) => `${l.kind}:${l.plugin}`)).toEqual([
      'conv2d:@dlm/plugin-std',
      'swish:dlm-plugin-extras',
      'squeeze_excite:dlm-plugin-extras',
      'max_pool:@dlm/plugin-std',
      'global_avg_pool:@dlm/plugin-std',
      'flatten:@dlm/plugin-std',
      'dense:@dlm/plugin-std',
    ]);
    const t = compiled.program.trainings[0]!;
    expect([t.data.name, t.optimizer.name, t.regularizers.map((r) => r.name)]).toEqual(['image_folder', 'lion', ['max_norm', 'random_brightness']]);
  });

  it('trains a few Lion steps on tfjs (cpu) on the shipped PNGs: the loss is finite and moves', async () => {
    const spec = compiled.program.trainings[0]!;
    const losses: number[] = [];
    const { result, diagnostics } = await train({
      program: compiled.program,
      training: spec,
      registry: reg,
      runtime: await createTfjsRuntime('cpu'),
      runDir,
      epochs: 3,
      // The .dlm names the folder relative to examples/; tests run from anywhere.
      data: { name: 'image_folder', args: { ...spec.data.args, dir: join(PACKAGE_DIR, 'fixtures/stripes') } },
      limit: { trainSamples: 8, testSamples: 4 },
      progress: (e) => {
        if (e.kind === 'batch') losses.push((e as { loss: number }).loss);
      },
    });
    expect(formatDiagnostics(diagnostics)).toBe('');
    expect(result?.stopped).toBe('completed');
    const history = result!.history.map((h) => h.loss);
    expect(history).toHaveLength(3);
    for (const l of history) expect(Number.isFinite(l)).toBe(true);
    expect(losses.length).toBeGreaterThanOrEqual(6); // 2 batches of 4 per epoch
    // Lion at lr 1e-2 learns these stripes within a few epochs (the full run reaches 100%).
    expect(history[2]!).toBeLessThan(history[0]!);
    // swish's beta is a real parameter: training moved it away from its initial value of 1.
    const weights = readSafetensors(readFileSync(join(result!.checkpoint!, 'weights.safetensors'))).tensors;
    const beta = weights.get('swish_1.beta')!;
    expect(beta.shape).toEqual([8, 1, 1]);
    expect(Math.max(...Array.from(beta.data as Float32Array, (b) => Math.abs(b - 1)))).toBeGreaterThan(1e-3);
  }, 60_000);

  it('exports to ONNX, and onnxruntime agrees with dlm’s tfjs forward pass (|Δ| ≤ 1e-4)', async () => {
    const g = compiled.program.models[0]!;
    const weights = initializeParams(g, 3);
    // Swish's beta starts at 1; give each channel its own so the test sees per-channel broadcasting.
    const beta = [...weights.keys()].find((k) => k.endsWith('.beta'))!;
    weights.set(beta, Float32Array.from(weights.get(beta)!, (_, i) => 0.5 + 0.25 * i));
    const { result: bytes, diagnostics } = exportOnnx(g, weights);
    expect(formatDiagnostics(diagnostics)).toBe('');
    const r = rng(17);
    const x = Float32Array.from({ length: 3 * 3 * 8 * 8 }, () => r() * 2 - 1);
    const ours = await runInference(g, weights, { image: { data: x, shape: [3, 3, 8, 8] } }, { backend: 'cpu' });
    const session = await ort.InferenceSession.create(bytes!);
    const theirs = await session.run({ image: new ort.Tensor('float32', x, [3, 3, 8, 8]) });
    await session.release();
    const a = ours['logits']!.data;
    const b = theirs['logits']!.data as Float32Array;
    expect(b.length).toBe(a.length);
    let d = 0;
    for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
    expect(d).toBeLessThanOrEqual(1e-4);
    const file = join(runDir, 'stripes.onnx');
    writeFileSync(file, bytes!);
    // The gate is really there: ONNX sees the SE chain.
    const types = (await import('@dlm/onnx')).onnx.ModelProto.decode(bytes!).graph!.node!.map((n) => n.opType);
    expect(types).toEqual(expect.arrayContaining(['GlobalAveragePool', 'Gemm', 'Sigmoid', 'Reshape', 'Mul']));
  }, 60_000);

  it('the export passes the reference checker (onnx.checker, full check with strict shape inference)', (ctx) => {
    needs('python3-onnx')(ctx);
    const file = join(runDir, 'stripes.onnx');
    expect(existsSync(file), 'written by the export test above').toBe(true);
    const check = spawnSync(PYTHON3, [join(PACKAGE_DIR, '../../../tools/onnx-check.py'), file], { encoding: 'utf8' });
    expect(check.status, `${check.stdout}${check.stderr}`).toBe(0);
    expect(check.stdout).toMatch(/^ok: .*stripes\.onnx/m);
  });

  it('draws with the plugin’s labels and diagram class', () => {
    const text = toMermaid(compiled.program, { classOf: (kind: string) => reg.get('layer', kind)?.def.diagramClass });
    expect(text).toContain('squeeze-excite r=2');
    expect(text).toContain('swish β/channel');
    expect(text).toMatch(/squeeze_excite_1\[.*\]:::attention/);
    expect(text).toMatch(/classDef attention /);
  });
});
