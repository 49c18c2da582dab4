/**
 * Training in the page: the IR graph runs on @dlm/tfjs's GraphExecutor, the loss and optimizer
 * and penalties (the train block's `regularize` and per-parameter ones) and the schedule are the
 * registry's plugin definitions running on @dlm/tfjs's TensorMath, as in the CLI's trainer; only
 * the loop is the page's own (the CLI's writes checkpoints to disk and reads datasets from files),
 * and it counts steps, not epochs: augmentation, early stopping and metrics other than accuracy
 * are `dlm train`'s. It yields to the browser between steps so the chart updates live.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializeParams, numelStatic, type Args, type Graph, type PluginCall, type PluginRegistry, type Program, type RegularizerDef } from '@dlm/core';
import { GraphExecutor, createTfjsMath } from '@dlm/tfjs';
import { batchOf, splitSize } from './data.js';

export interface TrainHooks {
  onStep(step: number, loss: number): void;
  shouldStop(): boolean;
}

export interface TrainedModel {
  graph: Graph;
  weights: Map<string, Float32Array>;
  losses: number[];
  accuracy: number;
  /** Eval-mode outputs of the first test digits (checked against onnxruntime by the e2e test). */
  probe: { input: number[]; inputShape: number[]; output: number[]; outputShape: number[] };
}

function withDefaults(def: { args: readonly { name: string; default?: unknown }[] }, call: PluginCall): Args {
  const out: Args = {};
  for (const a of def.args) if (a.default !== undefined) out[a.name] = a.default as Args[string];
  return { ...out, ...call.args };
}

let run = 0;

export class TrainError extends Error {}

