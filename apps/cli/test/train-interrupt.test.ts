/**
 * Ctrl-C during `dlm train`, with a real child process and a real SIGINT: the run stops after the
 * current batch, ends the progress line, keeps its last complete checkpoint, says how to resume
 * and exits 130; `--resume` then continues from that checkpoint.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, TEST_DIR, tempDir } from './helpers.js';

const MAIN = join(TEST_DIR, '../src/main.ts');

function train(args: string[], onStderr: (all: string, kill: (s: NodeJS.Signals) => void) => void = () => {}): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, ['--conditions=@dlm/source', '--import', 'tsx', MAIN, 'train', join(REPO_ROOT, 'examples/mlp/mlp.dlm'), '--backend', 'cpu', '--workers', '1', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => {
    stderr += b.toString();
    onStderr(stderr, (s) => child.kill(s));
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr, stdout })));
}

describe('Ctrl-C during dlm train', () => {
  it('stops cleanly, keeps the last complete checkpoint, says how to resume; --resume continues', async () => {
    const runDir = join(tempDir(), 'run');
    let sent = false;
    const r = await train(['--epochs', '400', '--run-dir', runDir], (all, kill) => {
      // After the first epoch's summary line, its checkpoint is complete.
      if (!sent && /^epoch 1\/400\b/m.test(all)) {
        sent = true;
        kill('SIGINT');
      }
    });
    expect(sent).toBe(true);
    expect(r.stderr).toContain('stopping after this batch (press Ctrl-C again to quit at once)');
    expect(r.stderr).toMatch(/interrupted in epoch \d+: the last complete checkpoint is .*epoch-\d+\n/);
    expect(r.stderr).toMatch(/interrupted: continue from .*epoch-(\d+) with dlm train .*mlp\.dlm --resume --run-dir /);
    expect(r.code).toBe(130);
    const kept = readFileSync(join(runDir, 'last'), 'utf8').trim();
    expect(r.stderr).toContain(join(runDir, kept));
    const n = Number(kept.slice('epoch-'.length));
    const resumed = await train(['--epochs', String(n + 1), '--run-dir', runDir, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(readFileSync(join(runDir, 'last'), 'utf8').trim()).toBe(`epoch-${n + 1}`);
  }, 60_000);
});
