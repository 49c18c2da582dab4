/**
 * Rules about a train block that the compiler, the trainer and the editor all apply, stated once:
 * whether the loss fits what the model outputs, and the plugin contracts the trainer reads (an
 * optimizer's learning-rate argument, what early stopping watches). Plugins declare these roles
 * (`OptimizerDef.learningRate`, `early_stopping` regularizers' `earlyStopping`), so no caller
 * guesses an argument by its name.
 */
import { diag, type Diagnostic, type DiagnosticNote } from './diagnostics.js';
import type { Graph, SourceSpan } from './ir.js';
import type { Args, LossDef, OptimizerDef, RegularizerDef } from './plugin.js';

/** What the op that makes a model output gives, as a loss sees it. */
const GIVES: Record<string, { kind: LossDef['expects']; text: string }> = {
  LogSoftmax: { kind: 'log_probabilities', text: 'log_softmax (log-probabilities)' },
  Softmax: { kind: 'probabilities', text: 'softmax (probabilities)' },
  Sigmoid: { kind: 'probabilities', text: 'sigmoid (probabilities)' },
};

const EXPECTS: Record<LossDef['expects'], string> = {
  logits: 'logits (no final softmax or sigmoid)',
  probabilities: 'probabilities (a final softmax or sigmoid)',
  log_probabilities: 'log-probabilities (a final log_softmax)',
  values: 'values',
};

/**
 * The classic silent mistake: `nll` after a layer without `log_softmax`, `cross_entropy` after a
 * softmax. The loss declares the output kind it expects; the op that makes the model's first
 * output (looking through Identity and training-only ops) says what the model gives. Returns the
 * DLM4016 warning, located at the loss call with a note at the layer, or undefined when it fits.
 */
export function lossFitsOutput(graph: Graph, loss: Pick<LossDef, 'expects'>, lossName: string, span: SourceSpan | undefined): Diagnostic | undefined {
  const out = graph.outputs[0];
  if (!out || loss.expects === 'values') return undefined;
  const producers = new Map<string, (typeof graph.nodes)[number]>();
  for (const n of graph.nodes) for (const o of n.outputs) producers.set(o, n);
  let node = producers.get(out.name);
  for (let guard = 0; node && (node.op === 'Identity' || node.trainingOnly) && guard < graph.nodes.length; guard++) {
    node = producers.get(node.inputs[0] ?? '');
  }
  if (!node) return undefined;
  const gives = GIVES[node.op];
  if ((gives?.kind ?? 'logits') === loss.expects) return undefined;
  const scope = node.scope.join('/');
  const layer = graph.layers.find((l) => l.path.join('/') === scope);
  const what = gives?.text ?? `${layer ? layer.kind : node.op} (unnormalized scores)`;
  const notes: DiagnosticNote[] = node.span ? [{ message: 'the model output is made here', span: node.span }] : [];
  return diag('DLM4016', [lossName, EXPECTS[loss.expects], graph.name, what], span, notes);
}

/** The base learning rate of an optimizer call: the argument the optimizer declares as its learning rate. */
export function learningRateOf(def: Pick<OptimizerDef, 'learningRate'>, args: Args): number {
  const v = args[def.learningRate];
  return typeof v === 'number' ? v : Number.NaN;
}

/** Early stopping as its plugin declares it: the monitored quantity, the patience and the smallest improvement. */
export function earlyStoppingOf(def: Extract<RegularizerDef, { kind: 'early_stopping' }>, args: Args): { monitor: string; patience: number; minDelta: number } {
  const roles = def.earlyStopping;
  const num = (k: string) => (typeof args[k] === 'number' ? (args[k] as number) : Number.NaN);
  return { monitor: String(args[roles.monitor]), patience: num(roles.patience), minDelta: num(roles.minDelta) };
}
