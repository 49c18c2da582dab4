/**
 * `dlm predict`: the trained model keeps its preprocessing (csv standardization statistics live in
 * the checkpoint and are applied to raw rows), and every kind of bad input is a located
 * diagnostic naming the value and the limit, never an internal error.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initializeParams, PluginRegistry } from '@dlm/core';
import { onnx } from '@dlm/onnx';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { CHECKPOINT_FORMAT } from '@dlm/train';
import { irHash, saveCheckpoint } from '@dlm/train/node';
import { dlm, PLUGIN_FIXTURES, tempDir } from './helpers.js';

/** Two features on very different scales; the class is decided by the large one. */
function table(n: number, seed: number): { rows: number[][]; csv: string } {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const big = 1000 + 1000 * rand();
    const small = rand();
    rows.push([big, small, big > 1500 ? 1 : 0]);
  }
  return { rows, csv: 'big,small,label\n' + rows.map((r) => r.join(',')).join('\n') + '\n' };
}

const MODEL = `
model Scaled {
  input x: f32[batch, 2]
  output logits: f32[batch, 2]
  logits = x |> dense(8) |> relu |> dense(2)
}

train Scaled {
  data csv(path: "train.csv", test_path: "test.csv", classes: 2, standardize: true, batch: 16)
  loss cross_entropy
  optimizer adam(lr: 0.05)
  epochs 3
  seed 1
}
`;

type Outputs = Record<string, { shape: number[]; data: number[] }>;

describe('dlm predict keeps the training preprocessing', () => {
  it('a raw CSV row predicts what the row standardized by hand predicts', async () => {
    const train = table(96, 3);
    const dir = tempDir({ 'scaled.dlm': MODEL, 'train.csv': train.csv, 'test.csv': table(16, 9).csv });
    const t = await dlm(['train', 'scaled.dlm', '--backend', 'cpu', '--run-dir', 'run'], dir);
    expect(t.code, t.stderr).toBe(0);

    // The statistics of the train split, computed independently of the csv dataset.
    const mean = [0, 1].map((f) => train.rows.reduce((a, r) => a + r[f]!, 0) / train.rows.length);
    const std = [0, 1].map((f) => Math.sqrt(train.rows.reduce((a, r) => a + (r[f]! - mean[f]!) ** 2, 0) / train.rows.length));
    const lastDir = readFileSync(join(dir, 'run', 'last'), 'utf8').trim();
    const state = JSON.parse(readFileSync(join(dir, 'run', lastDir, 'state.json'), 'utf8')) as { preprocessing?: { standardize?: { mean: number[]; std: number[] } } };
    for (let f = 0; f < 2; f++) {
      expect(state.preprocessing?.standardize?.mean[f]).toBeCloseTo(mean[f]!, 3);
      expect(state.preprocessing?.standardize?.std[f]).toBeCloseTo(std[f]!, 3);
    }

    const raw = [[1100, 0.5], [1900, 0.2], [1480, 0.9], [1530, 0.1]];
    writeFileSync(join(dir, 'raw.json'), JSON.stringify(raw));
    writeFileSync(join(dir, 'byhand.json'), JSON.stringify(raw.map((r) => r.map((v, f) => (v - mean[f]!) / std[f]!))));
    const fromRaw = await dlm(['predict', 'scaled.dlm', '--backend', 'cpu', '--checkpoint', 'run', '--input', 'raw.json', '--json'], dir);
    expect(fromRaw.code, fromRaw.stderr).toBe(0);
    const byHand = await dlm(['predict', 'scaled.dlm', '--backend', 'cpu', '--checkpoint', 'run', '--input', 'byhand.json', '--json', '--no-preprocessing'], dir);
    expect(byHand.code, byHand.stderr).toBe(0);
    const a = (JSON.parse(fromRaw.stdout) as Outputs)['logits']!.data;
    const b = (JSON.parse(byHand.stdout) as Outputs)['logits']!.data;
    expect(a).toHaveLength(8);
    a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 4));
    // The printed classes agree too, and the raw rows are not fed unscaled (that would differ).
    const classes = async (file: string, extra: string[]) =>
      [...(await dlm(['predict', 'scaled.dlm', '--backend', 'cpu', '--checkpoint', 'run', '--input', file, ...extra], dir)).stdout.matchAll(/class (\d)/g)].map((m) => m[1]);
    expect(await classes('raw.json', [])).toEqual(await classes('byhand.json', ['--no-preprocessing']));
    const unscaled = await dlm(['predict', 'scaled.dlm', '--backend', 'cpu', '--checkpoint', 'run', '--input', 'raw.json', '--json', '--no-preprocessing'], dir);
    expect((JSON.parse(unscaled.stdout) as Outputs)['logits']!.data).not.toEqual(a);

    // The export puts the standardization in front of the model as Sub/Div (and says so in the
    // metadata); --no-preprocessing leaves it out.
    const x = await dlm(['export', 'scaled.dlm', '--checkpoint', 'run', '-o', 'with.onnx'], dir);
    expect(x.code, x.stderr).toBe(0);
    expect(x.stdout).toContain('input preprocessing (standardize) included');
    const withPrep = onnx.ModelProto.decode(readFileSync(join(dir, 'with.onnx')));
    expect(withPrep.graph!.node!.slice(0, 2).map((n) => n.opType)).toEqual(['Sub', 'Div']);
    const meta = JSON.parse(withPrep.metadataProps.find((m) => m.key === 'preprocessing')!.value!) as { sub: number[]; div: number[] };
    meta.sub.forEach((v, f) => expect(v).toBeCloseTo(mean[f]!, 3));
    meta.div.forEach((v, f) => expect(v).toBeCloseTo(std[f]!, 3));
    const y = await dlm(['export', 'scaled.dlm', '--checkpoint', 'run', '-o', 'without.onnx', '--no-preprocessing'], dir);
    expect(y.code, y.stderr).toBe(0);
    const without = onnx.ModelProto.decode(readFileSync(join(dir, 'without.onnx')));
    expect(without.graph!.node!.map((n) => n.opType)).not.toContain('Sub');
    expect(without.metadataProps.map((m) => m.key)).not.toContain('preprocessing');
  }, 120_000);
});

