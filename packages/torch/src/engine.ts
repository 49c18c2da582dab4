/**
 * The torch engine of `dlm train --engine torch`: dlm's loop (`@dlm/train`) hands it a plan, it
 * writes the generated module, the training program, the dataset shards, the loop's sample order
 * and the starting weights into a work folder, launches the program on every rank (torchrun, or
 * elastic_launch where torchrun does not start), and turns the ranks' JSON lines back into the
 * loop's step outcomes and per-epoch tensors. It satisfies `TrainingEngine` of `@dlm/train`
 * structurally (a backend imports only core).
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, readSafetensors, writeSafetensors, type Args, type DatasetSplit, type Diagnostic, type Graph, type SafetensorsTensor, type TrainingSpec } from '@dlm/core';
import { checkTorchLowerable, exportPytorch } from './export.js';
import { launch, type Launcher, type LaunchOptions } from './launch.js';
import type { TorchPython } from './node.js';
import { writeShards } from './shards.js';
import { ganTrainingProgram, type GanTrainingConfig } from './train/gan-program.js';
import { trainingProgram, type TrainingConfig } from './train/program.js';
import { augmentationTwin, checkTrainingTwins, PENALTY_TWINS, scheduleArgsJson } from './train/twins.js';

export interface TorchEngineOptions {
  python: TorchPython;
  launcher: Launcher;
  launch: LaunchOptions;
  device: 'cpu' | 'cuda';
  precision?: 'bf16' | 'fp16';
  /**
   * Scratch folder for the module, program, shards and per-epoch tensors (removed when the run
   * ends; after an interrupted or failed run the shards stay, and the resume keeps those that hold
   * the same data).
   * Default: `.torch` in the plan's run folder (the one the checkpoints go to), else a temporary
   * folder (removed whole).
   */
  workDir?: string;
  log?: (message: string) => void;
  /** Sees every JSON line of rank 0 as it arrives (tools: the benchmark times steps by their `t`). */
  onEvent?: (event: Record<string, unknown>) => void;
}

/** What every plan dlm's loop passes holds (`EngineRunPlan` of @dlm/train, restated with core types). */
export interface TorchRunPlan {
  train: DatasetSplit;
  batchSize: number;
  firstEpoch: number;
  epochs: number;
  startStep: number;
  order(epoch: number): Int32Array | undefined;
  seed: number;
  loss: { name: string; args: Args };
  optimizer: { name: string; args: Args };
  lr: number;
  schedule?: { name: string; args: Args };
  clip?: number;
  weights: Map<string, SafetensorsTensor>;
  optimizerSlots?: Map<string, SafetensorsTensor>;
  runDir?: string;
}

/** A supervised run's plan (`EnginePlan` of @dlm/train). */
export interface TorchPlan extends TorchRunPlan {
  graph: Graph;
  inputName: string;
  penalties: { param: string; name: string; args: Args }[];
  recordOutputs: boolean;
  augmentations: { name: string; args: Args; torch?: string }[];
}

/** An adversarial run's plan (`GanEnginePlan` of @dlm/train): weights and slots carry the models' prefixes. */
export interface TorchGanPlan extends TorchRunPlan {
  generator: { graph: Graph; input: string; output: string };
  discriminator: { graph: Graph; input: string; output: string };
  noiseShape: number[];
}

type Step = { loss: number; parts?: Record<string, number> } | { nonFinite: number; who?: string };
type Tensors = { weights: Map<string, SafetensorsTensor>; optimizer: Map<string, SafetensorsTensor> };

/** A process-level failure as the loop reports it (a TrainingError-shaped error: `.diagnostics`). */
class EngineError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => d.message).join('\n'));
    this.name = 'TrainingError';
  }
}

