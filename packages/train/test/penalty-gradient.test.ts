/**
 * A penalty regularizer that states its gradient (`gradient`, plugin-std's l2) is added to the
 * parameter's gradient outside the autodiff tape. The run must be the one the taped penalty gives:
 * the same losses and, after every step, the same weights and Adam slots bit for bit (l2's stated
 * gradient is autodiff's float32 number), on both CPU backends; with a taped penalty beside it (l1)
 * the contributions are summed in another order, so there the weights agree to float32 rounding.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { PLUGIN_API_VERSION, PluginRegistry, type RegularizerDef } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { setupBackend } from '@dlm/tfjs';
import { loadCheckpoint } from '../src/node/checkpoint.js';
import { train } from './helpers/tfjs.js';
import { compile, makeRegistry, removeTempRunDirs, tempRunDir, testPlugin } from './helpers/train-fixtures.js';

afterAll(removeTempRunDirs);

const CNN = (regularize: string) => `
model Cnn {
  input image: f32[batch, 1, 8, 8]
  output logits: f32[batch, 3]
  logits = image |> conv2d(4, kernel: 3) |> relu |> max_pool(2) |> flatten |> dropout(0.3) |> dense(3)
}
train Cnn {
  data bars(batch: 16, n: 96)
  loss cross_entropy
  optimizer adam(lr: 0.01)
  regularize ${regularize}
  epochs 3
  metrics accuracy
  seed 5
}`;

/** The standard plugin with every penalty's stated gradient removed: the trainer differentiates them. */
function tapedRegistry(): PluginRegistry {
  const strip = (r: RegularizerDef): RegularizerDef => {
    if (r.kind !== 'penalty' || !r.gradient) return r;
    const { gradient: _, ...rest } = r;
    return rest;
  };
  const r = new PluginRegistry();
  const d = [...r.register({ ...stdPlugin, regularizers: stdPlugin.regularizers!.map(strip) }), ...r.register(testPlugin)];
  if (d.length) throw new Error(d.map((x) => x.message).join('\n'));
  return r;
}

async function runWith(registry: PluginRegistry, regularize: string) {
  const program = compile(CNN(regularize), registry);
  const r = await train({ program, training: program.trainings[0]!, registry, runDir: tempRunDir() });
  expect(r.diagnostics).toEqual([]);
  const cp = (await loadCheckpoint(r.result!.checkpoint!, program.models[0]!)).result!;
  return { losses: r.result!.history.map((h) => h.loss), weights: cp.weights, slots: cp.optimizer };
}

describe.each(['cpu', 'wasm'] as const)('penalties with a stated gradient (%s)', (backend) => {
  it('l2 off the tape trains exactly as l2 on the tape', async () => {
    await setupBackend(backend);
    const before = tf.memory().numTensors;
    const offTape = await runWith(makeRegistry(), 'l2(0.01)');
    expect(tf.memory().numTensors).toBe(before); // the stated gradients and the kept output are all freed
    const onTape = await runWith(tapedRegistry(), 'l2(0.01)');
    expect(offTape.losses).toEqual(onTape.losses);
    expect([...offTape.weights.keys()].sort()).toEqual([...onTape.weights.keys()].sort());
    for (const [k, t] of onTape.weights) expect(Buffer.from(offTape.weights.get(k)!.data.buffer)).toEqual(Buffer.from(t.data.buffer));
    for (const [k, t] of onTape.slots ?? new Map()) expect(Buffer.from(offTape.slots!.get(k)!.data.buffer)).toEqual(Buffer.from(t.data.buffer));
    // And the penalty does something: without it the weights differ.
    const none = await runWith(makeRegistry(), 'gaussian_noise(0)');
    expect(Buffer.from(none.weights.get([...none.weights.keys()][0]!)!.data.buffer)).not.toEqual(Buffer.from(onTape.weights.get([...none.weights.keys()][0]!)!.data.buffer));
  }, 60_000);

  it('l2 off the tape beside l1 on it agrees to float32 rounding', async () => {
    await setupBackend(backend);
    const offTape = await runWith(makeRegistry(), 'l2(0.01), l1(0.001)');
    const onTape = await runWith(tapedRegistry(), 'l2(0.01), l1(0.001)');
    for (const [k, t] of onTape.weights) {
      const a = offTape.weights.get(k)!.data;
      for (let i = 0; i < t.data.length; i++) expect(Math.abs(Number(a[i]) - Number(t.data[i]))).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(Number(t.data[i]))));
    }
  }, 60_000);
});

