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
