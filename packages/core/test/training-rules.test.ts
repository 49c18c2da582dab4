import { describe, expect, it } from 'vitest';
import { PLUGIN_API_VERSION, PluginRegistry, earlyStoppingOf, learningRateOf, lossFitsOutput, type Graph, type OptimizerDef, type RegularizerDef } from '../src/index.js';

const never = () => {
  throw new Error('not called');
};
const opt = (extra: Record<string, unknown>): OptimizerDef =>
  ({ name: 'o', doc: '', args: [{ name: 'step_size', type: 'float', default: 0.1, doc: '' }, { name: 'n', type: 'int', default: 1, doc: '' }], initSlots: never, update: never, ...extra }) as unknown as OptimizerDef;
const stopper = (roles: unknown): RegularizerDef =>
  ({
    name: 's',
    doc: '',
    kind: 'early_stopping',
    args: [
      { name: 'watch', type: 'string', default: 'val_loss', doc: '' },
      { name: 'wait', type: 'int', default: 3, doc: '' },
      { name: 'delta', type: 'float', default: 0.5, doc: '' },
    ],
    earlyStopping: roles,
  }) as unknown as RegularizerDef;

function problems(p: { optimizers?: OptimizerDef[]; regularizers?: RegularizerDef[] }): string[] {
  return new PluginRegistry().register({ name: 'p', apiVersion: PLUGIN_API_VERSION, ...p }).map((d) => `${d.code} ${d.message}`);
}

describe('declared plugin contracts', () => {
  it('an optimizer must name a float argument as its learning rate; the trainer reads exactly that one', () => {
    expect(problems({ optimizers: [opt({ learningRate: 'step_size' })] })).toEqual([]);
    expect(learningRateOf(opt({ learningRate: 'step_size' }), { step_size: 0.25, lr: 9 })).toBe(0.25);
    expect(problems({ optimizers: [opt({})] })).toEqual(["DLM8003 Plugin 'p' declares a malformed optimizer 'o': 'learningRate' must name one of its arguments, got undefined"]);
    expect(problems({ optimizers: [opt({ learningRate: 'n' })] })).toEqual(["DLM8003 Plugin 'p' declares a malformed optimizer 'o': 'learningRate' names argument 'n', which is not float"]);
  });

  it('early stopping names its monitor, patience and min_delta arguments', () => {
    const roles = { monitor: 'watch', patience: 'wait', minDelta: 'delta' };
    expect(problems({ regularizers: [stopper(roles)] })).toEqual([]);
    const def = stopper(roles) as Extract<RegularizerDef, { kind: 'early_stopping' }>;
    expect(earlyStoppingOf(def, { watch: 'val_accuracy', wait: 2, delta: 0.01 })).toEqual({ monitor: 'val_accuracy', patience: 2, minDelta: 0.01 });
    expect(problems({ regularizers: [stopper(undefined)] })).toEqual(["DLM8003 Plugin 'p' declares a malformed regularizer 's': 'earlyStopping' must name its { monitor, patience, minDelta } arguments"]);
    expect(problems({ regularizers: [stopper({ ...roles, patience: 'delta' })] })).toEqual([
      "DLM8003 Plugin 'p' declares a malformed regularizer 's': 'earlyStopping.patience' names argument 'delta', which is not int",
    ]);
  });
});

/** x → Gemm (scope dense) → [last op] → out, as the compiler builds it. */
function model(last: string | undefined): Graph {
  const t = { dtype: 'f32' as const, shape: ['batch', 3] };
  const nodes = [{ op: 'Gemm', inputs: ['x', 'w'], outputs: [last ? 'z' : 'out'], attrs: {}, scope: ['dense'] }];
  if (last) nodes.push({ op: last, inputs: ['z'], outputs: ['out'], attrs: {}, scope: ['act'] });
  nodes.push({ op: 'Dropout', inputs: ['out'], outputs: ['out2'], attrs: {}, scope: ['drop'], trainingOnly: true } as never);
  return {
    name: 'M',
    inputs: [{ name: 'x', type: t }],
    outputs: [{ name: 'out2', type: t }],
    nodes,
    params: [],
    types: {},
    layers: [{ path: ['dense'], kind: 'dense', label: 'dense', family: 'linear' }],
  } as unknown as Graph;
}

describe('lossFitsOutput: one rule for the compiler and the trainer', () => {
  it('looks through training-only ops to the op that makes the output', () => {
    expect(lossFitsOutput(model('LogSoftmax'), { expects: 'log_probabilities' }, 'nll', undefined)).toBeUndefined();
    expect(lossFitsOutput(model(undefined), { expects: 'logits' }, 'cross_entropy', undefined)).toBeUndefined();
    expect(lossFitsOutput(model('Sigmoid'), { expects: 'probabilities' }, 'bce', undefined)).toBeUndefined();
    expect(lossFitsOutput(model('Softmax'), { expects: 'values' }, 'mse', undefined)).toBeUndefined();
  });
  it('warns with DLM4016 naming what the model gives', () => {
    const d = lossFitsOutput(model(undefined), { expects: 'log_probabilities' }, 'nll', undefined)!;
    expect(`${d.code} ${d.severity} ${d.message}`).toBe("DLM4016 warning Loss 'nll' expects log-probabilities (a final log_softmax), but model 'M' ends with dense (unnormalized scores).");
    expect(lossFitsOutput(model('Softmax'), { expects: 'logits' }, 'cross_entropy', undefined)!.message).toContain('ends with softmax (probabilities)');
  });
});
