/**
 * The parser with and without its shortcuts (grammar.ts `atom` and `simpleCall`), in one process,
 * alternating, on check-scaling.ts's generated model: CPU time of `parse()` (lexing included).
 *
 *   npx nx run-many -t build
 *   node --expose-gc --import tsx tools/bench/parse-ab.ts [layers=100000] [rounds=8]
 */
import * as os from 'node:os';
import { parse } from '@dlm/language';
import { parser } from '../../packages/language/dist/grammar.js';
import { generateModel } from './check-scaling.js';

if (!global.gc) throw new Error('run with --expose-gc');
const layers = Number(process.argv[2] ?? 100000);
const rounds = Number(process.argv[3] ?? 8);
const text = generateModel(layers);
parse(generateModel(1000), 'warmup.dlm');
const load0 = os.loadavg().map((l) => l.toFixed(1)).join(' ');
const ms: Record<'on' | 'off', number[]> = { on: [], off: [] };
for (let i = 0; i < rounds; i++) {
  for (const k of i % 2 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
    parser.shortcuts = k === 'on';
    global.gc();
    const c0 = process.cpuUsage();
    parse(text, 'big.dlm');
    const c = process.cpuUsage(c0);
    ms[k].push((c.user + c.system) / 1000);
  }
}
parser.shortcuts = true;
const sorted = (v: number[]) => [...v].sort((a, b) => a - b);
const med = (v: number[]) => sorted(v)[v.length >> 1]!;
const line = (k: 'on' | 'off') => `${k}: ${ms[k].map((x) => x.toFixed(0)).join(', ')} ms (min ${sorted(ms[k])[0]!.toFixed(0)}, median ${med(ms[k]).toFixed(0)})`;
console.log(`${new Date().toISOString()} parse of ${layers} layers, CPU; load average ${load0} → ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(line('off'));
console.log(line('on'));
console.log(`on/off median ${(med(ms.on) / med(ms.off)).toFixed(2)}`);
