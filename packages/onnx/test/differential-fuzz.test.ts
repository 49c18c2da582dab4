/**
 * A fixed slice of the differential fuzzer (tools/fuzz/differential.ts runs it long): random
 * well-typed .dlm models must compile, and run to the same numbers on tfjs cpu and wasm,
 * onnxruntime-node and PyTorch (within 1e-4, absolute up to 1 and relative above), with every
 * ONNX export accepted by the checker. Without a Python with torch the engine comparison is
 * skipped with the reason (a failure when CI is set), as the torch parity tests do.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics } from '@dlm/core';
import { findTorchPython } from '@dlm/torch/node';
import { generateProgram } from './differential/generate.js';
import { compareEngines, runOracle, TOLERANCE, worstError } from './differential/oracle.js';

const found = findTorchPython();
const TORCH_SKIP = found.result ? '' : `python3-torch is not installed (${formatDiagnostics(found.diagnostics)})`;
if (!found.result && process.env['CI']) throw new Error(`CI is set but ${TORCH_SKIP}`);
if (!found.result) console.warn(`SKIPPED differential fuzz slice: ${TORCH_SKIP}`);

/** Seeds of the slice; the long tool starts wherever it is told. */
const SLICE = Array.from({ length: 60 }, (_, i) => i + 1);

describe('the generator', () => {
  it('is deterministic per seed, and a prefix of a program is its first steps', () => {
    const p = generateProgram(7);
    expect(generateProgram(7).source).toBe(p.source);
    const cut = generateProgram(7, 2);
    expect(cut.steps).toBe(2);
    expect(p.kinds.slice(0, 2)).toEqual(cut.kinds);
  });

  it('covers the constructs the oracle is for, within the slice', () => {
    const used = new Set(SLICE.flatMap((s) => generateProgram(s).kinds));
    for (const k of ['dense', 'conv2d', 'conv1d', 'max_pool', 'avg_pool', 'batch_norm', 'layer_norm', 'add', 'concat', 'split', 'index', 'reshape', 'permute', 'attention', 'matmul', 'where', 'cast', 'for/repeat', 'if', 'block', 'embedding']) {
      expect(used, k).toContain(k);
    }
  });
});

describe('the comparison', () => {
  const t = (xs: number[], shape = [xs.length]) => ({ data: Float32Array.from(xs), shape });
  it('is absolute up to 1 and relative above; NaN agrees only with NaN', () => {
    expect(worstError(t([0.5, 1000]), t([0.5 + 5e-5, 1000.05]))).toBeLessThanOrEqual(TOLERANCE);
    expect(worstError(t([0.5]), t([0.5 + 2e-4]))).toBeGreaterThan(TOLERANCE);
    expect(worstError(t([NaN]), t([NaN]))).toBe(0);
    expect(worstError(t([NaN]), t([0]))).toBe(Infinity);
    expect(worstError(t([1, 2]), t([1, 2], [2, 1]))).toBe(Infinity);
  });
  it('names the engine, the output and the error against PyTorch', () => {
    const r = compareEngines(['y0'], { torch: { y0: t([1, 2]) }, 'tfjs-cpu': { y0: t([1, 2]) }, onnxruntime: { y0: t([1, 2.01]) } });
    expect(r.problems).toEqual(['onnxruntime vs torch: output y0 differs by 5.00e-3']);
  });
});

describe.skipIf(!found.result)(`random models on every engine${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  it(`seeds ${SLICE[0]}…${SLICE[SLICE.length - 1]}: tfjs cpu and wasm, onnxruntime and PyTorch agree; the checker accepts every export`, async () => {
    const results = await runOracle(SLICE.map((s) => generateProgram(s)), { python: found.result!.python });
    const failing = results.filter((r) => r.problems.length > 0).map((r) => `seed ${r.program.seed}:\n  ${r.problems.join('\n  ')}\n${r.program.source}`);
    expect(failing.join('\n'), `${failing.length} failing programs`).toBe('');
    // every engine ran every program
    for (const r of results) expect(Object.keys(r.worst).sort()).toEqual(['onnxruntime', 'tfjs-cpu', 'tfjs-wasm']);
  }, 120_000);
});