export async function trainInBrowser(program: Program, registry: PluginRegistry, steps: number, hooks: TrainHooks): Promise<TrainedModel> {
  const spec = program.trainings[0];
  if (!spec) throw new TrainError('Add a `train` block to train (see the example).');
  if (spec.kind !== 'supervised') throw new TrainError('The playground trains supervised models only (GANs: use `dlm train`).');
  if (spec.data.name !== 'mnist') throw new TrainError(`The playground has the MNIST sample only; \`data ${spec.data.name}\` needs \`dlm train\`.`);
  const graph = program.models.find((m) => m.name === spec.model)!;
  const input = graph.inputs[0]!;
  const output = graph.outputs[0]!;
  const sampleShape = input.type.shape.slice(1);
  if (graph.inputs.length !== 1 || numelStatic(sampleShape) !== 784) {
    throw new TrainError(`MNIST digits are 784 values; input '${input.name}' takes [${sampleShape.join(', ')}] per sample.`);
  }
  const shapeOf = (b: number) => [b, ...sampleShape.map(Number)];
  const exec = GraphExecutor.create(graph);
  if (!exec.result) throw new TrainError(exec.diagnostics.map((d) => d.message).join('\n'));
  const seed = typeof spec.settings['seed'] === 'number' ? (spec.settings['seed'] as number) : 0;
  const math = createTfjsMath(seed);
  const lossDef = registry.get('loss', spec.loss.name)!.def;
  const optDef = registry.get('optimizer', spec.optimizer.name)!.def;
  const lossArgs = withDefaults(lossDef, spec.loss);
  const optArgs = withDefaults(optDef, spec.optimizer);
  const dataArgs = withDefaults(registry.get('dataset', 'mnist')!.def, spec.data);
  const batch = typeof dataArgs['batch'] === 'number' ? (dataArgs['batch'] as number) : 64;
  const normalize = dataArgs['normalize'] === true;
  const baseLr = typeof optArgs['lr'] === 'number' ? (optArgs['lr'] as number) : 1e-3;
  // Penalties as in the CLI's trainer: the train block's `regularize` on every trainable
  // parameter, plus each parameter's own. Augmentations and early stopping need epochs: CLI only.
  type Penalty = Extract<RegularizerDef, { kind: 'penalty' }>;
  const penalties: { param: string; def: Penalty; args: Args }[] = [];
  const blockPenalties = spec.regularizers.map((c) => ({ def: registry.get('regularizer', c.name)!.def, call: c })).filter((r) => r.def.kind === 'penalty');
  for (const p of graph.params) {
    if (!p.trainable || p.buffer) continue;
    for (const r of blockPenalties) penalties.push({ param: p.name, def: r.def as Penalty, args: withDefaults(r.def, r.call) });
    for (const c of p.regularizers) {
      const def = registry.get('regularizer', c.name)?.def;
      if (def?.kind === 'penalty') penalties.push({ param: p.name, def, args: withDefaults(def, c) });
    }
  }
  const schedCall = spec.settings['schedule'] as PluginCall | undefined;
  const sched = schedCall && typeof schedCall === 'object' && 'name' in schedCall ? registry.get('schedule', schedCall.name)?.def : undefined;
  const schedArgs = sched && schedCall ? withDefaults(sched, schedCall) : {};

  run++;
  const init = initializeParams(graph, seed);
  const vars = new Map<string, tf.Variable>();
  const byVarName = new Map<string, string>();
  for (const p of graph.params) {
    const v = tf.variable(tf.tensor(init.get(p.name)!, p.type.shape.map(Number)), p.trainable && !p.buffer, `run${run}/${p.name}`);
    vars.set(p.name, v);
    byVarName.set(v.name, p.name);
  }
  const trainable = graph.params.filter((p) => p.trainable && !p.buffer).map((p) => vars.get(p.name)!);
  const slots = new Map<string, Record<string, tf.Tensor>>();
  for (const p of graph.params) if (p.trainable && !p.buffer) slots.set(p.name, tf.tidy(() => optDef.initSlots(math, vars.get(p.name)! as tf.Tensor, optArgs)) as Record<string, tf.Tensor>);

  const losses: number[] = [];
  const n = splitSize('train');
  let order = shuffled(n, seed);
  let cursor = 0;
  try {
    for (let step = 1; step <= steps && !hooks.shouldStop(); step++) {
      if (cursor + batch > n) {
        order = shuffled(n, seed + step);
        cursor = 0;
      }
      const b = batchOf('train', order.slice(cursor, cursor + batch), normalize);
      cursor += batch;
      const x = tf.tensor(b.x, shapeOf(b.y.length));
      const y = tf.tensor(b.y, [b.y.length], 'int32');
      let buffers = new Map<string, tf.Tensor>();
      const { value, grads } = tf.variableGrads(() => {
        const r = exec.result!.run(vars as Map<string, tf.Tensor>, { [input.name]: x }, { training: true, seed: seed * 100003 + step });
        buffers = r.bufferUpdates;
        let loss = lossDef.compute(math, r.outputs[output.name]!, y, lossArgs) as tf.Tensor;
        for (const pen of penalties) loss = tf.add(loss, pen.def.penalty(math, vars.get(pen.param)! as tf.Tensor, pen.args) as tf.Tensor);
        return loss as tf.Scalar;
      }, trainable);
      const lr = sched ? sched.lr(baseLr, step - 1, steps, Math.floor(n / batch), schedArgs) : baseLr;
      for (const [vname, g] of Object.entries(grads)) {
        const name = byVarName.get(vname)!;
        const v = vars.get(name)!;
        const old = slots.get(name)!;
        const u = tf.tidy(() => optDef.update(math, v as tf.Tensor, g, old, optArgs, lr, step)) as { param: tf.Tensor; slots: Record<string, tf.Tensor> };
        const keep = new Set(Object.values(u.slots));
        v.assign(u.param);
        if (!keep.has(u.param)) u.param.dispose();
        for (const t of Object.values(old)) if (!keep.has(t)) t.dispose();
        slots.set(name, u.slots);
        if (!keep.has(g)) g.dispose();
      }
      for (const [name, t] of buffers) {
        vars.get(name)!.assign(t);
        t.dispose();
      }
      const loss = (await value.data())[0]!;
      tf.dispose([value, x, y]);
      if (!Number.isFinite(loss)) throw new TrainError(`The loss is ${loss} at step ${step}; lower the learning rate.`);
      losses.push(loss);
      hooks.onStep(step, loss);
      await tf.nextFrame();
    }
    // Accuracy on the held-out digits, in inference mode.
    const testN = splitSize('test');
    let correct = 0;
    for (let s = 0; s < testN; s += 100) {
      const idx = Array.from({ length: Math.min(100, testN - s) }, (_, i) => s + i);
      const b = batchOf('test', idx, normalize);
      const pred = tf.tidy(() => {
        const out = exec.result!.run(vars as Map<string, tf.Tensor>, { [input.name]: tf.tensor(b.x, shapeOf(idx.length)) }, { training: false }).outputs[output.name]!;
        return tf.argMax(tf.reshape(out, [idx.length, -1]), 1);
      });
      const p = await pred.data();
      pred.dispose();
      for (let i = 0; i < idx.length; i++) if (p[i] === b.y[i]) correct++;
      await tf.nextFrame();
    }
    const pb = batchOf('test', [0, 1], normalize);
    const probeOut = tf.tidy(() => exec.result!.run(vars as Map<string, tf.Tensor>, { [input.name]: tf.tensor(pb.x, shapeOf(2)) }, { training: false }).outputs[output.name]!);
    const probe = { input: Array.from(pb.x), inputShape: shapeOf(2), output: Array.from(await probeOut.data()), outputShape: probeOut.shape };
    probeOut.dispose();
    const weights = new Map<string, Float32Array>();
    for (const [name, v] of vars) weights.set(name, (await v.data()) as Float32Array);
    return { graph, weights, losses, accuracy: correct / testN, probe };
  } finally {
    for (const v of vars.values()) v.dispose();
    for (const s of slots.values()) tf.dispose(Object.values(s));
  }
}

/** A seeded permutation of 0..n-1 (mulberry32 + Fisher–Yates). */
function shuffled(n: number, seed: number): number[] {
  let s = seed + 0x9e3779b9;
  const rand = () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
