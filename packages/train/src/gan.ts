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
import { diag, formatShape, RandomStream, type Diagnostic, type Graph } from '@dlm/core';
import { ParamStore, SplitView, fail, optimizerStep, type ResolvedRules } from './common.js';
import type { StepOutcome, StepStrategy } from './loop.js';
import type { GraphRunner, Runtime, SeededMath } from '@dlm/core';

export interface Side<T> {
  graph: Graph;
  runner: GraphRunner<T>;
  store: ParamStore<T>;
  input: string;
  output: string;
  prefix: string;
}

export function ganIo(graph: Graph, role: string): { input: string; output: string } {
  if (graph.inputs.length !== 1 || graph.outputs.length !== 1) {
    fail('DLM5061', [`the ${role} '${graph.name}' must have exactly one input and one output (it has ${graph.inputs.length} and ${graph.outputs.length})`], graph.span);
  }
  return { input: graph.inputs[0]!.name, output: graph.outputs[0]!.name };
}

export const fixedDims = (shape: readonly (number | string)[]): number[] | undefined => (shape.every((d) => typeof d === 'number') ? (shape as number[]) : undefined);

/**
 * The adversarial step strategy: per batch a D step on real and fake images, then a G step
 * against the updated D. `math` is shared by both sides (one RNG stream, as before the split).
 */
export function ganStrategy<T>(o: {
  rt: Runtime<T>;
  rules: ResolvedRules;
  math: SeededMath<T>;
  G: Side<T>;
  D: Side<T>;
  noiseShape: number[];
  /** Receives the per-epoch sample grid (absent: no grid). */
  writeSamples?: WriteSamples;
}): StepStrategy {
  const { rt, rules, math, G, D, noiseShape } = o;
  const lossOf = (out: T, target: number) => rules.loss.def.compute(math, out, target === 1 ? math.onesLike(out) : math.zerosLike(out), rules.loss.args);
  const gridNoise = sampleGridNoise(rules.seed, noiseShape);
  let dSum = 0;
  let gSum = 0;
  let seen = 0;
  const byName = (side: Side<T>, grads: (T | undefined)[]): Record<string, T> => {
    const out: Record<string, T> = {};
    side.store.trainable.forEach(({ name }, i) => {
      const g = grads[i];
      if (g !== undefined) out[name] = g;
    });
    return out;
  };
  return {
    model: `${G.graph.name}+${D.graph.name}`,
    startEpoch() {
      dSum = 0;
      gSum = 0;
      seen = 0;
    },
    async step(b, lr, step): Promise<StepOutcome> {
      const n = b.xShape[0]!;
      const real = rt.tensor(b.x instanceof Float32Array ? b.x : Float32Array.from(b.x), b.xShape);
      const z = math.randomNormal([n, ...noiseShape]);
      const gSeed = math.nextSeed();
      const dSeed = math.nextSeed();
      // Fake images for the D step: G in training mode, outside any tape (D's step must not move G).
      const fake = rt.tidy(() => {
        const r = G.runner.run(G.store.map, { [G.input]: z }, { training: true, seed: gSeed });
        rt.dispose([...r.bufferUpdates.values()]); // G's statistics are updated in the G step
        return r.outputs[G.output]!;
      });
      // D step.
      let dUpdates = new Map<string, T>();
      const dRes = rt.gradients(() => {
        const r = D.runner.run(D.store.map, { [D.input]: math.concat([real, fake], 0) }, { training: true, seed: dSeed });
        dUpdates = r.bufferUpdates;
        const out = r.outputs[D.output]!;
        const outReal = math.slice(out, [0, 0], [n, -1]);
        const outFake = math.slice(out, [n, 0], [n, -1]);
        return math.add(lossOf(outReal, 1), lossOf(outFake, 0));
      }, D.store.trainable.map((t) => t.v));
      const dl = (await rt.read(dRes.value))[0]!;
      const dGrads = byName(D, dRes.grads);
      rt.dispose([dRes.value, real, fake]);
      if (!Number.isFinite(dl)) {
        rt.dispose([z, ...Object.values(dGrads), ...dUpdates.values()]);
        return { nonFinite: dl, who: 'discriminator' };
      }
      optimizerStep(D.store, dGrads, rules.optimizer.def, rules.optimizer.args, math, lr, step, rules.clip);
      D.store.applyBufferUpdates(dUpdates);
      // G step against the updated D: D(G(z)) should look real (non-saturating loss).
      let gUpdates = new Map<string, T>();
      const gRes = rt.gradients(() => {
        const gr = G.runner.run(G.store.map, { [G.input]: z }, { training: true, seed: gSeed });
        gUpdates = gr.bufferUpdates;
        const dr = D.runner.run(D.store.map, { [D.input]: gr.outputs[G.output]! }, { training: true, seed: dSeed });
        rt.dispose([...dr.bufferUpdates.values()]);
        return lossOf(dr.outputs[D.output]!, 1);
      }, G.store.trainable.map((t) => t.v));
      rt.dispose(z);
      const gl = (await rt.read(gRes.value))[0]!;
      const gGrads = byName(G, gRes.grads);
      rt.dispose(gRes.value);
      if (!Number.isFinite(gl)) {
        rt.dispose([...Object.values(gGrads), ...gUpdates.values()]);
        return { nonFinite: gl, who: 'generator' };
      }
      optimizerStep(G.store, gGrads, rules.optimizer.def, rules.optimizer.args, math, lr, step, rules.clip);
      G.store.applyBufferUpdates(gUpdates);
      dSum += dl * n;
      gSum += gl * n;
      seen += n;
      return { loss: dl + gl };
    },
    running() {
      return { metrics: {}, extra: { d_loss: dSum / seen, g_loss: gSum / seen } };
    },
    async afterEpoch(epoch) {
      if (o.writeSamples) await writeSampleGrid(rt, G, G.store.map, gridNoise, noiseShape, epoch, o.writeSamples);
    },
    async tensors() {
      return {
        weights: new Map([...(await G.store.weightsForCheckpoint(G.prefix)), ...(await D.store.weightsForCheckpoint(D.prefix))]),
        optimizer: new Map([...(await G.store.slotsForCheckpoint(G.prefix)), ...(await D.store.slotsForCheckpoint(D.prefix))]),
      };
    },
  };
}

