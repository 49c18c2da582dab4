/**
 * Benchmark: inference latency in onnxruntime (CPU) of the MNIST CNN exported by dlm against the
 * same network exported by `torch.onnx.export` (tools/reference/torch_export_mnist_cnn.py, run
 * here through Debian's python3-torch). Both files run in the same process, interleaved, batch 1
 * and batch 64; the medians and their ratio are printed.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/onnx-latency.ts [--runs 300]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginRegistry, initializeParams } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { exportOnnx } from '@dlm/onnx';
import { stdPlugin } from '@dlm/plugin-std';

const require = createRequire(join(fileURLToPath(import.meta.url), '../../../packages/onnx/package.json'));
const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');
const root = join(fileURLToPath(import.meta.url), '../../..');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 300;

const registry = new PluginRegistry();
registry.register(stdPlugin);
const compiled = compileFile(join(root, 'examples/mnist/mnist_cnn.dlm'), { registry });
const graph = compiled.program.models[0]!;
const dlmBytes = exportOnnx(graph, initializeParams(graph, 0)).result!;

const torchPath = join(tmpdir(), `torch_mnist_cnn.${process.pid}.onnx`);
const py = spawnSync('/usr/bin/python3', [join(root, 'tools/reference/torch_export_mnist_cnn.py'), torchPath], { encoding: 'utf8' });
if (py.status !== 0) {
  console.log(`torch.onnx.export unavailable (${py.stderr.trim().split('\n').pop()}); nothing to compare`);
  process.exit(0);
}
const torchBytes = readFileSync(torchPath);

const opts = { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 as const };
const sessions = {
  dlm: await ort.InferenceSession.create(dlmBytes, opts),
  torch: await ort.InferenceSession.create(torchBytes, opts),
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`onnxruntime-node ${require('onnxruntime-node/package.json').version}, 1 intra-op thread, ${RUNS} runs each (interleaved), Node ${process.version}`);
console.log('| batch | dlm export | torch.onnx.export | dlm / torch |');
console.log('| ---: | ---: | ---: | ---: |');
for (const batch of [1, 64]) {
  const data = Float32Array.from({ length: batch * 784 }, (_, i) => ((i * 2654435761) % 1000) / 1000);
  const feeds = { image: new ort.Tensor('float32', data, [batch, 1, 28, 28]) };
  const times: Record<string, number[]> = { dlm: [], torch: [] };
  for (let i = 0; i < 20; i++) for (const s of Object.values(sessions)) await s.run(feeds);
  for (let i = 0; i < RUNS; i++) {
    for (const [name, s] of Object.entries(sessions)) {
      const t0 = process.hrtime.bigint();
      await s.run(feeds);
      times[name]!.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  const d = median(times['dlm']!);
  const t = median(times['torch']!);
  console.log(`| ${batch} | ${d.toFixed(3)} ms | ${t.toFixed(3)} ms | ${(d / t).toFixed(2)} |`);
}
