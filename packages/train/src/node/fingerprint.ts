/**
 * A run folder belongs to one run: one model, one dataset and one set of training settings. The
 * fingerprint records them in every checkpoint's state.json (`fingerprint`), so that training
 * another combination never overwrites the folder, `--resume` never continues another run's
 * weights, and `dlm eval` / `dlm predict` never use a checkpoint for something it was not trained
 * for. Every engine that writes run folders goes through `openRunFolder` (run-folder.ts), which
 * fingerprints the run, chooses the folder here, and writes the fingerprint with each checkpoint.
 *
 * What is in it (a change starts a new run):
 *   - the IR hash of each model (computation and parameter layout, see `irHash`);
 *   - the dataset: its name and arguments (defaults filled in), except `batch` and `shuffle`,
 *   - the task: the kind of training, the loss with its arguments, the optimizer's name, `seed`,
 *     `validation_split` and `--limit` (both change which samples are trained on);
 *   - the checkpoint a fine-tune started from (`--init-from`).
 * What is not (may change between a run and its resume): epochs (a run grows by resuming), batch
 * size, shuffling, the optimizer's hyperparameters (learning rate …), the schedule, clipping,
 * regularizers, early stopping, metrics, workers, `--keep-last` and `--limit-test`.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { diag, type ArgValue, type Diagnostic, type DiagnosticNote, type Graph, type PluginCall, type PluginRegistry, type Program, type TrainingSpec } from '@dlm/core';
import type { CheckpointState, RunFingerprint } from '../state.js';
import { irHash, lastCheckpoint } from './checkpoint.js';

export type { RunFingerprint } from '../state.js';

/** The models a training spec trains (supervised: one; GAN: generator and discriminator). */
function trainedGraphs(program: Program, spec: TrainingSpec): Graph[] {
  const names = spec.kind === 'gan' ? [spec.generator, spec.discriminator] : [spec.model];
  return names.flatMap((n) => program.models.filter((m) => m.name === n));
}