export type WriteSamples = (epoch: number, grid: { data: Float32Array; n: number; c: number; h: number; w: number }) => Promise<void>;

const GRID_SAMPLES = 16;

/** A fixed noise batch for the per-epoch sample grid, from its own stream (it must not shift the training RNG). */
export function sampleGridNoise(seed: number, noiseShape: number[]): Float32Array {
  const rng = new RandomStream(seed, 'gan-sample-grid');
  return Float32Array.from({ length: GRID_SAMPLES * noiseShape.reduce((a, b) => a * b, 1) }, () => rng.normal());
}

/** G's outputs (inference mode, weights `params`) on the fixed noise batch, handed to `write` when they are images. */
export async function writeSampleGrid<T>(
  rt: Runtime<T>,
  G: Pick<Side<T>, 'runner' | 'input' | 'output'>,
  params: ReadonlyMap<string, T>,
  noise: Float32Array,
  noiseShape: number[],
  epoch: number,
  write: WriteSamples,
): Promise<void> {
  const out = rt.tidy(() => G.runner.run(params, { [G.input]: rt.tensor(noise, [GRID_SAMPLES, ...noiseShape]) }, { training: false }).outputs[G.output]!);
  try {
    const shape = rt.shape(out);
    if (shape.length !== 4 || (shape[1] !== 1 && shape[1] !== 3)) return; // not images
    const [, c, h, w] = shape as [number, number, number, number];
    await write(epoch, { data: Float32Array.from((await rt.read(out)) as Float32Array), n: GRID_SAMPLES, c, h, w });
  } finally {
    rt.dispose(out);
  }
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
export function checkRange(g: Graph, output: string, view: SplitView, dataName: string, span: Diagnostic['span']): Diagnostic[] {
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

