/**
 * Shuffled batch assembly of the trainer (`SplitView.batch`, packages/train/src/common.ts) on the
 * embedded MNIST digits (8,000, the `mnist(sample: true)` split), batch 64: through the split's
 * `gather` (one pass) against one `slice` per sample plus a concatenation (the same split with
 * `gather` hidden), alternating epoch by epoch in one process. Prints ms per batch (min and median
 * over the rounds) and the ratio; both must give the same bytes (checked once).
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/batch-assembly.ts [--rounds 20]
 */
import { STD_DATASETS } from '@dlm/datasets/node';
import { SplitView, permutation } from '@dlm/train';
import type { DatasetSplit } from '@dlm/core';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const rounds = Number(arg('rounds', '20'));
const mnist = STD_DATASETS.find((d) => d.name === 'mnist')!;
const args: Record<string, unknown> = {};
for (const s of mnist.args) if (s.default !== undefined) args[s.name] = s.default;
const split = await mnist.open({ ...args, sample: true } as never, { split: 'train', cacheDir: '.cache', log: () => {} });
if (!split.gather) throw new Error('the mnist split has no gather');
const withGather = SplitView.all(split);
const perSample = SplitView.all({ info: split.info, size: split.size, slice: split.slice.bind(split) } satisfies DatasetSplit);
const batch = 64;

function epoch(view: SplitView, order: Int32Array): number {
  const t0 = performance.now();
  for (let s = 0; s + batch <= view.size; s += batch) view.batch(order, s, batch);
  return (performance.now() - t0) / Math.floor(view.size / batch);
}

const check = permutation(split.size, 1, 'check');
const a = withGather.batch(check, 64, batch);
const b = perSample.batch(check, 64, batch);
if (Buffer.compare(Buffer.from(a.x.buffer), Buffer.from(b.x.buffer)) !== 0 || Buffer.compare(Buffer.from(a.y.buffer), Buffer.from(b.y.buffer)) !== 0) throw new Error('gather and slice disagree');

const times = { gather: [] as number[], slice: [] as number[] };
for (let r = 0; r < rounds + 2; r++) {
  const order = permutation(split.size, r, 'epoch');
  const g = epoch(withGather, order);
  const s = epoch(perSample, order);
  if (r >= 2) {
    times.gather.push(g);
    times.slice.push(s);
  }
}
const stat = (v: number[]) => {
  const s = [...v].sort((x, y) => x - y);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]! };
};
const g = stat(times.gather);
const s = stat(times.slice);
console.log(`MNIST sample (8,000 digits), batch ${batch}, ${rounds} alternating epochs; Node ${process.version}; load ${(await import('node:os')).loadavg()[0]!.toFixed(2)}`);
console.log(`one slice per sample: min ${s.min.toFixed(3)} ms, median ${s.median.toFixed(3)} ms per batch`);
console.log(`gather:               min ${g.min.toFixed(3)} ms, median ${g.median.toFixed(3)} ms per batch`);
console.log(`slice / gather: min ${(s.min / g.min).toFixed(2)}×, median ${(s.median / g.median).toFixed(2)}×`);
