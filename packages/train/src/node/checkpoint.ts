/**
 * Checkpoints: one directory per finished epoch, written atomically, so a killed run loses at most
 * the epoch in progress and never leaves a half-written checkpoint behind.
 *
 *   runs/<model>/
 *     epoch-3/
 *       weights.safetensors    every parameter incl. buffers, named by IR param name
 *                              (multi-model trainings such as GANs prefix "<model>/")
 *       optimizer.safetensors  optimizer slots "<param>/<slot>" and the step counter "step" (I64)
 *       state.json             epoch, step, rng state, history, best metric, model name, IR hash
 *     last                     a one-line pointer file: "epoch-3" (portable, unlike symlinks)
 *
 * Atomicity: files go to a fresh temp directory next to the target and are fsynced; the directory
 * is renamed into place (rename is atomic on POSIX file systems), then `last` is replaced through a
 * temp file + rename. A crash at any point leaves either the old or the new checkpoint.
 *
 * This module works on plain typed arrays (no tfjs), so it is testable without a backend.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  diag,
  formatShape,
  readSafetensors,
  writeSafetensors,
  SafetensorsError,
  type Diagnostic,
  type DiagnosticNote,
  type Graph,
  type PhaseResult,
  type SafetensorsTensor,
} from '@dlm/core';
import { CHECKPOINT_FORMAT, firstNonFinite, type CheckpointData, type CheckpointState } from '../state.js';

/** Hash of what determines a model's computation and parameter layout (not spans or labels). */
export function irHash(graph: Graph): string {
  const essence = {
    inputs: graph.inputs.map((v) => [v.name, v.type.dtype, v.type.shape]),
    outputs: graph.outputs.map((v) => [v.name, v.type.dtype, v.type.shape]),
    nodes: graph.nodes.map((n) => [n.op, n.inputs, n.outputs, Object.entries(n.attrs).sort(([a], [b]) => (a < b ? -1 : 1))]),
    params: graph.params.map((p) => [p.name, p.type.dtype, p.type.shape, p.trainable, !!p.buffer]),
  };
  return createHash('sha256').update(JSON.stringify(essence)).digest('hex').slice(0, 16);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const WEIGHTS = 'weights.safetensors';
const OPTIMIZER = 'optimizer.safetensors';
const STATE = 'state.json';
const LAST = 'last';

export function epochDirName(epoch: number): string {
  return `epoch-${epoch}`;
}

async function writeFileSynced(file: string, data: Uint8Array | string): Promise<void> {
  const fh = await fs.open(file, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  // Directory fsync makes renames durable on Linux; not supported everywhere (Windows), so best effort.
  try {
    const fh = await fs.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* not supported on this platform */
  }
}

/**
 * Writes `runDir/epoch-<state.epoch>/` atomically and points `runDir/last` at it. Returns the
 * checkpoint directory. `keepLast` (when set) prunes older epoch directories afterwards.
 */
export async function saveCheckpoint(runDir: string, data: CheckpointData, opts: { keepLast?: number } = {}): Promise<string> {
  await fs.mkdir(runDir, { recursive: true });
  const name = epochDirName(data.state.epoch);
  const target = path.join(runDir, name);
  // mkdir (not mkdtemp, which makes 0700 folders): checkpoints follow the umask like other files.
  const tmp = path.join(runDir, `.tmp-${name}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(tmp);
  try {
    const meta = { format: 'dlm', model: data.state.model, epoch: String(data.state.epoch) };
    const weightBytes = writeSafetensors(data.weights, meta);
    const optimizerBytes = writeSafetensors(data.optimizer, { ...meta, optimizer: data.state.optimizer.name, step: String(data.state.step) });
    await writeFileSynced(path.join(tmp, WEIGHTS), weightBytes);
    await writeFileSynced(path.join(tmp, OPTIMIZER), optimizerBytes);
    const state: CheckpointState = { ...data.state, checksums: { [WEIGHTS]: sha256(weightBytes), [OPTIMIZER]: sha256(optimizerBytes) } };
    await writeFileSynced(path.join(tmp, STATE), JSON.stringify(state, null, 2) + '\n');
    await syncDir(tmp);
    // A checkpoint of this epoch may already exist (a run killed after the rename but before `last`
    // moved, then resumed): move it aside, put the new one in place, then delete the old one.
    let old: string | undefined;
    try {
      await fs.access(target);
      old = `${tmp}-old`;
      await fs.rename(target, old);
    } catch {
      old = undefined;
    }
    await fs.rename(tmp, target);
    if (old) await fs.rm(old, { recursive: true, force: true });
    await syncDir(runDir);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const lastTmp = path.join(runDir, `.${LAST}.tmp`);
  await writeFileSynced(lastTmp, name + '\n');
  await fs.rename(lastTmp, path.join(runDir, LAST));
  await syncDir(runDir);
  if (opts.keepLast !== undefined && opts.keepLast > 0) await prune(runDir, data.state.epoch, opts.keepLast);
  return target;
}

async function prune(runDir: string, current: number, keep: number): Promise<void> {
  const entries = await fs.readdir(runDir);
  for (const e of entries) {
    const m = /^epoch-(\d+)$/.exec(e);
    if (m && Number(m[1]) <= current - keep) await fs.rm(path.join(runDir, e), { recursive: true, force: true });
  }
}

/** The directory `runDir/last` points to, or undefined when there is none. */
export async function lastCheckpoint(runDir: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(runDir, LAST), 'utf8');
  } catch {
    return undefined;
  }
  const name = text.trim();
  if (!/^epoch-\d+$/.test(name)) return undefined;
  const dir = path.join(runDir, name);
  try {
    await fs.access(path.join(dir, STATE));
    return dir;
  } catch {
    return undefined;
  }
}

/** Name of a model's parameter inside a checkpoint: plain for one model, "<model>/<param>" for several. */
export function checkpointParamName(graphs: readonly Graph[], graph: Graph, param: string): string {
  return graphs.length === 1 ? param : `${graph.name}/${param}`;
}

/**
 * Reads a checkpoint and checks it against the model(s): every parameter must be present with the
 * same shape and dtype, and nothing extra may be there. All mismatches are listed (as notes) in
 * one DLM5050 diagnostic. With `sameGraph`, the IR hash must match too (resume refuses a model
 * whose computation changed even when the parameter shapes did not).
 *
 * Each tensor file is checked against the SHA-256 recorded in state.json (DLM5069) and the weights
 * must be finite (DLM5070). With `optimizerOptional` (eval, predict, export: they never use it), a
 * damaged optimizer file is a DLM5071 warning and the result carries an empty optimizer map.
 */
export async function loadCheckpoint(
  dir: string,
  graphs: Graph | readonly Graph[],
  opts: { sameGraph?: boolean; optimizerOptional?: boolean } = {},
): Promise<PhaseResult<CheckpointData | undefined>> {
  const list = Array.isArray(graphs) ? (graphs as readonly Graph[]) : [graphs as Graph];
  const modelName = list.map((g) => g.name).join('+');
  const fail = (d: Diagnostic): PhaseResult<undefined> => ({ result: undefined, diagnostics: [d] });
  const unreadable = (e: unknown, file: string): string =>
    e instanceof SafetensorsError ? `${file} is a corrupt safetensors file: ${e.message}` : e instanceof SyntaxError ? `${STATE} is not valid JSON: ${e.message}` : e instanceof Error ? e.message : String(e);
  let state: CheckpointState;
  try {
    state = JSON.parse(await fs.readFile(path.join(dir, STATE), 'utf8')) as CheckpointState;
  } catch (e) {
    return fail(diag('DLM5051', [dir, unreadable(e, STATE)]));
  }
  if (typeof state !== 'object' || state === null || state.format !== CHECKPOINT_FORMAT || typeof state.epoch !== 'number') {
    return fail(diag('DLM5051', [dir, `${STATE} is not a dlm checkpoint state (format ${CHECKPOINT_FORMAT})`]));
  }
  // Reads one tensor file, verifying its recorded checksum (checkpoints older than checksums have none).
  const readTensors = async (file: string): Promise<{ tensors: Map<string, SafetensorsTensor> } | { problem: Diagnostic; why: string }> => {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await fs.readFile(path.join(dir, file)));
    } catch (e) {
      return { problem: diag('DLM5051', [dir, unreadable(e, file)]), why: unreadable(e, file) };
    }
    const recorded = state.checksums?.[file];
    if (recorded !== undefined) {
      const actual = sha256(bytes);
      if (actual !== recorded) return { problem: diag('DLM5069', [dir, file, actual, recorded]), why: `its SHA-256 does not match the one recorded` };
    }
    try {
      return { tensors: readSafetensors(bytes).tensors };
    } catch (e) {
      return { problem: diag('DLM5051', [dir, unreadable(e, file)]), why: unreadable(e, file) };
    }
  };
  const w = await readTensors(WEIGHTS);
  if ('problem' in w) return fail(w.problem);
  const weights = w.tensors;
  const o = await readTensors(OPTIMIZER);
  const warnings: Diagnostic[] = [];
  let optimizer: Map<string, SafetensorsTensor>;
  if ('problem' in o) {
    if (!opts.optimizerOptional) return fail(o.problem);
    warnings.push(diag('DLM5071', [dir, OPTIMIZER, o.why]));
    optimizer = new Map();
  } else optimizer = o.tensors;
  const notes: DiagnosticNote[] = [];
  const expected = new Set<string>();
  for (const g of list) {
    for (const p of g.params) {
      const key = checkpointParamName(list, g, p.name);
      expected.add(key);
      const t = weights.get(key);
      const want = p.type.shape as number[];
      const wantDtype = p.type.dtype === 'f32' ? 'F32' : p.type.dtype === 'i64' ? 'I64' : 'I32';
      if (!t) notes.push({ message: `missing parameter '${key}' ${formatShape(want)}`, ...(p.span ? { span: p.span } : {}) });
      else if (t.shape.join(',') !== want.join(',') || t.dtype !== wantDtype) {
        notes.push({ message: `parameter '${key}': checkpoint has ${t.dtype}${formatShape(t.shape)}, model has ${wantDtype}${formatShape(want)}`, ...(p.span ? { span: p.span } : {}) });
      }
    }
  }
  for (const [k, t] of weights) if (!expected.has(k)) notes.push({ message: `unexpected parameter '${k}' ${t.dtype}${formatShape(t.shape)} (not in the model)` });
  if (notes.length > 0) {
    const summary = `${notes.length} parameter mismatch${notes.length === 1 ? '' : 'es'}`;
    return { result: undefined, diagnostics: [diag('DLM5050', [dir, modelName, summary], list[0]!.span, notes)] };
  }
  const bad = firstNonFinite(weights);
  if (bad) return fail(diag('DLM5070', [dir, bad.count, bad.name]));
  if (opts.sameGraph) {
    const changed = list.filter((g) => state.irHash?.[g.name] !== irHash(g));
    if (changed.length > 0) {
      const hashNotes = changed.map((g) => ({ message: `model '${g.name}' hashes to ${irHash(g)}, the checkpoint was made from ${state.irHash?.[g.name] ?? 'another model'}` }));
      return { result: undefined, diagnostics: [diag('DLM5050', [dir, modelName, 'the model changed since the checkpoint was written (same parameters, different computation)'], list[0]!.span, hashNotes)] };
    }
  }
  return { result: { weights, optimizer, state }, diagnostics: warnings };
}
