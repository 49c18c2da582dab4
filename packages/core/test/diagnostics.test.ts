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
  it('suggests for a one- or two-character name only what keeps half of it', () => {
    // One edit away, but sharing nothing: 'x' is not a typo of 'M'.
    expect(didYouMean('x', ['M', 'y'])).toBeUndefined();
    expect(didYouMean('x', ['xs'])).toBeUndefined();
    expect(didYouMean('ab', ['cd', 'M'])).toBeUndefined();
    // Case and separators still count as the same name; two characters sharing one still help.
    expect(didYouMean('m', ['M'])).toBe('M');
    expect(didYouMean('h2', ['h1', 'x'])).toBe('h1');
    expect(didYouMean('l3', ['l1', 'l2'])).toBe('l1');
    expect(didYouMean('ab', ['abc'])).toBe('abc');
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

describe('LineMap', () => {
  it('gives the line and column a plain count gives, whatever order offsets are asked in', () => {
    // The text: lines of random lengths (empty ones too), a byte-order mark first, '\r\n' ends.
    let seed = 7;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let text = '\ufeff';
    for (let i = 0; i < 200; i++) text += 'x'.repeat(Math.floor(next() * 5)) + (next() < 0.3 ? '\r\n' : '\n');
    const naive = (offset: number) => {
      const before = text.slice(0, Math.max(0, offset));
      const line = before.split('\n').length;
      const lineStart = before.lastIndexOf('\n') + 1;
      const bom = line === 1 && offset > 0 ? 1 : 0;
      return { line, col: Math.max(0, offset) - lineStart + 1 - bom };
    };
    const map = new LineMap('f.dlm', text);
    const offsets = [0, 1, text.length, text.length + 3];
    for (let i = 0; i < 2000; i++) offsets.push(Math.floor(next() * text.length));
    // In order (as a parser asks), backwards, and at random.
    for (const o of [...[...offsets].sort((a, b) => a - b), ...[...offsets].sort((a, b) => b - a), ...offsets]) {
      expect(map.position(o)).toEqual(naive(o));
      const end = o + Math.floor(next() * 12);
      const e = naive(end);
      expect(map.span(o, end)).toEqual({ file: 'f.dlm', start: o, end, line: naive(o).line, col: naive(o).col, endLine: e.line, endCol: e.col });
    }
  });
});
