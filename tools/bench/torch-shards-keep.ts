/**
 * Preparing the torch engine's dataset shards again for a resumed or repeated run (benchmark, not
 * a test): writing them (slice, SHA-256, write-file-atomic with fsync) against keeping them (slice,
 * SHA-256, stat), for an MNIST-sized split (60,000 × [1, 28, 28] f32, 188 MB) already in memory,
 * in a folder on the repository's disk. Reported per round as the ratio keep / write (the machine
 * is shared: ratios, several rounds, spread). Run:
 *   npx tsx --conditions=@dlm/source tools/bench/torch-shards-keep.ts [--rounds 5]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetSplit } from '@dlm/core';
import { writeShards } from '@dlm/torch/node';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const i = process.argv.indexOf('--rounds');
const rounds = i >= 0 ? Number(process.argv[i + 1]) : 5;
const n = 60_000;
const per = 784;
const X = new Float32Array(n * per).map((_, k) => ((k * 7919) % 255) / 255);
const Y = Int32Array.from({ length: n }, (_, k) => k % 10);
const split: DatasetSplit = {
  info: { inputShape: [1, 28, 28], inputDType: 'f32', classes: 10, targetShape: [] },
  size: n,
  slice: (s, c) => ({ x: X.slice(s * per, (s + c) * per), xShape: [c, 1, 28, 28], y: Y.slice(s, s + c), yShape: [c] }),
};
const scratch = path.join(root, 'node_modules', '.cache');
mkdirSync(scratch, { recursive: true });
const ratios: number[] = [];
for (let r = 0; r < rounds; r++) {
  const dir = path.join(mkdtempSync(path.join(scratch, 'dlm-shards-bench-')), 'shards');
  let t = performance.now();
  writeShards(split, dir);
  const write = performance.now() - t;
  let counts = { written: -1, kept: -1 };
  t = performance.now();
  writeShards(split, dir, { report: (c) => (counts = c) });
  const keep = performance.now() - t;
  if (counts.written !== 0) throw new Error(`expected every shard kept, got ${JSON.stringify(counts)}`);
  ratios.push(keep / write);
  console.log(`round ${r + 1}: write ${write.toFixed(0)} ms, keep ${keep.toFixed(0)} ms, keep/write ${(keep / write).toFixed(2)} (load ${loadavg()[0]!.toFixed(1)})`);
  rmSync(path.dirname(dir), { recursive: true, force: true });
}
ratios.sort((a, b) => a - b);
console.log(`keep/write: median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)}, range ${ratios[0]!.toFixed(2)}–${ratios[ratios.length - 1]!.toFixed(2)} over ${rounds} rounds`);
