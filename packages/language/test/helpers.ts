/**
 * Test registry: the standard plugin, plus stand-ins for the training names the examples use that
 * the standard plugin does not (yet) register. Stand-ins only declare argument schemas — the
 * language checks names and arguments, it never runs them — and disappear as soon as
 * @dlm/plugin-std registers the real thing, so the tests always prefer the real schemas.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_API_VERSION, PluginRegistry, type ArgSpec, type DlmPlugin, type PluginKind } from '@dlm/core';
import { stdPlugin } from '@dlm/plugin-std';

const here = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(here, '../../..');

/** The corpus of real programs the tests run over: every example (in subfolders too), then every file of the invalid corpus. */
export const CORPUS_FILES: readonly string[] = [
  ...(fs.readdirSync(path.join(ROOT, 'examples'), { recursive: true }) as string[]).filter((f) => f.endsWith('.dlm')).map((f) => path.join(ROOT, 'examples', f)),
  ...fs
    .readdirSync(path.join(here, 'invalid'))
    .filter((f) => f.endsWith('.dlm'))
    .map((f) => path.join(here, 'invalid', f)),
];

const never = (): never => {
  throw new Error('test stand-in: not executable');
};

const WANTED: Record<Exclude<PluginKind, 'layer'>, Record<string, ArgSpec[]>> = {
  dataset: {
    mnist: [{ name: 'batch', type: 'int', default: 32, doc: '' }, { name: 'shuffle', type: 'bool', default: true, doc: '' }],
    fashion_mnist: [{ name: 'batch', type: 'int', default: 32, doc: '' }, { name: 'shuffle', type: 'bool', default: true, doc: '' }],
    cifar10: [{ name: 'batch', type: 'int', default: 32, doc: '' }, { name: 'shuffle', type: 'bool', default: true, doc: '' }],
    csv: [{ name: 'path', type: 'string', doc: '' }, { name: 'batch', type: 'int', default: 32, doc: '' }, { name: 'target', type: 'string', optional: true, doc: '' }],
    text: [{ name: 'batch', type: 'int', default: 32, doc: '' }, { name: 'vocab', type: 'int', default: 5000, doc: '' }, { name: 'length', type: 'int', default: 100, doc: '' }],
  },
  loss: Object.fromEntries(['mse', 'mae', 'bce', 'cross_entropy', 'sparse_cross_entropy', 'nll'].map((n) => [n, []])),
  optimizer: Object.fromEntries(['sgd', 'adam', 'adamw', 'rmsprop', 'adagrad'].map((n) => [n, [{ name: 'lr', type: 'float', default: 0.01, min: 0, doc: '' } as ArgSpec]])),
  schedule: {
    step: [{ name: 'step_size', type: 'int', doc: '' }, { name: 'gamma', type: 'float', default: 0.1, doc: '' }],
    cosine: [{ name: 'steps', type: 'int', optional: true, doc: '' }],
    warmup: [{ name: 'steps', type: 'int', doc: '' }],
  },
  regularizer: Object.fromEntries(['l1', 'l2', 'early_stopping', 'random_flip', 'random_shift', 'gaussian_noise'].map((n) => [n, [{ name: 'factor', type: 'float', default: 0.01, doc: '' } as ArgSpec]])),
  metric: Object.fromEntries(['accuracy', 'precision', 'recall', 'f1', 'confusion_matrix'].map((n) => [n, []])),
};

export function makeRegistry(): PluginRegistry {
  const reg = new PluginRegistry();
  const problems = reg.register(stdPlugin);
  if (problems.length) throw new Error(problems.map((d) => d.message).join('\n'));
  const standIn: Required<Omit<DlmPlugin, 'name' | 'apiVersion' | 'layers'>> = { datasets: [], losses: [], optimizers: [], schedules: [], regularizers: [], metrics: [] };
  for (const [kind, names] of Object.entries(WANTED) as [Exclude<PluginKind, 'layer'>, Record<string, ArgSpec[]>][]) {
    for (const [name, args] of Object.entries(names)) {
      if (reg.get(kind, name)) continue;
      const base = { name, doc: 'test stand-in', args };
      if (kind === 'dataset') (standIn.datasets as unknown[]).push({ ...base, open: never });
      if (kind === 'loss') (standIn.losses as unknown[]).push({ ...base, expects: 'values', compute: never });
      if (kind === 'optimizer') (standIn.optimizers as unknown[]).push({ ...base, learningRate: 'lr', initSlots: never, update: never });
      if (kind === 'schedule') (standIn.schedules as unknown[]).push({ ...base, lr: never });
      if (kind === 'regularizer') (standIn.regularizers as unknown[]).push({ ...base, kind: 'penalty', penalty: never });
      if (kind === 'metric') (standIn.metrics as unknown[]).push({ ...base, higherIsBetter: true, batchStats: never, finalize: never });
    }
  }
  const more = reg.register({ name: 'language-test-stand-ins', apiVersion: PLUGIN_API_VERSION, ...standIn });
  if (more.length) throw new Error(more.map((d) => d.message).join('\n'));
  return reg;
}

/**
 * Structural problems of a compiled program (empty when well-formed): every node input is a graph
 * input, a parameter or an earlier node's output; outputs exist; node ids and value names are unique.
 */
export function structuralProblems(program: import('@dlm/core').Program): string[] {
  const problems: string[] = [];
  for (const g of program.models) {
    const known = new Set<string>([...g.inputs.map((v) => v.name), ...g.params.map((p) => p.name)]);
    const ids = new Set<string>();
    for (const n of g.nodes) {
      if (ids.has(n.id)) problems.push(`${g.name}: node id ${n.id} twice`);
      ids.add(n.id);
      for (const i of n.inputs) if (i !== '' && !known.has(i)) problems.push(`${g.name}: ${n.id} reads undefined ${i}`);
      for (const o of n.outputs) {
        if (known.has(o)) problems.push(`${g.name}: ${o} defined twice`);
        known.add(o);
      }
    }
    for (const o of g.outputs) if (!known.has(o.name)) problems.push(`${g.name}: output ${o.name} undefined`);
  }
  return problems;
}
