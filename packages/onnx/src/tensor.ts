/**
 * TensorProto reading and writing. Weights go out as `raw_data`, little-endian (the ONNX rule,
 * independent of the host), which is also how ONNX's own test data stores tensors; reading
 * accepts both raw_data and the typed repeated fields.
 */
import { DataType, onnx, type ITensorProto, type TensorProto } from './proto.js';

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes of a typed array in little-endian order (a copy, so the proto never aliases caller memory). */
function leBytes(arr: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  const out = new Uint8Array(arr.byteLength);
  if (LITTLE_ENDIAN) {
    out.set(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    return out;
  }
  const view = new DataView(out.buffer);
  arr.forEach((v: number | bigint, i: number) => {
    if (arr instanceof Float32Array) view.setFloat32(i * 4, v as number, true);
    else if (arr instanceof Int32Array) view.setInt32(i * 4, v as number, true);
    else view.setBigInt64(i * 8, v as bigint, true);
  });
  return out;
}

export function float32Tensor(name: string, dims: readonly number[], data: Float32Array): TensorProto {
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.FLOAT, rawData: leBytes(data) });
}

export function int32Tensor(name: string, dims: readonly number[], data: Int32Array): TensorProto {
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.INT32, rawData: leBytes(data) });
}

export function int64Tensor(name: string, dims: readonly number[], data: readonly number[]): TensorProto {
  const big = BigInt64Array.from(data.map((v) => BigInt(v)));
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: DataType.INT64, rawData: leBytes(big) });
}

/** A decoded tensor: numbers for float/int types, with its ONNX element type. */
export interface DecodedTensor {
  name: string;
  dims: number[];
  dataType: number;
  data: Float32Array | Int32Array | BigInt64Array | Uint8Array | Float64Array;
}

const toNum = (v: number | { toNumber(): number }): number => (typeof v === 'number' ? v : v.toNumber());

/** Reads a TensorProto (raw_data or typed fields) into a typed array. Throws on types dlm never uses. */
export function readTensor(t: ITensorProto): DecodedTensor {
  const dims = (t.dims ?? []).map((d) => toNum(d as number));
  const n = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  const base = { name: t.name ?? '', dims, dataType: t.dataType ?? 0 };
  switch (t.dataType) {
    case DataType.FLOAT: {
      const data = new Float32Array(n);
      if (view) for (let i = 0; i < n; i++) data[i] = view.getFloat32(i * 4, true);
      else data.set(t.floatData ?? []);
      return { ...base, data };
    }
    case DataType.DOUBLE: {
      const data = new Float64Array(n);
      if (view) for (let i = 0; i < n; i++) data[i] = view.getFloat64(i * 8, true);
      else data.set(t.doubleData ?? []);
      return { ...base, data };
    }
    case DataType.INT32: {
      const data = new Int32Array(n);
      if (view) for (let i = 0; i < n; i++) data[i] = view.getInt32(i * 4, true);
      else data.set(t.int32Data ?? []);
      return { ...base, data };
    }
    case DataType.INT64: {
      const data = new BigInt64Array(n);
      if (view) for (let i = 0; i < n; i++) data[i] = view.getBigInt64(i * 8, true);
      else (t.int64Data ?? []).forEach((v, i) => (data[i] = BigInt(toNum(v as number))));
      return { ...base, data };
    }
    case DataType.BOOL:
    case DataType.UINT8: {
      const data = new Uint8Array(n);
      if (raw) data.set(raw.subarray(0, n));
      else data.set(t.int32Data ?? []);
      return { ...base, data };
    }
    default:
      throw new Error(`tensor '${t.name}': ONNX data type ${t.dataType} is not supported by dlm's reader`);
  }
}

/** Decodes a serialized TensorProto (the `input_0.pb` files of ONNX's backend tests). */
export function decodeTensor(bytes: Uint8Array): DecodedTensor {
  return readTensor(onnx.TensorProto.decode(bytes));
}
