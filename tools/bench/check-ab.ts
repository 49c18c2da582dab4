/**
 * A/B of the check's speed: the 100,000-layer check of check-scaling.ts, alternating between an
 * older build and this worktree's, each in a fresh process, so that both see the same load.
 *
 *   # the old build: a folder holding tools/bench/check-scaling.ts (a copy) and a node_modules
 *   # whose @dlm/core, @dlm/language, @dlm/language-service and @dlm/plugin-std are copies of the
 *   # old packages' dist/ and package.json (everything else linked to this worktree's node_modules)
 *   npx nx run-many -t build
 *   node --import tsx tools/bench/check-ab.ts OLD_FOLDER [pairs=8] [layers=100000]
 *
 * Prints each run's CPU time (user + system, all threads), wall time and heap growth, the new/old
 * CPU ratio of each pair, and min and median of both, with the load average before and after.
 */
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface Run {
  seconds: number;
  cpuSeconds: number;
  heapMiB: number;
  errors: number;
}

const [oldDir, pairsArg, layersArg] = process.argv.slice(2);
if (!oldDir) throw new Error('usage: check-ab.ts OLD_FOLDER [pairs] [layers]');
const pairs = Number(pairsArg ?? 8);
const layers = String(layersArg ?? 100000);
const newDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function once(dir: string): Run {
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'tools/bench/check-scaling.ts', '--one', layers], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Run;
}

const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
console.log(`${new Date().toISOString()} ${layers} layers, ${pairs} pairs; load average ${load()}`);
const olds: Run[] = [];
const news: Run[] = [];
for (let i = 0; i < pairs; i++) {
  // Alternate which side goes first, so neither always follows the other.
  const [a, b] = i % 2 === 0 ? [once(oldDir), once(newDir)] : ((n, o) => [o, n])(once(newDir), once(oldDir));
  olds.push(a);
  news.push(b);
  const f = (r: Run) => `${r.cpuSeconds.toFixed(2)} s CPU, ${r.seconds.toFixed(2)} s wall, ${r.heapMiB.toFixed(0)} MiB`;
  console.log(`pair ${i + 1}: old ${f(a)} | new ${f(b)} | new/old CPU ${(b.cpuSeconds / a.cpuSeconds).toFixed(2)}`);
}
const sum = (name: string, rs: Run[]) =>
  `${name}: CPU min ${Math.min(...rs.map((r) => r.cpuSeconds)).toFixed(2)} median ${median(rs.map((r) => r.cpuSeconds)).toFixed(2)} s; wall min ${Math.min(...rs.map((r) => r.seconds)).toFixed(2)} median ${median(rs.map((r) => r.seconds)).toFixed(2)} s; heap ${Math.min(...rs.map((r) => r.heapMiB)).toFixed(0)}–${Math.max(...rs.map((r) => r.heapMiB)).toFixed(0)} MiB`;
console.log(sum('old', olds));
console.log(sum('new', news));
const ratios = news.map((n, i) => n.cpuSeconds / olds[i]!.cpuSeconds);
console.log(`new/old CPU per pair: min ${Math.min(...ratios).toFixed(2)} median ${median(ratios).toFixed(2)}; load average ${load()}`);
