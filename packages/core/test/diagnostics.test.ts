import { describe, expect, it } from 'vitest';
import { DiagnosticBag, didYouMean, editDistance, formatMessage, MESSAGES, sortDiagnostics, diag, LineMap } from '../src/index.js';

describe('didYouMean', () => {
  const layers = ['conv2d', 'conv1d', 'dense', 'max_pool', 'avg_pool', 'log_softmax', 'softmax', 'lstm', 'gru', 'batch_norm'];
  it.each([
    ['maxpool', 'max_pool'],
    ['MaxPool', 'max_pool'],
    ['max-pool', 'max_pool'],
    ['dnese', 'dense'],
    ['conv2', 'conv2d'],
    ['log_sofmax', 'log_softmax'],
    ['softmx', 'softmax'],
    ['batchnorm', 'batch_norm'],
  ])('%s → %s', (typo, want) => {
    expect(didYouMean(typo, layers)).toBe(want);
  });
  it('suggests nothing for unrelated names or the exact name', () => {
    expect(didYouMean('transformer', layers)).toBeUndefined();
    expect(didYouMean('xyz', layers)).toBeUndefined();
    expect(didYouMean('dense', ['dense'])).toBeUndefined();
    expect(didYouMean('a', [])).toBeUndefined();
  });
  it('breaks ties alphabetically, so suggestions are deterministic', () => {
    expect(didYouMean('conv3d', ['conv2d', 'conv1d'])).toBe('conv1d');
    expect(didYouMean('conv3d', ['conv1d', 'conv2d'])).toBe('conv1d');
  });
  it('edit distance counts a transposition as one edit', () => {
    expect(editDistance('dense', 'dnese')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('diagnostics', () => {
  it('every catalogue code is DLMnnnn with a severity and a message', () => {
    for (const [code, e] of Object.entries(MESSAGES)) {
      expect(code).toMatch(/^DLM[1-9]\d{3}$/);
      expect(['error', 'warning', 'info']).toContain(e.severity);
      expect(e.message.length).toBeGreaterThan(1);
    }
  });
  it('formats templates and sorts by file, offset, code', () => {
    expect(formatMessage('{0} and {1} and {2}', ['a', 3])).toBe('a and 3 and {2}');
    const a = new LineMap('a.dlm', 'xxxxxxxxxx');
    const b = new LineMap('b.dlm', 'xxxxxxxxxx');
    const ds = [diag('DLM3001', ['x', 'y'], b.span(0, 1)), diag('DLM2001', ['q'], a.span(5, 6)), diag('DLM1001', ['#'], a.span(5, 6)), diag('DLM8004', ['p', 0, 1])];
    expect(sortDiagnostics(ds).map((d) => d.code)).toEqual(['DLM8004', 'DLM1001', 'DLM2001', 'DLM3001']);
    const bag = new DiagnosticBag();
    expect(bag.hasErrors).toBe(false);
    bag.add(ds[0]!);
    expect(bag.hasErrors).toBe(true);
  });
});
