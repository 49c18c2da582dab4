/**
 * Shards: a split opened by dlm's own dataset plugin (the embedded MNIST sample through
 * plugin-std's `mnist`) written as raw shards reads back in Python through numpy.memmap with the
 * same values at the same global indices, across shard boundaries. An interrupted preparation
 * never leaves a folder that is read as complete.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
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

/**
 * A small split with known values: sample i is [i, i + 0.5, i + 0.25] (+ `shift` from sample
 * `shiftFrom` on), label i % 3; `failAt` throws there.
 */
function countingSplit(size: number, failAt?: number, shift = 0, shiftFrom = 0): DatasetSplit {
  return {
    info: { inputShape: [3], inputDType: 'f32', classes: 3, targetShape: [] },
    size,
    slice(start, count) {
      if (failAt !== undefined && start >= failAt) throw new Error('the dataset failed (a test stands in for an interruption)');
      const x = new Float32Array(count * 3);
      const y = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        const v = start + i + (start + i >= shiftFrom ? shift : 0);
        x.set([v, v + 0.5, v + 0.25], i * 3);
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
    // A second preparation of other data fails at the third shard, after rewriting the first two:
    // the old manifest must not describe the new files.
    expect(() => writeShards(countingSplit(10, 8, 100), dir, { samplesPerShard: 4 })).toThrow(/dataset failed/);
    expect(existsSync(join(dir, 'shards.json'))).toBe(false);
    expect(readCompleteShards(dir)).toBeUndefined();
    expect(readdirSync(dir).sort()).toEqual(['x-00000.bin', 'x-00001.bin', 'x-00002.bin', 'y-00000.bin', 'y-00001.bin', 'y-00002.bin']);
    // The same data failing before anything differs leaves the complete folder as it was.
    const again = join(mkdtempSync(join(tmpdir(), 'dlm-shards-')), 'shards');
    const whole = writeShards(countingSplit(10), again, { samplesPerShard: 4 });
    expect(() => writeShards(countingSplit(10, 8), again, { samplesPerShard: 4 })).toThrow(/dataset failed/);
    expect(readCompleteShards(again)).toEqual(whole);
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

describe('dataset shards: a repeated or resumed run keeps the shards that hold the same data', () => {
  const fresh = () => join(mkdtempSync(join(tmpdir(), 'dlm-shards-')), 'shards');
  /** Identity of every file: a rewrite (write-file-atomic renames a new file in) changes the inode. */
  const stamps = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, `${statSync(join(dir, f)).ino}:${statSync(join(dir, f)).mtimeMs}`]));
  const write = (dir: string, split: DatasetSplit, samplesPerShard: number) => {
    let counts = { written: -1, kept: -1 };
    const m = writeShards(split, dir, { samplesPerShard, report: (c) => (counts = c) });
    return { m, counts };
  };
  const floats = (dir: string, f: string) => Array.from(new Float32Array(new Uint8Array(readFileSync(join(dir, f))).buffer));

  it('the same data and settings: nothing is written, the manifest included', () => {
    const dir = fresh();
    const first = write(dir, countingSplit(10), 4);
    expect(first.counts).toEqual({ written: 3, kept: 0 });
    const before = stamps(dir);
    const second = write(dir, countingSplit(10), 4);
    expect(second.counts).toEqual({ written: 0, kept: 3 });
    expect(second.m).toEqual(first.m);
    expect(stamps(dir)).toEqual(before);
  });

  it('changed data: only the shards whose bytes differ are rewritten, with the new values', () => {
    const dir = fresh();
    write(dir, countingSplit(10), 4);
    const before = stamps(dir);
    // Samples 5… change: shards 1 ([4, 8)) and 2 ([8, 10)).
    const { counts, m } = write(dir, countingSplit(10, undefined, 100, 5), 4);
    expect(counts).toEqual({ written: 2, kept: 1 });
    const after = stamps(dir);
    expect(after['x-00000.bin']).toBe(before['x-00000.bin']);
    expect(after['x-00001.bin']).not.toBe(before['x-00001.bin']);
    expect(floats(dir, 'x-00001.bin').slice(3, 6)).toEqual([105, 105.5, 105.25]);
    expect(readCompleteShards(dir)).toEqual(m);
  });

  it('changed settings or shape: a different shard size, fewer samples, another dtype are rewritten', () => {
    const dir = fresh();
    write(dir, countingSplit(10), 4);
    // Another shard size: every shard moves.
    expect(write(dir, countingSplit(10), 5).counts).toEqual({ written: 2, kept: 0 });
    expect(readdirSync(dir).sort()).toEqual(['shards.json', 'x-00000.bin', 'x-00001.bin', 'y-00000.bin', 'y-00001.bin']);
    // Fewer samples: the first shard is kept, the second rewritten, and the manifest says 7.
    const fewer = write(dir, countingSplit(7), 5);
    expect(fewer.counts).toEqual({ written: 1, kept: 1 });
    expect(readCompleteShards(dir)?.size).toBe(7);
    // The same bytes as another dtype are other data.
    const asInts: DatasetSplit = {
      ...countingSplit(7),
      slice(start, count) {
        const b = countingSplit(7).slice(start, count);
        return { ...b, x: new Int32Array(b.x.buffer as ArrayBuffer) };
      },
    };
    const ints = write(dir, asInts, 5);
    expect(ints.counts).toEqual({ written: 2, kept: 0 });
    expect(ints.m.x.dtype).toBe('<i4');
    expect(readCompleteShards(dir)).toEqual(ints.m);
  });

  it('an incomplete set (a shard missing, a file changed in place, no manifest) is redone', () => {
    const dir = fresh();
    write(dir, countingSplit(10), 4);
    rmSync(join(dir, 'y-00001.bin'));
    expect(write(dir, countingSplit(10), 4).counts).toEqual({ written: 3, kept: 0 });
    // Same size, other bytes: the comparison sees it.
    const x2 = readFileSync(join(dir, 'x-00002.bin'));
    x2[0] = x2[0]! ^ 1;
    writeFileSync(join(dir, 'x-00002.bin'), x2);
    expect(write(dir, countingSplit(10), 4).counts).toEqual({ written: 1, kept: 2 });
    expect(floats(dir, 'x-00002.bin')).toEqual([8, 8.5, 8.25, 9, 9.5, 9.25]);
    rmSync(join(dir, 'shards.json'));
    expect(write(dir, countingSplit(10), 4).counts).toEqual({ written: 3, kept: 0 });
    // A manifest of an earlier dlm, without the hashes: nothing proves the shards the same.
    const m = JSON.parse(readFileSync(join(dir, 'shards.json'), 'utf8'));
    for (const e of m.shards) delete e.x_sha256;
    writeFileSync(join(dir, 'shards.json'), JSON.stringify(m));
    expect(write(dir, countingSplit(10), 4).counts).toEqual({ written: 3, kept: 0 });
    expect(readCompleteShards(dir)?.shards.length).toBe(3);
  });
});
