/**
 * Adversarial training of a generator G and a discriminator D (the train block names both), in
 * the DCGAN recipe (Radford et al.; PyTorch's dcgan example):
 *
 *   per batch of real images x, noise z ~ N(0, 1) of G's input shape, fake = G(z):
 *     D step: minimise loss(D(x), 1) + loss(D(fake), 0)   over D's parameters (fake held fixed)
 *     G step: minimise loss(D(G(z)), 1)                   over G's parameters (non-saturating)
 *
 * The loss is the train block's (`bce` on a sigmoid output, or `bce_with_logits`); each model has
 * its own optimizer built from the one `optimizer` spec. Real and fake go through D as one
 * concatenated batch, so D's batch-norm statistics (if any) are updated once per step. Each epoch
 * writes a PNG grid of samples from a fixed noise batch to `<runDir>/samples/epoch-N.png`, and a
 * checkpoint holding both models ("<model>/<param>" names). Regularizers and metrics of the train
 * block are not used by GAN training.
 */
import * as tf from '@tensorflow/tfjs-core';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { diag, formatShape, initializeParams, RandomStream, type Diagnostic, type Graph, type PhaseResult } from '@dlm/core';
import { createTfjsMath, type TfjsMath } from '../tensor-math.js';
import { CHECKPOINT_FORMAT, irHash, lastCheckpoint, loadCheckpoint, saveCheckpoint, type CheckpointState, type EpochRecord } from '../checkpoint.js';
import { sampleGridPng } from '../report/index.js';
import { ParamStore, SplitView, TrainingError, fail, loaderArgs, optimizerStep, permutation, resolve, resolveRules, valuesFromCheckpoint, withDefaults, type ResolvedRules } from './common.js';
import { createExecutor, findModel, openSplit, toDiagnostics, type TrainOptions, type TrainResult } from './trainer.js';
import type { GraphExecutor } from '../executor.js';
import type { TrainEvent } from './progress.js';

interface Side {
  graph: Graph;
  exec: GraphExecutor;
  store: ParamStore;
  input: string;
  output: string;
  prefix: string;
}

function only(graph: Graph, role: string): { input: string; output: string } {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
    fail('DLM5061', [`the ${role} '${graph.name}' must have exactly one input and one output (it has ${graph.inputs.length} and ${graph.outputs.length})`], graph.span);
  }
  return { input: graph.inputs[0]!.name, output: graph.outputs[0]!.name };
}

const fixedDims = (shape: readonly (number | string)[]): number[] | undefined => (shape.every((d) => typeof d === 'number') ? (shape as number[]) : undefined);

export async function trainGan(opts: TrainOptions, backend: string): Promise<PhaseResult<TrainResult | undefined>> {
  try {
    return await runGan(opts, backend);
  } catch (e) {
    return { result: undefined, diagnostics: toDiagnostics(e) };
  }
}

