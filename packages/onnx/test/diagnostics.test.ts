/** Bad input: every problem reported at once, located, and nothing produced. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, type Graph } from '@dlm/core';
import { buildModel, checkWeights, exportOnnx, writeOnnxFile } from '../src/index.js';
import { danglingValues } from '../src/invariants.js';
import { TestGraph } from './helpers/build.js';
import { mlp } from './helpers/models.js';
import { randomWeights } from './helpers/run.js';

function twoLayerNorms(): Graph {
  const g = new TestGraph('Norms', 'norms.dlm');
  let x = g.input('x', ['batch', 8]);
  x = g.layerNorm(x);
  x = g.op('Relu', [x])[0]!;
  x = g.layerNorm(x);
  g.output('y', x);
  return g.finish();
}

describe('opset', () => {
  it.each([9, 12, 18, 99])('rejects opset %i with DLM6001 and produces nothing', (opset) => {
    const g = mlp();
    const r = exportOnnx(g, randomWeights(g), { opset });
    expect(r.result).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM6001']);
    expect(r.diagnostics[0]!.message).toBe(`ONNX opset ${opset} is not supported; dlm exports opsets 13–17 (default 17).`);
  });

  it('defaults to opset 17', () => {
    const g = twoLayerNorms();
    expect(exportOnnx(g, randomWeights(g)).diagnostics).toEqual([]);
  });
});

describe('feasibility pass', () => {
  it('lists every node that needs a newer opset, with its span and the opset it needs', () => {
    const g = twoLayerNorms();
    const r = exportOnnx(g, randomWeights(g), { opset: 16 });
    expect(r.result).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.message, d.span?.line])).toEqual([
      ['DLM6003', "Op 'LayerNormalization' (node 'layer_norm_1/layernormalization') needs ONNX opset 17 or newer, but the export targets opset 16.", 3],
      ['DLM6003', "Op 'LayerNormalization' (node 'layer_norm_2/layernormalization') needs ONNX opset 17 or newer, but the export targets opset 16.", 5],
    ]);
    const text = formatDiagnostics(r.diagnostics, { sources: { 'norms.dlm': 'model Norms {\n  input x\n  layer_norm\n  relu\n  layer_norm\n}\n' } });
    expect(text).toContain('--> norms.dlm:5:3\n  |\n5 |   layer_norm');
  });

  it('reports Trilu (a causal mask) at opset 13, where ONNX has no Trilu, at its node', () => {
    const g = new TestGraph('Causal', 'causal.dlm');
    const x = g.input('scores', ['batch', 'time', 'time']);
    g.output('y', g.op('Trilu', [x])[0]!);
    const graph = g.finish();
    const r = exportOnnx(graph, randomWeights(graph), { opset: 13 });
    expect(r.result).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.message, d.span?.line])).toEqual([
      ['DLM6003', "Op 'Trilu' (node 'trilu_1/trilu') needs ONNX opset 14 or newer, but the export targets opset 13.", 3],
    ]);
    expect(exportOnnx(graph, randomWeights(graph), { opset: 14 }).diagnostics).toEqual([]);
  });

  it('lists every op without a lowering, together with opset problems, and builds nothing', () => {
    const g = twoLayerNorms();
    // An op no lowering knows (as a future core op or a plugin bug would produce).
    const relu = g.nodes.find((n) => n.op === 'Relu')!;
    const bad: Graph = { ...g, nodes: g.nodes.map((n) => (n === relu ? { ...n, op: 'Softplus' } : n)) };
    const r = exportOnnx(bad, randomWeights(g), { opset: 13 });
    expect(r.result).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM6003', 'DLM6002', 'DLM6003']);
    expect(r.diagnostics[1]!.message).toBe("Op 'Softplus' (node 'relu_1/relu') has no ONNX lowering, so model 'Norms' cannot be exported.");
    expect(r.diagnostics[1]!.span?.line).toBe(4);
  });

  it('batch-first recurrent layout needs opset 14', () => {
    const g = new TestGraph('Lstm');
    const x = g.input('x', ['batch', 'time', 3]);
    g.output('y', g.recurrent('LSTM', x, 4, { outputs: 1 })[0]!);
    const graph = g.finish();
    const r = exportOnnx(graph, randomWeights(graph), { opset: 13, recurrentLayout: 'batch-first' });
    expect(r.diagnostics.map((d) => d.message)).toEqual(["Op 'LSTM' (node 'lstm_1/lstm') needs ONNX opset 14 or newer, but the export targets opset 13."]);
    expect(exportOnnx(graph, randomWeights(graph), { opset: 13 }).diagnostics).toEqual([]);
  });

  it('an AveragePool counting padding in a ceil_mode window ONNX ≤ 18 sizes differently needs opset 19', () => {
    const g = new TestGraph('AvgCeil');
    const x = g.input('x', ['batch', 1, 5, 7]);
    g.output('y', g.op('AveragePool', [x], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 0, 1, 0], ceil_mode: 1, count_include_pad: 1 })[0]!);
    const graph = g.finish();
    expect(exportOnnx(graph, new Map()).diagnostics.map((d) => d.message)).toEqual([
      "Op 'AveragePool' (node 'averagepool_1/averagepool') needs ONNX opset 19 or newer, but the export targets opset 17.",
    ]);
  });

  it('reports attribute values ONNX cannot express (DLM6004)', () => {
    const g = new TestGraph('Up');
    const x = g.input('x', ['batch', 1, 2, 2]);
    g.output('y', g.op('Resize', [x], { scales: [1, 1, 2, 2], mode: 'linear' })[0]!);
    const graph = g.finish();
    const node = graph.nodes[0]!;
    const bad: Graph = { ...graph, nodes: [{ ...node, attrs: { ...node.attrs, mode: 'cubic' } }] };
    expect(exportOnnx(bad, new Map()).diagnostics.map((d) => d.message)).toEqual([
      "Op 'Resize' (node 'resize_1/resize') cannot be exported to ONNX: attribute mode must be one of 'nearest', 'linear', got \"cubic\"",
    ]);
  });

  it('reports a value nothing produces (a malformed graph) instead of writing a dangling edge', () => {
    const g = mlp();
    const bad: Graph = { ...g, nodes: g.nodes.map((n, i) => (i === 1 ? { ...n, inputs: ['nowhere'] } : n)) };
    const r = exportOnnx(bad, randomWeights(g));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM6009']);
  });
});

describe('internal invariant: no dangling edges in the built graph (DLM6010)', () => {
  it('a graph output that no node produces (accepted by the ONNX checker 1.12) is named and located, and nothing is encoded', () => {
    const g = mlp();
    const bad: Graph = { ...g, outputs: [...g.outputs, { name: 'ghost', type: g.outputs[0]!.type }] };
    const r = exportOnnx(bad, randomWeights(g));
    expect(r.result).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM6010']);
    expect(r.diagnostics[0]!.message).toBe(
      "Internal error in the ONNX export of model 'Mlp': graph output 'ghost' is produced by no node, initializer or graph input; nothing was written. This is a bug in dlm, please report it.",
    );
    expect(r.diagnostics[0]!.span).toEqual(g.span);
    // The same graph without the ghost exports.
    expect(exportOnnx(g, randomWeights(g)).result).toBeInstanceOf(Uint8Array);
  });

  it('a node input that nothing produces is located at the IR node it was lowered from', () => {
    const g = mlp();
    const model = buildModel(g, randomWeights(g)).result!;
    const graph = model.graph!;
    const relu = graph.node!.find((n) => n.opType === 'Relu')!;
    relu.input = ['lost'];
    const irRelu = g.nodes.find((n) => n.op === 'Relu')!;
    const ds = danglingValues(graph, 'Mlp', g.span, (n) => (n === relu ? irRelu.span : undefined));
    expect(ds.map((d) => d.message)).toEqual([
      `Internal error in the ONNX export of model 'Mlp': value 'lost' read by ONNX node '${relu.name}' is produced by no node, initializer or graph input; nothing was written. This is a bug in dlm, please report it.`,
    ]);
    expect(ds[0]!.span).toEqual(irRelu.span);
    // Every value of the intact graph of every seed network is produced.
    expect(danglingValues(buildModel(g, randomWeights(g)).result!.graph!, 'Mlp', g.span, () => undefined)).toEqual([]);
  });
});

describe('checkWeights', () => {
  it('lists every missing, extra and mis-sized weight', () => {
    const g = mlp();
    const w = randomWeights(g);
    w.delete('dense_1.bias');
    w.delete('dense_2.weight');
    w.set('dense_1.weight', new Float32Array(5));
    w.set('dense_3.weight', new Float32Array(1));
    const ds = checkWeights(g, w);
    expect(ds.map((d) => d.message)).toEqual([
      "Weights for parameter 'dense_1.weight' have 5 values, but its shape [128, 784] needs 100352.",
      "No weights for parameter 'dense_1.bias' (parameter of dense_1, shape [128]).",
      "No weights for parameter 'dense_2.weight' (parameter of dense_2, shape [10, 128]).",
      "Weights 'dense_3.weight' do not belong to any parameter of model 'Mlp'.",
    ]);
    expect(ds[0]!.span?.file).toBe('mlp.dlm');
    const r = exportOnnx(g, w);
    expect(r.result).toBeUndefined();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['DLM6007', 'DLM6005', 'DLM6005', 'DLM6006']);
  });

  it('accepts a complete weight map', () => {
    const g = mlp();
    expect(checkWeights(g, randomWeights(g))).toEqual([]);
  });
});

/** The unprivileged user of Debian and most Linux systems. */
const NOBODY = 65534;

