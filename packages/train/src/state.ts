/**
 * The state of a training run as checkpoints store it: the format every engine writes and reads
 * (the run folder itself is the "./node" entry's job, see node/checkpoint.ts).
 */
import type { Graph, SafetensorsTensor, TextTokenizer } from '@dlm/core';

/** Bumped when the checkpoint layout changes incompatibly. */
export const CHECKPOINT_FORMAT = 1;

export interface EpochRecord {
  epoch: number;
  loss: number;
  metrics: Record<string, number>;
  /** Evaluation on the validation or test split at the epoch's end. */
  val?: { loss: number; metrics: Record<string, number> };
  /** Learning rate at the end of the epoch. */
  lr: number;
  seconds: number;
  /** Extra per-epoch losses (GAN: d_loss, g_loss). */
  extra?: Record<string, number>;
}

export interface CheckpointState {
  format: number;
  /** Model name (supervised) or "Generator+Discriminator" (GAN). */
  model: string;
  /** IR hash per model, so a checkpoint of a changed model is refused on resume. */
  irHash: Record<string, string>;
  /** Epochs completed (the checkpoint directory is epoch-<epoch>). */
  epoch: number;
  /** Optimizer steps completed. */
  step: number;
  rng: { seed: number; counter: number };
  history: EpochRecord[];
  best?: { monitor: string; value: number; epoch: number };
  /** Early-stopping bookkeeping: epochs since the last improvement. */
  wait?: number;
  optimizer: { name: string; args: Record<string, unknown> };
  /**
   * SHA-256 (hex) of each tensor file of the checkpoint, by file name, verified on load. Absent in
   * checkpoints written before checksums existed (those load unverified).
   */
  checksums?: Record<string, string>;
  /**
   * Which run the checkpoint belongs to: model, dataset and training settings (see
   * node/fingerprint.ts). Absent in checkpoints written before fingerprints existed.
   */
  fingerprint?: RunFingerprint;
  /** Free-form extras (dataset name, settings) for humans and tools. */
  info?: Record<string, unknown>;
  /**
   * What the dataset did to raw inputs before the model saw them (added in place of a format
   * bump: older checkpoints lack it and mean "nothing recorded"). `dlm predict` applies it to
   * raw inputs and `dlm export` puts it in front of the ONNX model.
   */
  preprocessing?: Preprocessing;
}

/** What a run folder belongs to (node/fingerprint.ts computes it; every part is human-readable). */
export interface RunFingerprint {
  /** SHA-256 (16 hex digits) of the parts below: equal hashes, same run. */
  hash: string;
  /** IR hash per trained model. */
  models: Record<string, string>;
  /** The dataset call without batch and shuffle, e.g. `mnist(kind: "digits")`. */
  data: string;
  /** Kind, loss, optimizer name, seed, validation split, `--limit`. */
  task: string;
  /** The checkpoint a fine-tune (`--init-from`) started from. */
  initFrom?: string;
}

/** Input preprocessing a trained model depends on (taken from the training dataset's info). */
export interface Preprocessing {
  /** Per-feature (x − mean[f]) / std[f] of `csv(standardize: true)`. */
  standardize?: { mean: number[]; std: number[] };
  /** How 0..255 pixels were scaled (see DatasetInfo.pixels). */
  pixels?: { scale: 'unit' | 'tanh' | 'standard'; mean: number[]; std: number[] };
  /** How raw text became token ids: the vocabulary and its rule (see DatasetInfo.tokenizer). */
  tokenizer?: TextTokenizer;
}

/** The preprocessing recorded from a dataset's info, or undefined when it records none. */
export function preprocessingOf(info: { standardize?: Preprocessing['standardize']; pixels?: Preprocessing['pixels']; tokenizer?: Preprocessing['tokenizer'] }): Preprocessing | undefined {
  const p: Preprocessing = {
    ...(info.standardize ? { standardize: info.standardize } : {}),
    ...(info.pixels ? { pixels: info.pixels } : {}),
    ...(info.tokenizer ? { tokenizer: info.tokenizer } : {}),
  };
  return Object.keys(p).length > 0 ? p : undefined;
}

/**
 * The first parameter holding NaN or ±Infinity, with how many such values and the first one;
 * undefined when all are finite. Integer tensors are always finite.
 */
export function firstNonFinite(weights: ReadonlyMap<string, SafetensorsTensor>): { name: string; count: number; value: number } | undefined {
  for (const [name, t] of weights) {
    const d = t.data;
    if (!(d instanceof Float32Array)) continue;
    let count = 0;
    let value = 0;
    for (let i = 0; i < d.length; i++) {
      if (!Number.isFinite(d[i]!)) {
        if (count === 0) value = d[i]!;
        count++;
      }
    }
    if (count > 0) return { name, count, value };
  }
  return undefined;
}

export interface CheckpointData {
  weights: Map<string, SafetensorsTensor>;
  optimizer: Map<string, SafetensorsTensor>;
  state: CheckpointState;
}


/**
 * Where a run keeps its checkpoints. The "./node" entry implements it over a run folder
 * (`folderCheckpoints`); without one (the playground) nothing is saved.
 */
export interface CheckpointStore {
  /** For messages: the run folder. */
  readonly location: string;
  /** Hash of what determines a model's computation (a changed model refuses to resume). */
  irHash(graph: Graph): string;
  /** The newest checkpoint, checked against the models (same parameters and IR hash); undefined when there is none. */
  last(graphs: readonly Graph[]): Promise<{ dir: string; data: CheckpointData } | undefined>;
  /** Writes the checkpoint of `data.state.epoch`; returns its location. */
  save(data: CheckpointData): Promise<string>;
  /** Stores a grid of generated images (GAN training), NCHW values in [0, 1] or [-1, 1]. */
  writeSamples?(epoch: number, grid: { data: Float32Array; n: number; c: number; h: number; w: number }): Promise<void>;
}
