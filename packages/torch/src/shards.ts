/**
 * Dataset shards for the torch engine: a split that dlm's own dataset plugin opened (any plugin, a
 * user's own included) is written as raw little-endian arrays that every PyTorch rank memory-maps
 * with numpy.memmap, plus a manifest. The order is the split's own (seeded) order, so both engines
 * see the same samples; shuffling per epoch is an index permutation on the Python side.
 *
 *   <dir>/shards.json              {format, size, info, x: {dtype, sample_shape}, y: {…}, shards: [{start, count, x, y}]}
 *   <dir>/x-00000.bin, y-00000.bin  samples [start, start+count), row-major, '<f4' or '<i4'
 *
 * Every file goes through `write-file-atomic` (a temporary name, fsync, rename): a shard file is
 * either absent or complete, never half-written. The manifest is removed first and written last,
 * so a folder whose preparation was interrupted has no shards.json and is redone, never trusted;
 * `readCompleteShards` also checks every listed file's byte size, and the Python reader refuses a
 * file of the wrong size with a message that names it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { DatasetInfo, DatasetSplit } from '@dlm/core';

export const SHARD_FORMAT = 1;

export interface ShardManifest {
  format: number;
  size: number;
  info: DatasetInfo;
  x: { dtype: '<f4' | '<i4'; sample_shape: number[] };
  y: { dtype: '<f4' | '<i4'; sample_shape: number[] };
  shards: { start: number; count: number; x: string; y: string }[];
}

export interface ShardOptions {
  /** Samples per shard file (default 16,384): bounds the memory one `slice` call needs. */
  samplesPerShard?: number;
}

function bytes(a: Float32Array | Int32Array): Buffer {
  // Typed arrays use the host's byte order; the manifest promises little-endian.
  if (endianness() !== 'LE') throw new Error('internal: shard writing assumes a little-endian host');
  // A Buffer view of the same memory (no copy): write-file-atomic's types take a Buffer.
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes `split` into `dir` as memory-mappable shards; returns the manifest (also in shards.json). */
export function writeShards(split: DatasetSplit, dir: string, opts: ShardOptions = {}): ShardManifest {
  const per = opts.samplesPerShard ?? 16_384;
  mkdirSync(dir, { recursive: true });
  // The folder is incomplete from here until the new manifest is in place; earlier shard files
  // (and temporary files an interrupted writer left) go, so nothing stale can be listed.
  rmSync(join(dir, MANIFEST), { force: true });
  for (const f of readdirSync(dir)) if (/^[xy]-\d{5}\.bin/.test(f) || f.startsWith(`${MANIFEST}.`)) rmSync(join(dir, f), { force: true });
  const shards: ShardManifest['shards'] = [];
  let xDtype: '<f4' | '<i4' = split.info.inputDType === 'i32' ? '<i4' : '<f4';
  let yDtype: '<f4' | '<i4' = split.info.classes !== undefined ? '<i4' : '<f4';
  // A sample's shapes are the batches' own, after the batch dim: a classifier's label is [], a
  // language model's labels (a class per position, the chars dataset) are [context].
  let xSample = split.info.inputShape;
  let ySample = split.info.classes !== undefined ? [] : split.info.targetShape;
  for (let start = 0, k = 0; start < split.size; start += per, k++) {
    const count = Math.min(per, split.size - start);
    const b = split.slice(start, count);
    xDtype = b.x instanceof Int32Array ? '<i4' : '<f4';
    yDtype = b.y instanceof Int32Array ? '<i4' : '<f4';
    xSample = b.xShape.slice(1);
    ySample = b.yShape.slice(1);
    const name = String(k).padStart(5, '0');
    writeFileAtomic.sync(join(dir, `x-${name}.bin`), bytes(b.x));
    writeFileAtomic.sync(join(dir, `y-${name}.bin`), bytes(b.y));
    shards.push({ start, count, x: `x-${name}.bin`, y: `y-${name}.bin` });
  }
  const manifest: ShardManifest = {
    format: SHARD_FORMAT,
    size: split.size,
    info: split.info,
    x: { dtype: xDtype, sample_shape: xSample },
    y: { dtype: yDtype, sample_shape: ySample },
    shards,
  };
  // The manifest last, atomically: a folder with a shards.json is complete.
  writeFileAtomic.sync(join(dir, MANIFEST), JSON.stringify(manifest, null, 1));
  return manifest;
}

const MANIFEST = 'shards.json';

/**
 * The manifest of `dir` if the folder is complete: shards.json of this format, and every file it
 * lists present with the byte size its samples need. `undefined` for a folder whose writing was
 * interrupted (no manifest), a truncated or missing shard, or another format: redo it.
 */
export function readCompleteShards(dir: string): ShardManifest | undefined {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) return undefined;
  let m: ShardManifest;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as ShardManifest;
  } catch {
    return undefined;
  }
  if (m?.format !== SHARD_FORMAT || !Array.isArray(m.shards)) return undefined;
  const sampleBytes = (spec: ShardManifest['x']) => 4 * spec.sample_shape.reduce((a, b) => a * b, 1);
  for (const s of m.shards) {
    for (const [file, spec] of [[s.x, m.x], [s.y, m.y]] as const) {
      const f = join(dir, file);
      if (!existsSync(f) || statSync(f).size !== s.count * sampleBytes(spec)) return undefined;
    }
  }
  return m;
}

/**
 * The Python side: `DlmShards(dir)` memory-maps every shard; `batch(indices)` gathers samples
 * (numpy arrays) by global index without reading the rest of the data.
 */
export const SHARD_READER_SOURCE = `class DlmShards:
    """dlm's dataset shards (shards.json + raw little-endian x-*.bin / y-*.bin), memory-mapped."""

    def __init__(self, folder):
        import json
        import os

        import numpy as np

        with open(os.path.join(folder, "shards.json")) as f:
            self.manifest = json.load(f)
        self.size = self.manifest["size"]
        self.starts = [s["start"] for s in self.manifest["shards"]]
        self.x, self.y = [], []
        for s in self.manifest["shards"]:
            for key, out in (("x", self.x), ("y", self.y)):
                spec = self.manifest[key]
                path = os.path.join(folder, s[key])
                shape = (s["count"], *spec["sample_shape"])
                want = int(np.prod(shape)) * np.dtype(spec["dtype"]).itemsize
                got = os.path.getsize(path) if os.path.exists(path) else -1
                if got != want:
                    # A shard of the wrong size is a damaged folder: never read it as data.
                    raise RuntimeError(f"dlm dataset shard {path} is {'missing' if got < 0 else f'{got} bytes'}, not {want}: the shards folder is damaged; start the run again to rewrite it")
                out.append(np.memmap(path, dtype=spec["dtype"], mode="r", shape=shape))

    def __len__(self):
        return self.size

    def batch(self, indices):
        """(x, y) numpy arrays for the samples at these global indices, in that order."""
        import numpy as np

        idx = np.asarray(indices, dtype=np.int64)
        if len(self.starts) == 1:
            return self.x[0][idx], self.y[0][idx]
        shard = np.searchsorted(self.starts, idx, side="right") - 1
        x = np.empty((len(idx), *self.x[0].shape[1:]), dtype=self.x[0].dtype)
        y = np.empty((len(idx), *self.y[0].shape[1:]), dtype=self.y[0].dtype)
        for k in np.unique(shard):
            pick = shard == k
            x[pick] = self.x[k][idx[pick] - self.starts[k]]
            y[pick] = self.y[k][idx[pick] - self.starts[k]]
        return x, y`;