async function runGan(opts: TrainOptions, backend: string): Promise<PhaseResult<TrainResult | undefined>> {
  const spec = opts.training;
  if (!spec.generator || !spec.discriminator) fail('DLM5061', ['the train block must name a generator and a discriminator'], spec.span);
  const gGraph = findModel(opts.program, spec.generator, spec.span);
  const dGraph = findModel(opts.program, spec.discriminator, spec.span);
  const gio = only(gGraph, 'generator');
  const dio = only(dGraph, 'discriminator');
  const noiseShape = fixedDims(gGraph.inputs[0]!.type.shape.slice(1));
  if (!noiseShape) fail('DLM5061', [`the generator's input ${formatShape(gGraph.inputs[0]!.type.shape)} must have fixed dims after the batch dim (the noise shape)`], gGraph.span);
  const fakeShape = gGraph.outputs[0]!.type.shape.slice(1);
  const dIn = dGraph.inputs[0]!.type.shape.slice(1);
  if (formatShape(fakeShape) !== formatShape(dIn)) {
    fail('DLM5061', [`the generator makes ${formatShape(gGraph.outputs[0]!.type.shape)} but the discriminator takes ${formatShape(dGraph.inputs[0]!.type.shape)}`], spec.span);
  }
  const dOut = dGraph.outputs[0]!.type.shape;
  if (dOut.length !== 2 || dOut[1] !== 1) fail('DLM5061', [`the discriminator must output one value per sample ([batch, 1]), not ${formatShape(dOut)}`], dGraph.span);

  const rules = resolveRules(opts.registry, { ...spec, metrics: [], regularizers: [] });
  const dataCall = opts.data ?? spec.data;
  const { batch: batchSize, shuffle } = loaderArgs(withDefaults(resolve(opts.registry, 'dataset', dataCall), dataCall));
  const epochs = opts.epochs ?? spec.epochs;
  const view = SplitView.all(await openSplit(opts.registry, dataCall, 'train', opts), opts.limit?.trainSamples);
  const info = view.split.info;
  if (formatShape(info.inputShape) !== formatShape(dIn)) {
    fail('DLM5054', [dataCall.name, formatShape(info.inputShape), dGraph.name, dio.input, formatShape(dGraph.inputs[0]!.type.shape)], dataCall.span ?? spec.span);
  }
  if (view.size === 0) fail('DLM5062', ['data', 'a dataset with training samples', 'an empty training split']);
  const warnings = checkRange(gGraph, gio.output, view, dataCall.name, dataCall.span ?? spec.span);

  const math = createTfjsMath(rules.seed);
  const graphs = [gGraph, dGraph];
  let state: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    model: `${gGraph.name}+${dGraph.name}`,
    irHash: { [gGraph.name]: irHash(gGraph), [dGraph.name]: irHash(dGraph) },
    epoch: 0,
    step: 0,
    rng: math.rngState(),
    history: [],
    optimizer: { name: rules.optimizer.def.name, args: rules.optimizer.args },
    info: { data: dataCall.name, batch: batchSize, seed: rules.seed, kind: 'gan' },
  };
  let checkpoint: string | undefined;
  const sides: Side[] = [];
  const make = (graph: Graph, io: { input: string; output: string }, values: Map<string, Float32Array | Int32Array>): Side => {
    const store = new ParamStore(graph, values);
    sides.push({ graph, exec: createExecutor(graph), store, ...io, prefix: `${graph.name}/` });
    store.initSlots(rules.optimizer.def, rules.optimizer.args, math);
    return sides[sides.length - 1]!;
  };
  let G: Side;
  let D: Side;
  try {
    if (opts.resume) {
      const dir = await lastCheckpoint(opts.runDir);
      if (!dir) fail('DLM5055', [opts.runDir]);
      const loaded = await loadCheckpoint(dir, graphs, { sameGraph: true });
      if (!loaded.result) throw new TrainingError(loaded.diagnostics);
      G = make(gGraph, gio, valuesFromCheckpoint(loaded.result.weights, `${gGraph.name}/`));
      D = make(dGraph, dio, valuesFromCheckpoint(loaded.result.weights, `${dGraph.name}/`));
      G.store.restoreSlots(loaded.result.optimizer, G.prefix);
      D.store.restoreSlots(loaded.result.optimizer, D.prefix);
      state = { ...loaded.result.state, optimizer: state.optimizer };
      math.setRngState(state.rng);
      checkpoint = dir;
    } else {
      // Different seeds per model so G and D do not start from correlated weights.
      G = make(gGraph, gio, initializeParams(gGraph, rules.seed));
      D = make(dGraph, dio, initializeParams(dGraph, rules.seed + 1));
    }
    const r = await loop(opts, backend, rules, math, G, D, view, noiseShape, batchSize, shuffle, epochs, state, checkpoint);
    return { result: r.result, diagnostics: [...warnings, ...r.diagnostics] };
  } finally {
    for (const s of sides) s.store.dispose();
  }
}