describe("a plugin penalty's stated gradient is checked", () => {
  // Half of λ·Σp² with a gradient that a plugin might write by mistake: a scalar (Σ of the
  // gradient), which `add` would broadcast over the parameter's gradient without a word.
  const registryWith = (gradient: NonNullable<Extract<RegularizerDef, { kind: 'penalty' }>['gradient']>): PluginRegistry => {
    const r = makeRegistry();
    const d = r.register({
      name: 'pens',
      apiVersion: PLUGIN_API_VERSION,
      regularizers: [{ name: 'half_l2', doc: 'test', kind: 'penalty', args: [], penalty: (m, p) => m.mul(m.sum(m.square(p)), 0.5), gradient }],
    });
    if (d.length) throw new Error(d.map((x) => x.message).join('\n'));
    return r;
  };

  it('a gradient of another shape than its parameter is DLM5060 naming the penalty and both shapes', async () => {
    await setupBackend('cpu');
    const registry = registryWith((m, p) => m.sum(p));
    const program = compile(CNN('half_l2'), registry);
    const r = await train({ program, training: program.trainings[0]!, registry, runDir: tempRunDir() });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM5060']);
    expect(r.diagnostics[0]!.message).toMatch(/^regularizer 'half_l2' failed while training: its gradient has shape \[\] but parameter '[^']+' has shape \[[0-9, ]+\]/);
  }, 60_000);

  it('a gradient of the right shape trains', async () => {
    await setupBackend('cpu');
    const registry = registryWith((_m, p) => p);
    const program = compile(CNN('half_l2'), registry);
    const r = await train({ program, training: program.trainings[0]!, registry, runDir: tempRunDir() });
    expect(r.diagnostics).toEqual([]);
  }, 60_000);
});

describe('a stated gradient for a parameter the loss does not reach', () => {
  // dense_1 feeds nothing: autodiff gives its parameters no gradient, so the stated one is all
  // there is. ½·Σp² has the gradient p itself: a plugin may return its argument.
  const UNUSED = `
model M {
  input point: f32[batch, 2]
  output prob: f32[batch, 1]
  unused = point |> dense(4)
  prob = point |> dense(1) |> sigmoid
}
train M {
  data xor_points(batch: 16, n: 64)
  loss bce
  optimizer sgd(lr: 0.1)
  regularize half_l2
  epochs 2
  seed 3
}`;
  const registryWith = (stated: boolean): PluginRegistry => {
    const r = makeRegistry();
    const d = r.register({
      name: 'pens',
      apiVersion: PLUGIN_API_VERSION,
      regularizers: [{ name: 'half_l2', doc: 'test', kind: 'penalty', args: [], penalty: (m, p) => m.mul(m.sum(m.square(p)), 0.5), ...(stated ? { gradient: (_m: unknown, p: unknown) => p } : {}) } as RegularizerDef],
    });
    if (d.length) throw new Error(d.map((x) => x.message).join('\n'));
    return r;
  };

  it.each(['cpu', 'wasm'] as const)('returning the parameter itself trains as the taped penalty does (%s)', async (backend) => {
    await setupBackend(backend);
    const run = async (stated: boolean) => {
      const registry = registryWith(stated);
      const program = compile(UNUSED, registry);
      const r = await train({ program, training: program.trainings[0]!, registry, runDir: tempRunDir() });
      expect(r.diagnostics).toEqual([]);
      return (await loadCheckpoint(r.result!.checkpoint!, program.models[0]!)).result!.weights;
    };
    const before = tf.memory().numTensors;
    const offTape = await run(true);
    expect(tf.memory().numTensors).toBe(before); // neither the copy nor the stated gradients are left behind
    const onTape = await run(false);
    for (const [k, t] of onTape) expect(Buffer.from(offTape.get(k)!.data.buffer), k).toEqual(Buffer.from(t.data.buffer));
  }, 60_000);
});
