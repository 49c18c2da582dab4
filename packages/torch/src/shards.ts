/**
 * Dataset shards for the torch engine: a split that dlm's own dataset plugin opened (any plugin, a
 * user's own included) is written as raw little-endian arrays that every PyTorch rank memory-maps
 * with numpy.memmap, plus a manifest. The order is the split's own (seeded) order, so both engines
 * see the same samples; shuffling per epoch is an index permutation on the Python side.
 *
 *   <dir>/shards.json              {format, size, info, x: {dtype, sample_shape}, y: {…}, shards: [{start, count, x, y}]}
 *   <dir>/x-00000.bin, y-00000.bin  samples [start, start+count), row-major, '<f4' or '<i4'
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { join } from 'node:path';
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

function bytes(a: Float32Array | Int32Array): Uint8Array {
  // Typed arrays use the host's byte order; the manifest promises little-endian.
  if (endianness() !== 'LE') throw new Error('internal: shard writing assumes a little-endian host');
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Writes `split` into `dir` as memory-mappable shards; returns the manifest (also in shards.json). */
export function writeShards(split: DatasetSplit, dir: string, opts: ShardOptions = {}): ShardManifest {
  const per = opts.samplesPerShard ?? 16_384;
  mkdirSync(dir, { recursive: true });
  const shards: ShardManifest['shards'] = [];
  let xDtype: '<f4' | '<i4' = split.info.inputDType === 'i32' ? '<i4' : '<f4';
  let yDtype: '<f4' | '<i4' = split.info.classes !== undefined ? '<i4' : '<f4';
  for (let start = 0, k = 0; start < split.size; start += per, k++) {
    const count = Math.min(per, split.size - start);
    const b = split.slice(start, count);
    xDtype = b.x instanceof Int32Array ? '<i4' : '<f4';
    yDtype = b.y instanceof Int32Array ? '<i4' : '<f4';
    const name = String(k).padStart(5, '0');
    writeFileSync(join(dir, `x-${name}.bin`), bytes(b.x));
    writeFileSync(join(dir, `y-${name}.bin`), bytes(b.y));
    shards.push({ start, count, x: `x-${name}.bin`, y: `y-${name}.bin` });
  }
  const manifest: ShardManifest = {
    format: SHARD_FORMAT,
    size: split.size,
    info: split.info,
    x: { dtype: xDtype, sample_shape: split.info.inputShape },
    y: { dtype: yDtype, sample_shape: split.info.classes !== undefined ? [] : split.info.targetShape },
    shards,
  };
  // The manifest last, atomically: a folder with a shards.json is complete.
  writeFileSync(join(dir, 'shards.json.tmp'), JSON.stringify(manifest, null, 1));
  renameSync(join(dir, 'shards.json.tmp'), join(dir, 'shards.json'));
  return manifest;
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
                out.append(np.memmap(os.path.join(folder, s[key]), dtype=spec["dtype"], mode="r", shape=(s["count"], *spec["sample_shape"])))

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
