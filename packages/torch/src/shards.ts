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
 * either absent or complete, never half-written. The manifest is removed before the first file
 * changes and written last, so a folder whose preparation was interrupted has no shards.json and
 * is redone, never trusted; `readCompleteShards` also checks every listed file's byte size, and
 * the Python reader refuses a file of the wrong size with a message that names it.
 *
 * A repeated or resumed run finds the shards of the last one: a shard is kept when the complete
 * folder's manifest lists it with the same place, dtype and sample shape, the SHA-256 of the bytes
 * it would be written with is the one recorded when it was written, and its file still has the
 * size and modification time recorded then. The content hash is what proves the data the same: a
 * dataset plugin's split has no identity to record (a user's plugin may compute its samples from
 * anything), so its name, arguments or source file times could describe other data. Hashing the
 * samples costs a fraction of writing them (docs/pytorch.md).
 */
import { createHash } from 'node:crypto';
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
  shards: ShardEntry[];
}

export interface ShardEntry {
  start: number;
  count: number;
  x: string;
  y: string;
  /** SHA-256 (hex) of each file's bytes, and its size and mtime once written: what keeps it. */
  x_sha256?: string;
  y_sha256?: string;
  x_mtime_ms?: number;
  y_mtime_ms?: number;
}

export interface ShardOptions {
  /** Samples per shard file (default 16,384): bounds the memory one `slice` call needs. */
  samplesPerShard?: number;
  /** Told how many shards were written and how many kept from the last preparation. */
  report?: (counts: { written: number; kept: number }) => void;
}

function bytes(a: Float32Array | Int32Array): Buffer {
  // Typed arrays use the host's byte order; the manifest promises little-endian.
  if (endianness() !== 'LE') throw new Error('internal: shard writing assumes a little-endian host');
  // A Buffer view of the same memory (no copy): write-file-atomic's types take a Buffer.
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Writes `split` into `dir` as memory-mappable shards, keeping the shards of an earlier complete
 * preparation that hold the same bytes; returns the manifest (also in shards.json).
 */
export function writeShards(split: DatasetSplit, dir: string, opts: ShardOptions = {}): ShardManifest {
  const per = opts.samplesPerShard ?? 16_384;
  mkdirSync(dir, { recursive: true });
  const previous = readCompleteShards(dir);
  // Temporary files an interrupted writer left go; without a complete manifest, every shard file.
  const isShard = (f: string) => /^[xy]-\d{5}\.bin$/.test(f);
  for (const f of readdirSync(dir)) {
    const stray = /^[xy]-\d{5}\.bin./.test(f) || f.startsWith(`${MANIFEST}.`) || (!previous && isShard(f));
    if (stray) rmSync(join(dir, f), { force: true });
  }
  // The folder is incomplete from the first change until the new manifest is in place.
  let changing = !previous;
  const change = () => {
    if (!changing) rmSync(join(dir, MANIFEST), { force: true });
    changing = true;
  };
  if (!previous) rmSync(join(dir, MANIFEST), { force: true });
  const shards: ShardManifest['shards'] = [];
  let xDtype: '<f4' | '<i4' = split.info.inputDType === 'i32' ? '<i4' : '<f4';
  let yDtype: '<f4' | '<i4' = split.info.classes !== undefined ? '<i4' : '<f4';
  // A sample's shapes are the batches' own, after the batch dim: a classifier's label is [], a
  // language model's labels (a class per position, the chars dataset) are [context].
  let xSample = split.info.inputShape;
  let ySample = split.info.classes !== undefined ? [] : split.info.targetShape;
  const counts = { written: 0, kept: 0 };
  for (let start = 0, k = 0; start < split.size; start += per, k++) {
    const count = Math.min(per, split.size - start);
    const b = split.slice(start, count);
    xDtype = b.x instanceof Int32Array ? '<i4' : '<f4';
    yDtype = b.y instanceof Int32Array ? '<i4' : '<f4';
    xSample = b.xShape.slice(1);
    ySample = b.yShape.slice(1);
    const name = String(k).padStart(5, '0');
    const [xBytes, yBytes] = [bytes(b.x), bytes(b.y)];
    const entry: ShardEntry = { start, count, x: `x-${name}.bin`, y: `y-${name}.bin`, x_sha256: sha256(xBytes), y_sha256: sha256(yBytes) };
    const old = previous?.shards[k];
    const kept =
      previous !== undefined &&
      old !== undefined &&
      old.start === start &&
      old.count === count &&
      old.x === entry.x &&
      old.y === entry.y &&
      old.x_sha256 === entry.x_sha256 &&
      old.y_sha256 === entry.y_sha256 &&
      sameSpec(previous.x, xDtype, xSample) &&
      sameSpec(previous.y, yDtype, ySample) &&
      unchanged(join(dir, old.x), old.x_mtime_ms) &&
      unchanged(join(dir, old.y), old.y_mtime_ms);
    if (kept) {
      counts.kept++;
      entry.x_mtime_ms = old.x_mtime_ms!;
      entry.y_mtime_ms = old.y_mtime_ms!;
    } else {
      change();
      writeFileAtomic.sync(join(dir, entry.x), xBytes);
      writeFileAtomic.sync(join(dir, entry.y), yBytes);
      entry.x_mtime_ms = statSync(join(dir, entry.x)).mtimeMs;
      entry.y_mtime_ms = statSync(join(dir, entry.y)).mtimeMs;
      counts.written++;
    }
    shards.push(entry);
  }
  // Shards of a larger earlier split are no longer listed: gone with the old manifest.
  for (const old of previous?.shards.slice(shards.length) ?? []) {
    change();
    for (const f of [old.x, old.y]) rmSync(join(dir, f), { force: true });
  }
  const manifest: ShardManifest = {
    format: SHARD_FORMAT,
    size: split.size,
    info: split.info,
    x: { dtype: xDtype, sample_shape: xSample },
    y: { dtype: yDtype, sample_shape: ySample },
    shards,
  };
  // The manifest last, atomically: a folder with a shards.json is complete. Unchanged, it stays.
  const text = JSON.stringify(manifest, null, 1);
  if (changing || JSON.stringify(previous, null, 1) !== text) writeFileAtomic.sync(join(dir, MANIFEST), text);
  opts.report?.(counts);
  return manifest;
}

function sameSpec(spec: ShardManifest['x'], dtype: string, sample: readonly number[]): boolean {
  return spec.dtype === dtype && spec.sample_shape.length === sample.length && spec.sample_shape.every((d, i) => d === sample[i]);
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Whether the file at `path` has the modification time recorded when it was written (its size `readCompleteShards` checked). */
function unchanged(path: string, mtimeMs: number | undefined): boolean {
  try {
    return mtimeMs !== undefined && statSync(path).mtimeMs === mtimeMs;
  } catch {
    return false;
  }
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
