/**
 * Learning-rate schedules: pure functions of the step (counted from 0 over the whole run), so a
 * resumed run gets exactly the rate an uninterrupted one would. `step` decays per epoch like
 * torch.optim.lr_scheduler.StepLR; `cosine` anneals per step like CosineAnnealingLR; `warmup`
 * ramps linearly, then holds the base rate or hands over to another standard schedule.
 */
import { DiagnosticBag, validateArgs, type Args, type PluginCall, type ScheduleDef } from '@dlm/core';

const n = (args: Args, k: string): number => args[k] as number;

export const step: ScheduleDef = {
  name: 'step',
  doc: 'Multiplies the rate by gamma every step_size epochs (StepLR).',
  args: [
    { name: 'step_size', type: 'int', min: 1, doc: 'Epochs between decays.' },
    { name: 'gamma', type: 'float', default: 0.1, min: 0, doc: 'Decay factor.' },
  ],
  lr: (base, s, _total, perEpoch, args) => base * Math.pow(n(args, 'gamma'), Math.floor(Math.floor(s / Math.max(1, perEpoch)) / n(args, 'step_size'))),
};

export const cosine: ScheduleDef = {
  name: 'cosine',
  doc: 'Cosine annealing from the base rate to min_lr over `steps` steps (or `epochs` epochs; default: the whole run), then min_lr.',
  args: [
    { name: 'steps', type: 'int', optional: true, min: 1, doc: 'Length of the annealing in optimizer steps.' },
    { name: 'epochs', type: 'int', optional: true, min: 1, doc: 'Length of the annealing in epochs (instead of steps).' },
    { name: 'min_lr', type: 'float', default: 0, min: 0, doc: 'Final learning rate.' },
  ],
  lr: (base, s, total, perEpoch, args) => {
    const span = args['steps'] !== undefined ? n(args, 'steps') : args['epochs'] !== undefined ? n(args, 'epochs') * perEpoch : total;
    const minLr = n(args, 'min_lr');
    const t = Math.min(s, Math.max(1, span));
    return minLr + ((base - minLr) * (1 + Math.cos((Math.PI * t) / Math.max(1, span)))) / 2;
  },
};

/** Schedules `warmup` can hand over to (the standard ones; a plugin's own schedule cannot be wrapped). */
const WRAPPABLE: readonly ScheduleDef[] = [step, cosine];

export const warmup: ScheduleDef = {
  name: 'warmup',
  doc: 'Linear warm-up over `steps` steps (rate·(s+1)/steps), then the base rate, or the schedule given as `then` (e.g. then: cosine(min_lr: 1e-5)) counted from the end of the warm-up.',
  args: [
    { name: 'steps', type: 'int', min: 1, doc: 'Warm-up length in optimizer steps.' },
    { name: 'then', type: 'call', optional: true, doc: 'Schedule after the warm-up: step(…) or cosine(…).' },
  ],
  lr: (base, s, total, perEpoch, args) => {
    const w = n(args, 'steps');
    if (s < w) return (base * (s + 1)) / w;
    const then = args['then'] as PluginCall | undefined;
    if (!then) return base;
    const def = WRAPPABLE.find((d) => d.name === then.name);
    if (!def) throw new Error(`warmup: 'then' must be one of ${WRAPPABLE.map((d) => d.name).join(', ')}, got '${then.name}'`);
    const bag = new DiagnosticBag();
    const inner = validateArgs(then.name, def.args, Object.entries(then.args).map(([name, value]) => ({ name, value })), bag);
    if (!inner) throw new Error(`warmup: bad arguments for '${then.name}': ${bag.items.map((d) => d.message).join(' ')}`);
    return def.lr(base, s - w, Math.max(1, total - w), perEpoch, inner);
  },
};

export const schedules: readonly ScheduleDef[] = [step, cosine, warmup];
