/**
 * The one plugin interface. Every extension kind (layers, datasets, optimizers, learning-rate
 * schedules, regularizers, losses, metrics) is a declaration in a `DlmPlugin`. The standard
 * library (@dlm/plugin-std) uses exactly this interface; there is no private back door.
 *
 * Plugins declare; backends implement. A layer runs everywhere because it expands into core ops
 * (see ./ops). Losses, metrics, optimizers and regularizers are written against `TensorMath`,
 * which each backend implements, so they too run without backend-specific code.
 */
import type {
  ArgValue,
  Dim,
  DType,
  Initializer,
  LayerFamily,
  PluginCall,
  TensorType,
  AttrValue,
} from './ir.js';
import type { TensorMath } from './tensor-math.js';

/** Bumped when the plugin interface changes incompatibly. Plugins state the version they target. */
export const PLUGIN_API_VERSION = 1;

// ───────────────────────────── argument schemas ─────────────────────────────

export type ArgType =
  | 'int'
  | 'float'
  | 'bool'
  | 'string'
  /** One of `values` (written as a bare name or a string in .dlm: `padding: same`). */
  | 'enum'
  /** A list of ints (`[3, 3]`); a single int is accepted and kept as a one-element list. */
  | 'ints'
  | 'floats'
  /** A list of dims: ints or symbols (`[batch, 320]`). */
  | 'dims'
  /** A plugin call such as `l2(1e-4)` or `cosine(steps: 100)`. */
  | 'call';

export interface ArgSpec {
  name: string;
  /** Several types mean "any of these" (padding: enum or ints). */
  type: ArgType | readonly ArgType[];
  /** Default value; when absent and `optional` is not set, the argument is required. */
  default?: ArgValue;
  optional?: boolean;
  doc: string;
  /** Allowed names for 'enum'. */
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Keyword-only when false (default: may also be given positionally, in declaration order). */
  positional?: boolean;
}

/** Arguments after validation: every declared arg present (defaults filled) unless optional. */
export type Args = Record<string, ArgValue>;

// ───────────────────────────── layers ─────────────────────────────

/**
 * What a layer's expansion can do. Implemented by the compiler's graph builder; a layer sees only
 * value names and types, never the graph under construction.
 */
export interface LayerContext {
  /** Registered name of the layer being expanded. */
  readonly layer: string;
  /** Whether the value's shape is unknown because of an earlier error (expansion should still emit ops). */
  typeOf(value: string): TensorType;
  /**
   * Emits one core op; returns its output value names. Runs the op's shape rule at once, so a bad
   * shape becomes a diagnostic located at the layer call. `null` skips an optional input.
   */
  op(
    op: string,
    inputs: readonly (string | null)[],
    attrs?: Record<string, AttrValue>,
    opts?: { outputs?: number },
  ): string[];
  /**
   * Declares a parameter owned by this layer instance; returns its value name. The user's
   * per-parameter settings (`init`, `regularizer`, `trainable`) for `localName` are applied here.
   */
  param(
    localName: string,
    shape: readonly Dim[],
    init: Initializer,
    opts?: { trainable?: boolean; buffer?: boolean; dtype?: DType },
  ): string;
  /** Expands another registered layer as a child of this one (its nodes nest in this scope). */
  layerCall(name: string, inputs: readonly string[], args: Args): string[];
  /** Rejects the call with a message (reported at the call site, naming the layer). */
  fail(message: string): never;
}

export interface LayerDef {
  name: string;
  family: LayerFamily;
  /** One paragraph for `dlm plugins`, hovers and docs. */
  doc: string;
  args: readonly ArgSpec[];
  /** Number of tensor inputs; default exactly 1. `max: Infinity` for concat/add. */
  inputs?: { min: number; max: number };
  /** Expands into core ops; returns the output value name(s). */
  expand(ctx: LayerContext, inputs: readonly string[], args: Args): string | string[];
  /**
   * Optional declared shape rule. When present, the compiler checks that the expansion produced
   * exactly these types; a contradiction is reported against the plugin (DLM8006).
   */
  shape?(inputs: readonly TensorType[], args: Args): TensorType[];
  /** Short label for diagrams and summaries, e.g. "conv2d 10×5×5". Default: the layer name. */
  label?(args: Args): string;
  /** Mermaid class for diagrams; default derives from `family`. */
  diagramClass?: string;
}

// ───────────────────────────── datasets ─────────────────────────────

