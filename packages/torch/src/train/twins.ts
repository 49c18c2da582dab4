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
export const LOSS_TWINS: readonly string[] = ['mse', 'mae', 'bce', 'bce_with_logits', 'cross_entropy', 'sparse_cross_entropy', 'nll'];
export const PENALTY_TWINS: readonly string[] = ['l1', 'l2'];

/**
 * `dlm_loss(name, output, target, args)` and `dlm_penalty(name, param, args)`: plugin-std's
 * losses (mean over the batch, class axis last, probabilities clipped to [1e-7, 1 − 1e-7],
 * label smoothing (1 − ε)·y + ε/C) and weight penalties (Keras convention: l2 adds λ·Σp²,
 * l1 adds λ·Σ|p|), with the same formulas.
 */
export const LOSS_SOURCE = `def _aligned(output, target):
    return target.to(output.dtype).reshape(output.shape)


def dlm_loss(name, output, target, args):
    """dlm's standard losses (plugin-std), mean over the batch."""
    if name == "mse":
        return ((output - _aligned(output, target)) ** 2).mean()
    if name == "mae":
        return (output - _aligned(output, target)).abs().mean()
    if name == "bce":
        y = _aligned(output, target)
        p = output.clamp(1e-7, 1 - 1e-7)
        return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()
    if name == "bce_with_logits":
        y = _aligned(output, target)
        return (output.clamp(min=0) - output * y + torch.log(torch.exp(-output.abs()) + 1)).mean()
    if name in ("cross_entropy", "sparse_cross_entropy", "nll"):
        classes = output.shape[-1]
        out2d = output.reshape(-1, classes)
        if name == "cross_entropy" and tuple(target.shape) == tuple(output.shape):
            dist = target.to(output.dtype).reshape(-1, classes)
        else:
            dist = F.one_hot(target.reshape(-1).long(), classes).to(output.dtype)
        eps = 0.0 if name == "nll" else args.get("label_smoothing", 0.0)
        if eps > 0:
            dist = dist * (1 - eps) + eps / classes
        logp = out2d if name == "nll" else F.log_softmax(out2d, dim=-1)
        return -(dist * logp).sum(1).mean()
    raise ValueError("no Python twin for loss " + name)


def dlm_penalty(name, param, args):
    """dlm's weight penalties: l1 adds weight·Σ|p|, l2 adds weight·Σp²."""
    if name == "l1":
        return args["weight"] * param.abs().sum()
    if name == "l2":
        return args["weight"] * (param * param).sum()
    raise ValueError("no Python twin for regularizer " + name)


def dlm_penalty_grads(groups):
    """Adds the penalties' gradients in place, one fused op per (penalty, weight) group: l2's
    2·weight·p and l1's weight·sign(p), the gradients of dlm_penalty (cheaper than
    differentiating one small sum per parameter)."""
    for (name, weight), params in groups.items():
        for p in params:
            if p.grad is None:
                p.grad = torch.zeros_like(p)
        grads = [p.grad for p in params]
        if name == "l2":
            torch._foreach_add_(grads, [p.detach() for p in params], alpha=2 * weight)
        elif name == "l1":
            torch._foreach_add_(grads, [p.detach().sign() for p in params], alpha=weight)
        else:
            raise ValueError("no Python twin for regularizer " + name)`;

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

/** Every loss, optimizer or schedule of `spec` that has no Python twin (DLM6106 at its call). */
export function checkTrainingTwins(spec: TrainingSpec): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (!LOSS_TWINS.includes(spec.loss.name)) out.push(diag('DLM6106', ['loss', spec.loss.name, LOSS_TWINS.join(', ')], spec.loss.span ?? spec.span));
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

/**
 * Python twins of plugin-std's augmentations, each `def augment(x, args, draw)` with the same
 * math, op for op, as its TensorMath version: the same draws (`draw.uniform` / `draw.normal`, the
 * twins of `randomUniform` / `randomNormal`, per sample where the original is per sample) in the
 * same order, and the same formulas (a flip is out + mask·(flipped − out); a shift is the masked
 * sum of 2·pad+1 shifted slices with the same bucket bounds), so given the same draws both give the
 * same batch. A plugin's own augmentation declares its twin in its `torch` field (see plugins.md).
 */
export const AUGMENTATION_TWINS: Readonly<Record<string, string>> = {
  random_flip: `def augment(x, args, draw):
    if x.dim() != 4:
        raise ValueError(f"random_flip needs NCHW image batches (rank 4), got shape {list(x.shape)}")
    p = float(args["p"])
    out = x
    for axis, on in ((3, args["horizontal"]), (2, args["vertical"])):
        if on:
            u = draw.uniform([x.shape[0], 1, 1, 1])
            mask = 1 - (u > p).to(x.dtype)
            out = out + mask * (out.flip(axis) - out)
    return out
`,
  random_shift: `def augment(x, args, draw):
    if x.dim() != 4:
        raise ValueError(f"random_shift needs NCHW image batches (rank 4), got shape {list(x.shape)}")
    b, c, h, w = x.shape
    pad = int(args["pad"])
    k = 2 * pad + 1
    padded = F.pad(x, (pad, pad, pad, pad))

    def bucket(scaled, i):
        s = scaled + 1e-9
        return (s > i).to(x.dtype) * (1 - (s > i + 1).to(x.dtype))

    sy = draw.uniform([b, 1, 1, 1]) * k
    sx = draw.uniform([b, 1, 1, 1]) * k
    rows = None
    for i in range(k):
        part = bucket(sy, i) * padded[:, :, i : i + h, :]
        rows = part if rows is None else rows + part
    out = None
    for j in range(k):
        part = bucket(sx, j) * rows[:, :, :, j : j + w]
        out = part if out is None else out + part
    return out
`,
  gaussian_noise: `def augment(x, args, draw):
    return x + draw.normal(list(x.shape), 0.0, float(args["std"]))
`,
};

/** The Python twin of an augmentation: its own declaration, else plugin-std's; undefined when it has none. */
export function augmentationTwin(def: { name: string; torch?: string }): string | undefined {
  return def.torch ?? AUGMENTATION_TWINS[def.name];
}

/**
 * `DlmDraw` (an augmentation's random numbers: torch's generator in training, given arrays in the
 * twin tests) and `dlm_augmenter(specs, draw)`: the train block's augmentations in order, each
 * twin's source run in its own namespace so two twins never see each other's names.
 */
export const AUGMENT_SOURCE = `class DlmDraw:
    """TensorMath.randomUniform / randomNormal for the augmentation twins, from one torch generator."""

    def __init__(self, generator, device):
        self.generator, self.device = generator, device

    def uniform(self, shape):
        return torch.rand(list(shape), generator=self.generator).to(self.device)

    def normal(self, shape, mean=0.0, std=1.0):
        return (torch.randn(list(shape), generator=self.generator) * std + mean).to(self.device)


def dlm_augmenter(specs, draw):
    """x -> the batch after every augmentation of the train block, in the block's order."""
    steps = []
    for spec in specs:
        scope = {"torch": torch, "F": F, "math": math}
        exec(compile(spec["source"], "<augmentation " + spec["name"] + ">", "exec"), scope)
        steps.append((scope["augment"], spec["args"]))

    def run(x):
        with torch.no_grad():
            for fn, args in steps:
                x = fn(x, args, draw)
        return x

    return run`;
