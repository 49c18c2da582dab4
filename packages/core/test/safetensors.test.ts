import { describe, expect, it } from 'vitest';
import { readSafetensors, SafetensorsError, writeSafetensors, type SafetensorsTensor } from '../src/safetensors.js';

/** Builds a file by hand, byte by byte, following the spec (not our writer). */
function handMade(headerJson: string, data: number[]): Uint8Array {
  const h = new TextEncoder().encode(headerJson);
  const out = new Uint8Array(8 + h.length + data.length);
  out[0] = h.length & 0xff;
  out[1] = (h.length >> 8) & 0xff;
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

describe('safetensors', () => {
  it('reads a hand-made file (F32 little-endian, I32, metadata)', () => {
    // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0, int32 7 = 07 00 00 00, -1 = ff ff ff ff
    const header =
      '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"I32","shape":[1,2],"data_offsets":[8,16]}}';
    const file = handMade(header, [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0, 7, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]);
    const { tensors, metadata } = readSafetensors(file);
    expect(metadata).toEqual({ format: 'pt' });
    expect([...tensors.get('a')!.data]).toEqual([1, -2]);
    expect(tensors.get('a')!.shape).toEqual([2]);
    expect(tensors.get('b')!.dtype).toBe('I32');
    expect([...tensors.get('b')!.data]).toEqual([7, -1]);
    expect(tensors.get('b')!.shape).toEqual([1, 2]);
  });

  it('round-trips F32, I32, I64, scalars and empty tensors', () => {
    const tensors = new Map<string, SafetensorsTensor>([
      ['w', { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1.5, -2, 3.25, 0, 1e-7, -1e30]) }],
      ['step', { dtype: 'I64', shape: [], data: BigInt64Array.from([123456789012n]) }],
      ['idx', { dtype: 'I32', shape: [3], data: Int32Array.from([-1, 0, 2147483647]) }],
      ['empty', { dtype: 'F32', shape: [0, 4], data: new Float32Array(0) }],
    ]);
    const bytes = writeSafetensors(tensors, { epoch: '3' });
    // Header length is a multiple of 8 so the data area is aligned.
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ epoch: '3' });
    expect([...back.tensors.keys()].sort()).toEqual(['empty', 'idx', 'step', 'w']);
    for (const [k, t] of tensors) {
      const b = back.tensors.get(k)!;
      expect(b.dtype).toBe(t.dtype);
      expect(b.shape).toEqual(t.shape);
      expect([...b.data]).toEqual([...t.data]);
    }
    // Deterministic bytes for equal input.
    expect(writeSafetensors(tensors, { epoch: '3' })).toEqual(bytes);
  });

  it('writer refuses data that does not fit the shape or dtype', () => {
    expect(() => writeSafetensors(new Map([['x', { dtype: 'F32', shape: [3], data: new Float32Array(2) }]]))).toThrow(/holds 3 values but data has 2/);
    expect(() => writeSafetensors(new Map([['x', { dtype: 'I32', shape: [2], data: new Float32Array(2) }]]))).toThrow(/needs a Int32Array/);
  });

  const good = () =>
    handMade('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}', [0, 0, 0x80, 0x3f, 0, 0, 0x80, 0x3f]);

  it.each([
    ['a too-short file', () => new Uint8Array(4), /8-byte header length/],
    ['a truncated data area', () => good().subarray(0, good().length - 1), /run past the 7-byte data area/],
    ['a header length past the end', () => handMade('{}', []).map((b, i) => (i === 0 ? 200 : b)), /runs past the end/],
    ['bad JSON', () => handMade('{"a":', []), /not valid UTF-8 JSON/],
    ['an unsupported dtype', () => handMade('{"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}}', [0, 0]), /dtype BF16 is not supported/],
    ['a size mismatch', () => handMade('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', new Array(8).fill(0)), /needs 12 bytes but data_offsets span 8/],
    [
      'overlapping tensors',
      () => handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', [0, 0, 0, 0]),
      /overlaps/,
    ],
    ['trailing bytes', () => handMade('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', new Array(8).fill(0)), /data area is 8 bytes but the tensors cover 4/],
    ['a bad shape', () => handMade('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', [0, 0, 0, 0]), /shape must be a list of non-negative integers/],
    ['non-string metadata', () => handMade('{"__metadata__":{"x":1}}', []), /__metadata__\.x must be a string/],
  ])('rejects %s with a clear error', (_name, make, msg) => {
    expect(() => readSafetensors(make())).toThrow(SafetensorsError);
    expect(() => readSafetensors(make())).toThrow(msg);
  });
});
