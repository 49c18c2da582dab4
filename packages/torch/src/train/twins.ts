/**
 * Python twins of dlm's standard training rules, for the torch engine. Plugin optimizers and
 * schedules are written against core's TensorMath and run inside the tfjs trainer; Python cannot
 * run them, so the torch engine uses a twin per standard rule: torch.optim classes (plugin-std's
 * optimizers implement PyTorch's update math line for line, so the twins are the originals) and a
 * Python function per schedule with the same formula. A rule without a twin is DLM6106 at the
 * train block's call, before anything runs.
 */
import { diag, type Args, type Diagnostic, type PluginCall, type TrainingSpec } from '@dlm/core';
import { py, type PyExpr } from '../emitter.js';

const num = (args: Args, k: string): number => args[k] as number;

/** The torch.optim constructor for each standard optimizer, from its resolved arguments. */
const OPTIMIZERS: Record<string, (params: PyExpr, a: Args) => PyExpr> = {
  sgd: (p, a) =>
    py.call('torch.optim.SGD', [p], {
      lr: py.float(num(a, 'lr')),
      momentum: py.float(num(a, 'momentum')),
      dampening: py.float(num(a, 'dampening')),
      nesterov: Boolean(a['nesterov']),
      weight_decay: py.float(num(a, 'weight_decay')),
    }),
  adam: (p, a) =>
    py.call('torch.optim.Adam', [p], {
      lr: py.float(num(a, 'lr')),
      betas: py.tuple([py.float(num(a, 'beta1')), py.float(num(a, 'beta2'))]),
      eps: py.float(num(a, 'eps')),
      weight_decay: py.float(num(a, 'weight_decay')),
    }),
  adamw: (p, a) =>
    py.call('torch.optim.AdamW', [p], {
      lr: py.float(num(a, 'lr')),
      betas: py.tuple([py.float(num(a, 'beta1')), py.float(num(a, 'beta2'))]),
      eps: py.float(num(a, 'eps')),
      weight_decay: py.float(num(a, 'weight_decay')),
    }),
  rmsprop: (p, a) =>
    py.call('torch.optim.RMSprop', [p], {
      lr: py.float(num(a, 'lr')),
      alpha: py.float(num(a, 'alpha')),
      eps: py.float(num(a, 'eps')),
      momentum: py.float(num(a, 'momentum')),
      centered: Boolean(a['centered']),
      weight_decay: py.float(num(a, 'weight_decay')),
    }),
  adagrad: (p, a) =>
    py.call('torch.optim.Adagrad', [p], {
      lr: py.float(num(a, 'lr')),
      lr_decay: py.float(num(a, 'lr_decay')),
      weight_decay: py.float(num(a, 'weight_decay')),
      initial_accumulator_value: py.float(num(a, 'initial_accumulator')),
      eps: py.float(num(a, 'eps')),
    }),
};

export const OPTIMIZER_TWINS: readonly string[] = Object.keys(OPTIMIZERS);
export const SCHEDULE_TWINS: readonly string[] = ['step', 'cosine', 'warmup'];

/** `torch.optim.Adam(params, lr=…, …)` for optimizer `name` with resolved `args`, or undefined. */
export function optimizerTwin(name: string, params: PyExpr, args: Args): PyExpr | undefined {
  return OPTIMIZERS[name]?.(params, args);
}

/**
 * `schedule_lr(name, base, step, total, per_epoch, args)`: the learning rate at `step` (from 0),
 * the formulas of plugin-std's schedules with their defaults (gamma 0.1, min_lr 0). `args` is
 * the schedule call's arguments as JSON; `warmup`'s `then` is {"name": …, "args": {…}}.
 */
export const SCHEDULE_SOURCE = `def schedule_lr(name, base, step, total, per_epoch, args):
    """dlm's standard learning-rate schedules (plugin-std), step counted from 0 over the run."""
    if name == "step":
        return base * args.get("gamma", 0.1) ** ((step // max(1, per_epoch)) // args["step_size"])
    if name == "cosine":
        if args.get("steps") is not None:
            span = args["steps"]
        elif args.get("epochs") is not None:
            span = args["epochs"] * per_epoch
        else:
            span = total
        min_lr = args.get("min_lr", 0.0)
        t = min(step, max(1, span))
        return min_lr + (base - min_lr) * (1 + math.cos(math.pi * t / max(1, span))) / 2
    if name == "warmup":
        w = args["steps"]
        if step < w:
            return base * (step + 1) / w
        then = args.get("then")
        if not then:
            return base
        return schedule_lr(then["name"], base, step - w, max(1, total - w), per_epoch, then["args"])
    raise ValueError("no Python twin for schedule " + name)`;

/** A schedule call's arguments as JSON for `schedule_lr` (a nested call becomes {name, args}). */
export function scheduleArgsJson(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    const call = v as PluginCall | null;
    out[k] = call && typeof call === 'object' && !Array.isArray(call) && 'name' in call && 'args' in call ? { name: call.name, args: scheduleArgsJson(call.args) } : v;
  }
  return out;
}

/** Every optimizer or schedule of `spec` that has no Python twin (DLM6106 at its call). */
export function checkTrainingTwins(spec: TrainingSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!OPTIMIZERS[spec.optimizer.name]) out.push(diag('DLM6106', ['optimizer', spec.optimizer.name, OPTIMIZER_TWINS.join(', ')], spec.optimizer.span ?? spec.span));
  const schedule = spec.settings['schedule'] as PluginCall | undefined;
  const check = (call: PluginCall | undefined) => {
    if (!call || typeof call !== 'object' || !('name' in call)) return;
    if (!SCHEDULE_TWINS.includes(call.name)) out.push(diag('DLM6106', ['schedule', call.name, SCHEDULE_TWINS.join(', ')], call.span ?? spec.span));
    else check(call.args['then'] as PluginCall | undefined);
  };
  check(schedule);
  return out;
}
