/**
 * Launching a PyTorch program on several processes (and nodes) with torch's elastic launcher, and
 * streaming its JSON-line progress back.
 *
 * `torchrun` is used when it works. Debian's python3-torch 1.13 ships a `torchrun` that crashes
 * at start (`Std.from_str` → `'NoneType' object has no attribute 'get'`); the launcher itself
 * works when called from Python, so then dlm runs `elastic_launch` through a small Python script
 * with the same settings (static rendezvous at master_addr:master_port, like torchrun's
 * --master-addr/--node-rank). `probeTorchrun` decides once and says which.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TorchPython } from './node.js';

export interface LaunchOptions {
  nprocPerNode: number;
  nnodes?: number;
  nodeRank?: number;
  masterAddr?: string;
  masterPort?: number;
  /** Extra environment for every rank. */
  env?: Record<string, string>;
  /** Aborting stops the launcher and its ranks (SIGTERM to their process group). */
  signal?: AbortSignal;
}

/** `single`: one process on one node needs no launcher; the program then runs without torch.distributed. */
export type Launcher = { kind: 'torchrun'; why: string } | { kind: 'elastic_launch'; why: string } | { kind: 'single'; why: string };

/** The launcher for `o`: none for one process on one node (saves starting torch twice), else `probeTorchrun`. */
export function chooseLauncher(python: TorchPython, o: Pick<LaunchOptions, 'nprocPerNode' | 'nnodes'>): Launcher {
  if (o.nprocPerNode === 1 && (o.nnodes ?? 1) === 1) return { kind: 'single', why: 'one process: run directly, without a launcher' };
  return probeTorchrun(python);
}

/** The Python side of the fallback: elastic_launch with torchrun's static-rendezvous settings. */
const ELASTIC_LAUNCH = `import json, sys
from torch.distributed.elastic.multiprocessing import Std
from torch.distributed.launcher.api import LaunchConfig, elastic_launch

opts = json.loads(sys.argv[1])
config = LaunchConfig(
    min_nodes=opts["nnodes"],
    max_nodes=opts["nnodes"],
    nproc_per_node=opts["nproc_per_node"],
    run_id="dlm",
    rdzv_backend="static",
    rdzv_endpoint=f'{opts["master_addr"]}:{opts["master_port"]}',
    rdzv_configs={"rank": opts["node_rank"]},
    max_restarts=0,
    # torchrun's default (LaunchConfig's is 30 s): a rank that died is noticed within 5 s.
    monitor_interval=5,
    redirects=Std.NONE,
    tee=Std.NONE,
)
elastic_launch(config, sys.executable)(*sys.argv[2:])
`;

const PROBE_SCRIPT = 'import os\nprint("dlm-torchrun-ok", os.environ.get("WORLD_SIZE"))\n';

let probeDir: string | undefined;
function scratch(): string {
  probeDir ??= mkdtempSync(join(tmpdir(), 'dlm-torch-launch-'));
  return probeDir;
}

const probed = new Map<string, Launcher>();

/** Whether `python -m torch.distributed.run` (torchrun) can launch a one-process job here (asked once per interpreter and process). */
export function probeTorchrun(python: TorchPython): Launcher {
  const key = `${python.python}\0${python.torchVersion}`;
  const known = probed.get(key);
  if (known) return known;
  const found = probeTorchrunUncached(python);
  probed.set(key, found);
  return found;
}

function probeTorchrunUncached(python: TorchPython): Launcher {
  const script = join(scratch(), 'probe.py');
  writeFileSync(script, PROBE_SCRIPT);
  const r = spawnSync(python.python, ['-m', 'torch.distributed.run', '--standalone', '--nproc_per_node', '1', script], { encoding: 'utf8', timeout: 120_000 });
  if (r.status === 0 && /dlm-torchrun-ok 1/.test(r.stdout)) return { kind: 'torchrun', why: `torchrun works (torch ${python.torchVersion})` };
  const last = `${r.stderr ?? ''}`.trim().split('\n').pop() ?? `exit status ${r.status}`;
  return { kind: 'elastic_launch', why: `torchrun does not start here: ${last}` };
}

/** The command line that runs `script args…` on every rank with `launcher`. */
export function launchCommand(python: TorchPython, launcher: Launcher, script: string, args: readonly string[], o: LaunchOptions): string[] {
  const nnodes = o.nnodes ?? 1;
  const addr = o.masterAddr ?? '127.0.0.1';
  const port = o.masterPort ?? 29500;
  const rank = o.nodeRank ?? 0;
  if (launcher.kind === 'single') return [python.python, script, ...args];
  if (launcher.kind === 'torchrun') {
    // The underscore spellings are accepted by every torchrun version (1.13 has no dashed ones).
    return [python.python, '-m', 'torch.distributed.run', '--nnodes', String(nnodes), '--nproc_per_node', String(o.nprocPerNode), '--node_rank', String(rank), '--master_addr', addr, '--master_port', String(port), script, ...args];
  }
  const launch = join(scratch(), 'elastic_launch.py');
  writeFileSync(launch, ELASTIC_LAUNCH);
  const opts = { nnodes, nproc_per_node: o.nprocPerNode, node_rank: rank, master_addr: addr, master_port: port };
  return [python.python, launch, JSON.stringify(opts), script, ...args];
}

export interface LaunchResult {
  code: number;
  /** Every JSON line the ranks printed, in arrival order. */
  events: Record<string, unknown>[];
  /** Everything else they printed (warnings, tracebacks), for the error message. */
  log: string;
}

/**
 * Runs `script` on every rank and streams its stdout: each line that is a JSON object goes to
 * `onEvent` as it arrives (progress), everything else to the log. Resolves when all ranks exit.
 */
export function launch(python: TorchPython, launcher: Launcher, script: string, args: readonly string[], o: LaunchOptions, onEvent: (e: Record<string, unknown>) => void = () => {}): Promise<LaunchResult> {
  const [cmd, ...argv] = launchCommand(python, launcher, script, args, o);
  return new Promise((resolve, reject) => {
    // Its own process group: a terminal's Ctrl-C reaches dlm, which stops after the step and then
    // ends the ranks itself; dlm exiting for any reason ends them too.
    const child = spawn(cmd!, argv, { env: { ...process.env, PYTHONUNBUFFERED: '1', ...threads(o), ...o.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const kill = (): void => {
      try {
        if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    process.on('exit', kill);
    if (o.signal?.aborted) kill();
    o.signal?.addEventListener('abort', kill, { once: true });
    const events: Record<string, unknown>[] = [];
    let log = '';
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        const event = parseEvent(line);
        if (event) {
          events.push(event);
          onEvent(event);
        } else log += `${line}\n`;
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (log += chunk));
    child.on('error', (e) => {
      process.removeListener('exit', kill);
      reject(e);
    });
    child.on('close', (code) => {
      process.removeListener('exit', kill);
      o.signal?.removeEventListener('abort', kill);
      resolve({ code: code ?? 1, events, log: log + pending });
    });
  });
}

/** torchrun's rule: several processes per node get one OpenMP thread each unless OMP_NUM_THREADS says otherwise; one process keeps torch's default. */
function threads(o: LaunchOptions): Record<string, string> {
  const set = process.env['OMP_NUM_THREADS'];
  if (set !== undefined) return { OMP_NUM_THREADS: set };
  return o.nprocPerNode > 1 ? { OMP_NUM_THREADS: '1' } : {};
}

function parseEvent(line: string): Record<string, unknown> | undefined {
  const t = line.trim();
  if (!t.startsWith('{')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
