/**
 * @dlm/torch/node: the Node.js side of the PyTorch backend — finding a Python that has torch.
 *
 * Order: an explicit interpreter (`--python`), then `DLM_PYTHON`, then `python3` on PATH. When
 * `python3` on PATH has no torch (a pyenv or venv shim in front of the system Python), Debian's
 * `/usr/bin/python3` is tried last, because that is where `apt-get install python3-torch` puts
 * torch. Every interpreter tried is listed in the error, which says how to get torch.
 */
import { spawnSync } from 'node:child_process';
import { diag, type Diagnostic } from '@dlm/core';

export interface TorchPython {
  /** The interpreter as it will be run. */
  python: string;
  /** Where it came from: '--python', 'DLM_PYTHON', 'python3 on PATH' or 'Debian python3'. */
  source: string;
  /** torch.__version__ */
  torchVersion: string;
  /** Whether torch sees a CUDA device. */
  cuda: boolean;
}

export interface FindPythonOptions {
  /** `--python` from the command line. */
  python?: string;
  /** The environment to read DLM_PYTHON from (default process.env). */
  env?: Record<string, string | undefined>;
}

const PROBE = 'import json, sys, torch; print(json.dumps({"torch": torch.__version__, "cuda": bool(torch.cuda.is_available()), "exe": sys.executable}))';

const probes = new Map<string, { torchVersion: string; cuda: boolean } | { error: string }>();

/** Runs `python -c PROBE` once per interpreter and process; the torch version and CUDA availability, or why it failed. */
export function probePython(python: string): { torchVersion: string; cuda: boolean } | { error: string } {
  let r = probes.get(python);
  if (!r) probes.set(python, (r = probeUncached(python)));
  return r;
}

function probeUncached(python: string): { torchVersion: string; cuda: boolean } | { error: string } {
  const r = spawnSync(python, ['-c', PROBE], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) return { error: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not found' : r.error.message };
  if (r.status !== 0) {
    const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
    return { error: /No module named 'torch'/.test(last) ? 'has no torch' : last || `exit status ${r.status}` };
  }
  try {
    const info = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; cuda: boolean };
    return { torchVersion: info.torch, cuda: info.cuda };
  } catch {
    return { error: `unexpected output ${JSON.stringify(r.stdout.slice(0, 200))}` };
  }
}

/** The first interpreter with torch, in dlm's order; or DLM6104 listing what was tried. */
export function findTorchPython(opts: FindPythonOptions = {}): { result?: TorchPython; diagnostics: Diagnostic[] } {
  const env = opts.env ?? process.env;
  const candidates: { python: string; source: string }[] = [];
  if (opts.python) candidates.push({ python: opts.python, source: '--python' });
  else if (env['DLM_PYTHON']) candidates.push({ python: env['DLM_PYTHON'], source: 'DLM_PYTHON' });
  else candidates.push({ python: 'python3', source: 'python3 on PATH' }, { python: '/usr/bin/python3', source: 'Debian python3' });
  const tried: string[] = [];
  for (const c of candidates) {
    const r = probePython(c.python);
    if ('error' in r) {
      tried.push(`${c.python} (${c.source}): ${r.error}`);
      continue;
    }
    return { result: { ...c, torchVersion: r.torchVersion, cuda: r.cuda }, diagnostics: [] };
  }
  return { diagnostics: [diag('DLM6104', [tried.join('; ')])] };
}

/** "python /usr/bin/python3 (DLM_PYTHON), torch 1.13.0" — the line dlm prints before using it. */
export function describeTorchPython(p: TorchPython): string {
  return `python ${p.python} (${p.source}), torch ${p.torchVersion}${p.cuda ? ', CUDA available' : ''}`;
}

export { probeTorchrun, chooseLauncher, launchCommand, launch, type Launcher, type LaunchOptions, type LaunchResult } from './launch.js';
export { writeShards, readCompleteShards, SHARD_READER_SOURCE, SHARD_FORMAT, type ShardEntry, type ShardManifest, type ShardOptions } from './shards.js';
export { trainingProgram, type TrainingConfig } from './train/program.js';
export { ganTrainingProgram, type GanTrainingConfig } from './train/gan-program.js';
export { torchEngine, describeTorchRun, failureSummary, type TorchEngineOptions, type TorchPlan, type TorchGanPlan, type TorchRunPlan } from './engine.js';
