/**
 * A/B of trainer-side changes (the trainer's code, the plugin rules and datasets it is handed; not
 * kernels: for those see train-ab.ts) inside the real trainer (`train()` from @dlm/train/node) on
 * the MNIST CNN, batch 64, wasm, one thread, in ONE process. Side A runs git revision `--base REV`'s
 * packages/train/src (written to out/trainer-ab/REV/ and imported; it resolves @dlm/core and the
 * rest to this tree) and/or with `--undo` changes undone; side B is this tree. Whole `train()` runs
 * of `--samples` embedded digits alternate A, B, A, B… (`--rounds` each, after one warm-up of each),
 * since the trainer resolves its rules once per run. Per side: step times (from one batch event to
 * the next, min / p25 / median) and the start-up (from calling `train()` to the first batch event:
 * opening the data, the checks before the first step, the first step).
 *
 *   --undo penalty-gradient   side A: penalties without their stated gradient (l2 on the autodiff tape)
 *   --undo targets            side A: the dataset split without `targets()` (the label check reads whole batches)
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/trainer-ab.ts --undo penalty-gradient [--rounds 12] [--samples 1024]
 *   node --conditions=@dlm/source --import tsx tools/bench/trainer-ab.ts --base HEAD~1
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PluginRegistry, type DatasetDef, type DlmPlugin, type RegularizerDef } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { createTfjsRuntime } from '@dlm/tfjs';
import type { TrainEvent } from '@dlm/train';
import { train } from '@dlm/train/node';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const undo = arg('undo', '').split(',').filter(Boolean);
const rounds = Number(arg('rounds', '12'));
const samples = Number(arg('samples', '1024'));
const root = join(fileURLToPath(import.meta.url), '../../..');

/** Each change, undone: the standard plugin as side A sees it. */
const undoers: Record<string, (p: DlmPlugin) => DlmPlugin> = {
  'penalty-gradient': (p) => ({
    ...p,
    regularizers: p.regularizers!.map((r): RegularizerDef => {
      if (r.kind !== 'penalty' || !r.gradient) return r;
      const { gradient: _, ...rest } = r;
      return rest;
    }),
  }),
  targets: (p) => ({
    ...p,
    datasets: p.datasets!.map((d): DatasetDef => ({
      ...d,
      open: async (args, ctx) => {
        const { targets: _, ...rest } = await d.open(args, ctx);
        return rest;
      },
    })),
  }),
};
for (const u of undo) if (!undoers[u]) throw new Error(`--undo ${u}: one of ${Object.keys(undoers).join(', ')}`);

const base = arg('base', '');
/** REV's packages/train/src, extracted under out/trainer-ab/ (a benchmark, not a package: check-deps does not apply). */
async function baseTrain(rev: string): Promise<typeof train> {
  const dir = join(root, 'out/trainer-ab', rev.replace(/[^\w.-]/g, '_'));
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${JSON.stringify(rev)} packages/train/src | tar -x -C ${JSON.stringify(dir)}`], { cwd: root });
  return ((await import(pathToFileURL(join(dir, 'packages/train/src/node/index.ts')).href)) as { train: typeof train }).train;
}
const trainOf = { A: base ? await baseTrain(base) : train, B: train };
const runtime = await createTfjsRuntime('wasm');
const registryOf = (plugin: DlmPlugin) => {
  const r = new PluginRegistry();
  r.register(plugin);
  return r;
};
const registries = { A: registryOf(undo.reduce((p, u) => undoers[u]!(p), stdPlugin as DlmPlugin)), B: registryOf(stdPlugin) };
const program = compileSource(readFileSync(join(root, 'examples/mnist/mnist_cnn.dlm'), 'utf8'), 'mnist_cnn.dlm', { registry: registries.B }).program;
const training = program.trainings[0]!;
const data = { name: 'mnist', args: { ...training.data.args, sample: true } };

const stepMs: Record<'A' | 'B', number[]> = { A: [], B: [] };
const startMs: Record<'A' | 'B', number[]> = { A: [], B: [] };
async function run(side: 'A' | 'B', count: boolean): Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'dlm-bench-'));
  const t0 = performance.now();
  let last = 0;
  const res = await trainOf[side]({
    runtime, program, training, registry: registries[side], runDir, epochs: 1, data, workers: 1,
    limit: { trainSamples: samples, testSamples: 64 },
    progress: (e: TrainEvent) => {
      if (e.kind !== 'batch') return;
      const t = performance.now();
      if (count && e.batch === 1) startMs[side].push(t - t0);
      else if (count) stepMs[side].push(t - last);
      last = t;
    },
  });
  rmSync(runDir, { recursive: true, force: true });
  if (!res.result) throw new Error(res.diagnostics.map((d) => d.message).join('\n'));
}

await run('A', false); // warm-up
await run('B', false);
for (let r = 0; r < rounds; r++) {
  await run('A', true);
  await run('B', true);
}
const q = (a: number[], f: number) => [...a].sort((p, r) => p - r)[Math.floor(a.length * f)]!;
const line = (a: number[]) => `min ${q(a, 0).toFixed(2)} p25 ${q(a, 0.25).toFixed(2)} median ${q(a, 0.5).toFixed(2)}`;
const ratio = (a: number[], b: number[]) => `min ${(q(a, 0) / q(b, 0)).toFixed(3)}×, p25 ${(q(a, 0.25) / q(b, 0.25)).toFixed(3)}×, median ${(q(a, 0.5) / q(b, 0.5)).toFixed(3)}×`;
console.log(`MNIST CNN, real trainer, batch 64, wasm 1 thread, ${rounds} runs per side of ${samples} digits, alternating; A = ${base ? `${base}'s trainer` : 'this tree'}${undo.length ? ` with ${undo.join(', ')} undone` : ''}, B = this tree; Node ${process.version}`);
for (const side of ['A', 'B'] as const) console.log(`${side}: ${stepMs[side].length} steps, ms/step ${line(stepMs[side])}; start-up to the first batch event, ms ${line(startMs[side])}`);
console.log(`A/B step time (speed-up of B): ${ratio(stepMs.A, stepMs.B)}`);
console.log(`A/B start-up (speed-up of B): ${ratio(startMs.A, startMs.B)}`);
