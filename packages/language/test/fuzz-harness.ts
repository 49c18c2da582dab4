/**
 * The fuzz harness of issue 13: input generators and the oracle every input must pass. Shared by
 * the CI test (test/fuzz-oracle.test.ts: fixed seed, a few thousand inputs) and the long run
 * (tools/bench/fuzz.ts: every truncation of every example and as many mutations as asked).
 *
 * Oracle, per input: compile and format never throw; no "internal error"; every diagnostic has a
 * catalogue code and a span inside its file; the printed diagnostics stay under OUTPUT_LIMIT;
 * checking one input (compile and print) and formatting it each take under TIME_LIMIT_MS; and when `fmt` accepts the text, formatting again changes
 * nothing and the formatted text compiles to the same IR with the same diagnostic codes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostics, type Program } from '@dlm/core';
import { compileSource, format, lex } from '../src/index.js';
import { makeRegistry } from './helpers.js';
import { mulberry32 } from '@dlm/core';

/** The shared seeded generator (mulberry32 of @dlm/core), under the name these tests use. */
export const rng = mulberry32;

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const EXAMPLES = fs
  .readdirSync(path.join(ROOT, 'examples'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => fs.readdirSync(path.join(ROOT, 'examples', d.name)).filter((f) => f.endsWith('.dlm')).map((f) => `examples/${d.name}/${f}`))
  .sort()
  .map((file) => ({ file, text: fs.readFileSync(path.join(ROOT, file), 'utf8') }));

/** Printed diagnostics of one input stay under this, whatever the input (50 frames and a count). */
export const OUTPUT_LIMIT = 256 * 1024;
export const TIME_LIMIT_MS = 5000;

const UNICODE = ['\u202e', '\u200f', '\u0000', '\ud800', '\udfff', '\ufeff', '\u200d', 'é', '𝔁', '\r', '\u2028'];
const DIMS = ['-1', '0', '-0', '99999999999999999999', '-99999999999999999999', '9007199254740993', '2147483648', '1e308', '1e-300', '4294967296', '1.5'];

/** One mutation kind per call, chosen by the generator: token edits, byte flips, unicode, huge dims. */
export function mutate(text: string, rand: () => number): string {
  const pick = (n: number) => Math.floor(rand() * n);
  const toks = lex(text, 'x.dlm').tokens;
  if (toks.length === 0) return text + UNICODE[pick(UNICODE.length)];
  const t = toks[pick(toks.length)]!;
  const s = t.startOffset;
  const e = s + t.image.length;
  switch (pick(7)) {
    case 0: // delete a token
      return text.slice(0, s) + text.slice(e);
    case 1: // duplicate a token
      return text.slice(0, e) + ' ' + t.image + text.slice(e);
    case 2: {
      // swap with the next token
      const next = toks[toks.indexOf(t) + 1];
      return next ? text.slice(0, s) + next.image + text.slice(e, next.startOffset) + t.image + text.slice(next.startOffset + next.image.length) : text;
    }
    case 3: {
      // flip one bit of one character
      const at = pick(text.length);
      return text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ (1 << pick(16))) + text.slice(at + 1);
    }
    case 4: {
      // unicode: direction marks, NUL, lone surrogates, a BOM in the middle
      const at = pick(text.length + 1);
      return text.slice(0, at) + UNICODE[pick(UNICODE.length)] + text.slice(at);
    }
    case 5: {
      // a huge, negative or fractional dim in place of a number
      const nums = toks.filter((x) => /^\d/.test(x.image));
      const n = nums[pick(nums.length)];
      return n ? text.slice(0, n.startOffset) + DIMS[pick(DIMS.length)] + text.slice(n.startOffset + n.image.length) : text;
    }
    default: // truncate
      return text.slice(0, pick(text.length + 1));
  }
}

