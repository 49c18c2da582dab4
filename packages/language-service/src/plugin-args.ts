/** What the service knows about arguments: the plugin kind each train key takes, and the arguments a callee declares. */
import { blockOf } from '@dlm/language';
import type { Analysis } from './analysis.js';

/** The plugin kind each train-block key names (undefined: a plain value; 'model': a model name). */
export const TRAIN_KEYS: Record<string, string | undefined> = {
  data: 'dataset',
  loss: 'loss',
  optimizer: 'optimizer',
  regularize: 'regularizer',
  metrics: 'metric',
  schedule: 'schedule',
  epochs: undefined,
  seed: undefined,
  validation_split: undefined,
  clip: undefined,
  generator: 'model',
  discriminator: 'model',
};

export type Kind = 'layer' | 'dataset' | 'loss' | 'optimizer' | 'regularizer' | 'metric' | 'schedule';

/** The key of the train entry that contains the token at `idx` (first token on its line). */
export function trainKeyOf(tokens: { image: string; startLine?: number }[], idx: number): string | undefined {
  const line = tokens[idx]!.startLine;
  const first = tokens.find((t) => t.startLine === line);
  return first?.image;
}

/** The arguments `callee` takes: a block's parameters, else the first plugin of a fitting kind that declares it. */
export function argsOf(an: Analysis, callee: string, trainKey: string | undefined): { name: string; detail: string; doc?: string }[] {
  const block = blockOf(an.symbols.moduleScope.get(callee));
  if (block) {
    return block.params.map((p) => ({ name: p.name.name, detail: `block parameter${p.type ? `: ${p.type.name}` : ''}` }));
  }
  const kinds: Kind[] = trainKey && TRAIN_KEYS[trainKey] && TRAIN_KEYS[trainKey] !== 'model' ? [TRAIN_KEYS[trainKey] as Kind] : ['layer', 'regularizer', 'optimizer', 'loss', 'metric', 'dataset', 'schedule'];
  for (const k of kinds) {
    const r = an.registry.get(k, callee);
    if (r) {
      return r.def.args.map((a) => {
        const type = Array.isArray(a.type) ? (a.type as string[]).join(' | ') : (a.type as string);
        const dflt = a.default !== undefined ? ` = ${JSON.stringify(a.default)}` : '';
        return { name: a.name, detail: `${type}${dflt}`, doc: a.doc };
      });
    }
  }
  return [];
}