const IDS_MODEL = `
model Ids {
  input tokens: i32[batch, 3]
  output score: f32[batch, 1]
  score = tokens |> embedding(10, 4) |> flatten |> dense(1)
}
`;

const POINTS_MODEL = `
model Points {
  input x: f32[batch, 2]
  output y: f32[batch, 1]
  y = x |> dense(1)
}
`;

/** A checkpoint of freshly initialized weights (what is checked here is the input, not training). */
async function checkpointFor(dir: string, file: string): Promise<void> {
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  const graph = compileFile(join(dir, file), { registry }).program.models[0]!;
  const weights = new Map([...initializeParams(graph, 7)].map(([k, v]) => [k, { dtype: 'F32' as const, shape: graph.params.find((p) => p.name === k)!.type.shape as number[], data: v }]));
  const state = { format: CHECKPOINT_FORMAT, model: graph.name, irHash: { [graph.name]: irHash(graph) }, epoch: 1, step: 1, rng: { seed: 0, counter: 0 }, history: [], optimizer: { name: 'sgd', args: {} } };
  await saveCheckpoint(join(dir, 'run'), { weights, optimizer: new Map(), state });
}

describe('dlm predict refuses bad inputs with a diagnostic', () => {
  const cases: [string, string, string, RegExp][] = [
    ['points', '[[1, 2], [3, 1e400]]', 'DLM9021', /'in\.json' holds Infinity at \[1\]\[1\], which is not a finite number/],
    ['points', '[[1, 2], [3]]', 'DLM9020', /'in\.json' is ragged: \[1\] has 1 entries, but \[0\] has 2 entries/],
    ['points', '[[1, 2], 3]', 'DLM9020', /\[1\] has the value 3, but \[0\] has a list of 2/],
    ['points', '[[1, 2, 3]]', 'DLM9022', /'in\.json' has shape \[1, 3\], but model 'Points' input 'x' takes \[batch, 2\]/],
    ['points', '[1, 2]', 'DLM9022', /has shape \[2\], but model 'Points' input 'x' takes \[batch, 2\]/],
    ['points', '[["a", 2]]', 'DLM9023', /holds "a" at \[0\]\[0\], but model 'Points' input 'x' takes numbers/],
    ['ids', '[[1, 2.5, 3]]', 'DLM9023', /holds 2\.5 at \[0\]\[1\], but model 'Ids' input 'tokens' takes integer ids/],
    ['ids', '[[1, 2, 10]]', 'DLM5020', /Input 'tokens' holds the id 10 \(at flat position 2\), outside the vocabulary of 10 .*ids must be 0\.\.9/],
    ['ids', '[[-1, 2, 3]]', 'DLM5020', /holds the id -1 \(at flat position 0\)/],
  ];
  it.each(cases)('%s: %s → %s', async (kind, json, code, message) => {
    const file = kind === 'ids' ? 'ids.dlm' : 'points.dlm';
    const dir = tempDir({ [file]: kind === 'ids' ? IDS_MODEL : POINTS_MODEL, 'in.json': json });
    await checkpointFor(dir, file);
    const r = await dlm(['predict', file, '--backend', 'cpu', '--checkpoint', 'run', '--input', 'in.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error[${code}]`);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/internal error|at .*\.ts:\d+/i);
  }, 60_000);

  it('the same inputs, well formed, predict', async () => {
    const dir = tempDir({ 'ids.dlm': IDS_MODEL, 'in.json': '[[0, 5, 9], [1, 1, 1]]' });
    await checkpointFor(dir, 'ids.dlm');
    const r = await dlm(['predict', 'ids.dlm', '--backend', 'cpu', '--checkpoint', 'run', '--input', 'in.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(2);
  }, 60_000);
});

describe('dlm predict opens the dataset as dlm train does', () => {
  it("a relative path in the train block is relative to the .dlm file, not the working directory (the class names come from it)", async () => {
    const named = (r: number[]) => `${r[0]},${r[1]},${r[2] === 1 ? 'large' : 'small'}`;
    const rows = table(64, 5).rows;
    const csv = 'big,small,label\n' + rows.map(named).join('\n') + '\n';
    const file = MODEL.replace('test_path: "test.csv", classes: 2, ', '');
    const dir = tempDir({ 'model/names.dlm': file, 'model/train.csv': csv, 'elsewhere/row.json': JSON.stringify([rows[0]!.slice(0, 2)]) });
    const cwd = join(dir, 'elsewhere');
    const t = await dlm(['train', '../model/names.dlm', '--backend', 'cpu', '--run-dir', 'run', '--epochs', '1'], cwd);
    expect(t.code, t.stderr).toBe(0);
    const p = await dlm(['predict', '../model/names.dlm', '--backend', 'cpu', '--checkpoint', 'run', '--input', 'row.json'], cwd);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toMatch(/^row\.json: class [01] \((large|small)\) {2}\[(large|small) \d+\.\d%, (large|small) \d+\.\d%\]$/m);
  }, 60_000);
});

describe('dlm eval gives the dataset the context dlm train gives it', () => {
  it('--mirror and --cache-dir reach the dataset, and its base directory is the .dlm file’s', async () => {
    const file = `${POINTS_MODEL}
train Points {
  data where_from(batch: 4)
  loss mse
  optimizer sgd(lr: 0.1)
  epochs 1
}
`;
    const dir = tempDir({ 'model/wf.dlm': file });
    await checkpointFor(join(dir, 'model'), 'wf.dlm');
    const plugin = join(PLUGIN_FIXTURES, 'where-from.mjs');
    const cache = join(dir, 'cache');
    const r = await dlm(['eval', 'model/wf.dlm', '--plugin', plugin, '--checkpoint', 'model/run', '--mirror', 'http://127.0.0.1:9/', '--cache-dir', cache, '--backend', 'cpu'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`opened with mirror=http://127.0.0.1:9/ cacheDir=${cache} baseDir=${join(dir, 'model')}`);
  }, 60_000);

  it('a dataset that fails to open is named, with what the command was doing (evaluating, not training)', async () => {
    const dir = tempDir({ 'model/wf.dlm': WHERE_FROM_MODEL });
    await checkpointFor(join(dir, 'model'), 'wf.dlm');
    const r = await dlm(['eval', 'model/wf.dlm', '--plugin', join(PLUGIN_FIXTURES, 'where-from.mjs'), '--checkpoint', 'model/run', '--backend', 'cpu'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error\[DLM5060\]: dataset 'where_from' failed while evaluating: opened with .* \(opening the test split\)$/m);
    expect(r.stderr).not.toContain("'?'");
    const t = await dlm(['train', 'model/wf.dlm', '--plugin', join(PLUGIN_FIXTURES, 'where-from.mjs'), '--run-dir', 'run2', '--backend', 'cpu'], dir);
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/^error\[DLM5060\]: dataset 'where_from' failed while training: opened with .* \(opening the train split\)$/m);
  }, 60_000);

  it('a relative --cache-dir is relative to the working directory, in train as in eval', async () => {
    const dir = tempDir({ 'model/wf.dlm': WHERE_FROM_MODEL });
    await checkpointFor(join(dir, 'model'), 'wf.dlm');
    const plugin = join(PLUGIN_FIXTURES, 'where-from.mjs');
    const e = await dlm(['eval', 'model/wf.dlm', '--plugin', plugin, '--checkpoint', 'model/run', '--cache-dir', 'my-cache', '--backend', 'cpu'], dir);
    expect(e.stderr).toContain(`cacheDir=${join(dir, 'my-cache')} `);
    const t = await dlm(['train', 'model/wf.dlm', '--plugin', plugin, '--run-dir', 'run2', '--cache-dir', 'my-cache', '--backend', 'cpu'], dir);
    expect(t.code).toBe(1);
    expect(t.stderr).toContain(`cacheDir=${join(dir, 'my-cache')} `);
  }, 60_000);
});

const WHERE_FROM_MODEL = `${POINTS_MODEL}
train Points {
  data where_from(batch: 4)
  loss mse
  optimizer sgd(lr: 0.1)
  epochs 1
}
`;