/** Inputs no mutation reaches: megabyte lines, deep nesting, floods of errors. */
/** `scale` 1 is the CI size; the benchmark runs larger (1 MB lines of layers are parser-bound). */
export function pathological(scale = 1): { name: string; text: string }[] {
  const model = (body: string) => `model M {\n  input x: f32[batch, 10]\n  output y: f32[batch, 10]\n${body}\n}\n`;
  return [
    { name: '1 MB line of stray characters', text: `let a = 1 ${'$ ^ '.repeat(256 * 1024)}\n` },
    { name: '1 MB identifier', text: model(`  y = x |> ${'a'.repeat(1 << 20)}`) },
    { name: `${scale * 50} KB line of layers`, text: model(`  y = x |> ${'relu |> '.repeat(6400 * scale)}relu`) },
    { name: '13,000 @ on one line', text: model(`  y = x |> ${'@ '.repeat(13000)}`) },
    // Parser recovery works per token: without the error caps this took minutes.
    { name: "1 MB line alternating stray characters and '@'", text: `let a = 1 ${'# @ '.repeat(256 * 1024)}\n` },
    { name: `dense with ${scale * 5000} arguments`, text: model(`  y = x |> dense(${Array(5000 * scale).fill('1').join(', ')})`) },
    { name: '10,000-deep nesting', text: `let a = ${'('.repeat(10000)}1${')'.repeat(10000)}\n` },
    { name: '10,000-deep repeats', text: model(`  y = x |> ${'repeat 2 { '.repeat(10000)}relu${' }'.repeat(10000)}`) },
    { name: 'a million layers', text: model('  y = x |> repeat 1000 { repeat 1000 { dense(10) } }') },
    { name: `${scale * 2000} errors, one per line`, text: model(Array.from({ length: 2000 * scale }, (_, i) => `  v${i} = x |> nosuch`).join('\n') + '\n  y = x') },
    { name: 'huge dims', text: model('  y = x |> dense(4294967296) |> dense(99999999999999999999) |> dense(-5) |> dense(1e308)') },
  ];
}

const registry = makeRegistry();
const noImports = () => undefined;

/** The IR without source positions, which formatting may move. */
function shape(p: Program): string {
  return JSON.stringify(p, (k, v: unknown) => (k === 'span' || k === 'source' ? undefined : v));
}

/** Problems `text` shows under the oracle; empty when it passes. */
export function oracle(text: string, file = 'fuzz.dlm'): string[] {
  const problems: string[] = [];
  const t0 = performance.now();
  let out;
  try {
    out = compileSource(text, file, { registry, readFile: noImports });
  } catch (e) {
    return [`compile threw: ${String((e as Error).stack ?? e)}`];
  }
  for (const d of out.diagnostics) {
    if (!/^DLM\d{4}$/.test(d.code)) problems.push(`diagnostic without a catalogue code: ${d.code}`);
    if (/internal error/i.test(d.message)) problems.push(`internal error: ${d.message.slice(0, 200)}`);
    const src = d.span ? out.sources.get(d.span.file) : undefined;
    if (!d.span || src === undefined) problems.push(`${d.code} has no span in a known file`);
    else if (!(d.span.start >= 0 && d.span.start <= d.span.end && d.span.end <= src.length && d.span.line >= 1 && d.span.col >= 1)) {
      problems.push(`${d.code} span outside the file: ${JSON.stringify({ ...d.span, file: undefined })} (length ${src.length})`);
    }
  }
  let printed = '';
  try {
    printed = formatDiagnostics(out.diagnostics, { sources: out.sources });
  } catch (e) {
    problems.push(`printing threw: ${String(e)}`);
  }
  if (printed.length > OUTPUT_LIMIT) problems.push(`output of ${printed.length} characters`);
  const checkMs = performance.now() - t0;
  if (checkMs > TIME_LIMIT_MS) problems.push(`check took ${Math.round(checkMs)} ms`);
  let f;
  const t1 = performance.now();
  try {
    f = format(text, file);
  } catch (e) {
    problems.push(`format threw: ${String((e as Error).stack ?? e)}`);
  }
  const formatMs = performance.now() - t1;
  if (formatMs > TIME_LIMIT_MS) problems.push(`format took ${Math.round(formatMs)} ms`);
  if (f?.result !== undefined) {
    const again = format(f.result, file).result;
    if (again !== f.result) problems.push('format is not idempotent');
    const re = compileSource(f.result, file, { registry, readFile: noImports });
    const codes = (ds: { code: string }[]) => ds.map((d) => d.code).sort().join(',');
    if (codes(re.diagnostics) !== codes(out.diagnostics)) problems.push(`formatting changed the diagnostics: ${codes(out.diagnostics)} → ${codes(re.diagnostics)}`);
    else if (shape(re.program) !== shape(out.program)) problems.push('formatting changed the IR');
  }
  return problems;
}
