/**
 * Benchmark: the hostile inputs of issue 13 ("inputs that take the checker down"), each compiled
 * and printed as `dlm check` does (compile, then formatDiagnostics with code frames), in a fresh
 * child process with a time cap, reporting time, peak memory and output size.
 *
 *   node --conditions=@dlm/source --import tsx tools/bench/hostile-inputs.ts [case...] [--cap-s 20]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatDiagnostics, PluginRegistry } from '@dlm/core';
import { compileSource } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';

const model = (body: string) => `model M {\n  input x: f32[batch, 10]\n  output y: f32[batch, 10]\n${body}\n}\n`;

export const CASES: Record<string, () => string> = {
  'at-13k': () => `model M {\n  input x: f32[batch, 2]\n  output y: f32[batch, 2]\n  y = x |> ${'@ '.repeat(13000)}\n}\n`,
  'stray-80kb': () => `let a = 1 ${'# $ ? '.repeat(13500)}\n`,
  'stray-at-1mb': () => `let a = 1 ${'# @ '.repeat(256 * 1024)}\n`,
  'dense-args-786kb': () => model(`  y = x |> dense(${Array(Number(process.env['N'] ?? 262000)).fill('1').join(', ')})`),
  'line-5mb': () => model(`  y = x |> ${Array(500000).fill('dense(10) |> relu ^').join(' ')}`),
  'errors-20k-lines': () => model(Array.from({ length: Number(process.env['N'] ?? 20000) }, (_, i) => `  v${i} = x |> nosuch${i % 7}`).join('\n') + '\n  y = x'),
  'repeat-1000x1000': () => model('  y = x |> repeat 1000 { repeat 1000 { dense(10) } }'),
  'repeat-30x1000': () => model(`  y = x |> repeat ${process.env['N'] ?? 30} { repeat 1000 { dense(10) } }`),
  'relu-chain-100k': () => model(`  y = x |> ${Array(Number(process.env['N'] ?? 100000)).fill('relu').join(' |> ')}`),
};

function runOne(name: string): void {
  const text = CASES[name]!();
  const registry = new PluginRegistry();
  registry.register(stdPlugin);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const out = compileSource(text, 'hostile.dlm', { registry, readFile: () => undefined });
  const t1 = performance.now();
  const printed = formatDiagnostics(out.diagnostics, { sources: out.sources });
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const mem = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ name, inputKB: Math.round(text.length / 1024), diagnostics: out.diagnostics.length, compileMs: Math.round(t1 - t0), cpuMs: Math.round((cpu.user + cpu.system) / 1000), printMs: Math.round(t2 - t1), outputKB: Math.round(printed.length / 1024), maxRssMB: Math.round(mem), firstCode: out.diagnostics[0]?.code }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--one') runOne(args[1]!);
  else {
    const capAt = args.indexOf('--cap-s');
    const cap = capAt >= 0 ? Number(args[capAt + 1]) : 60;
    const names = args.filter((a, i) => a !== '--cap-s' && i !== capAt + 1);
    for (const name of names.length ? names : Object.keys(CASES)) {
      const t0 = Date.now();
      const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--one', name], { encoding: 'utf8', timeout: cap * 1000, maxBuffer: 1 << 26 });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      if (r.status === 0 && line.startsWith('{')) console.log(line);
      else console.log(JSON.stringify({ name, failed: r.signal ? `killed by ${r.signal} after ${Math.round((Date.now() - t0) / 1000)} s` : `exit ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 200)}` }));
    }
  }
}