/** One batch in NCHW / (batch, …) layout, row-major. */
export interface Batch {
  x: Float32Array | Int32Array;
  xShape: number[];
  /** Class indices (Int32Array) or regression/target values (Float32Array). */
  y: Float32Array | Int32Array;
  yShape: number[];
}

export interface DatasetInfo {
  /** Shape of one sample's input, without the batch dim: [1, 28, 28]. */
  inputShape: number[];
  inputDType: 'f32' | 'i32';
  /** Classification: number of classes and integer labels; otherwise a float target shape. */
  classes?: number;
  classNames?: string[];
  targetShape: number[];
  /** Vocabulary size for token datasets (embedding inputs). */
  vocabSize?: number;
  /**
   * How raw 0..255 pixels become model inputs, so `dlm predict` can feed a user's image exactly
   * as training did: 'unit' x/255, 'tanh' x/127.5−1, 'standard' (x/255−mean[c])/std[c].
   */
  pixels?: { scale: 'unit' | 'tanh' | 'standard'; mean: number[]; std: number[] };
  /**
   * Per-feature standardization the dataset applied ((x − mean[f]) / std[f], statistics of the
   * train split), so a trained model keeps it: checkpoints store it and `dlm predict` applies it
   * to raw rows.
   */
  standardize?: { mean: number[]; std: number[] };
  /**
   * How raw text became token ids (token datasets), so a trained model keeps its vocabulary:
   * checkpoints store it, `dlm predict --text` encodes raw text with it and `dlm sample` writes
   * ids back as text with it. `scheme` names the tokenize rule: 'words' (lowercase, HTML tags
   * dropped, split on non-letters — @dlm/datasets' `tokenize`; `words[i]` is the word of id i,
   * [0] <pad>, [1] <unk>; texts keep their first `maxLen` tokens and are padded with id 0 before
   * ('pre') or after ('post')), or 'chars' (a character language model: `words[i]` is the
   * character of id i, with no padding or unknown id; `maxLen` is the context length).
   */
  tokenizer?: TextTokenizer;
}

/** See `DatasetInfo.tokenizer`. */
export interface TextTokenizer {
  scheme: 'words' | 'chars';
  words: string[];
  maxLen: number;
  padding: 'pre' | 'post';
}

export interface DatasetSplit {
  info: DatasetInfo;
  size: number;
  /** Samples [start, start+count) of the split's (seeded) order, as a batch. */
  slice(start: number, count: number): Batch;
  /**
   * Optional: the samples at `indices` (positions in the split's order, any order, repeats
   * allowed), as one batch, equal to concatenating `slice(i, 1)` for each. The trainer uses it
   * for shuffled batches, which would otherwise be assembled one `slice` per sample.
   */
  gather?(indices: Int32Array): Batch;
  /**
   * Optional: the targets of the samples at `indices` (positions in the split's order), equal to
   * `gather(indices).y` but without reading or converting the inputs. The trainer checks every
   * label of the split before the first step; without this it reads whole batches to do so (for
   * images, every image converted to floats once per run).
   */
  targets?(indices: Int32Array): Float32Array | Int32Array;
}

export interface DatasetOpenContext {
  split: 'train' | 'test';
  /** Directory for downloads; datasets verify checksums before using cached files. */
  cacheDir: string;
  /** Overrides the download base URL (tests point it at a local server). */
  mirror?: string;
  /**
   * Directory that relative paths in the dataset's arguments are resolved against: the folder of
   * the .dlm file whose train block names the dataset. Absent (paths given on the command line):
   * the current directory.
   */
  baseDir?: string;
  log(message: string): void;
}

export interface DatasetDef {
  name: string;
  doc: string;
  args: readonly ArgSpec[];
  /** Loads a split. Errors must be `DatasetError`s with a clear message (bad magic, truncated, …). */
  open(args: Args, ctx: DatasetOpenContext): Promise<DatasetSplit>;
}

/** Thrown by dataset loaders for user-facing problems; the CLI prints it as a diagnostic. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'DatasetError';
  }
}

// ───────────────────────────── training rules (run on any backend via TensorMath) ─────────────────────────────

export interface LossDef {
  name: string;
  doc: string;
  args: readonly ArgSpec[];
  /** Which model outputs it expects: 'logits', 'probabilities', 'log_probabilities' or 'values'. */
  expects: 'logits' | 'probabilities' | 'log_probabilities' | 'values';
  /** Mean loss over the batch as a scalar. `target` is int class indices or float values. */
  compute<T>(m: TensorMath<T>, output: T, target: T, args: Args): T;
}

