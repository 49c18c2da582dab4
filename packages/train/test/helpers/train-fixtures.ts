/**
 * Shared fixtures of the training tests: a registry with the standard plugin plus small synthetic
 * datasets (no downloads), and a compile helper.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { PLUGIN_API_VERSION, PluginRegistry, type LossDef, type Args, type Batch, type DatasetDef, type DatasetSplit, type Program } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { mulberry32 } from '@dlm/datasets';

/** Builds a split from per-sample generators. */
function makeSplit(n: number, xShape: number[], gen: (i: number) => { x: number[]; y: number }, opts: { classes?: number; poisonFrom?: number } = {}): DatasetSplit {
  const per = xShape.reduce((a, b) => a * b, 1);
  const xs = new Float32Array(n * per);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = gen(i);
    xs.set(s.x, i * per);
    ys[i] = s.y;
  }
  return {
    info: { inputShape: xShape, inputDType: 'f32', targetShape: [], ...(opts.classes !== undefined ? { classes: opts.classes } : {}) },
    size: n,
    slice(start: number, count: number): Batch {
      const x = xs.slice(start * per, (start + count) * per);
      if (poison.on) x.fill(Number.NaN);
      return { x, xShape: [count, ...xShape], y: ys.slice(start, start + count), yShape: [count] };
    },
  };
}

/** Tests flip this to make every batch NaN (simulates a diverging run). */
export const poison = { on: false };

const loaderArgs = [
  { name: 'batch', type: 'int', default: 16, doc: 'batch size' },
  { name: 'shuffle', type: 'bool', default: true, doc: 'shuffle' },
  { name: 'n', type: 'int', default: 128, doc: 'samples per split' },
  { name: 'classes', type: 'int', default: 2, doc: 'declared classes' },
  { name: 'scale', type: 'float', default: 1, doc: 'multiplies every input value' },
  { name: 'label_offset', type: 'int', default: 0, doc: 'added to every label of xor_points (wrong labels)' },
  { name: 'slice_throws', type: 'bool', default: false, doc: 'xor_points: slice() throws like a broken plugin' },
] as const;

/** 2-D points labelled by the sign of x·y (XOR-like, not linearly separable). */
const xorPoints: DatasetDef = {
  name: 'xor_points',
  doc: 'test data',
  args: loaderArgs,
  open: async (args: Args, ctx) => {
    const rnd = mulberry32(ctx.split === 'train' ? 11 : 22);
    const made = makeSplit(args['n'] as number, [2], () => {
      const a = rnd() * 2 - 1;
      const b = rnd() * 2 - 1;
      return { x: [a, b], y: (a * b > 0 ? 1 : 0) + (args['label_offset'] as number) };
    }, (args['classes'] as number) > 0 ? { classes: args['classes'] as number } : {});
    if (args['slice_throws']) return { ...made, slice: () => { throw new Error('boom in slice'); } };
    return made;
  },
};

/** 1×8×8 images: class 0 has a bright vertical bar, class 1 a horizontal bar, class 2 a diagonal, plus noise. */
const bars: DatasetDef = {
  name: 'bars',
  doc: 'test images',
  args: loaderArgs,
  open: async (args: Args, ctx) => {
    const rnd = mulberry32(ctx.split === 'train' ? 5 : 6);
    return makeSplit(args['n'] as number, [1, 8, 8], (i) => {
      const y = i % 3;
      const pos = 1 + Math.floor(rnd() * 6);
      const x = Array.from({ length: 64 }, () => rnd() * 0.3);
      for (let k = 0; k < 8; k++) {
        const [r, c] = y === 0 ? [k, pos] : y === 1 ? [pos, k] : [k, k];
        x[r! * 8 + c!] = 1;
      }
      return { x: x.map((v) => v * (args['scale'] as number)), y };
    }, { classes: 3 });
  },
};

/** CIFAR-shaped noise images [3, 32, 32] whose class shifts one channel's mean (10 classes). */
const fakeCifar: DatasetDef = {
  name: 'fake_cifar',
  doc: 'test images',
  args: loaderArgs,
  open: async (args: Args, ctx) => {
    const rnd = mulberry32(ctx.split === 'train' ? 8 : 9);
    return makeSplit(args['n'] as number, [3, 32, 32], (i) => {
      const y = i % 10;
      const x = Array.from({ length: 3 * 1024 }, (_, k) => rnd() - 0.5 + (Math.floor(k / 1024) === y % 3 ? y / 10 : 0));
      return { x, y };
    }, { classes: 10 });
  },
};

/** Losses that throw like a broken plugin: everywhere, or only in data-parallel worker threads. */
const throwingLoss = (name: string, onlyInWorkers: boolean): LossDef => ({
  name,
  doc: 'throws (tests)',
  args: [],
  expects: 'values',
  compute: (m, output) => {
    if (!onlyInWorkers || !isMainThread) throw new Error(`boom in ${name}`);
    return m.mean(m.square(output));
  },
});

export const testPlugin = { name: 'dlm-test-data', apiVersion: PLUGIN_API_VERSION, datasets: [xorPoints, bars, fakeCifar], losses: [throwingLoss('throwing_loss', false), throwingLoss('worker_throwing_loss', true)] };

export function makeRegistry(): PluginRegistry {
  const r = new PluginRegistry();
  const d = [...r.register(stdPlugin), ...r.register(testPlugin)];
  if (d.length) throw new Error(d.map((x) => x.message).join('\n'));
  return r;
}

export function compile(source: string, registry = makeRegistry()): Program {
  const out = compileSource(source, 'test.dlm', { registry });
  const errors = out.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => `${d.code} ${d.message}`).join('\n'));
  return out.program;
}

const made: string[] = [];

/** A fresh `<tmp>/runs/model` run directory; `removeTempRunDirs()` deletes them all. */
export function tempRunDir(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'dlm-train-'));
  made.push(root);
  return path.join(root, 'runs', 'model');
}

export function removeTempRunDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** The fixtures' datasets as a loadable plugin module (data-parallel workers import it by URL). */
export const plugin = testPlugin;