async function loop(
  opts: TrainOptions,
  backend: string,
  rules: ResolvedRules,
  math: TfjsMath,
  G: Side,
  D: Side,
  view: SplitView,
  noiseShape: number[],
  batchSize: number,
  shuffle: boolean,
  epochs: number,
  state: CheckpointState,
  checkpoint: string | undefined,
): Promise<PhaseResult<TrainResult | undefined>> {
  const emit = (e: TrainEvent) => opts.progress?.(e);
  const steps = Math.ceil(view.size / batchSize);
  const totalSteps = steps * epochs;
  const baseLr = typeof rules.optimizer.args['lr'] === 'number' ? (rules.optimizer.args['lr'] as number) : 2e-4;
  const lrAt = (s: number) => (rules.schedule ? rules.schedule.def.lr(baseLr, s, totalSteps, steps, rules.schedule.args) : baseLr);
  const lossOf = (out: tf.Tensor, target: number) => rules.loss.def.compute(math, out, tf.fill(out.shape, target), rules.loss.args) as tf.Scalar;
  emit({ kind: 'start', model: `${G.graph.name}+${D.graph.name}`, backend, firstEpoch: state.epoch + 1, epochs, trainSamples: view.size, evalSamples: 0, evalSplit: 'none', batchSize, ...(opts.resume && checkpoint ? { resumedFrom: checkpoint } : {}) });
  const diagnostics: Diagnostic[] = [];
  let stopped: TrainResult['stopped'] = 'completed';
  // A fixed noise batch for the per-epoch sample grid, from its own stream (it must not shift the training RNG).
  const gridN = 16;
  const gridRng = new RandomStream(rules.seed, 'gan-sample-grid');
  const gridNoise = Float32Array.from({ length: gridN * noiseShape.reduce((a, b) => a * b, 1) }, () => gridRng.normal());

  for (let epoch = state.epoch + 1; epoch <= epochs; epoch++) {
    const t0 = Date.now();
    const order = shuffle ? permutation(view.size, rules.seed, `epoch-${epoch}`) : undefined;
    let dSum = 0;
    let gSum = 0;
    let seen = 0;
    let lr = lrAt(state.step);
    for (let bi = 0; bi < steps; bi++) {
      const n = Math.min(batchSize, view.size - bi * batchSize);
      const b = view.batch(order, bi * batchSize, n);
      lr = lrAt(state.step);
      const real = tf.tensor(b.x, b.xShape, 'float32');
      const z = math.randomNormal([n, ...noiseShape]);
      const gSeed = math.nextSeed();
      const dSeed = math.nextSeed();
      // Fake images for the D step: G in training mode, outside any tape (D's step must not move G).
      const fake = tf.tidy(() => {
        const r = G.exec.run(G.store.map, { [G.input]: z }, { training: true, seed: gSeed });
        tf.dispose([...r.bufferUpdates.values()]); // G's statistics are updated in the G step
        return r.outputs[G.output]!;
      });
      // D step.
      let dUpdates = new Map<string, tf.Tensor>();
      const dRes = tf.variableGrads(() => {
        const r = D.exec.run(D.store.map, { [D.input]: tf.concat([real, fake], 0) }, { training: true, seed: dSeed });
        dUpdates = r.bufferUpdates;
        const out = r.outputs[D.output]!;
        const outReal = tf.slice(out, [0, 0], [n, -1]);
        const outFake = tf.slice(out, [n, 0], [n, -1]);
        return tf.add(lossOf(outReal, 1), lossOf(outFake, 0)) as tf.Scalar;
      }, D.store.trainable.map((t) => t.v));
      const dl = (await dRes.value.data())[0]!;
      const dGrads = byName(D, dRes.grads);
      dRes.value.dispose();
      tf.dispose([real, fake]);
      const stop = (value: number, who: string) => {
        stopped = 'non_finite_loss';
        const where = checkpoint ? `The last good checkpoint is ${checkpoint}.` : 'No checkpoint was written yet.';
        diagnostics.push(diag('DLM5052', [`${value} (${who})`, epoch, bi + 1, where], opts.training.span));
        emit({ kind: 'stop', reason: 'non_finite_loss', epoch, message: diagnostics[0]!.message });
      };
      if (!Number.isFinite(dl)) {
        tf.dispose([z, ...Object.values(dGrads), ...dUpdates.values()]);
        stop(dl, 'discriminator');
        break;
      }
      state.step++;
      optimizerStep(D.store, dGrads, rules.optimizer.def, rules.optimizer.args, math, lr, state.step, rules.clip);
      D.store.applyBufferUpdates(dUpdates);
      // G step against the updated D: D(G(z)) should look real (non-saturating loss).
      let gUpdates = new Map<string, tf.Tensor>();
      const gRes = tf.variableGrads(() => {
        const gr = G.exec.run(G.store.map, { [G.input]: z }, { training: true, seed: gSeed });
        gUpdates = gr.bufferUpdates;
        const dr = D.exec.run(D.store.map, { [D.input]: gr.outputs[G.output]! }, { training: true, seed: dSeed });
        tf.dispose([...dr.bufferUpdates.values()]);
        return lossOf(dr.outputs[D.output]!, 1);
      }, G.store.trainable.map((t) => t.v));
      z.dispose();
      const gl = (await gRes.value.data())[0]!;
      const gGrads = byName(G, gRes.grads);
      gRes.value.dispose();
      if (!Number.isFinite(gl)) {
        tf.dispose([...Object.values(gGrads), ...gUpdates.values()]);
        stop(gl, 'generator');
        break;
      }
      optimizerStep(G.store, gGrads, rules.optimizer.def, rules.optimizer.args, math, lr, state.step, rules.clip);
      G.store.applyBufferUpdates(gUpdates);
      dSum += dl * n;
      gSum += gl * n;
      seen += n;
      const elapsed = (Date.now() - t0) / 1000;
      const rate = seen / Math.max(elapsed, 1e-3);
      emit({ kind: 'batch', epoch, epochs, batch: bi + 1, batches: steps, samples: seen, samplesPerSecond: rate, etaSeconds: (view.size - seen) / rate, loss: (dSum + gSum) / seen, metrics: { d_loss: dSum / seen, g_loss: gSum / seen } });
    }
    if (stopped !== 'completed') break;
    const record: EpochRecord = { epoch, loss: (dSum + gSum) / seen, metrics: {}, extra: { d_loss: dSum / seen, g_loss: gSum / seen }, lr, seconds: (Date.now() - t0) / 1000 };
    state.history = [...state.history, record];
    state.epoch = epoch;
    state.rng = math.rngState();
    await writeSampleGrid(opts.runDir, epoch, G, gridNoise, gridN, noiseShape);
    checkpoint = await saveGan(opts, G, D, state);
    emit({ kind: 'epoch', record, epochs, checkpoint });
  }
  if (stopped === 'completed') emit({ kind: 'stop', reason: 'completed', epoch: state.epoch });
  return { result: { model: `${G.graph.name}+${D.graph.name}`, backend, history: state.history, ...(checkpoint ? { checkpoint } : {}), stopped }, diagnostics };
}

