import { describe, expect, it } from 'vitest';
import { DiagnosticBag, validateArgs, type ArgSpec, type ArgValue, type GivenArg } from '../src/index.js';

const schema: ArgSpec[] = [
  { name: 'filters', type: 'int', min: 1, doc: 'channels' },
  { name: 'kernel', type: 'ints', doc: 'size' },
  { name: 'padding', type: ['enum', 'ints'], values: ['valid', 'same'], default: 'valid', doc: 'padding' },
  { name: 'rate', type: 'float', default: 0.5, min: 0, max: 1, doc: 'rate' },
  { name: 'bias', type: 'bool', default: true, doc: 'bias' },
  { name: 'shape', type: 'dims', optional: true, doc: 'dims' },
  { name: 'reg', type: 'call', optional: true, positional: false, doc: 'a regularizer' },
];

function run(given: GivenArg[]) {
  const bag = new DiagnosticBag();
  const out = validateArgs('conv2d', schema, given, bag);
  return { out, msgs: bag.items.map((d) => `${d.code} ${d.message}`) };
}
const pos = (...vs: ArgValue[]): GivenArg[] => vs.map((value) => ({ value }));

describe('validateArgs', () => {
  it('fills defaults, accepts positional then named, wraps a single int for ints', () => {
    const r = run([...pos(10, 5), { name: 'padding', value: 'same' }]);
    expect(r.msgs).toEqual([]);
    expect(r.out).toEqual({ filters: 10, kernel: [5], padding: 'same', rate: 0.5, bias: true });
  });
  it('tries each type of a union in order', () => {
    expect(run([...pos(1, [3, 3]), { name: 'padding', value: [1, 2] }]).out?.['padding']).toEqual([1, 2]);
  });
  it('accepts symbols in dims and bare names as calls', () => {
    const r = run([...pos(1, 3), { name: 'shape', value: ['batch', -1] }, { name: 'reg', value: 'l2' }]);
    expect(r.out?.['shape']).toEqual(['batch', -1]);
    expect(r.out?.['reg']).toEqual({ name: 'l2', args: {} });
  });
  it('reports each problem, with suggestions', () => {
    expect(run([{ name: 'filter', value: 3 }]).msgs).toEqual([
      "DLM4003 Unknown argument 'filter' for 'conv2d'. Did you mean 'filters'?",
      "DLM4004 Missing required argument 'filters' for 'conv2d'.",
      "DLM4004 Missing required argument 'kernel' for 'conv2d'.",
    ]);
    expect(run([...pos(1.5, 3)]).msgs).toEqual(["DLM4002 Argument 'filters' of 'conv2d' expects an integer, got the number 1.5."]);
    expect(run([...pos(1, 3), { name: 'padding', value: 'sme' }]).msgs).toEqual([
      "DLM4002 Argument 'padding' of 'conv2d' expects one of valid, same or an integer or a list of integers, got 'sme'. Did you mean 'same'?",
    ]);
    expect(run([...pos(0, 3)]).msgs).toEqual(["DLM4007 Argument 'filters' of 'conv2d' must be at least 1, got the integer 0."]);
    expect(run([...pos(1, 3), { name: 'rate', value: 2 }]).msgs).toEqual(["DLM4007 Argument 'rate' of 'conv2d' must be at most 1, got the integer 2."]);
    expect(run([...pos(1, 3), { name: 'filters', value: 2 }]).msgs).toEqual(["DLM4006 Argument 'filters' given twice for 'conv2d'."]);
    expect(run(pos(1, 3, 'valid', 0.1, true, [1], 7)).msgs).toEqual(["DLM4005 Too many positional arguments for 'conv2d': it takes 6."]);
    // No near name: the note lists the arguments it takes (none when it takes none).
    const far = new DiagnosticBag();
    validateArgs('conv2d', schema, [...pos(1, 3), { name: 'stride_size', value: 2 }], far);
    expect(far.items.map((d) => [d.message, d.suggestion, d.notes])).toEqual([
      ["Unknown argument 'stride_size' for 'conv2d'.", undefined, [{ message: "'conv2d' takes filters, kernel, padding, rate, bias, shape, reg" }]],
    ]);
    const none = new DiagnosticBag();
    validateArgs('relu', [], [{ name: 'axis', value: 1 }], none);
    expect(none.items[0]!.notes).toEqual([{ message: "'relu' takes no arguments" }]);
    expect(run([{ name: 'filter', value: 3 }]).out).toBeUndefined();
    expect(run(pos(1, 3)).out).toBeDefined();
    expect(run([{ name: 'kernel', value: 3 }]).out).toBeUndefined();
  });
});
