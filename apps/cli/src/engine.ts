/**
 * `dlm train --engine torch`: the command-line side of the torch engine. Checks the engine flags,
 * finds the Python with torch (DLM6104 says how to get one), decides between torchrun and the
 * elastic launcher from Python, prints the device line and builds the engine that `@dlm/train`'s
 * loop drives. The run folder, progress line and report stay the tfjs path's own.
 */
import { createServer } from 'node:net';
import type { Diagnostic } from '@dlm/core';
import type { TrainingEngine } from '@dlm/train';
import type { CommandContext } from './workspace.js';
import { loadTorchNode } from './backends.js';
import { ENGINE_FLAGS } from './flags.js';
import { CliError } from './io.js';
import { positiveInt } from './training.js';

const TORCH_ONLY = Object.keys(ENGINE_FLAGS).filter((k) => k !== 'engine');

/** The engine the flags ask for: undefined for tfjs (the default), or the torch engine; diagnostics when Python is missing. */
export async function engineFromFlags(ctx: CommandContext): Promise<{ engine?: TrainingEngine; diagnostics: Diagnostic[] }> {
  const name = (ctx.values['engine'] as string | undefined) ?? 'tfjs';
  if (name !== 'tfjs' && name !== 'torch') throw new CliError(`unknown engine '${name}'; use tfjs or torch`, 2);
  if (name === 'tfjs') {
    const stray = TORCH_ONLY.find((k) => ctx.values[k] !== undefined);
    if (stray) throw new CliError(`--${stray} applies to --engine torch only`, 2);
    return { diagnostics: [] };
  }
  const nproc = positiveInt(ctx, 'nproc-per-node') ?? 1;
  const nnodes = positiveInt(ctx, 'nnodes') ?? 1;
  const nodeRank = nonNegativeInt(ctx, 'node-rank') ?? 0;
  if (nodeRank >= nnodes) throw new CliError(`--node-rank must be below --nnodes (${nnodes}), got ${nodeRank}`, 2);
  const portFlag = nonNegativeInt(ctx, 'master-port');
  // Checked here, before Python starts, rather than by the rendezvous of a launched run.
  if (portFlag !== undefined && (portFlag < 1 || portFlag > 65535)) throw new CliError(`--master-port must be a port number, 1 to 65535, got ${portFlag}`, 2);
  const precision = ctx.values['precision'] as string | undefined;
  if (precision !== undefined && precision !== 'bf16' && precision !== 'fp16') throw new CliError(`--precision must be bf16 or fp16, got '${precision}'`, 2);
  const deviceFlag = ctx.values['device'] as string | undefined;
  if (deviceFlag !== undefined && deviceFlag !== 'cpu' && deviceFlag !== 'cuda') throw new CliError(`--device must be cpu or cuda, got '${deviceFlag}'`, 2);
  if (precision && deviceFlag === 'cpu') throw new CliError(`--precision ${precision} needs --device cuda: on the CPU the torch engine trains in float32 (gloo has no mixed precision)`, 2);

  const torch = await loadTorchNode('train with --engine torch');
  const found = torch.findTorchPython({ ...(ctx.values['python'] ? { python: ctx.values['python'] as string } : {}), env: ctx.io.env });
  if (!found.result) return { diagnostics: found.diagnostics };
  const python = found.result;
  if (deviceFlag === 'cuda' && !python.cuda) throw new CliError(`--device cuda: torch ${python.torchVersion} at ${python.python} sees no CUDA device; use --device cpu`, 2);
  const device = (deviceFlag as 'cpu' | 'cuda' | undefined) ?? (python.cuda ? 'cuda' : 'cpu');
  if (precision && device !== 'cuda') throw new CliError(`--precision ${precision} needs a CUDA device, and torch at ${python.python} sees none: on the CPU the torch engine trains in float32`, 2);
  const masterPort = portFlag ?? (nnodes === 1 ? await freePort() : 29500);
  const launcher = torch.chooseLauncher(python, { nprocPerNode: nproc, nnodes });
  const launch = { nprocPerNode: nproc, nnodes, nodeRank, masterAddr: (ctx.values['master-addr'] as string | undefined) ?? '127.0.0.1', masterPort };
  const options = { python, launcher, launch, device, ...(precision ? { precision: precision as 'bf16' | 'fp16' } : {}) };
  ctx.io.stderr(`device: ${torch.describeTorchRun(options)}\n`);
  // The work folder is `.torch` in the run folder the run gets (openRunFolder may choose one beside the asked one).
  return { engine: torch.torchEngine({ ...options, log: (m) => ctx.io.stderr(`${m}\n`) }), diagnostics: [] };
}

function nonNegativeInt(ctx: CommandContext, key: string): number | undefined {
  const v = ctx.values[key] as string | undefined;
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`--${key} must be a non-negative integer, got '${v}'`, 2);
  return n;
}

/** A port nobody listens on now (one node: concurrent runs must not share the rendezvous port). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 29500;
      srv.close(() => resolve(port));
    });
  });
}
