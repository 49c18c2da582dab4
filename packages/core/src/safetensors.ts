/**
 * The safetensors file format (https://github.com/huggingface/safetensors), used for checkpoints
 * so that weights written by dlm open in PyTorch/transformers and vice versa:
 *
 *   [8 bytes: N, little-endian u64][N bytes: JSON header][tensor data]
 *
 * The header maps each tensor name to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative
 * to the start of the data area) and may hold `__metadata__`, a string→string map. Data is
 * little-endian, row-major, tightly packed, without gaps or overlaps (the spec requires this and
 * readers such as the Rust crate refuse anything else, so we check the same).
 *
 * Pure functions over bytes: no file system, so core stays dependency-free and browsers can use it.
 */

export type SafetensorsDType = 'F32' | 'I32' | 'I64';

export interface SafetensorsTensor {
  dtype: SafetensorsDType;
  shape: number[];
  /** F32 → Float32Array, I32 → Int32Array, I64 → BigInt64Array. */
  data: Float32Array | Int32Array | BigInt64Array;
}

export interface SafetensorsFile {
  tensors: Map<string, SafetensorsTensor>;
  metadata: Record<string, string>;
}

/** Thrown by `readSafetensors` for malformed input; the message says what and where. */
export class SafetensorsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetensorsError';
  }
}

const BYTES: Record<SafetensorsDType, number> = { F32: 4, I32: 4, I64: 8 };
/** Upper bound on the header size, as in the reference implementation (100 MB). */
const MAX_HEADER = 100_000_000;

function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Serializes tensors (written in name order, like the reference implementation, so equal inputs
 * give equal bytes). The header is padded with spaces to a multiple of 8 bytes so that the data
 * area is aligned.
 */
export function writeSafetensors(
  tensors: ReadonlyMap<string, SafetensorsTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new SafetensorsError(`metadata '${k}' must be a string, got ${typeof v}`);
    }
    header['__metadata__'] = metadata;
  }
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw new SafetensorsError(`'__metadata__' cannot be a tensor name`);
    const t = tensors.get(name)!;
    const width = BYTES[t.dtype];
    if (width === undefined) throw new SafetensorsError(`tensor '${name}': unsupported dtype ${String(t.dtype)}`);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor '${name}': shape [${t.shape.join(', ')}] must hold non-negative integers`);
    }
    const expectedCtor = t.dtype === 'F32' ? Float32Array : t.dtype === 'I32' ? Int32Array : BigInt64Array;
    if (!(t.data instanceof expectedCtor)) {
      throw new SafetensorsError(`tensor '${name}': dtype ${t.dtype} needs a ${expectedCtor.name}, got ${t.data.constructor.name}`);
    }
    if (t.data.length !== numel(t.shape)) {
      throw new SafetensorsError(`tensor '${name}': shape [${t.shape.join(', ')}] holds ${numel(t.shape)} values but data has ${t.data.length}`);
    }
    const bytes = t.data.length * width;
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const enc = new TextEncoder();
  let headerBytes = enc.encode(json);
  const pad = (8 - (headerBytes.length % 8)) % 8;
  if (pad) {
    json += ' '.repeat(pad);
    headerBytes = enc.encode(json);
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let pos = 8 + headerBytes.length;
  for (const name of names) {
    const t = tensors.get(name)!;
    const width = BYTES[t.dtype];
    // Write element by element through a DataView so the file is little-endian on any host.
    if (t.dtype === 'F32') for (let i = 0; i < t.data.length; i++) view.setFloat32(pos + i * width, (t.data as Float32Array)[i]!, true);
    else if (t.dtype === 'I32') for (let i = 0; i < t.data.length; i++) view.setInt32(pos + i * width, (t.data as Int32Array)[i]!, true);
    else for (let i = 0; i < t.data.length; i++) view.setBigInt64(pos + i * width, (t.data as BigInt64Array)[i]!, true);
    pos += t.data.length * width;
  }
  return out;
}

/**
 * Parses a safetensors file, checking the header length, the JSON, every entry's dtype, shape and
 * offsets (in bounds, sized to the shape, contiguous, covering the data area exactly).
 * Dtypes other than F32/I32/I64 are rejected with a message naming the tensor.
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new SafetensorsError(`file is ${bytes.length} bytes; a safetensors file starts with an 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) throw new SafetensorsError(`header length ${n64} is larger than the ${MAX_HEADER}-byte limit (not a safetensors file?)`);
  const n = Number(n64);
  if (8 + n > bytes.length) throw new SafetensorsError(`header length ${n} runs past the end of the ${bytes.length}-byte file (truncated?)`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new SafetensorsError(`header is not valid UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new SafetensorsError('header must be a JSON object');
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: SafetensorsDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SafetensorsError('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(`__metadata__.${k} must be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v;
      }
      continue;
    }
    if (raw === null || typeof raw !== 'object') throw new SafetensorsError(`tensor '${name}': entry must be an object`);
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e.dtype !== 'string') throw new SafetensorsError(`tensor '${name}': missing dtype`);
    if (!(e.dtype in BYTES)) throw new SafetensorsError(`tensor '${name}': dtype ${e.dtype} is not supported (dlm reads F32, I32, I64)`);
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor '${name}': shape must be a list of non-negative integers, got ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[0] > off[1]) {
      throw new SafetensorsError(`tensor '${name}': data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${JSON.stringify(off)}`);
    }
    const dtype = e.dtype as SafetensorsDType;
    const shape = e.shape as number[];
    const [begin, end] = off as [number, number];
    const want = numel(shape) * BYTES[dtype];
    if (end - begin !== want) {
      throw new SafetensorsError(`tensor '${name}': ${dtype}[${shape.join(', ')}] needs ${want} bytes but data_offsets span ${end - begin}`);
    }
    if (end > dataLen) throw new SafetensorsError(`tensor '${name}': data_offsets [${begin}, ${end}] run past the ${dataLen}-byte data area (truncated?)`);
    entries.push({ name, dtype, shape, begin, end });
  }
  // The data area must be covered exactly once: sorted by offset, each entry starts where the last ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin !== expected) {
      throw new SafetensorsError(
        e.begin < expected ? `tensor '${e.name}' overlaps the previous tensor (starts at ${e.begin}, expected ${expected})` : `gap in the data area before tensor '${e.name}' (starts at ${e.begin}, expected ${expected})`,
      );
    }
    expected = e.end;
  }
  if (expected !== dataLen) throw new SafetensorsError(`data area is ${dataLen} bytes but the tensors cover ${expected}`);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    const count = numel(e.shape);
    const at = dataStart + e.begin;
    let data: Float32Array | Int32Array | BigInt64Array;
    if (e.dtype === 'F32') {
      const a = new Float32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getFloat32(at + i * 4, true);
      data = a;
    } else if (e.dtype === 'I32') {
      const a = new Int32Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getInt32(at + i * 4, true);
      data = a;
    } else {
      const a = new BigInt64Array(count);
      for (let i = 0; i < count; i++) a[i] = view.getBigInt64(at + i * 8, true);
      data = a;
    }
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}
