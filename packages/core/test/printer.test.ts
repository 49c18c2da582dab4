import { describe, expect, it } from 'vitest';
import { codeFrame, diag, formatDiagnostics, LineMap } from '../src/index.js';
import { expectGolden } from './golden.js';

const src = [
  'model MnistCnn {',
  '  input  image: f32[batch, 1, 28, 28]',
  '  output logits: f32[batch, 10]',
  '',
  '  logits = image',
  '    |> conv2d(filters: 10, kernel: 5) |> max_pool(2)',
  '    |> dense(50)',
  '    |> dense(10) |> log_sofmax',
  '}',
  '',
].join('\n');
const lines = new LineMap('examples/mnist.dlm', src);
const at = (needle: string, len = needle.length) => {
  const i = src.indexOf(needle);
  return lines.span(i, i + len);
};

describe('printer', () => {
  it('renders diagnostics with code frames, notes and a count (golden)', () => {
    const ds = [
      diag('DLM3001', ['Gemm', 'inner dims of A [batch, 10, 4, 4] and B [50, 160]: 10 does not match 160'], at('dense(50)'), [
        { message: 'input 1 (A) has shape f32[batch, 10, 4, 4], from max_pool', span: at('max_pool(2)') },
      ]),
      diag('DLM2001', ['log_sofmax'], at('log_sofmax'), [], 'log_softmax'),
      diag('DLM3003', ['logits', 'f32[batch, 10]', 'f32[batch, 1]'], at('logits = image\n    |> conv2d', 30)),
      diag('DLM8004', ['old-plugin', 0, 1]),
    ];
    const text = formatDiagnostics(ds, { sources: { 'examples/mnist.dlm': src } });
    expectGolden('printer.txt', text);
    expect(text).toContain("Did you mean 'log_softmax'?");
    expect(text.endsWith('4 errors, 0 warnings\n')).toBe(true);
  });
  it('puts carets under the span, expanding tabs, with a one-caret minimum', () => {
    const s = 'a\tbc def';
    const m = new LineMap('f', s);
    expect(codeFrame(s, m.span(5, 8))).toBe('  |\n1 | a bc def\n  |      ^^^');
    expect(codeFrame(s, m.span(0, 0))).toBe('  |\n1 | a bc def\n  | ^');
  });
  it('prints without a frame when the source is not given, and colours on request', () => {
    const d = diag('DLM2001', ['foo'], lines.span(0, 5));
    expect(formatDiagnostics([d])).toBe("error[DLM2001]: Unknown layer 'foo'.\n  --> examples/mnist.dlm:1:1\n\n1 error, 0 warnings\n");
    expect(formatDiagnostics([d], { color: true })).toContain('\x1b[31m');
    expect(formatDiagnostics([])).toBe('');
  });
});

describe('printer: output bounded whatever the input (issue 13)', () => {
  it('shows a window around the column of a long line, elided on both sides', () => {
    const s = 'x'.repeat(100_000) + 'BAD' + 'y'.repeat(100_000) + '\nnext';
    const m = new LineMap('f', s);
    const frame = codeFrame(s, m.span(100_000, 100_003));
    const [, line, carets] = frame.split('\n');
    expect(frame.length).toBeLessThan(400);
    expect(line).toContain('…');
    expect(line!.trimEnd().endsWith('…')).toBe(true);
    expect(line!.indexOf('BAD')).toBe(carets!.indexOf('^^^'));
    expect(carets).toMatch(/\^\^\^$/);
  });
  it('keeps CRLF out of frames and finds lines without splitting the whole file', () => {
    const s = 'ab\r\ncd ef\r\n';
    const m = new LineMap('f', s);
    expect(codeFrame(s, m.span(7, 9))).toBe('  |\n2 | cd ef\n  |    ^^');
  });
  it('prints at most maxErrors per file and counts the rest; 0 prints all', () => {
    const s = Array.from({ length: 20_000 }, (_, i) => `v${i}`).join('\n');
    const m = new LineMap('big.dlm', s);
    let at = 0;
    const ds = Array.from({ length: 20_000 }, (_, i) => {
      const d = diag('DLM2010', [`v${i}`], m.span(at, at + 2));
      at += `v${i}\n`.length;
      return d;
    });
    const t0 = performance.now();
    const text = formatDiagnostics(ds, { sources: { 'big.dlm': s } });
    expect(text.match(/error\[DLM2010\]/g)).toHaveLength(50);
    expect(text).toContain('… and 19950 more diagnostics in big.dlm, not shown (at most 50 per file).');
    expect(text.endsWith('20000 errors, 0 warnings\n')).toBe(true);
    const all = formatDiagnostics(ds, { sources: { 'big.dlm': s }, maxErrors: 0 });
    expect(all.match(/error\[DLM2010\]/g)).toHaveLength(20_000);
    // Linear: 20,000 frames of a 20,000-line file in well under the seconds a quadratic scan took.
    expect(performance.now() - t0).toBeLessThan(3000);
  });
});
