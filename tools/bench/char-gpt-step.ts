/**
 * The char GPT's training step (examples/transformer/char_gpt.dlm: 4 pre-norm blocks, 4 heads, 128
 * wide, context 64, 58 characters; Adam, softmax cross-entropy at every position) on random ids:
 *   - dlm against the same network written by hand in tfjs-core (char-gpt-models.ts), same backend,
 *     same process. The machine is shared and its load drifts, so the two are timed step by step in
 *     turn (dlm, by hand, dlm, …) and each pair gives one ratio: the report is the median ratio with
 *     its spread (quartiles, min–max), not the ratio of two best times taken minutes apart;
 *   - PyTorch (CPU, 2 threads) when /usr/bin/python3 has torch: dlm's own export of the model
 *     (@dlm/torch) trained by tools/bench/torch_char_gpt.py, before and after, the better kept.
 *
 * Run: npx tsx --conditions=@dlm/source tools/bench/char-gpt-step.ts [--steps 12] [--warmup 2] [--batch 16] [--backend wasm] [--no-torch]
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Graph } from '@dlm/core';
import { setupBackend, type BackendName } from '@dlm/tfjs';
import { exportPytorch } from '@dlm/torch';
import { byHandStep, dlmStep, gptGraph, T, type TrainStep } from './char-gpt-models.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
};
const STEPS = Number(arg('steps', '12'));
const WARMUP = Number(arg('warmup', '2'));
const BATCH = Number(arg('batch', '16'));
const BACKEND = arg('backend', 'wasm') as BackendName;
const TORCH = !process.argv.includes('--no-torch');

/** Milliseconds of one step, its loss read back (the work is done). */
async function timed(s: TrainStep, seed: number): Promise<number> {
  const t0 = performance.now();
  const loss = s.step(seed);
  await loss.data();
  const ms = performance.now() - t0;
  loss.dispose();
  return ms;
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
};

function benchTorch(g: Graph): { rate?: number; note: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dlm-bench-gpt-'));
  fs.writeFileSync(path.join(dir, 'char_gpt_module.py'), exportPytorch(g).result!);
  const r = spawnSync('/usr/bin/python3', [path.join(here, 'torch_char_gpt.py'), dir, '--steps', String(STEPS), '--warmup', String(WARMUP), '--batch', String(BATCH)], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  if (r.error) return { note: `python3 not runnable (${r.error.message})` };
  const m = /steps_per_s=([\d.]+)/.exec(r.stdout);
  if (!m) return { note: (r.stdout + r.stderr).trim().split('\n').pop() ?? 'no output' };
  return { rate: Number(m[1]), note: r.stdout.trim().split('\n').find((l) => l.startsWith('torch')) ?? '' };
}

async function main(): Promise<void> {
  const g = gptGraph();
  const torchRuns = TORCH ? [benchTorch(g)] : [];
  const info = await setupBackend(BACKEND, {});
  const dlm = dlmStep(g, BATCH);
  const hand = byHandStep(BATCH);
  for (let i = 0; i < WARMUP; i++) {
    await timed(dlm, i);
    await timed(hand, i);
  }
  const [dlmMs, handMs, ratios] = [[], [], []] as number[][];
  for (let i = WARMUP; i < WARMUP + STEPS; i++) {
    // Alternate which goes first, so that neither always follows the other's garbage.
    const [d, h] = i % 2 ? [await timed(dlm, i), await timed(hand, i)] : [await timed(hand, i), await timed(dlm, i)].reverse() as [number, number];
    dlmMs.push(d!);
    handMs.push(h!);
    ratios.push(h! / d!); // dlm's speed over the hand-written model's
    console.error(`step ${i - WARMUP + 1}: dlm ${d!.toFixed(0)} ms, by hand ${h!.toFixed(0)} ms, ratio ${(h! / d!).toFixed(2)}`);
  }
  dlm.dispose();
  hand.dispose();
  if (TORCH) torchRuns.push(benchTorch(g));
  const rate = (ms: number[]) => 1000 / quantile(ms, 0.5);
  const f2 = (x: number) => x.toFixed(2);
  console.log(`char GPT training step, batch ${BATCH} × ${T} characters, Adam, ${STEPS} timed step pairs after ${WARMUP} warm-up; ${info.backend}${info.threads ? ` (${info.threads} thread${info.threads > 1 ? 's' : ''})` : ''}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`dlm ${rate(dlmMs).toFixed(3)} steps/s, tfjs by hand ${rate(handMs).toFixed(3)} steps/s (medians)`);
  console.log(`dlm / by hand, per step pair: median ${f2(quantile(ratios, 0.5))}, quartiles ${f2(quantile(ratios, 0.25))}–${f2(quantile(ratios, 0.75))}, range ${f2(Math.min(...ratios))}–${f2(Math.max(...ratios))}`);
  if (TORCH) {
    const torch = torchRuns.reduce((a, b) => ((b.rate ?? 0) > (a.rate ?? 0) ? b : a));
    console.log(torch.rate ? `PyTorch CPU ${torch.rate.toFixed(3)} steps/s (${torch.note}): dlm (median) / PyTorch ${(rate(dlmMs) / torch.rate).toFixed(3)}` : `PyTorch skipped: ${torch.note}`);
  }
}

await main();
