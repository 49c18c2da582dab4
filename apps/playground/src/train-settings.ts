/**
 * Which train-block settings the page cannot run. Everything else a train block says is run by
 * @dlm/train's loop in the page; these are named before training starts, never ignored.
 */
import type { TrainingSpec } from '@dlm/core';

/** Settings of a train block this page cannot run, each with the reason; empty when it can run all. */
export function unsupported(spec: TrainingSpec): string[] {
  const out: string[] = [];
  if (spec.kind !== 'supervised') out.push('GAN training (it writes sample grids and checkpoints to a run folder): use `dlm train`');
  if (spec.data.name !== 'mnist') out.push(`\`data ${spec.data.name}\`: the page has the embedded MNIST sample only, and other datasets read files or download: use \`dlm train\``);
  return out;
}
