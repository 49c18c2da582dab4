/**
 * The dlm IR: plain, serializable data. No classes, no behaviour, no backend handles.
 *
 * Phases that produce or consume it:
 *   language (AST → IR)  ─▶  backends (@dlm/tfjs, @dlm/onnx, @dlm/mermaid) read it, never mutate it.
 *
 * Layout convention: image tensors are NCHW (batch, channels, height, width), sequences are
 * (batch, time, features), the same as PyTorch and ONNX, so exports need no layout transposes.
 */

/** A dimension: a fixed size (28) or a symbol such as "batch" or "time". */
export type Dim = number | string;

export type DType = 'f32' | 'i32' | 'i64' | 'bool';

export interface TensorType {
  dtype: DType;
  shape: Dim[];
  /**
   * Set when an earlier error made the shape unknowable. Shape rules are not run on unknown
   * inputs, so one mistake produces one diagnostic instead of a cascade.
   */
  unknown?: true;
}

/** Attribute values of core ops (the ONNX attribute kinds dlm uses). */
export type AttrValue = number | string | boolean | number[] | string[] | Dim[];

/** A location in a .dlm source file. Offsets are 0-based; line and col are 1-based. */
export interface SourceSpan {
  file: string;
  start: number;
  end: number;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

/** A named value of a graph: a model input, an op output, or a parameter. */
export interface Value {
  name: string;
  type: TensorType;
}

/** One primitive op application. `op` names an op schema of the core op set (see ops/). */
export interface Node {
  /** Unique within its graph, derived from the scope path so that ids are stable across runs. */
  id: string;
  op: string;
  /** Value names; '' marks an omitted optional input (ONNX convention). */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** Path of layer-instance ids (outermost block first) that produced this node. */
  scope: string[];
  span?: SourceSpan;
  /** Active only while training (dropout, augmentation); inference and export drop it. */
  trainingOnly?: boolean;
}

export type InitializerKind =
  | 'zeros'
  | 'ones'
  | 'constant'
  | 'uniform'
  | 'normal'
  | 'glorot_uniform'
  | 'glorot_normal'
  | 'he_uniform'
  | 'he_normal'
  | 'lecun_uniform'
  | 'lecun_normal'
  /** PyTorch's default for Linear/Conv weights: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  | 'torch_default'
  | 'orthogonal'
  /**
   * The fixed sine/cosine position table of "Attention is all you need" over the last two axes
   * [positions, dim]: sin(pos / base^(2i/dim)) at column 2i, cos at 2i+1 (base 10000 unless set).
   */
  | 'sinusoidal';

export interface Initializer {
  kind: InitializerKind;
  /** fan_in/fan_out for the variance-scaling kinds; value/low/high/mean/std for the others. */
  args: Record<string, number>;
}

/** A reference to a plugin-provided thing with its arguments, e.g. `l2(1e-4)`, `adam(lr: 1e-3)`. */
export interface PluginCall {
  name: string;
  args: Record<string, ArgValue>;
  span?: SourceSpan;
}

/** Values a layer or plugin argument can take after the language has evaluated constants. */
export type ArgValue = number | string | boolean | ArgValue[] | PluginCall | null;

export interface Param {
  /** Unique within the graph: the scope path joined with '.', then the local name, e.g. "conv1.weight". */
  name: string;
  type: TensorType;
  init: Initializer;
  trainable: boolean;
  regularizers: PluginCall[];
  /** Path of the layer instance that owns the parameter. */
  scope: string[];
  span?: SourceSpan;
  /**
   * Non-trainable state that training updates by itself (batch-norm running statistics).
   * Kept in checkpoints and exported, never touched by optimizers.
   */
  buffer?: boolean;
}

/**
 * One layer or block instance as the user wrote it. Summaries and diagrams show these; the
 * nodes they expanded to point back here through `Node.scope`.
 */
export interface LayerRecord {
  /** Scope path of this instance; the last entry is its own id. */
  path: string[];
  /** The layer's registered name (`conv2d`) or the block's name (`Residual`). */
  kind: string;
  isBlock: boolean;
  /** Plugin that defined the layer ('' for a block defined in .dlm source). */
  plugin: string;
  args: Record<string, ArgValue>;
  inputs: string[];
  outputs: string[];
  /** Short diagram label, e.g. "conv2d 10×5×5". */
  label: string;
  family: LayerFamily;
  span?: SourceSpan;
}

export type LayerFamily =
  | 'conv'
  | 'dense'
  | 'recurrent'
  | 'normalization'
  | 'activation'
  | 'regularization'
  | 'pooling'
  | 'shape'
  | 'merge'
  | 'embedding'
  | 'transformer'
  | 'block'
  | 'custom';

export interface Graph {
  name: string;
  inputs: Value[];
  outputs: Value[];
  nodes: Node[];
  params: Param[];
  /** Type of every intermediate value (op outputs), keyed by value name. */
  values: Value[];
  layers: LayerRecord[];
  span?: SourceSpan;
  /** Source file the model came from (for export metadata). */
  source?: string;
}

/** What a `train` block says. Names resolve against the plugin registry at compile time. */
export interface TrainingSpec {
  /** 'supervised' trains `model`; 'gan' alternates `generator` and `discriminator`. */
  kind: 'supervised' | 'gan';
  model: string;
  generator?: string;
  discriminator?: string;
  data: PluginCall;
  loss: PluginCall;
  optimizer: PluginCall;
  regularizers: PluginCall[];
  metrics: PluginCall[];
  epochs: number;
  /** Any further settings (seed, schedule, clip, validation split, …) by key. */
  settings: Record<string, ArgValue>;
  span?: SourceSpan;
}

export interface Program {
  /** IR format version; bumped on incompatible change. */
  irVersion: number;
  models: Graph[];
  trainings: TrainingSpec[];
}

export const IR_VERSION = 1;
