/**
 * Shards: a split opened by dlm's own dataset plugin (the embedded MNIST sample through
 * plugin-std's `mnist`) written as raw shards reads back in Python through numpy.memmap with the
 * same values at the same global indices, across shard boundaries. An interrupted preparation
 * never leaves a folder that is read as complete.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DiagnosticBag, validateArgs, type DatasetSplit } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';
import { readCompleteShards, SHARD_READER_SOURCE, writeShards } from '../src/node.js';
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

/** A small split with known values: sample i is [i, i + 0.5, i + 0.25], label i % 3; `failAt` throws there. */
function countingSplit(size: number, failAt?: number): DatasetSplit {
  return {
    info: { inputShape: [3], inputDType: 'f32', classes: 3, targetShape: [] },
    size,
    slice(start, count) {
      if (failAt !== undefined && start >= failAt) throw new Error('the dataset failed (a test stands in for an interruption)');
      const x = new Float32Array(count * 3);
      const y = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        x.set([start + i, start + i + 0.5, start + i + 0.25], i * 3);
        y[i] = (start + i) % 3;
      }
      return { x, xShape: [count, 3], y, yShape: [count] };
    },
  };
}

/** A language-model split: classes, but a label per position ([2] per sample), as the chars dataset gives. */
function perPositionSplit(size: number): DatasetSplit {
  return {
    info: { inputShape: [2], inputDType: 'i32', classes: 7, targetShape: [2] },
    size,
    slice(start, count) {
      const x = Int32Array.from({ length: count * 2 }, (_, i) => (start * 2 + i) % 7);
      const y = Int32Array.from({ length: count * 2 }, (_, i) => (start * 2 + i + 1) % 7);
      return { x, xShape: [count, 2], y, yShape: [count, 2] };
    },
  };
}

describe('dataset shards: per-position labels', () => {
  it('a classification split with a label per position keeps its target shape (the chars dataset)', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dlm-shards-')), 'shards');
    const m = writeShards(perPositionSplit(5), dir, { samplesPerShard: 2 });
    expect(m.y).toEqual({ dtype: '<i4', sample_shape: [2] });
    expect(m.x).toEqual({ dtype: '<i4', sample_shape: [2] });
    expect(readCompleteShards(dir)).toEqual(m);
  });

  it.skipIf(!TORCH)('the Python reader gives each sample its row of labels', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dlm-shards-')), 'shards');
    writeShards(perPositionSplit(5), dir, { samplesPerShard: 2 });
    const program = `${SHARD_READER_SOURCE}\nimport sys\nd = DlmShards(sys.argv[1])\nx, y = d.batch([3, 0])\nprint(x.tolist(), y.tolist())`;
    const r = spawnSync(TORCH!.python, ['-c', program, dir], { encoding: 'utf8' });
    expect(r.stdout.trim(), r.stderr).toBe('[[6, 0], [0, 1]] [[0, 1], [1, 2]]');
  }, 60_000);
});

describe('dataset shards: interrupted preparation', () => {
  it('a folder interrupted mid-write has no manifest and no half-written file; the next write redoes it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dlm-shards-')), 'shards');
    writeShards(countingSplit(10), dir, { samplesPerShard: 4 });
    expect(readCompleteShards(dir)?.shards.length).toBe(3);
    // A second preparation fails at the third shard: the old manifest must not describe the new files.
    expect(() => writeShards(countingSplit(10, 8), dir, { samplesPerShard: 4 })).toThrow(/dataset failed/);
    expect(existsSync(join(dir, 'shards.json'))).toBe(false);
    expect(readCompleteShards(dir)).toBeUndefined();
    expect(readdirSync(dir).sort()).toEqual(['x-00000.bin', 'x-00001.bin', 'y-00000.bin', 'y-00001.bin']);
    // Leftovers of a killed writer (a temporary file, a truncated shard, a stale manifest) are redone.
    writeFileSync(join(dir, 'x-00002.bin.12345'), 'partial');
    truncateSync(join(dir, 'x-00001.bin'), 5);
    writeFileSync(join(dir, 'shards.json.999'), '{');
    const m = writeShards(countingSplit(10), dir, { samplesPerShard: 4 });
    expect(readdirSync(dir).sort()).toEqual(['shards.json', 'x-00000.bin', 'x-00001.bin', 'x-00002.bin', 'y-00000.bin', 'y-00001.bin', 'y-00002.bin']);
    expect(readCompleteShards(dir)).toEqual(m);
    const x1 = new Float32Array(new Uint8Array(readFileSync(join(dir, 'x-00001.bin'))).buffer);
    expect(Array.from(x1)).toEqual([4, 4.5, 4.25, 5, 5.5, 5.25, 6, 6.5, 6.25, 7, 7.5, 7.25]);
  });

  it('readCompleteShards refuses a truncated or missing shard, a foreign format and a broken manifest', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dlm-shards-')), 'shards');
    writeShards(countingSplit(5), dir, { samplesPerShard: 2 });
    expect(readCompleteShards(dir)).toBeDefined();
    truncateSync(join(dir, 'y-00002.bin'), 0);
    expect(readCompleteShards(dir)).toBeUndefined();
    writeShards(countingSplit(5), dir, { samplesPerShard: 2 });
    const manifest = JSON.parse(readFileSync(join(dir, 'shards.json'), 'utf8'));
    writeFileSync(join(dir, 'shards.json'), JSON.stringify({ ...manifest, format: 99 }));
    expect(readCompleteShards(dir)).toBeUndefined();
    writeFileSync(join(dir, 'shards.json'), '{"format": 1, "shards": [');
    expect(readCompleteShards(dir)).toBeUndefined();
  });

  it.skipIf(!TORCH)('the Python reader refuses a shard of the wrong size, naming it', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'dlm-shards-')), 'shards');
    writeShards(countingSplit(5), dir, { samplesPerShard: 2 });
    const program = `${SHARD_READER_SOURCE}\nimport sys\nd = DlmShards(sys.argv[1])\nprint(d.batch([4])[0].tolist())`;
    const ok = spawnSync(TORCH!.python, ['-c', program, dir], { encoding: 'utf8' });
    expect(ok.stdout.trim(), ok.stderr).toBe('[[4.0, 4.5, 4.25]]');
    // A longer file would otherwise memory-map silently; a shorter one fails inside numpy.
    writeFileSync(join(dir, 'x-00001.bin'), Buffer.concat([readFileSync(join(dir, 'x-00001.bin')), Buffer.alloc(4)]));
    const bad = spawnSync(TORCH!.python, ['-c', program, dir], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain(`dlm dataset shard ${join(dir, 'x-00001.bin')} is 28 bytes, not 24`);
  }, 60_000);
});
