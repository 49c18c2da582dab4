/**
 * Sizes that cannot run (issue 16, item 3): tensors beyond what the runtime can hold are located
 * diagnostics, memory is estimated before anything is allocated, and naming stays linear.
 */
import { describe, expect, it } from 'vitest';
import { checkMemory, DiagnosticBag, estimateMemory, formatBytes, GraphBuilder, LineMap, MAX_ELEMENTS, type SourceSpan } from '../src/index.js';
import { testRegistry } from './fixtures.js';

const span = (start: number, end: number): SourceSpan => new LineMap('m.dlm', 'x'.repeat(200)).span(start, end);
const units = (n: number) => [{ name: 'units', value: n }];

function builder() {
  const bag = new DiagnosticBag();
  return { bag, b: new GraphBuilder('M', testRegistry(), bag, span(0, 1), 'm.dlm') };
}

describe('tensors the runtime cannot hold (DLM3020)', () => {
  it('a parameter above 2^31 - 1 elements is reported at its layer, and nothing cascades', () => {
    const { bag, b } = builder();
    const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 100_000] });
    const [h] = b.callLayer('linear', [x], units(30_000), span(10, 20));
    const [y] = b.callLayer('relu', [h!], [], span(21, 25));
    b.addOutput('y', y!, { dtype: 'f32', shape: ['batch', 30_000] });
    expect(bag.items.map((d) => d.code)).toEqual(['DLM3020']);
    expect(bag.items[0]!.message).toBe("Parameter 'linear_1.weight' would hold 3,000,000,000 elements (f32[30000, 100000]), more than 2,147,483,647, the most one tensor can hold.");
    expect(bag.items[0]!.span).toEqual(span(10, 20));
    expect(b.finish().params).toEqual([]);
  });

  it('an input or an op result beyond the limit, per sample (batch counts as 1)', () => {
    const { bag, b } = builder();
    b.addInput('x', { dtype: 'f32', shape: ['batch', 50_000, 50_000] }, span(3, 4));
    expect(bag.items.map((d) => d.code)).toEqual(['DLM3020']);
    const ok = builder();
    ok.b.addInput('x', { dtype: 'f32', shape: ['batch', MAX_ELEMENTS] });
    expect(ok.bag.items).toEqual([]);
  });
});

describe('memory estimate', () => {
  const { b } = builder();
  const x = b.addInput('x', { dtype: 'f32', shape: ['batch', 1000] });
  const [h] = b.callLayer('linear', [x], units(500), span(10, 20));
  b.callLayer('relu', [h!], [], span(21, 25));
  const g = b.finish();

  it('counts parameters, optimizer state and the activations of a batch', () => {
    const params = (500 * 1000 + 500) * 4;
    const inference = estimateMemory(g, { batch: 32 });
    expect(inference.paramBytes).toBe(params);
    expect(inference.optimizerBytes).toBe(0);
    expect(inference.activationBytes).toBe(32 * (1000 + 500 + 500) * 4);
    expect(inference.largest?.what).toBe('parameter linear_1.weight');
    const adam = estimateMemory(g, { batch: 32, training: true, optimizerSlots: 2 });
    expect(adam.optimizerBytes).toBe(3 * params); // gradients + two moments
    expect(adam.activationBytes).toBe(2 * inference.activationBytes);
    expect(adam.totalBytes).toBe(adam.paramBytes + adam.optimizerBytes + adam.activationBytes);
    expect(estimateMemory(g, { activations: false }).activationBytes).toBe(0);
  });

  it('checkMemory is silent when it fits and names the largest tensor and its layer when not', () => {
    expect(checkMemory(g, 'training', 1 << 30, { batch: 32, training: true })).toEqual([]);
    const [d] = checkMemory(g, 'training', 1 << 20, { batch: 32, training: true });
    expect(d!.code).toBe('DLM5080');
    expect(d!.message).toContain("Model 'M' needs about 8.1 MiB of memory for training");
    expect(d!.message).toContain('more than the 1.0 MiB available');
    expect(d!.notes[0]!.message).toBe('the largest tensor is the parameter linear_1.weight (f32[500, 1000], 1.9 MiB) in layer linear_1');
    expect(d!.notes[0]!.span).toEqual(span(10, 20));
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(12)).toBe('12 bytes');
  });
});

describe('linear naming', () => {
  it('10,000 blocks of one layer each: unique names and block outputs without a quadratic search', () => {
    const { bag, b } = builder();
    let v = b.addInput('x', { dtype: 'f32', shape: ['batch', 4] });
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) {
      b.enterBlock('Step', undefined, {}, [v]);
      [v] = b.callLayer('relu', [v], [], undefined) as [string];
      b.exitBlock([v]);
    }
    const g = b.finish();
    expect(bag.items).toEqual([]);
    expect(new Set(g.nodes.map((n) => n.id)).size).toBe(10_000);
    expect(g.layers.filter((l) => l.isBlock).every((l) => l.outputs.length === 1)).toBe(true);
    expect(performance.now() - t0).toBeLessThan(20_000);
  }, 60_000);
});