function formatArg(v: ArgValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(formatArg).join(', ')}]`;
  if (typeof v === 'object') return formatCall(v);
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** `csv(file: "x.csv", standardize: true)`: arguments sorted by name, so the order written does not matter. */
function formatCall(call: PluginCall, args: Record<string, ArgValue> = call.args): string {
  const parts = Object.keys(args)
    .sort()
    .map((k) => `${k}: ${formatArg(args[k]!)}`);
  return `${call.name}(${parts.join(', ')})`;
}

function withDefaultsOf(registry: PluginRegistry, kind: 'dataset' | 'loss', call: PluginCall): Record<string, ArgValue> {
  const def = registry.get(kind, call.name)?.def as { args?: readonly { name: string; default?: unknown }[] } | undefined;
  const out: Record<string, ArgValue> = {};
  for (const a of def?.args ?? []) if (a.default !== undefined) out[a.name] = a.default as ArgValue;
  return { ...out, ...call.args };
}

export interface FingerprintInput {
  program: Program;
  training: TrainingSpec;
  registry: PluginRegistry;
  /** The `--data` override, when given. */
  data?: PluginCall;
  limit?: { trainSamples?: number };
  /** The checkpoint directory a fine-tune starts from. */
  initFrom?: string;
}

/** The fingerprint of a training run (see the top of this file for what it covers and why). */
export function runFingerprint(o: FingerprintInput): RunFingerprint {
  const spec = o.training;
  const models = Object.fromEntries(trainedGraphs(o.program, spec).map((g) => [g.name, irHash(g)]));
  const dataCall = o.data ?? spec.data;
  const dataArgs = withDefaultsOf(o.registry, 'dataset', dataCall);
  delete dataArgs['batch'];
  delete dataArgs['shuffle'];
  const data = formatCall(dataCall, dataArgs);
  const setting = (k: string, dflt: ArgValue): string => `${k} ${formatArg(spec.settings[k] ?? dflt)}`;
  const task = [
    spec.kind,
    `loss ${formatCall(spec.loss, withDefaultsOf(o.registry, 'loss', spec.loss))}`,
    `optimizer ${spec.optimizer.name}`,
    setting('seed', 0),
    setting('validation_split', 0),
    ...(o.limit?.trainSamples !== undefined ? [`the first ${o.limit.trainSamples} training samples`] : []),
  ].join(', ');
  const parts = { models, data, task, ...(o.initFrom ? { initFrom: o.initFrom } : {}) };
  return { hash: createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16), ...parts };
}

type Part = 'models' | 'data' | 'task' | 'initFrom';
const PART_NAMES: Record<Part, string> = { models: 'model', data: 'dataset', task: 'training settings', initFrom: 'initial weights' };
const OTHER_PART: Record<Part, string> = { models: 'another model', data: 'another dataset', task: 'other training settings', initFrom: 'other initial weights' };

function describePart(f: Partial<RunFingerprint>, part: Part): string {
  if (part === 'models') return Object.entries(f.models ?? {}).map(([m, h]) => `${m} (IR hash ${h})`).join(' and ') || 'unknown';
  if (part === 'initFrom') return f.initFrom ? `from ${f.initFrom}` : 'freshly initialized';
  return f[part] ?? 'unknown';
}

/**
 * How `ours` and `theirs` differ, part by part, limited to `parts`: a short summary ("another
 * model and another dataset") and one note per part naming both sides. Empty when they agree.
 */
export function fingerprintDifferences(ours: Partial<RunFingerprint>, theirs: Partial<RunFingerprint>, parts: readonly Part[] = ['models', 'data', 'task', 'initFrom'], sides = { ours: 'this run', theirs: 'the folder' }): { summary: string; notes: DiagnosticNote[] } {
  const differing = parts.filter((p) => describePart(ours, p) !== describePart(theirs, p));
  const notes = differing.map((p) => ({ message: `${PART_NAMES[p]}: ${sides.ours} has ${describePart(ours, p)}; ${sides.theirs} has ${describePart(theirs, p)}` }));
  const names = differing.map((p) => OTHER_PART[p]);
  const summary = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return { summary, notes };
}

async function recordedState(runDir: string): Promise<CheckpointState | undefined> {
  const last = await lastCheckpoint(runDir);
  if (!last) return undefined;
  try {
    return JSON.parse(await fs.readFile(path.join(last, 'state.json'), 'utf8')) as CheckpointState;
  } catch {
    return undefined; // unreadable: loading it reports why (DLM5051)
  }
}

export interface ChosenRunFolder {
  /** The folder to train into: `runDir`, or a new one beside it when `runDir` holds another run. */
  dir: string;
  /** Why `dir` is not `runDir` (for the log). */
  moved?: string;
  diagnostics: Diagnostic[];
}

/**
 * The run folder for a run with fingerprint `fp`, asked for as `runDir`:
 *   - empty, or holding the same run: `runDir`;
 *   - holding a checkpoint without fingerprint (older dlm): `runDir`, with warning DLM5085;
 *   - holding another run: the first of `<runDir>-<dataset>`, `<runDir>-<dataset>-2`, … that holds
 *     this same run or (not resuming) is free; resuming with none: error DLM5084 naming both sides.
 */
export async function chooseRunFolder(runDir: string, fp: RunFingerprint, opts: { resume?: boolean } = {}): Promise<ChosenRunFolder | { error: Diagnostic }> {
  const state = await recordedState(runDir);
  if (!state) return { dir: runDir, diagnostics: [] };
  if (!state.fingerprint) return { dir: runDir, diagnostics: [diag('DLM5085', [runDir])] };
  if (state.fingerprint.hash === fp.hash) return { dir: runDir, diagnostics: [] };
  const diff = fingerprintDifferences(fp, state.fingerprint);
  const dataName = /^[^(]*/.exec(fp.data)![0].replace(/[^A-Za-z0-9]+/g, '_');
  const base = `${runDir}-${dataName}`;
  const why = `${runDir} holds ${diff.summary} (${diff.notes.map((x) => x.message).join('; ')})`;
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base}-${n}`;
    const other = await recordedState(candidate);
    if (other?.fingerprint?.hash === fp.hash) return { dir: candidate, moved: `${why}; ${opts.resume ? 'resuming' : 'training'} this run in ${candidate}`, diagnostics: [] };
    if (other) continue;
    // The first free folder: where a new run goes, and where the search for an earlier one ends.
    if (opts.resume) break;
    return { dir: candidate, moved: `${why}; this run goes to ${candidate}`, diagnostics: [] };
  }
  return { error: diag('DLM5084', [runDir, diff.summary], undefined, diff.notes) };
}
