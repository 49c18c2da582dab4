/**
 * What the torch engine refuses before anything runs, through @dlm/train's `checkEngineRules` (no
 * Python is started): an augmentation or a penalty without a PyTorch twin, early stopping on a training metric
 * where the ranks cannot record their outputs (several nodes), and a GAN on several processes or
 * with mixed precision — each DLM6107 at its `.dlm` line. What it runs passes.
 */
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, hasErrors, PluginRegistry, PLUGIN_API_VERSION, type Diagnostic } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { checkEngineRules, penaltiesFor, resolveRules, TrainingError } from '@dlm/train';
import { failureSummary, torchEngine, type TorchEngineOptions } from '../src/node.js';

const registry = new PluginRegistry();
registry.register(stdPlugin);
registry.register({
  name: 'engine-checks-test',
  apiVersion: PLUGIN_API_VERSION,
  regularizers: [
    { name: 'twinned', doc: 'x + 0 with a twin.', kind: 'augmentation', args: [], augment: (m, x) => m.add(x, 0), torch: 'def augment(x, args, draw):\n    return x + 0\n' },
    { name: 'untwinned', doc: 'x + 0 without a twin.', kind: 'augmentation', args: [], augment: (m, x) => m.add(x, 0) },
    { name: 'my_penalty', doc: 'Σp², a penalty without a twin.', kind: 'penalty', args: [], penalty: (m, p) => m.sum(m.square(p)) },
  ],
});

const MLP = (regularize: string) => `model Net {
  input x: f32[batch, 1, 2, 2]
  output p: f32[batch, 2]
  p = x |> flatten |> dense(2) |> softmax
}
train Net {
  data mnist(batch: 8)
  loss cross_entropy
  optimizer sgd(lr: 0.1)
  metrics accuracy
  ${regularize}
  epochs 1
}
`;

function engine(o: Partial<TorchEngineOptions['launch']> & { precision?: 'bf16' } = {}) {
  const { precision, ...launch } = o;
  return torchEngine({
    python: { python: 'python3', source: 'test', torchVersion: '1.13', cuda: false },
    launcher: { kind: 'single', why: 'test' },
    launch: { nprocPerNode: 1, ...launch },
    device: 'cpu',
    ...(precision ? { precision } : {}),
    workDir: '/nonexistent',
  });
}

function refusals(source: string, e: ReturnType<typeof engine>): Diagnostic[] {
  const c = compileSource(source, 'net.dlm', { registry });
  if (hasErrors(c.diagnostics)) throw new Error(formatDiagnostics(c.diagnostics));
  const spec = c.program.trainings[0]!;
  const graph = c.program.models.find((m) => m.name === (spec.kind === 'gan' ? spec.generator : spec.model))!;
  try {
    if (spec.kind === 'gan') return e.check(spec, graph, c.program.models.find((m) => m.name === spec.discriminator)!);
    const rules = resolveRules(registry, spec);
    checkEngineRules(e, spec, graph, rules, penaltiesFor(graph, rules, registry));
    return [];
  } catch (err) {
    if (err instanceof TrainingError) return err.diagnostics;
    throw err;
  }
}

describe('the torch engine refuses, located, only what it cannot run', () => {
  it("runs plugin-std's augmentations, a plugin's declared twin and early stopping on a training metric (one node)", () => {
    expect(refusals(MLP('regularize random_flip, random_shift(pad: 1), gaussian_noise, twinned, early_stopping(monitor: "accuracy")'), engine())).toEqual([]);
  });

  it('names an augmentation without a twin at its call', () => {
    const d = refusals(MLP('regularize random_flip, untwinned'), engine());
    expect(d.map((x) => x.code)).toEqual(['DLM6107']);
    expect(d[0]!.message).toContain("the augmentation 'untwinned' has no twin in the torch engine");
    expect(d[0]!.span?.line).toBe(11);
  });

  it('names a penalty without a twin once, at its call (DLM6106), and runs l1 and l2', () => {
    const d = refusals(MLP('regularize l2(1e-4), my_penalty, l1(1e-5)'), engine());
    expect(d.map((x) => x.code)).toEqual(['DLM6106']);
    expect(d[0]!.message).toContain("The regularizer 'my_penalty' has no PyTorch twin");
    expect(d[0]!.span?.line).toBe(11);
  });

  it('refuses early stopping on a training metric on several nodes (the outputs stay on each node), not on val_ quantities', () => {
    const d = refusals(MLP('regularize early_stopping(monitor: "accuracy")'), engine({ nnodes: 2 }));
    expect(d.map((x) => x.code)).toEqual(['DLM6107']);
    expect(d[0]!.message).toMatch(/training metric 'accuracy'.*several nodes/);
    expect(d[0]!.span?.line).toBe(11);
    expect(refusals(MLP('regularize early_stopping(monitor: "val_accuracy")'), engine({ nnodes: 2 }))).toEqual([]);
  });

  it('refuses a GAN on several processes or with mixed precision, at the train block', () => {
    const gan = `model G {
  input z: f32[batch, 2]
  output image: f32[batch, 1, 2, 2]
  image = z |> dense(4) |> reshape([batch, 1, 2, 2]) |> tanh
}
model D {
  input image: f32[batch, 1, 2, 2]
  output real: f32[batch, 1]
  real = image |> flatten |> dense(1) |> sigmoid
}
train Gan {
  generator G
  discriminator D
  data mnist(batch: 8, normalize: tanh)
  loss bce
  optimizer adam(lr: 2e-4)
  epochs 1
}
`;
    expect(refusals(gan, engine())).toEqual([]);
    const d = refusals(gan, engine({ nprocPerNode: 2, precision: 'bf16' }));
    expect(d.map((x) => x.message)).toEqual([expect.stringMatching(/runs in one process .*not 2/), expect.stringMatching(/runs in float32/)]);
    expect(d.every((x) => x.span?.line === 11)).toBe(true);
  });
});

describe("the failure summary in DLM6108 (a diagnostic argument shows 200 characters)", () => {
  it("names the elastic agent's root cause and the last Python exception", () => {
    const elastic = `Traceback (most recent call last):
  File "/tmp/run/.torch/train.py", line 310, in main
    dist.all_reduce(total)
RuntimeError: [/build/third_party/gloo/gloo/transport/tcp/pair.cc:598] Connection closed by peer [127.0.0.1]:41234
torch.distributed.elastic.multiprocessing.errors.ChildFailedError:
============================================================
/tmp/run/.torch/train.py FAILED
------------------------------------------------------------
Failures:
  <NO_OTHER_FAILURES>
------------------------------------------------------------
Root Cause (first observed failure):
[0]:
  time      : 2026-12-04_11:07:40
  host      : localhost
  rank      : 1 (local_rank: 1)
  exitcode  : -9 (pid: 29035)
  error_file: <N/A>
  traceback : Signal 9 (SIGKILL) received by PID 29035
============================================================`;
    expect(failureSummary(elastic)).toBe(
      'rank 1 (local_rank: 1): exitcode -9 (pid: 29035), Signal 9 (SIGKILL) received by PID 29035; RuntimeError: [/build/third_party/gloo/gloo/transport/tcp/pair.cc:598] Connection closed by peer [127.0.0.1]:41234',
    );
    const single = 'Traceback (most recent call last):\n  File "train.py", line 1, in <module>\nValueError: no Python twin for regularizer max_norm\n';
    expect(failureSummary(single)).toBe('ValueError: no Python twin for regularizer max_norm');
    expect(failureSummary('a\nb\nc\nd\ne\nf\n')).toBe('b\nc\nd\ne\nf');
  });
});
