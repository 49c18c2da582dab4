/**
 * Every command in-process through runCli with captured output. Text outputs are golden files
 * (UPDATE_GOLDEN=1 rewrites them): the summary of every example, `dlm check` of a file with
 * several errors (code frames), `dlm fmt` of a messy file, Mermaid of two examples.
 */
import { readdirSync, readFileSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromJSON, initializeParams, PluginRegistry } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { CHECKPOINT_FORMAT } from '@dlm/train';
import { irHash, saveCheckpoint } from '@dlm/train/node';

function stdRegistry(): PluginRegistry {
  const r = new PluginRegistry();
  r.register(stdPlugin);
  return r;
}
import { onnx } from '@dlm/onnx';
import { dlm, expectGolden, EXTRAS_DIR, REPO_ROOT, tempDir } from './helpers.js';

function dlmFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === 'node_modules' || f === 'dist' ? [] : dlmFiles(p);
    return f.endsWith('.dlm') ? [p] : [];
  });
}

const EXAMPLES = dlmFiles(join(REPO_ROOT, 'examples')).sort();

describe('dlm summary', () => {
  it('finds the examples, including the plugin example', () => {
    expect(EXAMPLES.map((f) => relative(REPO_ROOT, f))).toContain('examples/plugins/dlm-plugin-extras/examples/stripes.dlm');
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(7);
  });

  it.each(EXAMPLES.map((f) => [relative(REPO_ROOT, f), f] as const))('%s (golden)', async (_rel, file) => {
    // Run from the example's folder, so its dlm.config.json (if any) names its plugins.
    const dir = join(file, '..');
    const r = await dlm(['summary', basename(file)], dir);
    expect(r.stderr.replace(/warning\[[^\n]*\n/g, '')).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expectGolden(`summary/${basename(file, '.dlm')}.txt`, r.stdout);
  });

  it('--json and --model', async () => {
    const r = await dlm(['summary', 'examples/gan/dcgan.dlm', '--json', '--model', 'Generator']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as { model: string; totalParams: number };
    expect(s.model).toBe('Generator');
    expect(s.totalParams).toBeGreaterThan(0);
    const missing = await dlm(['summary', 'examples/gan/dcgan.dlm', '--model', 'Nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no model 'Nope' in the file; it has /);
  });
});

describe('dlm check', () => {
  it('is silent with exit 0 on clean files', async () => {
    const r = await dlm(['check', 'examples/mlp/mlp.dlm', 'examples/mnist/mnist_cnn.dlm']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('reports every error of a broken file at once, with code frames (golden)', async () => {
    const r = await dlm(['check', 'apps/cli/test/fixtures/bad.dlm']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectGolden('check-bad.txt', r.stderr);
    expect(r.stderr).toContain("Unknown layer 'flaten'");
    expect(r.stderr).toMatch(/hiden/);
    expect(r.stderr).toMatch(/DLM3003/);
    expect(r.stderr).toMatch(/\n {2}--> apps\/cli\/test\/fixtures\/bad\.dlm:9:\d+\n/);
  });

  it('colours only on request', async () => {
    const plain = await dlm(['check', 'apps/cli/test/fixtures/bad.dlm']);
    expect(plain.stderr).not.toContain('\x1b[');
    const color = await dlm(['check', 'apps/cli/test/fixtures/bad.dlm', '--color']);
    expect(color.stderr).toContain('\x1b[');
  });

  it('a missing file is a diagnostic, not a crash', async () => {
    const r = await dlm(['check', 'nowhere.dlm']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nowhere\.dlm/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe('dlm compile', () => {
  it('prints IR JSON that reads back, and writes it with -o', async () => {
    const r = await dlm(['compile', 'examples/mlp/mlp.dlm']);
    expect(r.code).toBe(0);
    const program = fromJSON(r.stdout);
    expect(program.models.map((m) => m.name)).toEqual(['Mlp']);
    expect(program.trainings[0]!.optimizer.name).toBe('sgd');
    const dir = tempDir();
    const w = await dlm(['compile', join(REPO_ROOT, 'examples/mlp/mlp.dlm'), '-o', 'mlp.ir.json'], dir);
    expect(w.code).toBe(0);
    // Same program; only the source file names in spans differ (relative vs absolute path).
    const written = fromJSON(readFileSync(join(dir, 'mlp.ir.json'), 'utf8'));
    expect(written.models[0]!.nodes.map((n) => n.op)).toEqual(program.models[0]!.nodes.map((n) => n.op));
    expect(written.models[0]!.params.map((p) => p.name)).toEqual(program.models[0]!.params.map((p) => p.name));
  });

  it('keeps which plugin made each layer', async () => {
    const r = await dlm(['compile', 'stripes.dlm'], join(EXTRAS_DIR, 'examples'));
    expect(r.code).toBe(0);
    const g = fromJSON(r.stdout).models[0]!;
    expect(g.layers.filter((l) => l.plugin === 'dlm-plugin-extras').map((l) => l.kind)).toEqual(['swish', 'squeeze_excite']);
  });
});

describe('dlm fmt', () => {
  it('--stdout prints the canonical layout (golden) and is idempotent', async () => {
    const r = await dlm(['fmt', 'apps/cli/test/fixtures/messy.dlm', '--stdout']);
    expect(r.code).toBe(0);
    expectGolden('fmt-messy.dlm', r.stdout);
    const dir = tempDir({ 'f.dlm': r.stdout });
    expect(await dlm(['fmt', 'f.dlm', '--check'], dir)).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('--check reports unformatted files; plain fmt rewrites them in place', async () => {
    const dir = tempDir({ 'm.dlm': readFileSync(join(REPO_ROOT, 'apps/cli/test/fixtures/messy.dlm'), 'utf8') });
    const check = await dlm(['fmt', 'm.dlm', '--check'], dir);
    expect(check).toEqual({ code: 1, stdout: 'm.dlm: not formatted\n', stderr: '' });
    const fix = await dlm(['fmt', 'm.dlm'], dir);
    expect(fix).toEqual({ code: 0, stdout: 'formatted m.dlm\n', stderr: '' });
    expect((await dlm(['fmt', 'm.dlm', '--check'], dir)).code).toBe(0);
  });

  it('every example is formatted', async () => {
    const r = await dlm(['fmt', '--check', ...EXAMPLES.map((f) => relative(REPO_ROOT, f))]);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('dlm export', () => {
  it('writes an ONNX model with the plugin layers lowered to standard ONNX ops', async () => {
    const dir = tempDir();
    const out = join(dir, 'stripes.onnx');
    const r = await dlm(['export', 'stripes.dlm', '--initial', '-o', out], join(EXTRAS_DIR, 'examples'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*stripes\.onnx \(StripesSeNet, opset 17, initial weights \(seed 0\), [\d,]+ bytes\)\n$/);
    const model = onnx.ModelProto.decode(readFileSync(out));
    const ops = new Set(model.graph!.node!.map((n) => n.opType));
    for (const op of ['Conv', 'Sigmoid', 'Mul', 'GlobalAveragePool', 'Gemm', 'Reshape', 'MaxPool']) expect(ops.has(op), op).toBe(true);
    expect(model.graph!.input!.map((v) => v.name)).toEqual(['image']);
  });

  it('never exports untrained weights silently: no run and no --initial is an error; a run is used and named', async () => {
    const dir = tempDir();
    const mlp = join(REPO_ROOT, 'examples/mlp/mlp.dlm');
    const none = await dlm(['export', mlp, '-o', 'm.onnx'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/has no checkpoint in .*runs\/\w+: give --checkpoint DIR for trained weights, or --initial/);
    expect(existsSync(join(dir, 'm.onnx'))).toBe(false);
    const both = await dlm(['export', mlp, '--initial', '--checkpoint', 'x', '-o', 'm.onnx'], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--checkpoint and --initial exclude each other');
    // A run of the model in runs/<model>: its latest checkpoint is used and named.
    const graph = compileFile(mlp, { registry: stdRegistry() }).program.models[0]!;
    const weights = new Map([...initializeParams(graph, 3)].map(([k, v]) => [k, { dtype: 'F32' as const, shape: graph.params.find((p) => p.name === k)!.type.shape as number[], data: v }]));
    const state = { format: CHECKPOINT_FORMAT, model: graph.name, irHash: { [graph.name]: irHash(graph) }, epoch: 4, step: 4, rng: { seed: 0, counter: 0 }, history: [], optimizer: { name: 'sgd', args: {} } };
    await saveCheckpoint(join(dir, 'runs', 'mlp'), { weights, optimizer: new Map(), state });
    const used = await dlm(['export', mlp, '-o', 'm.onnx'], dir);
    expect(used.code, used.stderr).toBe(0);
    expect(used.stderr).toMatch(/^no --checkpoint given: using the latest checkpoint of .*runs\/mlp \(.*runs\/mlp\/epoch-4\)\n$/);
    expect(used.stdout).toMatch(/runs\/mlp\/epoch-4/);
  });

  it('refuses a bad opset and a file with errors, writing nothing', async () => {
    const dir = tempDir();
    const bad = await dlm(['export', join(REPO_ROOT, 'examples/mlp/mlp.dlm'), '--opset', 'x'], dir);
    expect(bad.code).toBe(2);
    const broken = await dlm(['export', join(REPO_ROOT, 'apps/cli/test/fixtures/bad.dlm'), '-o', 'bad.onnx'], dir);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/has errors; nothing was done/);
    expect(existsSync(join(dir, 'bad.onnx'))).toBe(false);
  });
});

describe('dlm train', () => {
  it('trains the plugin example (image_folder, lion, max_norm, random_brightness) and writes its report', async () => {
    const runDir = tempDir();
    // The data path in the train block is relative to the .dlm file, and its plugins come from the
    // dlm.config.json next to it, wherever dlm runs from.
    const file = join(EXTRAS_DIR, 'examples/stripes.dlm');
    const args = ['train', file, '--backend', 'cpu', '--epochs', '2', '--limit', '8', '--limit-test', '4', '--run-dir', runDir];
    const r = await dlm(args, REPO_ROOT);
    expect(r.stderr, r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/training StripesSeNet on cpu: 8 samples, batch 4, epochs 1\.\.2/);
    const losses = [...r.stderr.matchAll(/^epoch \d\/2 +loss ([\d.e-]+)/gm)].map((m) => Number(m[1]));
    expect(losses).toHaveLength(2);
    for (const l of losses) expect(Number.isFinite(l)).toBe(true);
    for (const f of ['report.html', 'loss.svg', 'last']) expect(existsSync(join(runDir, f)), f).toBe(true);
  }, 60_000);

  it('train → eval → predict → export through the run directory’s `last` pointer, as the README shows', async () => {
    const runDir = tempDir();
    const out = tempDir();
    const t = await dlm(['train', 'examples/mlp/mlp.dlm', '--backend', 'cpu', '--epochs', '2', '--run-dir', runDir]);
    expect(t.stderr, t.stderr).not.toMatch(/error/);
    expect(t.code).toBe(0);
    const last = join(runDir, 'last');
    const e = await dlm(['eval', 'examples/mlp/mlp.dlm', '--backend', 'cpu', '--checkpoint', last]);
    expect(e.stderr, e.stderr).not.toMatch(/error/);
    expect(e.stdout).toMatch(/^test: 80 samples, loss [\d.]+, accuracy [\d.]+ \(checkpoint .*epoch-2\)/m);
    writeFileSync(join(out, 'points.json'), JSON.stringify([[0.5, 0.25], [-1, 0.75]]));
    const p = await dlm(['predict', 'examples/mlp/mlp.dlm', '--backend', 'cpu', '--checkpoint', last, '--input', join(out, 'points.json')]);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout.trim().split('\n')).toHaveLength(2);
    // The output folder does not exist yet: export creates it, as every other command does.
    const onnxFile = join(out, 'models', 'mlp.onnx');
    const x = await dlm(['export', 'examples/mlp/mlp.dlm', '--checkpoint', last, '-o', onnxFile]);
    expect(x.code, x.stderr).toBe(0);
    expect(existsSync(onnxFile)).toBe(true);
    const missing = await dlm(['eval', 'examples/mlp/mlp.dlm', '--backend', 'cpu', '--checkpoint', join(out, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('error[DLM5055]: No checkpoint in');
  }, 60_000);
});

describe('dlm diagram', () => {
  it('draws the MLP (golden)', async () => {
    const r = await dlm(['diagram', 'examples/mlp/mlp.dlm']);
    expect(r.code).toBe(0);
    expectGolden('diagram-mlp.mmd', r.stdout);
  });

  it('draws the plugin example with the plugin’s labels and class (golden)', async () => {
    const r = await dlm(['diagram', 'stripes.dlm'], join(EXTRAS_DIR, 'examples'));
    expect(r.code).toBe(0);
    expectGolden('diagram-stripes.mmd', r.stdout);
    expect(r.stdout).toContain('squeeze-excite r=2');
    expect(r.stdout).toContain(':::attention');
  });

  it('writes Markdown with -o', async () => {
    const dir = tempDir();
    const r = await dlm(['diagram', join(REPO_ROOT, 'examples/mlp/mlp.dlm'), '-o', 'mlp.md'], dir);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'mlp.md'), 'utf8')).toMatch(/```mermaid\n[\s\S]*flowchart/);
  });

  it('checks its options', async () => {
    expect((await dlm(['diagram', 'examples/mlp/mlp.dlm', '--format', 'gif'])).code).toBe(2);
    expect((await dlm(['diagram', 'examples/mlp/mlp.dlm', '--format', 'svg'])).stderr).toContain('--format svg needs an output file (-o FILE, or -o - for stdout)');
  });
});

describe('dlm plugins and usage', () => {
  it('lists every kind with the registering plugin', async () => {
    const r = await dlm(['plugins']);
    expect(r.code).toBe(0);
    for (const kind of ['layers', 'datasets', 'optimizers', 'schedules', 'regularizers', 'losses', 'metrics']) {
      expect(r.stdout).toMatch(new RegExp(`^${kind} \\(\\d+\\):$`, 'm'));
    }
    expect(r.stdout).toMatch(/^ {2}dense +@dlm\/plugin-std +Fully connected layer/m);
    expect(r.stdout).toMatch(/^ {2}adam +@dlm\/plugin-std /m);
  });

  it('unknown commands and options get a suggestion and exit 2', async () => {
    const r = await dlm(['chek', 'x.dlm']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: unknown command 'chek'. Did you mean 'check'?");
    const o = await dlm(['summary', 'x.dlm', '--jsn']);
    expect(o.code).toBe(2);
    expect(o.stderr).toContain("Did you mean '--json'?");
    const none = await dlm(['check']);
    expect(none.code).toBe(2);
  });
});
