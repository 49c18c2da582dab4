/**
 * `--engine torch` on several nodes, for real: two `dlm train` processes on this machine as node
 * ranks 0 and 1 (one rank each, static rendezvous at 127.0.0.1, gloo), as two machines would run
 * the same command. Both finish, both keep a complete run folder, and the weights equal those of
 * one node with two processes on the same global batch (DDP semantics do not depend on where the
 * ranks live). Debian's python3-torch; its `torchrun` does not start, so dlm's elastic_launch
 * fallback does the rendezvous.
 */
import { copyFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { needs } from '../../../tools/test-support/system-tools.js';
import { dlm, REPO_ROOT, tempDir } from './helpers.js';
import { checkpointWeights as weights, maxWeightDiff as maxDiff, NET_MODEL, torch } from './torch-helpers.js';

const FILE = `${NET_MODEL}
train Net {
  data csv(path: "points.csv", batch: 32, shuffle: true)
  loss bce
  optimizer adam(lr: 0.02)
  epochs 2
  seed 7
}
`;

/** A TCP port nothing listens on now (the rendezvous store binds it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('dlm train --engine torch --nnodes 2', () => {
  beforeEach(needs('python3-torch'));

  it('two node ranks train together; each keeps the run folder; weights equal one node with two processes', async () => {
    const dir = tempDir({ 'net.dlm': FILE });
    copyFileSync(join(REPO_ROOT, 'examples/mlp/points.csv'), join(dir, 'points.csv'));
    const env = { DLM_PYTHON: torch.path };
    const train = (runDir: string, ...more: string[]) => dlm(['train', 'net.dlm', '--backend', 'cpu', '--engine', 'torch', '--run-dir', runDir, ...more], dir, env);
    const port = String(await freePort());
    const node = (rank: number) => train(`node${rank}`, '--nnodes', '2', '--node-rank', String(rank), '--nproc-per-node', '1', '--master-addr', '127.0.0.1', '--master-port', port);
    const [n0, n1] = await Promise.all([node(0), node(1)]);
    expect(n0.code, n0.stderr).toBe(0);
    expect(n1.code, n1.stderr).toBe(0);
    expect(n1.stderr).toMatch(/1 process per node × 2 nodes \(node rank 1\), backend gloo/);
    expect(n1.stderr).toMatch(/^epoch 2\/2 {2}loss \S+/m);
    for (const run of ['node0', 'node1']) for (const f of ['last', 'report.html', 'epoch-2/weights.safetensors', 'epoch-2/optimizer.safetensors']) expect(existsSync(join(dir, run, f)), `${run}/${f}`).toBe(true);
    // After DDP's all-reduce every rank holds the same weights: the two nodes' copies are equal.
    expect(maxDiff(weights(join(dir, 'node0/epoch-2')), weights(join(dir, 'node1/epoch-2')))).toBe(0);

    const one = await train('one-node', '--nproc-per-node', '2');
    expect(one.code, one.stderr).toBe(0);
    expect(maxDiff(weights(join(dir, 'node0/epoch-2')), weights(join(dir, 'one-node/epoch-2')))).toBeLessThanOrEqual(1e-6);
  }, 240_000);
});
