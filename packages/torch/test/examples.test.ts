/**
 * Every model in examples/: the generated module's forward with dlm's weights matches dlm's tfjs
 * executor on the same weights and inputs within 1e-5 (relative to the largest value of each output, as float32 allows), and its gradients (of Σ out·R, every
 * trainable parameter) within 1e-4: whole networks sum thousands of float32 products per
 * gradient entry in a different order (the DCGAN generator's batch-norm scale gradient differs by
 * 1.2e-5). The module loads dlm's safetensors with load_state_dict(strict=True), so names and
 * layouts are dlm's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleModels, REPO_ROOT, TORCH, TORCH_SKIP } from './helpers/env.js';
import { randomInputs, randomWeights, runTfjs, runTorch, worstDiff } from './helpers/parity.js';
import { relative } from 'node:path';

const models = exampleModels();
const figures: string[] = [];
afterAll(() => figures.length && console.log(`examples, PyTorch vs tfjs (max error):\n  ${figures.join('\n  ')}`));

describe.skipIf(!TORCH)(`examples on PyTorch vs tfjs${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  let expected: Awaited<ReturnType<typeof runTfjs>>[] = [];
  let actual: ReturnType<typeof runTorch> = [];
  const bind = { batch: 2, time: 6, seq: 6 };

  beforeAll(async () => {
    expected = [];
    for (const { graph } of models) expected.push(await runTfjs(graph, randomWeights(graph, 5), randomInputs(graph, bind, 9, 5), false));
    actual = runTorch(
      TORCH!,
      models.map(({ graph }, i) => ({ graph, weights: randomWeights(graph, 5), inputs: randomInputs(graph, bind, 9, 5), cotangents: expected[i]!.cotangents, training: false })),
    );
  }, 600_000);

  it.each(models.map((m, i) => [`${relative(REPO_ROOT, m.file)} ${m.graph.name}`, i] as const))('%s: forward within 1e-5, gradients within 1e-4', (name, i) => {
    const got = actual[i]!;
    expect(got.error, got.source).toBeUndefined();
    const want = expected[i]!.values;
    const fwd = worstDiff(new Map([...want].filter(([k]) => k.startsWith('out:'))), got.values, 'tensor');
    const bwd = worstDiff(new Map([...want].filter(([k]) => !k.startsWith('out:'))), got.values, 'tensor');
    figures.push(`${name}: forward ${fwd.worst.toExponential(2)}, gradients ${bwd.worst.toExponential(2)} (${bwd.key})`);
    expect(fwd.worst, fwd.key).toBeLessThanOrEqual(1e-5);
    expect(bwd.worst, bwd.key).toBeLessThanOrEqual(1e-4);
  });
});