describe('writeOnnxFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dlm-onnx-write-'));
  const g = mlp();
  const bytes = exportOnnx(g, randomWeights(g)).result!;

  it('writes the bytes and leaves no temporary file behind', () => {
    const path = join(dir, 'model.onnx');
    writeFileSync(path, 'old contents');
    expect(writeOnnxFile(path, bytes)).toEqual([]);
    expect(Buffer.compare(readFileSync(path), Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))).toBe(0);
    expect(readdirSync(dir)).toEqual(['model.onnx']);
  });

  it('reports a missing directory with DLM6008', () => {
    const ds = writeOnnxFile(join(dir, 'no/such/dir/model.onnx'), bytes);
    expect(ds.map((d) => d.message)).toEqual([`Cannot write ONNX file '${join(dir, 'no/such/dir/model.onnx')}': the directory does not exist`]);
  });

  it('reports a directory in the way and leaves it untouched', () => {
    mkdirSync(join(dir, 'taken.onnx'));
    const ds = writeOnnxFile(join(dir, 'taken.onnx'), bytes);
    expect(ds.map((d) => d.code)).toEqual(['DLM6008']);
    expect(ds[0]!.message).toMatch(/it is a directory|EISDIR|ENOTEMPTY|EEXIST/);
    // No temporary file is left beside it, whatever its name, and the directory is still empty.
    expect(readdirSync(dir).sort()).toEqual(['model.onnx', 'taken.onnx']);
    expect(readdirSync(join(dir, 'taken.onnx'))).toEqual([]);
  });

  it('reports a file where a directory should be', () => {
    const ds = writeOnnxFile(join(dir, 'model.onnx', 'inner.onnx'), bytes);
    expect(ds[0]!.message).toContain('a parent of it is not a directory');
  });

  it('reports an unwritable directory (as an unprivileged user when the tests run as root)', () => {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    const target = join(ro, 'm.onnx');
    const want = [`Cannot write ONNX file '${target}': permission denied`];
    if (process.getuid?.() !== 0) {
      expect(writeOnnxFile(target, bytes).map((d) => d.message)).toEqual(want);
      return;
    }
    // Root may write anywhere (and CI runs as root): make the same call in a child process
    // running as 'nobody', which may enter the folder but not write to it.
    chmodSync(dir, 0o755);
    const script = `import { writeOnnxFile } from './src/index.ts';
      const ds = writeOnnxFile(process.argv[1], new Uint8Array([8, 1]));
      process.stdout.write(JSON.stringify(ds.map((d) => d.message)));`;
    const child = spawnSync(process.execPath, ['--conditions=@dlm/source', '--import', 'tsx', '--input-type=module', '-e', script, target], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      uid: NOBODY,
      gid: NOBODY,
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual(want);
    expect(readdirSync(ro)).toEqual([]);
  }, 60_000);
});