/** "torch 1.13.0 (python /usr/bin/python3), cpu, 2 processes × 1 node, gloo, launched by elastic_launch". */
export function describeTorchRun(o: Pick<TorchEngineOptions, 'python' | 'launcher' | 'launch' | 'device' | 'precision'>): string {
  const nodes = o.launch.nnodes ?? 1;
  const procs = o.launch.nprocPerNode;
  return [
    `engine torch ${o.python.torchVersion}`,
    `python ${o.python.python} (${o.python.source})`,
    `device ${o.device}${o.precision ? ` (${o.precision} mixed precision)` : ''}`,
    `${procs} process${procs === 1 ? '' : 'es'}${nodes > 1 ? ` per node × ${nodes} nodes (node rank ${o.launch.nodeRank ?? 0})` : ''}`,
    o.launcher.kind === 'single' ? 'no process group (one process)' : `backend ${o.device === 'cuda' ? 'nccl' : 'gloo'}`,
    `launcher ${o.launcher.kind === 'torchrun' ? 'torchrun' : o.launcher.kind === 'single' ? 'none (one process)' : `elastic_launch from Python (${o.launcher.why})`}`,
  ].join(', ');
}

export function torchEngine(o: TorchEngineOptions) {
  return {
    name: 'torch',
    /** Everything in the model or train block that the torch path cannot lower (DLM61xx), located. */
    check(spec: TrainingSpec, graph: Graph, ...more: Graph[]): Diagnostic[] {
      const out = [...[graph, ...more].flatMap((g) => checkTorchLowerable(g)), ...checkTrainingTwins(spec)];
      if (spec.kind === 'gan') out.push(...checkGanRun(o, spec));
      return out;
    },
    /** Penalties run as Python twins (`dlm_penalty`): l1 and l2. */
    checkPenalty: (name: string, span?: Diagnostic['span']) => (PENALTY_TWINS.includes(name) ? undefined : diag('DLM6106', ['regularizer', name, PENALTY_TWINS.join(', ')], span)),
    /** Augmentations run as Python twins: plugin-std's, or the one a plugin declares in `torch`. */
    runsAugmentation: (def: { name: string; torch?: string }) => augmentationTwin(def) !== undefined,
    noTrainingMetrics: (graph: Graph) => whyNoOutputs(o, graph),
    start: (plan: TorchPlan) => startRun(o, plan),
    startGan: (plan: TorchGanPlan) => startGanRun(o, plan),
  };
}

/** What the GAN program does not do (one process, float32), located at the train block. */
function checkGanRun(o: TorchEngineOptions, spec: TrainingSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  const procs = o.launch.nprocPerNode * (o.launch.nnodes ?? 1);
  if (procs > 1) out.push(diag('DLM6107', [`adversarial (GAN) training runs in one process (--nproc-per-node 1, one node), not ${procs}: under DDP each model's batch-norm statistics would be per process, not the global batch's`], spec.span));
  if (o.precision) out.push(diag('DLM6107', [`adversarial (GAN) training runs in float32; --precision ${o.precision} applies to supervised trainings`], spec.span));
  return out;
}

/** Work folders no later run can find (temporary ones): removed whole when their run ends. */
const temporaryDirs = new Set<string>();

/** The work folder's common part: the program, the starting tensors, the shards and the loop's orders. */
function prepareWorkDir(o: TorchEngineOptions, plan: TorchRunPlan, program: string | undefined): string {
  const dir = o.workDir ?? (plan.runDir ? join(plan.runDir, '.torch') : mkdtempSync(join(tmpdir(), 'dlm-torch-')));
  if (!o.workDir && !plan.runDir) temporaryDirs.add(dir);
  // Everything of an earlier run goes but its shards, which writeShards keeps where they hold
  // the same data (a resumed or repeated run).
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f !== 'shards') rmSync(join(dir, f), { recursive: true, force: true });
  mkdirSync(join(dir, 'orders'), { recursive: true });
  if (!program) throw new EngineError(checkTrainingTwins({ optimizer: { name: plan.optimizer.name } } as TrainingSpec));
  writeFileSync(join(dir, 'train.py'), program);
  writeFileSync(join(dir, 'weights.safetensors'), writeSafetensors(plan.weights));
  if (plan.optimizerSlots) writeFileSync(join(dir, 'optimizer.safetensors'), writeSafetensors(plan.optimizerSlots));
  const t0 = Date.now();
  let counts = { written: 0, kept: 0 };
  const manifest = writeShards(plan.train, join(dir, 'shards'), { report: (c) => (counts = c) });
  const how = counts.kept === 0 ? 'written to' : counts.written === 0 ? 'already in' : `in (${counts.kept} kept, ${counts.written} written)`;
  o.log?.(`torch engine: ${manifest.size} training samples ${how} ${manifest.shards.length} memory-mapped shard(s) in ${join(dir, 'shards')} in ${((Date.now() - t0) / 1000).toFixed(2)} s`);
  for (let e = plan.firstEpoch; e <= plan.epochs; e++) {
    const order = plan.order(e);
    if (order) writeFileSync(join(dir, 'orders', `epoch-${e}.i32`), new Uint8Array(order.buffer, order.byteOffset, order.byteLength));
  }
  return dir;
}