/** Follows Identity nodes back to the op that produced `value`. */
function producer(graph: Graph, value: string): string | undefined {
  for (let hops = 0; hops < 100; hops++) {
    const n = graph.nodes.find((x) => x.outputs.includes(value));
    if (!n || n.op !== 'Identity') return n?.op;
    value = n.inputs[0]!;
  }
  return undefined;
}

/** Warns when real images are not in the range of G's final activation (tanh: [-1, 1], sigmoid: [0, 1]). */
function checkRange(g: Graph, output: string, view: SplitView, dataName: string, span: Diagnostic['span']): Diagnostic[] {
  const op = producer(g, output);
  const range = op === 'Tanh' ? [-1, 1] : op === 'Sigmoid' ? [0, 1] : undefined;
  if (!range) return [];
  const b = view.batch(undefined, 0, Math.min(256, view.size));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of b.x) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const tol = 0.05;
  if (lo >= range[0]! - tol && hi <= range[1]! + tol) return [];
  const hint = op === 'Tanh' ? "Scale the data to [-1, 1] (image datasets: normalize: tanh)." : "Scale the data to [0, 1] (image datasets: normalize: unit).";
  return [diag('DLM5065', [dataName, lo.toFixed(2), hi.toFixed(2), g.name, op!.toLowerCase(), `[${range[0]}, ${range[1]}]`, hint], span)];
}

function byName(side: Side, grads: tf.NamedTensorMap): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const { name, v } of side.store.trainable) {
    const g = grads[v.name];
    if (g) out[name] = g;
  }
  return out;
}

/** `<runDir>/samples/epoch-N.png`: G's outputs (inference mode) on the fixed noise batch. */
async function writeSampleGrid(runDir: string, epoch: number, G: Side, noise: Float32Array, n: number, noiseShape: number[]): Promise<void> {
  const out = tf.tidy(() => G.exec.run(G.store.map, { [G.input]: tf.tensor(noise, [n, ...noiseShape]) }, { training: false }).outputs[G.output]!);
  try {
    if (out.rank !== 4 || (out.shape[1] !== 1 && out.shape[1] !== 3)) return; // not images
    const [, c, h, w] = out.shape as [number, number, number, number];
    const png = sampleGridPng((await out.data()) as Float32Array, n, c, h, w, Math.ceil(Math.sqrt(n)));
    const dir = path.join(runDir, 'samples');
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(path.join(dir, `epoch-${epoch}.png`), png);
  } finally {
    out.dispose();
  }
}

async function saveGan(opts: TrainOptions, G: Side, D: Side, state: CheckpointState): Promise<string> {
  const weights = new Map([...(await G.store.weightsForCheckpoint(G.prefix)), ...(await D.store.weightsForCheckpoint(D.prefix))]);
  const optimizer = new Map([...(await G.store.slotsForCheckpoint(G.prefix)), ...(await D.store.slotsForCheckpoint(D.prefix))]);
  optimizer.set('step', { dtype: 'I64', shape: [], data: BigInt64Array.from([BigInt(state.step)]) });
  try {
    return await saveCheckpoint(opts.runDir, { weights, optimizer, state }, opts.keepLast !== undefined ? { keepLast: opts.keepLast } : {});
  } catch (e) {
    fail('DLM5064', [opts.runDir, e instanceof Error ? e.message : String(e)]);
  }
}
