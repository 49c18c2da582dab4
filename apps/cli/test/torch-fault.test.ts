/**
 * A rank of `dlm train --engine torch --nproc-per-node 2` (gloo, real processes) killed with
 * SIGKILL mid-run: dlm stops with DLM6108 naming the failure, every checkpoint written before it
 * loads (SHA-256 verified), and `--resume` continues from the last one with nothing lost: its next
 * epoch ends with the weights the tfjs engine reaches from the same checkpoint (1e-4; see
 * torch-engine.test.ts for why that tolerance).
 */
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { hasErrors, PluginRegistry } from '@dlm/core';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { loadCheckpoint } from '@dlm/train/node';
import { needs } from '../../../tools/test-support/system-tools.js';
import { dlm, REPO_ROOT, tempDir } from './helpers.js';
import { checkpointWeights as weights, NET_MODEL, torch } from './torch-helpers.js';

const FILE = `${NET_MODEL}
train Net {
  data csv(path: "${join(REPO_ROOT, 'examples/mlp/points.csv')}", batch: 16, shuffle: true)
  loss bce
  optimizer adam(lr: 0.01)
  epochs 1000
  metrics accuracy
  seed 3
}
`;

/** The pid of the rank-`rank` training process of the run whose work folder is `work` (Linux /proc). */
function rankPid(work: string, rank: number): number | undefined {
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (!readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(join(work, 'train.py'))) continue;
      if (readFileSync(`/proc/${p}/environ`, 'utf8').split('\0').includes(`RANK=${rank}`)) return Number(p);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return undefined;
}

describe.skipIf(process.platform !== 'linux')('a killed rank of the torch engine', () => {
  beforeEach(needs('python3-torch'));

  it('stops with DLM6108, keeps every checkpoint loadable, and --resume loses nothing', async () => {
    const dir = tempDir({ 'net.dlm': FILE });
    const file = join(dir, 'net.dlm');
    const runDir = join(dir, 'run');
    const env = { DLM_PYTHON: torch.path };
    const args = ['train', file, '--backend', 'cpu', '--workers', '1', '--run-dir', runDir];
    let killed: number | undefined;
    // Once two epochs are checkpointed, SIGKILL rank 1 wherever it is (almost surely mid-epoch: steps are most of the time).
    const watcher = setInterval(() => {
      if (killed !== undefined || !existsSync(join(runDir, 'epoch-2'))) return;
      const pid = rankPid(join(runDir, '.torch'), 1);
      if (pid === undefined) return;
      killed = pid;
      process.kill(pid, 'SIGKILL');
    }, 100);
    const r = await dlm([...args, '--engine', 'torch', '--nproc-per-node', '2'], dir, env).finally(() => clearInterval(watcher));
    expect(killed, r.stderr).toBeDefined();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error[DLM6108]: The PyTorch training processes stopped (exit status');
    // The elastic agent reports one rank as the root cause: the killed one (SIGKILL), or — when it
    // polls after rank 0 failed on the lost connection (a race of a few ms) — rank 0 and its gloo error.
    expect(r.stderr).toMatch(/rank 1 \(local_rank: 1\): exitcode -9 .*Signal 9 \(SIGKILL\)|rank 0 \(local_rank: 0\): exitcode 1 .*RuntimeError: .*Connection (reset|closed) by peer/);
    expect(readdirSync(join(runDir, '.torch')), 'the work folder is removed, but for its shards').toEqual(['shards']);

    // Every checkpoint written loads, checksums verified.
    const registry = new PluginRegistry();
    registry.register(stdPlugin);
    const compiled = compileFile(file, { registry });
    expect(hasErrors(compiled.diagnostics)).toBe(false);
    const graph = compiled.program.models[0]!;
    const epochs = readdirSync(runDir).filter((d) => /^epoch-\d+$/.test(d)).map((d) => Number(d.slice(6))).sort((a, b) => a - b);
    expect(epochs.length).toBeGreaterThanOrEqual(2);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    for (const e of epochs) {
      const loaded = await loadCheckpoint(join(runDir, `epoch-${e}`), graph, { sameGraph: true });
      expect(loaded.diagnostics, `epoch-${e}`).toEqual([]);
      expect(loaded.result!.state.epoch).toBe(e);
    }
    const last = epochs[epochs.length - 1]!;
    expect(readFileSync(join(runDir, 'last'), 'utf8').trim()).toBe(`epoch-${last}`);

    // Resume with the torch engine; the tfjs engine resumes a copy of the same folder.
    cpSync(runDir, join(dir, 'tfjs'), { recursive: true });
    const resumed = await dlm([...args, '--engine', 'torch', '--resume', '--epochs', String(last + 1)], dir, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming from ${join(runDir, `epoch-${last}`)} (epoch ${last}, step ${last * 20})`);
    // The killed run's shards hold the same data: the resumed run keeps them.
    expect(resumed.stderr).toMatch(/torch engine: \d+ training samples already in \d+ memory-mapped shard/);
    const reference = await dlm(['train', file, '--backend', 'cpu', '--workers', '1', '--run-dir', join(dir, 'tfjs'), '--resume', '--epochs', String(last + 1)], dir);
    expect(reference.code, reference.stderr).toBe(0);
    const a = weights(join(runDir, `epoch-${last + 1}`));
    const b = weights(join(dir, 'tfjs', `epoch-${last + 1}`));
    let worst = 0;
    for (const [k, v] of a) v.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - b.get(k)![i]!))));
    console.log(`killed rank 1 (pid ${killed}) after epoch ${last}; torch --resume vs tfjs --resume, one epoch: max |Δw| ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-4);
    const history = JSON.parse(readFileSync(join(runDir, `epoch-${last + 1}`, 'state.json'), 'utf8')).history as { epoch: number }[];
    expect(history.map((h) => h.epoch)).toEqual(Array.from({ length: last + 1 }, (_, i) => i + 1));
  }, 120_000);
});
