/**
 * In-process A/B of the check: loads the check's packages twice — an older build (a folder made by
 * check-ab-old.sh) and this worktree's dist/ — and compiles the same generated model with each in
 * turn, a full collection before each, timing the compile alone. Same process, same JIT warm-up,
 * seconds apart: the ratio moves far less with the machine's load than separate runs do.
 *
 *   npx nx run-many -t build
 *   node --expose-gc --import tsx tools/bench/check-ab-inproc.ts OLD_FOLDER [rounds=10] [layers=20000]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { generateModel } from './check-scaling.js';

type Compile = (text: string, file: string, o: { registry: unknown }) => { diagnostics: unknown[] };
async function load(dir: string): Promise<{ compile: Compile; registry: unknown }> {
  const url = (p: string) => pathToFileURL(path.join(dir, 'packages', p, 'dist/index.js')).href;
  const core = await import(url('core'));
  const lang = await import(url('language'));
  const std = await import(url('plugin-std'));
  const registry = new core.PluginRegistry();
  registry.register(std.stdPlugin);
  return { compile: lang.compileSource, registry };
}

const [oldDir, roundsArg, layersArg] = process.argv.slice(2);
if (!oldDir || !global.gc) throw new Error('usage: node --expose-gc --import tsx check-ab-inproc.ts OLD_FOLDER [rounds] [layers]');
const rounds = Number(roundsArg ?? 10);
const layers = Number(layersArg ?? 20000);
const sides = { old: await load(path.resolve(oldDir)), new: await load(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')) };
const text = generateModel(layers);
for (const s of Object.values(sides)) s.compile(generateModel(1000), 'warmup.dlm', { registry: s.registry });
const load1 = os.loadavg().map((l) => l.toFixed(1)).join(' ');
const times: Record<'old' | 'new', number[]> = { old: [], new: [] };
function time(k: 'old' | 'new'): number {
  const s = sides[k];
  global.gc!();
  const c0 = process.cpuUsage();
  const out = s.compile(text, 'big.dlm', { registry: s.registry });
  const c = process.cpuUsage(c0);
  if (out.diagnostics.length) throw new Error(`${k}: ${out.diagnostics.length} diagnostics`);
  return (c.user + c.system) / 1e6;
}
const ratios: number[] = [];
for (let i = 0; i < rounds; i++) {
  const order: ('old' | 'new')[] = i % 2 === 0 ? ['old', 'new'] : ['new', 'old'];
  const t: Record<string, number> = {};
  for (const k of order) times[k].push((t[k] = time(k)));
  ratios.push(t['new']! / t['old']!);
}
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f = (v: number[]) => `min ${Math.min(...v).toFixed(3)} median ${median(v).toFixed(3)} s`;
console.log(`${new Date().toISOString()} ${layers} layers, ${rounds} rounds; load average ${load1} → ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`old CPU ${f(times.old)}; new CPU ${f(times.new)}; new/old per round min ${Math.min(...ratios).toFixed(3)} median ${median(ratios).toFixed(3)}`);
