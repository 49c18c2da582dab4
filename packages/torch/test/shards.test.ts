/**
 * Shards: a split opened by dlm's own dataset plugin (the embedded MNIST sample through
 * plugin-std's `mnist`) written as raw shards reads back in Python through numpy.memmap with the
 * same values at the same global indices, across shard boundaries.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticBag, validateArgs } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { SHARD_READER_SOURCE, writeShards } from '../src/node.js';
import { TORCH, TORCH_SKIP } from './helpers/env.js';

describe.skipIf(!TORCH)(`dataset shards${TORCH_SKIP ? ` (skipped: ${TORCH_SKIP})` : ''}`, () => {
  it('numpy.memmap reads what the dataset plugin produced', async () => {
    const def = stdPlugin.datasets!.find((d) => d.name === 'mnist')!;
    const args = validateArgs('mnist', def.args, [], new DiagnosticBag())!;
    const dir = mkdtempSync(join(tmpdir(), 'dlm-shards-'));
    const split = await def.open(args, { split: 'train', cacheDir: join(dir, 'cache'), log: () => {} });
    const t0 = performance.now();
    const manifest = writeShards(split, join(dir, 'shards'), { samplesPerShard: 3000 });
    const seconds = (performance.now() - t0) / 1000;
    console.log(`shards: ${split.size} samples ${JSON.stringify(split.info.inputShape)} in ${manifest.shards.length} files, ${seconds.toFixed(2)} s`);
    expect(manifest.shards.length).toBe(Math.ceil(split.size / 3000));
    const picks = [0, 1, 2999, 3000, 3001, split.size - 1];
    const want = split.slice(0, split.size);
    const per = split.info.inputShape.reduce((a, b) => a * b, 1);
    const program = `${SHARD_READER_SOURCE}\nimport json, sys\nd = DlmShards(sys.argv[1])\nx, y = d.batch(${JSON.stringify(picks)})\nprint(json.dumps({"n": len(d), "x": x.reshape(len(x), -1).tolist(), "y": y.tolist()}))`;
    const r = spawnSync(TORCH!.python, ['-c', program, join(dir, 'shards')], { encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as { n: number; x: number[][]; y: number[] };
    expect(got.n).toBe(split.size);
    picks.forEach((i, k) => {
      expect(got.y[k]).toBe(want.y[i]);
      expect(Float32Array.from(got.x[k]!)).toEqual(want.x.slice(i * per, (i + 1) * per));
    });
  }, 120_000);
});
