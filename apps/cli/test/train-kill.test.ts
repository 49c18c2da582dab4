/**
 * `kill -9` at seeded random moments of real `dlm train` processes (issue 13 "Kill tests", issue
 * 16 "Proof"): some while a checkpoint is being written (the moment its temp folder appears),
 * some a random few milliseconds after an epoch ended. After every kill, every checkpoint left
 * loads (checksums, layout, finite weights), `last` points at the newest, no earlier epoch is lost
 * and each equals the same epoch of an uninterrupted run bit for bit; `--resume` then continues,
 * and the last run's final weights equal the uninterrupted run's.
 *
 * Kept quick for CI: DLM_KILL_TESTS kills (default 2, one of each kind) and DLM_KILL_SEED for other moments; e.g.
 * `DLM_KILL_TESTS=20 npx vitest run test/train-kill.test.ts` for a longer run.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginRegistry } from '@dlm/core';
import { mulberry32 } from '@dlm/datasets';
import { compileFile } from '@dlm/language';
import { stdPlugin } from '@dlm/plugin-std';
import { loadCheckpoint } from '@dlm/train/node';
import { REPO_ROOT, TEST_DIR, tempDir } from './helpers.js';

const MAIN = join(TEST_DIR, '../src/main.ts');
const MODEL = join(REPO_ROOT, 'examples/mlp/mlp.dlm');
const KILLS = Number(process.env['DLM_KILL_TESTS'] ?? 2);
const SEED = Number(process.env['DLM_KILL_SEED'] ?? 7);
const EPOCHS = 24 + 6 * KILLS;

interface Kill {
  /** Epoch lines this process prints before the kill is armed. */
  afterEpochs: number;
  /** 'write': at the next checkpoint write; 'delay': `ms` after the armed moment. */
  how: 'write' | 'delay';
  ms: number;
}

/** One `dlm train` process; with `kill`, SIGKILLed at that moment (unless it finishes first). */
function train(runDir: string, resume: boolean, kill?: Kill): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; killed: boolean }> {
  const args = ['--conditions=@dlm/source', '--import', 'tsx', MAIN, 'train', MODEL, '--backend', 'cpu', '--workers', '1', '--epochs', String(EPOCHS), '--run-dir', runDir, ...(resume ? ['--resume'] : [])];
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let killed = false;
  let armed = false;
  let watcher: ReturnType<typeof watch> | undefined;
  const fire = (): void => {
    if (killed || child.exitCode !== null) return;
    killed = true;
    child.kill('SIGKILL');
  };
  const arm = (): void => {
    armed = true;
    if (kill!.how === 'delay') setTimeout(fire, kill!.ms);
    else
      watcher = watch(runDir, (_event, name) => {
        if (name?.startsWith('.tmp-epoch-')) fire();
      });
  };
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    if (kill && !armed && (stderr.match(/^epoch \d+\/\d+ /gm)?.length ?? 0) >= kill.afterEpochs) arm();
  });
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      watcher?.close();
      resolve({ code, signal, stderr, killed });
    }),
  );
}

const epochsIn = (dir: string): number[] =>
  readdirSync(dir)
    .map((n) => /^epoch-(\d+)$/.exec(n)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);

describe('kill -9 during dlm train', () => {
  it(`${KILLS} kills at seeded moments (seed ${SEED}): every checkpoint loads, nothing earlier is lost, --resume ends bit-identical`, async () => {
    const registry = new PluginRegistry();
    registry.register(stdPlugin);
    const graph = compileFile(MODEL, { registry }).program.models[0]!;
    const dir = tempDir();
    const reference = join(dir, 'reference');
    const runDir = join(dir, 'killed');
    const random = mulberry32(SEED);
    const plan: Kill[] = Array.from({ length: KILLS }, (_, i) => ({ afterEpochs: 1 + Math.floor(random() * 4), how: i % 2 === 0 ? 'write' : 'delay', ms: Math.floor(random() * 40) }));

    // The uninterrupted run goes alongside the first killed ones.
    const uninterrupted = train(reference, false);
    const weightsOf = async (d: string) => {
      const loaded = await loadCheckpoint(d, graph);
      expect(loaded.diagnostics, `${d}: ${loaded.diagnostics.map((x) => x.message).join('; ')}`).toEqual([]);
      return loaded.result!.weights;
    };
    const seen: number[] = [];
    let kills = 0;
    for (const k of plan) {
      const r = await train(runDir, existsSync(join(runDir, 'last')), k);
      if (!r.killed) {
        // It finished before the moment came: nothing to check but a clean end.
        expect(r.code, r.stderr).toBe(0);
        break;
      }
      kills++;
      expect(r.signal).toBe('SIGKILL');
      if (!existsSync(join(runDir, 'last'))) continue; // killed before the first checkpoint
      const epochs = epochsIn(runDir);
      const last = readFileSync(join(runDir, 'last'), 'utf8').trim();
      // `last` names the newest checkpoint, or the one before it when the kill came between the
      // newest folder's rename into place and the pointer's update; every epoch before it is there.
      const newest = epochs[epochs.length - 1]!;
      expect([`epoch-${newest}`, `epoch-${newest - 1}`]).toContain(last);
      expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
      expect(epochs.length).toBeGreaterThanOrEqual(seen.length);
      seen.splice(0, seen.length, ...epochs);
      for (const e of epochs) await weightsOf(join(runDir, `epoch-${e}`));
    }
    expect(kills).toBeGreaterThan(0);
    const done = await train(runDir, existsSync(join(runDir, 'last')));
    expect(done.code, done.stderr).toBe(0);
    const ref = await uninterrupted;
    expect(ref.code, ref.stderr).toBe(0);
    // No unfinished writes left over, and every epoch equals the uninterrupted run's, the last one included.
    expect(readdirSync(runDir).filter((n) => n.startsWith('.tmp-') || n === '.lock')).toEqual([]);
    expect(epochsIn(runDir)).toEqual(epochsIn(reference));
    for (const e of epochsIn(reference)) {
      const [a, b] = [await weightsOf(join(reference, `epoch-${e}`)), await weightsOf(join(runDir, `epoch-${e}`))];
      for (const [name, t] of a) expect(Buffer.from(b.get(name)!.data.buffer).equals(Buffer.from(t.data.buffer)), `epoch ${e}, ${name}`).toBe(true);
    }
  }, 60_000 + KILLS * 20_000);
});
