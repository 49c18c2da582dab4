/**
 * Benchmark: how soon diagnostics follow an edit in an editor (issue 15's target: under 100 ms
 * for a 5,000-line file). Drives @dlm/language-service as the language server does on each
 * change — `analyze` of the whole new text, whose diagnostics the server publishes — after a
 * one-character edit in the middle of a generated 5,000-line file, and reports the time of each
 * phase (parse alone, full analysis; wall and CPU time). The server adds its debounce (150 ms by
 * default) in front.
 *
 *   npx nx run-many -t build
 *   node --import tsx tools/bench/editor-latency.ts [--lines 5000] [--runs 9] [--no-cache] [--insert]
 *
 * The file: models of 100 statements each, every statement one line of two layers
 * (`hN = hM |> dense(16) |> relu`), so 5,000 lines are 50 models and 10,000 layers.
 */
import * as os from 'node:os';
import { PluginRegistry } from '@dlm/core';
import { parse } from '@dlm/language';
import { analyze, CompileCache } from '@dlm/language-service';
import { stdPlugin } from '@dlm/plugin-std';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export function generateFile(lines: number): string {
  const out: string[] = [];
  let m = 0;
  while (out.length < lines) {
    out.push(`model M${m++} {`, '  input x: f32[batch, 16]', '  output y: f32[batch, 16]');
    let prev = 'x';
    for (let i = 0; i < 95 && out.length < lines - 2; i++) {
      out.push(`  h${i} = ${prev} |> dense(16) |> relu`);
      prev = `h${i}`;
    }
    out.push(`  y = ${prev}`, '}');
  }
  return out.join('\n') + '\n';
}

const lines = arg('--lines', 5000);
const runs = arg('--runs', 9);
const registry = new PluginRegistry();
registry.register(stdPlugin);
const text = generateFile(lines);
// The edit: `dense(16)` → `dense(17)` on the middle line, then back, alternately; with --insert,
// a line break typed at the end of the middle line instead (everything below it moves).
const mid = text.split('\n').slice(0, Math.floor(lines / 2)).join('\n').length;
const at = text.indexOf('dense(16)', mid) + 'dense(1'.length;
const insert = process.argv.includes('--insert');
const edited = insert ? text.slice(0, mid) + '\n' + text.slice(mid) : text.slice(0, at) + '7' + text.slice(at + 1);
const noImports = () => undefined;

// The language server keeps one CompileCache per open document; --no-cache analyses from scratch.
const cache = process.argv.includes('--no-cache') ? undefined : new CompileCache();
analyze(text, 'big.dlm', registry, noImports, cache); // warm-up, as a server that opened the file
const parseMs: number[] = [];
const analyzeMs: number[] = [];
const analyzeCpuMs: number[] = [];
let diagnostics = 0;
for (let r = 0; r < runs; r++) {
  const t = r % 2 === 0 ? edited : text;
  const t0 = performance.now();
  parse(t, 'big.dlm');
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const a = analyze(t, 'big.dlm', registry, noImports, cache);
  const cpu = process.cpuUsage(cpu0);
  const t2 = performance.now();
  analyzeCpuMs.push((cpu.user + cpu.system) / 1000);
  parseMs.push(t1 - t0);
  analyzeMs.push(t2 - t1);
  diagnostics = Math.max(diagnostics, a.diagnostics.length);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const min = (xs: number[]) => Math.min(...xs);
console.log(`${insert ? 'line break inserted' : 'one digit changed'}; ${lines} lines, ${text.length} characters; Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} edits`);
console.log('| phase | median | min |');
console.log('| --- | ---: | ---: |');
console.log(`| parse (lex + parse to AST) | ${median(parseMs).toFixed(1)} ms | ${min(parseMs).toFixed(1)} ms |`);
console.log(`| analyze (what the server runs per change: parse, bind, compile, symbols) | ${median(analyzeMs).toFixed(1)} ms | ${min(analyzeMs).toFixed(1)} ms |`);
console.log(`| analyze, CPU time (user + system, all threads) | ${median(analyzeCpuMs).toFixed(1)} ms | ${min(analyzeCpuMs).toFixed(1)} ms |`);
console.log(`diagnostics after the edit: ${diagnostics}${cache ? `; models reused per edit: ${cache.reused}, compiled: ${cache.compiled}` : '; no CompileCache'}`);
