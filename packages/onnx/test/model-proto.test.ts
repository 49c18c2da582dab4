/** What the ModelProto carries: metadata, names, doc strings, dims, initializers as raw little-endian float32. */
import { describe, expect, it } from 'vitest';
import { exportOnnx, onnx, readTensor, DEFAULT_OPSET, ONNX_IR_VERSION, type IValueInfoProto } from '../src/index.js';
import { TestGraph } from './helpers/build.js';
import { lstmClassifier, mnistCnn } from './helpers/models.js';
import { randomWeights } from './helpers/run.js';

const decode = (b: Uint8Array) => onnx.ModelProto.decode(b);
const num = (v: unknown) => (typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber());

describe('model metadata', () => {
  const graph = mnistCnn();
  const weights = randomWeights(graph);
  const m = decode(exportOnnx(graph, weights, { modelVersion: 3, producerVersion: '9.9.9', docString: 'a digit classifier' }).result!);

  it('writes IR version, opset, producer, model version and doc string', () => {
    expect(num(m.irVersion)).toBe(ONNX_IR_VERSION);
    expect(m.opsetImport!.map((o) => [o.domain, num(o.version)])).toEqual([['', DEFAULT_OPSET]]);
    expect(m.producerName).toBe('dlm');
    expect(m.producerVersion).toBe('9.9.9');
    expect(num(m.modelVersion)).toBe(3);
    expect(m.docString).toBe('a digit classifier');
    expect(Object.fromEntries(m.metadataProps!.map((p) => [p.key, p.value]))).toEqual({ model: 'MnistCnn', source: 'mnist_cnn.dlm' });
    expect(m.graph!.name).toBe('MnistCnn');
  });

  it('names nodes by layer scope and documents each with the layer label and source location', () => {
    const conv = m.graph!.node!.find((n) => n.opType === 'Conv')!;
    expect(conv.name).toBe('conv2d_1/Conv');
    expect(conv.docString).toMatch(/^conv2d 10×5×5 — mnist_cnn\.dlm:\d+:3$/);
    expect(m.graph!.node!.map((n) => n.name)).toEqual([
      'conv2d_1/Conv', 'maxpool_1/MaxPool', 'relu_1/Relu', 'conv2d_2/Conv', 'maxpool_2/MaxPool', 'relu_2/Relu',
      'flatten_1/Flatten', 'dense_1/Gemm', 'relu_3/Relu', 'dense_2/Gemm', 'logsoftmax_1/LogSoftmax',
    ]);
  });

  it('stores every parameter as a raw little-endian float32 initializer equal to the weights', () => {
    const inits = m.graph!.initializer!;
    expect(inits.map((t) => t.name)).toEqual(graph.params.map((p) => p.name));
    for (const t of inits) {
      expect(t.dataType).toBe(onnx.TensorProto.DataType.FLOAT);
      expect(t.floatData ?? []).toEqual([]);
      const dv = new DataView(t.rawData!.buffer, t.rawData!.byteOffset, t.rawData!.byteLength);
      const w = weights.get(t.name!)!;
      expect(dv.getFloat32(0, true)).toBe(w[0]);
      expect(dv.getFloat32(t.rawData!.byteLength - 4, true)).toBe(w[w.length - 1]);
      const back = readTensor(t);
      expect(back.dims).toEqual(graph.params.find((p) => p.name === t.name)!.type.shape);
      expect(back.data).toEqual(w);
    }
  });

  it('writes symbolic dims as dim_param and fixed ones as dim_value, for inputs, outputs and intermediates', () => {
    const dims = (v: IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || num(d.dimValue));
    expect(dims(m.graph!.input![0]!)).toEqual(['batch', 1, 28, 28]);
    expect(dims(m.graph!.output![0]!)).toEqual(['batch', 10]);
    const vi = Object.fromEntries(m.graph!.valueInfo!.map((v) => [v.name, dims(v)]));
    expect(vi['conv2d_1/conv']).toEqual(['batch', 10, 24, 24]);
    expect(vi['flatten_1/flatten']).toEqual(['batch', 320]);
  });
});

describe('graph cleanliness', () => {
  it('drops Dropout and reads its input directly; leaves out weights nobody reads', () => {
    const graph = mnistCnn();
    const m = decode(exportOnnx(graph, randomWeights(graph)).result!);
    const gemm = m.graph!.node!.find((n) => n.name === 'dense_1/Gemm')!;
    expect(gemm.input![0]).toBe('flatten_1/flatten');
  });

  it('shares float constants (Gelu √2, 1, 0.5) across nodes', () => {
    const g = new TestGraph('TwoGelu');
    let x = g.input('x', ['batch', 4]);
    x = g.op('Gelu', [x])[0]!;
    x = g.op('Gelu', [x])[0]!;
    g.output('y', x);
    const graph = g.finish();
    const m = decode(exportOnnx(graph, new Map()).result!);
    expect(m.graph!.initializer!.map((t) => t.name)).toEqual(['const/one', 'const/half', 'const/sqrt2']);
  });

  it('keeps the dtype of an integer parameter', () => {
    const g = new TestGraph('IntTable');
    const ids = g.input('ids', ['batch'], 'i32');
    const y = g.layer('lookup', [ids], (ctx, [v]) => ctx.op('Gather', [ctx.param('table', [4], { kind: 'zeros', args: {} }, { dtype: 'i32' }), v!]))[0]!;
    g.output('y', y);
    const graph = g.finish();
    const m = decode(exportOnnx(graph, new Map([['lookup_1.table', Float32Array.from([3, 1, 4, 1])]])).result!);
    const t = readTensor(m.graph!.initializer![0]!);
    expect([t.dataType, Array.from(t.data as Int32Array)]).toEqual([onnx.TensorProto.DataType.INT32, [3, 1, 4, 1]]);
  });

  it('gives the LSTM classifier symbolic batch and time and int32 tokens', () => {
    const graph = lstmClassifier();
    const m = decode(exportOnnx(graph, randomWeights(graph)).result!);
    const input = m.graph!.input![0]!;
    expect(input.type!.tensorType!.elemType).toBe(onnx.TensorProto.DataType.INT32);
    expect(input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam)).toEqual(['batch', 'time']);
    const lstm = m.graph!.node!.find((n) => n.opType === 'LSTM')!;
    expect(lstm.output).toEqual(['', 'lstm_1/lstm/Y_h_seq_first']);
    expect(lstm.attribute!.map((a) => a.name)).toEqual(['hidden_size', 'direction']);
  });
});