/** The generated module of `graph` as `<dir>/<file>` with class `className`. */
function writeModule(dir: string, file: string, graph: Graph, className: string): string {
  const module = exportPytorch(graph, { className });
  if (!module.result) throw new EngineError(module.diagnostics);
  writeFileSync(join(dir, file), module.result);
  return join(dir, file);
}

/** Launches the written program and waits until every rank is ready. */
async function launchRun(o: TorchEngineOptions, dir: string, recording: boolean): Promise<TorchRun> {
  const run = new TorchRun(o, dir, recording);
  // Python's start (importing torch, the rendezvous) is not the first epoch's time.
  try {
    await run.ready;
  } catch (e) {
    await run.close();
    throw e;
  }
  return run;
}

async function startGanRun(o: TorchEngineOptions, plan: TorchGanPlan) {
  const dir = prepareWorkDir(o, plan, ganTrainingProgram(`${plan.generator.graph.name}+${plan.discriminator.graph.name}`, plan.optimizer.name, plan.optimizer.args));
  const config: GanTrainingConfig = {
    generator: { module: writeModule(dir, 'generator.py', plan.generator.graph, 'DlmGenerator'), className: 'DlmGenerator', prefix: `${plan.generator.graph.name}/` },
    discriminator: { module: writeModule(dir, 'discriminator.py', plan.discriminator.graph, 'DlmDiscriminator'), className: 'DlmDiscriminator', prefix: `${plan.discriminator.graph.name}/` },
    noiseShape: plan.noiseShape,
    weights: join(dir, 'weights.safetensors'),
    shards: join(dir, 'shards'),
    out: join(dir, 'epochs'),
    loss: plan.loss,
    lr: plan.lr,
    ...(plan.schedule ? { schedule: { name: plan.schedule.name, args: scheduleArgsJson(plan.schedule.args) } } : {}),
    ...(plan.clip ? { clip: plan.clip } : {}),
    epochs: plan.epochs,
    batch: plan.batchSize,
    seed: plan.seed,
    device: o.device,
    orders: join(dir, 'orders'),
    firstEpoch: plan.firstEpoch,
    startStep: plan.startStep,
    ...(plan.optimizerSlots ? { optimizerState: join(dir, 'optimizer.safetensors') } : {}),
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return launchRun(o, dir, false);
}

async function startRun(o: TorchEngineOptions, plan: TorchPlan) {
  const dir = prepareWorkDir(o, plan, trainingProgram(plan.graph.name, plan.optimizer.name, plan.optimizer.args));
  writeModule(dir, 'model.py', plan.graph, 'DlmModel');
  // Training outputs for dlm's metrics: files every rank of this node writes into (not across nodes).
  const perSample = outputSize(plan.graph);
  const noOutputs = whyNoOutputs(o, plan.graph);
  const outputs = plan.recordOutputs && !noOutputs ? join(dir, 'outputs') : undefined;
  if (plan.recordOutputs && noOutputs) o.log?.(`torch engine: training metrics are not computed: ${noOutputs} (evaluation metrics are)`);
  if (outputs) {
    mkdirSync(outputs);
    for (let e = plan.firstEpoch; e <= plan.epochs; e++) {
      const f = join(outputs, `epoch-${e}.f32`);
      closeSync(openSync(f, 'w'));
      truncateSync(f, plan.train.size * perSample! * 4);
    }
  }
  const config: TrainingConfig = {
    module: join(dir, 'model.py'),
    className: 'DlmModel',
    weights: join(dir, 'weights.safetensors'),
    shards: join(dir, 'shards'),
    out: join(dir, 'epochs'),
    inputName: plan.inputName,
    loss: plan.loss,
    lr: plan.lr,
    ...(plan.schedule ? { schedule: { name: plan.schedule.name, args: scheduleArgsJson(plan.schedule.args) } } : {}),
    penalties: plan.penalties,
    ...(plan.clip ? { clip: plan.clip } : {}),
    epochs: plan.epochs,
    batch: plan.batchSize,
    shuffle: false,
    seed: plan.seed,
    device: o.device,
    orders: join(dir, 'orders'),
    firstEpoch: plan.firstEpoch,
    startStep: plan.startStep,
    ...(plan.optimizerSlots ? { optimizerState: join(dir, 'optimizer.safetensors') } : {}),
    ...(o.precision ? { precision: o.precision } : {}),
    ...(outputs ? { outputs } : {}),
    ...(plan.augmentations.length > 0 ? { augmentations: plan.augmentations.map((a) => ({ name: a.name, args: a.args, source: augmentationTwin(a) ?? missingTwin(a.name) })) } : {}),
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return launchRun(o, dir, outputs !== undefined);
}

/**
 * What the ranks' output says about their failure, short (a diagnostic argument shows 200
 * characters): the elastic agent's root cause (rank, exit code, signal) and the last Python
 * exception line; else the output's last lines.
 */
export function failureSummary(log: string): string {
  const lines = log.trim().split('\n');
  const parts: string[] = [];
  const root = lines.findIndex((l) => l.includes('Root Cause (first observed failure)'));
  if (root >= 0) {
    const field = (key: string) => lines.slice(root).map((l) => /^\s*(\w+)\s*:\s*(.*)$/.exec(l)).find((m) => m?.[1] === key)?.[2]?.trim();
    const traceback = field('traceback');
    parts.push(`rank ${field('rank') ?? '?'}: exitcode ${field('exitcode') ?? '?'}${traceback && !traceback.startsWith('To enable') ? `, ${traceback}` : ''}`);
  }
  const error = [...lines].reverse().find((l) => /^[\w.]*(Error|Exception|Exit|Interrupt)\b[^:]*:/.test(l.trim()) && !l.includes('ChildFailedError'));
  if (error) parts.push(error.trim());
  return parts.length > 0 ? parts.join('; ') : lines.slice(-5).join('\n');
}

/** Values per sample of the model's output, when its shape is static. */
function outputSize(graph: Graph): number | undefined {
  const shape = graph.outputs[0]?.type.shape.slice(1) ?? [];
  return shape.every((d) => typeof d === 'number') ? (shape as number[]).reduce((a, b) => a * b, 1) : undefined;
}

/** Why the ranks cannot record their training-mode outputs for dlm's training metrics (undefined: they can). */
function whyNoOutputs(o: Pick<TorchEngineOptions, 'launch'>, graph: Graph): string | undefined {
  if ((o.launch.nnodes ?? 1) > 1) return 'on several nodes each node\'s ranks write their outputs on that node';
  if (outputSize(graph) === undefined) return 'the output has symbolic dims after the batch';
  return undefined;
}

function missingTwin(name: string): never {
  throw new EngineError([diag('DLM6107', [`the augmentation '${name}' has no twin in the torch engine (a plugin's augmentation declares its PyTorch twin in its 'torch' field)`])]);
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** One launched run: a queue of step outcomes and a promise per finished epoch. */
class TorchRun {
  private readonly steps: Step[] = [];
  private stepWaiter: { resolve: (s: Step) => void; reject: (e: Error) => void } | undefined;
  private readonly epochs = new Map<number, { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void }>();
  private readonly tensors = new Map<number, Promise<Tensors>>();
  private failure: Error | undefined;
  private readonly stop = new AbortController();
  private readonly done: Promise<void>;
  private readonly started = deferred();
  /** Resolves when rank 0 says every rank is ready; rejects when the processes stop before. */
  readonly ready = this.started.promise;

  constructor(
    private readonly o: TorchEngineOptions,
    private readonly dir: string,
    private readonly recording: boolean,
  ) {
    const args = [join(dir, 'config.json')];
    this.done = launch(o.python, o.launcher, join(dir, 'train.py'), args, { ...o.launch, signal: this.stop.signal }, (e) => this.onEvent(e)).then(
      (r) => {
        if (this.stop.signal.aborted) return this.fail(new Error('stopped'));
        this.fail(new EngineError([diag('DLM6108', [r.code === 0 ? 'they exited' : `exit status ${r.code}`, failureSummary(r.log) || '(nothing)'])]));
      },
      (e: unknown) => this.fail(new EngineError([diag('DLM6108', ['they could not be started', e instanceof Error ? e.message : String(e)])])),
    );
  }

  private epoch(n: number) {
    let e = this.epochs.get(n);
    if (!e) this.epochs.set(n, (e = deferred()));
    return e;
  }

  private push(s: Step): void {
    if (this.stepWaiter) {
      this.stepWaiter.resolve(s);
      this.stepWaiter = undefined;
    } else this.steps.push(s);
  }

  private onEvent(e: Record<string, unknown>): void {
    this.o.onEvent?.(e);
    if (e['event'] === 'ready') this.started.resolve();
    else if (e['event'] === 'step') this.push({ loss: Number(e['loss']), ...('d_loss' in e ? { parts: { d_loss: Number(e['d_loss']), g_loss: Number(e['g_loss']) } } : {}) });
    else if (e['event'] === 'nonfinite') this.push({ nonFinite: Number(e['value']), ...(typeof e['who'] === 'string' ? { who: e['who'] } : {}) });
    else if (e['event'] === 'epoch') this.epoch(Number(e['epoch'])).resolve();
  }

  /** After the processes exit every pending and later wait fails (a finished run is asked for nothing more). */
  private fail(err: Error): void {
    this.failure ??= err;
    this.stepWaiter?.reject(this.failure);
    this.stepWaiter = undefined;
    for (const e of this.epochs.values()) e.reject(this.failure);
    this.started.reject(this.failure);
  }

  nextStep(): Promise<Step> {
    const s = this.steps.shift();
    if (s) return Promise.resolve(s);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.stepWaiter = { resolve, reject }));
  }

  epochTensors(n: number): Promise<Tensors> {
    let t = this.tensors.get(n);
    if (!t) {
      const folder = join(this.dir, 'epochs', `epoch-${n}`);
      // The program writes both files before it announces the epoch.
      t = this.epoch(n).promise.then(() => {
        const read = (f: string) => readSafetensors(readFileSync(join(folder, f))).tensors;
        const out = { weights: read('weights.safetensors'), optimizer: read('optimizer.safetensors') };
        rmSync(folder, { recursive: true, force: true });
        return out;
      });
      this.tensors.set(n, t);
    }
    return t;
  }

  async epochOutputs(n: number): Promise<Float32Array | undefined> {
    if (!this.recording) return undefined;
    await this.epoch(n).promise;
    const f = join(this.dir, 'outputs', `epoch-${n}.f32`);
    const bytes = readFileSync(f);
    rmSync(f, { force: true });
    // A copy: a small file's Buffer may sit unaligned in Node's pool.
    return new Float32Array(new Uint8Array(bytes).buffer);
  }

  async close(outcome?: { finished: boolean }): Promise<void> {
    this.stop.abort();
    await this.done;
    // A finished run leaves nothing behind (the shards are a full copy of the training data);
    // an interrupted or failed one keeps its shards for the resume (see writeShards).
    const temporary = temporaryDirs.delete(this.dir);
    if (temporary || outcome?.finished) rmSync(this.dir, { recursive: true, force: true });
    // Called from `finally` blocks: a folder already gone must not replace the error in flight.
    else if (existsSync(this.dir)) for (const f of readdirSync(this.dir)) if (f !== 'shards') rmSync(join(this.dir, f), { recursive: true, force: true });
  }
}
