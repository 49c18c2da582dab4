import { describe, expect, it } from 'vitest';
import { DiagnosticBag, fromJSON, GraphBuilder, IR_VERSION, IrFormatError, LineMap, toJSON, type Program } from '../src/index.js';
import { testRegistry } from './fixtures.js';
import { expectGolden } from './golden.js';

/** A program with nodes, params (with a buffer-free init), layers, spans and a training spec. */
function sampleProgram(): Program {
  const src = 'model M {\n  input x: f32[batch, 20]\n  y = x |> mlp(8) |> linear(3)\n}\n';
  const lines = new LineMap('m.dlm', src);
  const bag = new DiagnosticBag();
  const b = new GraphBuilder('M', testRegistry(), bag, lines.span(0, src.length - 1), 'm.dlm');
  const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 20] });
  const [h] = b.callLayer('mlp', [x], [{ value: 8 }], lines.span(46, 52));
  const [y] = b.callLayer('linear', [h!], [{ value: 3 }], lines.span(56, 65), {
    paramSettings: { weight: { init: { kind: 'glorot_uniform', args: { gain: 1 } }, regularizers: [{ name: 'l2', args: { factor: 1e-4 } }] } },
  });
  b.addOutput('y', y!, { dtype: 'f32', shape: ['batch', 3] });
  if (bag.items.length) throw new Error(bag.items.map((d) => d.message).join('\n'));
  return {
    irVersion: IR_VERSION,
    models: [b.finish()],
    trainings: [
      {
        kind: 'supervised',
        model: 'M',
        data: { name: 'mnist', args: { batch: 64, shuffle: true } },
        loss: { name: 'nll', args: {} },
        optimizer: { name: 'adam', args: { lr: 0.001 } },
        regularizers: [{ name: 'l2', args: { factor: 0.0001 } }],
        metrics: [{ name: 'accuracy', args: {} }],
        epochs: 10,
        settings: { seed: 1, schedule: { name: 'cosine', args: { steps: 100 } }, validation: null, tags: ['a', 'b'] },
      },
    ],
  };
}

describe('IR JSON', () => {
  it('round-trips: fromJSON(toJSON(p)) equals p, and the text is stable', () => {
    const p = sampleProgram();
    const text = toJSON(p);
    expect(fromJSON(text)).toEqual(p);
    expect(toJSON(fromJSON(text))).toBe(text);
    expectGolden('ir-roundtrip.json', text);
  });
  it('a golden IR file parses back to exactly its own text', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('./golden/ir-roundtrip.json', import.meta.url), 'utf8');
    expect(toJSON(fromJSON(text))).toBe(text);
  });
  it('rejects malformed IR with the path of the problem', () => {
    expect(() => fromJSON('{')).toThrow(IrFormatError);
    expect(() => fromJSON('{"irVersion": 99, "models": [], "trainings": []}')).toThrow(/\$\.irVersion must be IR version 1 \(got 99\)/);
    expect(() => fromJSON('{"irVersion": 1, "models": [{"name": "M", "inputs": []}], "trainings": []}')).toThrow(/\$\.models\[0\]\.outputs must be an array/);
    expect(() => fromJSON(`{"irVersion": 1, "models": [{"name": "M", "inputs": [], "outputs": [], "nodes": [{"op": "Relu"}], "params": [], "values": [], "layers": []}], "trainings": []}`)).toThrow(
      /\$\.models\[0\]\.nodes\[0\] must be a node/,
    );
  });
});
