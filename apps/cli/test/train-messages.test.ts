/**
 * What `dlm train` says while it starts: the embedded-sample notice once per command (not once per
 * split), a backend line and a data-parallel line that agree about threads, and the run folder's
 * logs for other tools (metrics.csv, a TensorBoard event file).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dlm, REPO_ROOT, tempDir } from './helpers.js';

describe('dlm train messages', () => {
  it('says each thing once, and consistently', async () => {
    const dir = tempDir({});
    const r = await dlm(['train', join(REPO_ROOT, 'examples/mnist/mnist_cnn.dlm'), '--backend', 'wasm', '--epochs', '1', '--limit', '32', '--limit-test', '16', '--workers', '2', '--run-dir', 'run', '--cache-dir', 'cache'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/using the embedded 10,000-digit MNIST sample/g)).toHaveLength(1);
    expect(r.stderr).toContain('data-parallel training: each batch split over 2 threads (this one and 1 worker, each running single-threaded WASM)');
    expect(r.stderr).not.toMatch(/\b1 thread\b/);
    expect(existsSync(join(dir, 'run', 'metrics.csv'))).toBe(true);
    expect(readdirSync(join(dir, 'run')).filter((n) => n.startsWith('events.out.tfevents.'))).toHaveLength(1);
  }, 120_000);
});
