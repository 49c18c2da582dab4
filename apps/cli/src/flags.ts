/**
 * Every command-line flag is declared once, here or in its command: name, type, short form,
 * default and help together. `parseArgsOptions` turns a set into node:util's parseArgs config and
 * `flagHelp` into the lines of `dlm <command> --help`.
 */
import type { ParseArgsConfig } from 'node:util';

export interface Flag {
  type: 'string' | 'boolean';
  help: string;
  short?: string;
  multiple?: boolean;
  /** Shown in --help; commands apply it themselves (absent flags stay undefined in `values`). */
  default?: string;
  /** Name of the value in --help (`--opset <n>`); default `value`. */
  arg?: string;
}

export type Flags = Record<string, Flag>;

/** Flags shared by several commands. */
export const COMMON = {
  model: { type: 'string', arg: 'name', help: 'the model (or train block) to use when the file has several' },
  output: { type: 'string', short: 'o', arg: 'file', help: "output file, written atomically ('-' for stdout)" },
  json: { type: 'boolean', help: 'machine-readable output' },
  checkpoint: { type: 'string', arg: 'dir', help: 'a run directory, its last file, or an epoch directory' },
} as const satisfies Flags;

/** Flags of train, eval and predict. */
export const TRAINING_FLAGS = {
  model: COMMON.model,
  backend: { type: 'string', default: 'auto', help: 'auto, webgpu, wasm or cpu; auto says which it chose and why' },
  data: { type: 'string', arg: 'name', help: "replace the train block's dataset, e.g. fashion-mnist (keeps batch and shuffle)" },
  'run-dir': { type: 'string', arg: 'dir', default: 'runs/<model>', help: 'checkpoint and report directory' },
  'cache-dir': { type: 'string', arg: 'dir', help: 'where datasets are downloaded and cached' },
  mirror: { type: 'string', arg: 'url', help: 'download base URL for datasets (a local mirror)' },
} as const satisfies Flags;

/** Flags of `dlm train` that choose the engine and, for the torch engine, its processes and device. */
export const ENGINE_FLAGS = {
  engine: { type: 'string', arg: 'tfjs|torch', default: 'tfjs', help: 'who runs the steps: tfjs, or PyTorch (one process, or DistributedDataParallel over --nproc-per-node/--nnodes; docs/training.md)' },
  'nproc-per-node': { type: 'string', arg: 'n', default: '1', help: 'torch engine: training processes on this node' },
  nnodes: { type: 'string', arg: 'n', default: '1', help: 'torch engine: number of nodes (then also --node-rank, --master-addr, --master-port)' },
  'node-rank': { type: 'string', arg: 'r', default: '0', help: "torch engine: this node's rank, 0..nnodes-1" },
  'master-addr': { type: 'string', arg: 'host', default: '127.0.0.1', help: 'torch engine: address of node 0' },
  'master-port': { type: 'string', arg: 'port', default: 'a free port on one node, 29500 on several', help: 'torch engine: rendezvous port on node 0' },
  device: { type: 'string', arg: 'cpu|cuda', default: 'cuda when torch sees a GPU, else cpu', help: 'torch engine: cuda trains with NCCL, cpu with gloo' },
  precision: { type: 'string', arg: 'bf16|fp16', help: 'torch engine on cuda: mixed precision (default float32)' },
  python: { type: 'string', arg: 'path', help: 'torch engine: the Python with torch (else DLM_PYTHON, then python3 on PATH)' },
} as const satisfies Flags;

/** Flags every command accepts. */
export const GLOBAL_FLAGS = {
  plugin: { type: 'string', multiple: true, arg: 'name|path', help: 'load a plugin (also "plugins" in dlm.config.json)' },
  config: { type: 'string', arg: 'path', help: 'use this dlm.config.json instead of the nearest one' },
  color: { type: 'boolean', help: 'colour diagnostics even when stderr is not a terminal' },
  'no-color': { type: 'boolean', help: 'never colour (also NO_COLOR=1 or TERM=dumb; FORCE_COLOR=1 forces colour)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies Flags;

export function parseArgsOptions(flags: Flags): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    Object.entries(flags).map(([name, f]) => [name, { type: f.type, ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) }]),
  );
}

export function flagHelp(flags: Flags): string[] {
  const rows = Object.entries(flags).map(([name, f]) => {
    const flag = `${f.short ? `-${f.short}, ` : '    '}--${name}${f.type === 'string' ? ` <${f.arg ?? 'value'}>` : ''}`;
    const text = `${f.help}${f.default !== undefined ? ` (default: ${f.default})` : ''}${f.multiple ? ' [repeatable]' : ''}`;
    return [flag, text] as const;
  });
  const width = Math.max(0, ...rows.map(([flag]) => flag.length)) + 2;
  return rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`);
}

/**
 * Flags of the commands that read a checkpoint and open its train block's dataset (eval,
 * predict): the training flags but `--run-dir`, since they write no run folder.
 */
export const CHECKPOINT_DATA_FLAGS = (({ 'run-dir': _runDir, ...rest }) => rest)(TRAINING_FLAGS);
