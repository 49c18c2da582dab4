/**
 * Adversarial (GAN) training: checks the generator/discriminator pair against each other and the
 * data, then runs the shared loop with the GAN step strategy (gan.ts) on the runtime, or hands the
 * whole run to a training engine (gan-engine.ts). Resume restores both models, their optimizer
 * slots and the RNG state.
 */
import { diag, formatShape, initializeParams, type Graph, type PhaseResult } from '@dlm/core';
import { ParamStore, SplitView, TrainingError, fail, learningRate, loaderArgs, resolve, resolveRules, valuesFromCheckpoint, withDefaults } from './common.js';
import { checkRange, fixedDims, ganIo, ganStrategy, type Side } from './gan.js';
import { runGanWithEngine } from './gan-engine.js';
import { runLoop } from './loop.js';
import { createRunner, findModel, freshState, lastCheckpoint, openSplit } from './run-setup.js';
import type { TrainOptions, TrainResult } from './trainer.js';

export async function runGan<T>(opts: TrainOptions<T>): Promise<PhaseResult<TrainResult | undefined>> {
  const rt = opts.runtime;
  const spec = opts.training;
  if (!spec.generator || !spec.discriminator) fail('DLM5061', ['the train block must name a generator and a discriminator'], spec.span);
  const gGraph = findModel(opts.program, spec.generator, spec.span);
  const dGraph = findModel(opts.program, spec.discriminator, spec.span);
  const gio = ganIo(gGraph, 'generator');
  const dio = ganIo(dGraph, 'discriminator');
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
  // Nothing runs when the engine cannot run the whole train block.
  if (opts.engine) {
    const problems = opts.engine.check(spec, gGraph, dGraph);
    if (!opts.engine.startGan) problems.push(diag('DLM6107', [`adversarial (GAN) training runs only in the tfjs engine, not the ${opts.engine.name} engine`], spec.span));
    if (problems.length > 0) throw new TrainingError(problems);
  }
  const dataCall = opts.data ?? spec.data;
  const { batch: batchSize, shuffle } = loaderArgs(withDefaults(resolve(opts.registry, 'dataset', dataCall), dataCall));
  const epochs = opts.epochs ?? spec.epochs;
  const view = SplitView.all(await openSplit(opts.registry, dataCall, 'train', 'training', opts), opts.limit?.trainSamples);
  const info = view.split.info;
  if (formatShape(info.inputShape) !== formatShape(dIn)) {
    fail('DLM5054', [dataCall.name, formatShape(info.inputShape), dGraph.name, dio.input, formatShape(dGraph.inputs[0]!.type.shape)], dataCall.span ?? spec.span);
  }
  if (view.size === 0) fail('DLM5062', ['data', 'a dataset with training samples', 'an empty training split']);
  const warnings = checkRange(gGraph, gio.output, view, dataCall.name, dataCall.span ?? spec.span);

  const math = rt.createMath(rules.seed);
  const hashes = opts.checkpoints ? { [gGraph.name]: opts.checkpoints.irHash(gGraph), [dGraph.name]: opts.checkpoints.irHash(dGraph) } : {};
  let state = freshState(`${gGraph.name}+${dGraph.name}`, hashes, math.rngState(), rules, { data: dataCall.name, batch: batchSize, seed: rules.seed, kind: 'gan' });
  const writeSamples = opts.checkpoints?.writeSamples?.bind(opts.checkpoints);
  if (opts.engine) {
    const resumed = opts.resume ? await lastCheckpoint(opts, [gGraph, dGraph]) : undefined;
    if (resumed) {
      state = { ...resumed.data.state, optimizer: state.optimizer };
      math.setRngState(state.rng);
      opts.log?.(`resuming from ${resumed.dir} (epoch ${state.epoch}, step ${state.step})`);
    }
    const r = await runGanWithEngine({
      rt,
      engine: opts.engine,
      G: { graph: gGraph, runner: createRunner(rt, gGraph), ...gio, prefix: `${gGraph.name}/` },
      D: { graph: dGraph, ...dio, prefix: `${dGraph.name}/` },
      noiseShape,
      rules,
      math,
      train: view,
      batchSize,
      shuffle,
      epochs,
      state,
      ...(resumed ? { resumed } : {}),
      ...(opts.initWeights ? { initWeights: opts.initWeights } : {}),
      ...(writeSamples ? { writeSamples } : {}),
      loop: {
        ...(opts.checkpoints ? { checkpoints: opts.checkpoints } : {}),
        ...(spec.span ? { span: spec.span } : {}),
        ...(opts.progress ? { progress: opts.progress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        rngState: () => math.rngState(),
      },
    });
    return {
      result: { model: `${gGraph.name}+${dGraph.name}`, backend: opts.engine.name, history: r.history, ...(r.checkpoint ? { checkpoint: r.checkpoint } : {}), stopped: r.stopped },
      diagnostics: [...warnings, ...r.diagnostics],
    };
  }
  let resumedFrom: string | undefined;
  const sides: Side<T>[] = [];
  const make = (graph: Graph, io: { input: string; output: string }, values: Map<string, Float32Array | Int32Array>): Side<T> => {
    const store = new ParamStore(rt, graph, values);
    sides.push({ graph, runner: createRunner(rt, graph), store, ...io, prefix: `${graph.name}/` });
    store.initSlots(rules.optimizer.def, rules.optimizer.args, math);
    return sides[sides.length - 1]!;
  };
  try {
    let G: Side<T>;
    let D: Side<T>;
    if (opts.resume) {
      const last = await lastCheckpoint(opts, [gGraph, dGraph]);
      G = make(gGraph, gio, valuesFromCheckpoint(last.data.weights, `${gGraph.name}/`));
      D = make(dGraph, dio, valuesFromCheckpoint(last.data.weights, `${dGraph.name}/`));
      G.store.restoreSlots(last.data.optimizer, G.prefix);
      D.store.restoreSlots(last.data.optimizer, D.prefix);
      state = { ...last.data.state, optimizer: state.optimizer };
      math.setRngState(state.rng);
      resumedFrom = last.dir;
    } else {
      // Different seeds per model so G and D do not start from correlated weights.
      G = make(gGraph, gio, opts.initWeights ? valuesFromCheckpoint(opts.initWeights, `${gGraph.name}/`) : initializeParams(gGraph, rules.seed));
      D = make(dGraph, dio, opts.initWeights ? valuesFromCheckpoint(opts.initWeights, `${dGraph.name}/`) : initializeParams(dGraph, rules.seed + 1));
    }
    const strategy = ganStrategy({ rt, rules, math, G, D, noiseShape, ...(writeSamples ? { writeSamples } : {}) });
    const r = await runLoop({
      backend: rt.name,
      strategy,
      rules,
      baseLr: learningRate(rules.optimizer),
      train: view,
      batchSize,
      shuffle,
      epochs,
      state,
      ...(resumedFrom ? { resumedFrom } : {}),
      ...(opts.checkpoints ? { checkpoints: opts.checkpoints } : {}),
      ...(spec.span ? { span: spec.span } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.betweenSteps ? { betweenSteps: opts.betweenSteps } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      rngState: () => math.rngState(),
      higherIsBetter: () => false,
    });
    return {
      result: { model: strategy.model, backend: rt.name, history: r.history, ...(r.checkpoint ? { checkpoint: r.checkpoint } : {}), stopped: r.stopped },
      diagnostics: [...warnings, ...r.diagnostics],
    };
  } finally {
    for (const s of sides) s.store.dispose();
  }
}
