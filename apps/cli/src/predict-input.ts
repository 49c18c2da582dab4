/**
 * JSON inputs of `dlm predict`: read, checked against the model's input (rectangular, finite,
 * the right shape and kind of number) and preprocessed as the training data was (a trained
 * model keeps its `csv(standardize: true)` statistics in the checkpoint). Every problem is a
 * located diagnostic naming the value and the limit, never an "internal error".
 */
import { diag, formatShape, type Diagnostic, type Graph } from '@dlm/core';
import type { Preprocessing } from '@dlm/train';

export interface InputBatch {
  data: Float32Array | Int32Array;
  shape: number[];
}

type Checked = { batch: InputBatch; diagnostics: [] } | { batch?: undefined; diagnostics: Diagnostic[] };

/** Where a value sits in the nested array, as `[i][j]`. */
function at(path: readonly number[]): string {
  return path.map((i) => `[${i}]`).join('') || 'the top level';
}

/**
 * Turns a parsed JSON value (`name` is the file, for messages) into the batch for the model's one
 * input, applying `prep.standardize` to raw feature rows.
 */
export function jsonInputBatch(name: string, value: unknown, graph: Graph, prep: Preprocessing | undefined): Checked {
  const input = graph.inputs[0]!;
  const fail = (d: Diagnostic): Checked => ({ diagnostics: [d] });
  const integer = input.type.dtype === 'i32' || input.type.dtype === 'i64';

  // The shape is that of the first element at every depth; everything else must agree with it.
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  if (shape.length === 0 || shape.includes(0)) {
    return fail(diag('DLM9022', [name, shape.length === 0 ? 'no array' : formatShape(shape), graph.name, input.name, formatShape(input.type.shape)]));
  }
  const flat: number[] = [];
  const walk = (v: unknown, depth: number, path: number[]): Diagnostic | undefined => {
    if (depth === shape.length) {
      if (typeof v !== 'number') {
        if (Array.isArray(v)) return diag('DLM9020', [name, at(path), `a list of ${v.length}`, at(path.map(() => 0)), 'a number']);
        return diag('DLM9023', [name, JSON.stringify(v), at(path), graph.name, input.name, integer ? 'integer ids' : 'numbers']);
      }
      if (!Number.isFinite(v)) return diag('DLM9021', [name, String(v), at(path)]);
      if (integer && !Number.isInteger(v)) return diag('DLM9023', [name, String(v), at(path), graph.name, input.name, 'integer ids']);
      flat.push(v);
      return undefined;
    }
    if (!Array.isArray(v)) return diag('DLM9020', [name, at(path), `the value ${JSON.stringify(v)}`, at(path.map(() => 0)), `a list of ${shape[depth]}`]);
    if (v.length !== shape[depth]) return diag('DLM9020', [name, at(path), `${v.length} entries`, at(path.map(() => 0)), `${shape[depth]} entries`]);
    for (let i = 0; i < v.length; i++) {
      const d = walk(v[i], depth + 1, [...path, i]);
      if (d) return d;
    }
    return undefined;
  };
  const bad = walk(value, 0, []);
  if (bad) return fail(bad);

  const want = input.type.shape;
  const fits = shape.length === want.length && want.every((d, i) => i === 0 || typeof d !== 'number' || d === shape[i]);
  if (!fits) return fail(diag('DLM9022', [name, formatShape(shape), graph.name, input.name, formatShape(want)]));

  if (integer) return { batch: { data: Int32Array.from(flat), shape }, diagnostics: [] };
  const data = Float32Array.from(flat);
  const std = prep?.standardize;
  const features = shape[shape.length - 1]!;
  if (std && std.mean.length === features) {
    for (let i = 0; i < data.length; i++) data[i] = (data[i]! - std.mean[i % features]!) / std.std[i % features]!;
  }
  return { batch: { data, shape }, diagnostics: [] };
}
