/**
 * Issue 13 and 16 through the command line: output bounded whatever the input (--max-errors,
 * long lines), imports confined to the project root, and export refusing a model too big to
 * write before it allocates anything.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dlm, tempDir } from './helpers.js';

const model = (body: string) => `model M {\n  input x: f32[batch, 10]\n  output y: f32[batch, 10]\n${body}\n}\n`;

describe('dlm check: bounded output', () => {
  const many = model(Array.from({ length: 80 }, (_, i) => `  v${i} = x |> nosuch${i}`).join('\n') + '\n  y = x |> relu');

  it('prints 50 diagnostics per file by default, then a count and how to see more', async () => {
    const dir = tempDir({ 'many.dlm': many });
    const r = await dlm(['check', 'many.dlm'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.match(/^(error|warning)\[/gm)).toHaveLength(50);
    expect(r.stderr).toContain("… and 110 more diagnostics in many.dlm, not shown (at most 50 per file; 'dlm check --max-errors N' shows more, 0 all).");
    expect(r.stderr).toMatch(/80 errors, 80 warnings\n$/);
  });

  it('--max-errors N changes the limit, 0 prints all, a bad value is a usage error', async () => {
    const dir = tempDir({ 'many.dlm': many });
    expect((await dlm(['check', 'many.dlm', '--max-errors', '3'], dir)).stderr.match(/^(error|warning)\[/gm)).toHaveLength(3);
    expect((await dlm(['check', 'many.dlm', '--max-errors', '0'], dir)).stderr.match(/^(error|warning)\[/gm)).toHaveLength(160);
    const bad = await dlm(['check', 'many.dlm', '--max-errors', 'lots'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--max-errors must be a whole number (0 for no limit), got 'lots'");
  });

  it('13,000 stray characters on one line: one diagnostic, a windowed frame, no internal error', async () => {
    const dir = tempDir({ 'at.dlm': model(`  y = x |> ${'$ '.repeat(13000)}`), 'ops.dlm': model(`  y = x |> ${'@ '.repeat(13000)}`) });
    const r = await dlm(['check', 'at.dlm'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr.length).toBeLessThan(2000);
    expect(r.stderr).toContain('error[DLM1020]');
    // The issue's own reproduction: '@' is the matmul operator now, so 13,000 of them are a syntax
    // error, still bounded and never an internal error.
    const ops = await dlm(['check', 'ops.dlm'], dir);
    expect(ops.code).toBe(1);
    expect(ops.stderr).not.toContain('internal error');
    expect(ops.stderr.length).toBeLessThan(4000);
  });
});

describe('imports stay inside the project root', () => {
  it('refuses a .dlm file outside the folder of the nearest package.json, at the import line', async () => {
    const dir = tempDir({
      'outside.dlm': 'let width = 8\n',
      'project/package.json': '{}',
      'project/src/main.dlm': `import "../../outside.dlm"\n${model('  y = x |> relu')}`,
    });
    const r = await dlm(['check', 'src/main.dlm'], join(dir, 'project'));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[DLM2064]: Cannot import '../../outside.dlm': it is outside the project root (.).");
    expect(r.stderr).toContain('--> src/main.dlm:1:1');
    expect(r.stderr).not.toContain('width');
  });

  it('refuses a file that is not .dlm without reading it', async () => {
    const dir = tempDir({ 'package.json': '{}', 'secret.txt': 'password=hunter2\n', 'main.dlm': `import "secret.txt"\n${model('  y = x |> relu')}` });
    const r = await dlm(['check', 'main.dlm'], dir);
    expect(r.stderr).toContain("error[DLM2063]: Cannot import 'secret.txt': only .dlm files can be imported.");
    expect(r.stderr).not.toContain('hunter2');
  });
});

describe('dlm export: too big to write is refused before allocating', () => {
  it('names the largest tensor and its layer (DLM5080), writes nothing', async () => {
    // Three 20000 × 20000 weights: each fits a tensor (4e8 elements), together 4.8 GB > ONNX's 2 GiB.
    const text = 'model Big {\n  input x: f32[batch, 20000]\n  output y: f32[batch, 20000]\n  y = x |> dense(20000) |> dense(20000) |> dense(20000)\n}\n';
    const dir = tempDir({ 'big.dlm': text });
    const t0 = performance.now();
    const r = await dlm(['export', 'big.dlm', '-o', 'big.onnx'], dir);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[DLM5080\]: Model 'Big' needs about 4\.5 GiB of memory for export \(parameters 4\.5 GiB\), more than the [\d.]+ [GM]iB available\./);
    expect(r.stderr).toMatch(/note: the largest tensor is the parameter dense_1\.weight \(f32\[20000, 20000\], 1\.5 GiB\) in layer dense_1 \(big\.dlm:4:12\)/);
    expect(existsSync(join(dir, 'big.onnx'))).toBe(false);
  });
});

describe('dlm train and predict: a model that cannot fit is refused before allocating', () => {
  // 41 weights of 40000 × 40000 (each below the one-tensor limit): 238 GiB of parameters, more than any test machine has.
  const huge = (layers: number) => `model Huge {
  input image: f32[batch, 1, 28, 28]
  output logits: f32[batch, 10]
  logits = image |> flatten |> dense(40000) |> repeat ${layers} { dense(40000) |> relu } |> dense(10)
}
train Huge {
  data mnist(batch: 32)
  loss cross_entropy
  optimizer adam(lr: 0.001)
  epochs 1
}
`;

  it('train: parameters, gradients, optimizer state and a batch of activations, naming the largest layer (DLM5080)', async () => {
    const dir = tempDir({ 'huge.dlm': huge(40) });
    const t0 = performance.now();
    const r = await dlm(['train', 'huge.dlm', '--run-dir', 'run', '--backend', 'cpu'], dir);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[DLM5080\]: Model 'Huge' needs about [\d.]+ GiB of memory for training \(parameters 238\.5 GiB, gradients and optimizer state 715\.6 GiB, activations of a batch of 32 [\d.]+ MiB\), more than the [\d.]+ [GM]iB available\./);
    expect(r.stderr).toMatch(/note: the largest tensor is the parameter repeat_1\.dense_1\.weight \(f32\[40000, 40000\], 6\.0 GiB\) in layer repeat_1\/dense_1 \(huge\.dlm:4:60\)/);
    expect(r.stderr).toContain("error: model 'Huge' is too big for training on this machine; nothing was done");
    // Refused before the backend started or the run folder was made.
    expect(r.stderr).not.toContain('backend:');
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });

  it('predict: parameters and one sample\'s activations (DLM5080), before the checkpoint is read', async () => {
    const dir = tempDir({ 'huge.dlm': huge(40) });
    const r = await dlm(['predict', 'huge.dlm', '--checkpoint', 'nowhere', '--input', 'x.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error\[DLM5080\]: Model 'Huge' needs about [\d.]+ GiB of memory for prediction \(parameters 238\.5 GiB, activations of a batch of 1 [\d.]+ MiB\)/);
    expect(r.stderr).not.toContain('DLM5055');
  });

  it('dense(30000000) on MNIST: one weight beyond what a tensor can hold is found by the compiler (DLM3020), naming the layer and the size', async () => {
    const dir = tempDir({ 'huge.dlm': huge(1).replace('dense(40000) |> repeat 1 { dense(40000) |> relu }', 'dense(30000000)') });
    const t0 = performance.now();
    const r = await dlm(['train', 'huge.dlm', '--run-dir', 'run'], dir);
    expect(performance.now() - t0).toBeLessThan(20_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("error[DLM3020]: Parameter 'dense_1.weight' would hold 23,520,000,000 elements (f32[30000000, 784])");
    expect(r.stderr).toContain('--> huge.dlm:4:32');
    expect(existsSync(join(dir, 'run'))).toBe(false);
  });
});