export interface MetricDef {
  name: string;
  doc: string;
  args: readonly ArgSpec[];
  /** Sufficient statistics of one batch (summed over batches by the backend). */
  batchStats<T>(m: TensorMath<T>, output: T, target: T, args: Args, classes: number): Record<string, T>;
  /** The metric from the summed statistics. */
  finalize(stats: Record<string, Float32Array | Int32Array>, args: Args, classes: number): number;
  /** Larger is better (accuracy) or smaller (mae). */
  higherIsBetter: boolean;
}

export interface OptimizerDef {
  name: string;
  doc: string;
  args: readonly ArgSpec[];
  /**
   * The name of the float argument that is the base learning rate (usually 'lr'). Schedules scale
   * it per step, and the trainer passes the scheduled value to `update` as `lr`.
   */
  learningRate: string;
  /** Per-parameter state slots (momentum, Adam moments), created before the first step. */
  initSlots<T>(m: TensorMath<T>, param: T, args: Args): Record<string, T>;
  /**
   * One update. `lr` is the scheduled learning rate for this step; `step` counts from 1.
   * Returns the new parameter value and new slots.
   */
  update<T>(
    m: TensorMath<T>,
    param: T,
    grad: T,
    slots: Record<string, T>,
    args: Args,
    lr: number,
    step: number,
  ): { param: T; slots: Record<string, T> };
}

export interface ScheduleDef {
  name: string;
  doc: string;
  args: readonly ArgSpec[];
  /** Learning rate at `step` (from 0) of `totalSteps`. */
  lr(baseLr: number, step: number, totalSteps: number, stepsPerEpoch: number, args: Args): number;
}

export type RegularizerDef =
  | {
      name: string;
      doc: string;
      args: readonly ArgSpec[];
      kind: 'penalty';
      /** Added to the loss for each parameter it applies to. */
      penalty<T>(m: TensorMath<T>, param: T, args: Args): T;
      /**
       * Optional: the gradient of `penalty` with respect to `param` (same shape; the trainer stops
       * with DLM5060 on another shape, which `add` would otherwise broadcast), written out. With
       * it the trainer adds this to the parameter's gradient instead of recording `penalty` on the
       * autodiff tape (for l2: one multiply and one add per parameter instead of ~4 forward and ~8
       * backward ops); the penalty's value itself is not needed by a step. It must be what
       * differentiating `penalty` gives, in float32 (plugin-std's l2 is tested bit for bit).
       */
      gradient?<T>(m: TensorMath<T>, param: T, args: Args): T;
    }
  | {
      name: string;
      doc: string;
      args: readonly ArgSpec[];
      kind: 'augmentation';
      /** Transforms a training batch of images (NCHW). Never applied at evaluation. */
      augment<T>(m: TensorMath<T>, x: T, args: Args): T;
      /**
       * The PyTorch twin for `dlm train --engine torch` (optional): Python source that defines
       * `augment(x, args, draw)` with the same math as `augment`, drawing its random numbers from
       * `draw.uniform(shape)` and `draw.normal(shape, mean, std)` (the twins of `randomUniform` and
       * `randomNormal`, in the same order). `torch`, `F` (torch.nn.functional) and `math` are in
       * scope. Without it the torch engine refuses a train block that uses this augmentation (DLM6107).
       */
      torch?: string;
    }
  | {
      name: string;
      doc: string;
      args: readonly ArgSpec[];
      kind: 'early_stopping';
      /**
       * Which of its arguments hold the monitored quantity (a string such as 'val_loss' or
       * 'val_accuracy'), the patience in epochs (int) and the smallest improvement (float).
       */
      earlyStopping: { monitor: string; patience: string; minDelta: string };
    };

// ───────────────────────────── the plugin ─────────────────────────────

export interface DlmPlugin {
  /** Unique plugin name (its npm package name is a good choice). */
  name: string;
  /** The PLUGIN_API_VERSION this plugin was written for. */
  apiVersion: number;
  layers?: readonly LayerDef[];
  datasets?: readonly DatasetDef[];
  optimizers?: readonly OptimizerDef[];
  schedules?: readonly ScheduleDef[];
  regularizers?: readonly RegularizerDef[];
  losses?: readonly LossDef[];
  metrics?: readonly MetricDef[];
}

export type PluginKind = 'layer' | 'dataset' | 'optimizer' | 'schedule' | 'regularizer' | 'loss' | 'metric';

export type { PluginCall };
