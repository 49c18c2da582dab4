/**
 * What @dlm/train's training loop needs from a runtime, and nothing more: tensors and variables, memory
 * scopes, gradients, the seeded math that plugin rules run on (core's `TensorMath`), and running
 * the model graph. It lives in core (types only) so that a backend implements it without importing
 * @dlm/train: @dlm/tfjs does (`createTfjsRuntime`); another engine implements the
 * same interface and gets the same loop — schedules, clipping, early stopping, checkpoint state.
 *
 * `T` is the runtime's tensor handle; the loop never looks inside it. Variables are tensors too
 * (`variable` returns a `T` whose value `assign` replaces).
 */
import type { Diagnostic, PhaseResult } from './diagnostics.js';
import type { Graph } from './ir.js';
import type { TensorMath } from './tensor-math.js';

/** A TensorMath whose random state can be saved and restored (checkpoints, resume). */
export interface SeededMath<T> extends TensorMath<T> {
  /** `{seed, counter}`: the full state of this math's random generator. */
  rngState(): { seed: number; counter: number };
  setRngState(state: { seed: number; counter: number }): void;
  /** A fresh seed for a random op of the graph (dropout), advancing the counter. */
  nextSeed(): number;
}

/** A model graph ready to run on a runtime. */
export interface GraphRunner<T> {
  run(
    params: ReadonlyMap<string, T>,
    inputs: Record<string, T>,
    opts: { training: boolean; seed?: number },
  ): { outputs: Record<string, T>; bufferUpdates: Map<string, T> };
}

export type TypedValues = Float32Array | Int32Array;

export interface Runtime<T = unknown> {
  /** The backend in use, as the progress line shows it (`wasm`, `cpu`, `webgpu`, …). */
  readonly name: string;
  createMath(seed: number): SeededMath<T>;
  /** Prepares a graph; diagnostics when the runtime cannot run one of its ops. */
  createRunner(graph: Graph): PhaseResult<GraphRunner<T> | undefined>;

  tensor(data: TypedValues, shape: readonly number[]): T;
  /** A long-lived variable holding a copy of `data`; `trainable` ones get gradients. */
  variable(data: TypedValues, shape: readonly number[], dtype: 'f32' | 'i32', trainable: boolean): T;
  /** Replaces a variable's value (the variable keeps its own reference to `value`'s data). */
  assign(variable: T, value: T): void;

  /** Runs `f`, freeing every tensor it created except those it returns (or keeps). */
  tidy<R>(f: () => R): R;
  /** Marks a tensor created inside `tidy` to survive it. */
  keep(t: T): T;
  dispose(t: T | readonly T[]): void;
  isDisposed(t: T): boolean;
  /**
   * The scalar `f()` and its gradients with respect to `vars` (trainable variables), in their
   * order; undefined for a variable the loss does not depend on. Tensors created by `f` are freed
   * except those it keeps.
   */
  gradients(f: () => T, vars: readonly T[]): { value: T; grads: (T | undefined)[] };

  read(t: T): Promise<TypedValues>;
  shape(t: T): number[];
  dtype(t: T): 'f32' | 'i32';

  /** The diagnostic for one of the runtime's own located errors (an op failing at run time), else undefined. */
  diagnose(e: unknown): Diagnostic | undefined;
  /** Live tensors (memory checks in tests). */
  numTensors(): number;
  /**
   * Data-parallel training over worker threads (the "./node" entry): the URL of a module exporting
   * `createWorkerRuntime(): Promise<Runtime>`, what each worker runs on (for the log), and when
   * such workers do not pay, why not.
   */
  readonly worker?: { module: string; describe: string; unavailable?: string };
}
