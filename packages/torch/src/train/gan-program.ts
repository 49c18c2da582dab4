/**
 * The torch engine's adversarial training program: the generated generator and discriminator
 * modules, one optimizer each (the train block's, as in program.ts), and the tfjs trainer's GAN
 * step (packages/train/src/gan.ts) in the same order with the same semantics:
 *
 *   fake = G(z)                      training mode, no gradient; G's batch-norm statistics are
 *                                    left as they were (they move in the G step)
 *   D step: loss(D(x), 1) + loss(D(fake), 0) on cat([x, fake]) (D's statistics updated once);
 *           a non-finite D loss stops before D's update
 *   G step: loss(D(G(z)), 1) against the updated D, gradients for G only; D's statistics are
 *           left as they were; each model's dropout masks are the ones of its pass above (the
 *           tfjs step reuses each model's seed)
 *   each update: global-norm clipping over the model's gradients, the scheduled rate
 *
 * z ~ N(0, 1) of G's input shape comes from its own torch generator (per seed and starting step).
 * It runs as one process: under DDP each model's batch-norm statistics would be per rank, which is
 * not the tfjs step's global batch, so the engine refuses several processes for a GAN (DLM6107).
 * Weights and optimizer slots are written with the models' prefixes (`<model>/<param>`), as dlm's
 * GAN checkpoints name them.
 */
import type { Args } from '@dlm/core';
import { py, render } from '../emitter.js';
import { SHARD_READER_SOURCE } from '../shards.js';
import { CHECKPOINT_IO_SOURCE, PROGRAM_IMPORTS } from './program.js';
import { LOSS_SOURCE, optimizerTwin, SCHEDULE_SOURCE } from './twins.js';

/** What the GAN program reads from its JSON config (argv[1]). */
export interface GanTrainingConfig {
  /** Each model's module, class and checkpoint prefix (`Generator/`). */
  generator: { module: string; className: string; prefix: string };
  discriminator: { module: string; className: string; prefix: string };
  noiseShape: number[];
  /** Both models' weights, prefixed names. */
  weights: string;
  shards: string;
  out: string;
  loss: { name: string; args: Args };
  lr: number;
  schedule?: { name: string; args: Record<string, unknown> };
  clip?: number;
  epochs: number;
  batch: number;
  seed: number;
  device: 'cpu' | 'cuda';
  orders?: string;
  firstEpoch?: number;
  startStep?: number;
  optimizerState?: string;
}

const GAN_STEP = `def _rng_state(device):
    return (torch.get_rng_state(), torch.cuda.get_rng_state(device) if device.type == "cuda" else None)


def _set_rng_state(device, state):
    torch.set_rng_state(state[0])
    if state[1] is not None:
        torch.cuda.set_rng_state(state[1], device)


def _snapshot_buffers(model):
    return [b.detach().clone() for b in model.buffers()]


def _restore_buffers(model, saved):
    with torch.no_grad():
        for b, s in zip(model.buffers(), saved):
            b.copy_(s)


def _update(opt, params, loss, lr, clip):
    """Gradients of loss for params only, global-norm clipping, the optimizer at rate lr."""
    grads = torch.autograd.grad(loss, params, allow_unused=True)
    for p, g in zip(params, grads):
        p.grad = g
    if clip:
        torch.nn.utils.clip_grad_norm_([p for p in params if p.grad is not None], clip)
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()


def adversarial_step(G, D, opt_g, opt_d, g_params, d_params, real, z, lr, cfg):
    """One step of dlm's adversarial training (the tfjs trainer's gan.ts, in its order).
    Returns {"d_loss", "g_loss"}, or {"who", "value"} when a loss is not finite (that model is not updated)."""
    n = real.shape[0]
    name, args = cfg["loss"]["name"], cfg["loss"]["args"]
    clip = cfg.get("clip")
    device = real.device

    def loss_of(out, target):
        return dlm_loss(name, out, torch.full_like(out, target), args)

    g_rng = _rng_state(device)
    kept = _snapshot_buffers(G)
    with torch.no_grad():
        fake = G(z)
    _restore_buffers(G, kept)
    d_rng = _rng_state(device)
    out = D(torch.cat([real, fake], 0))
    d_loss = loss_of(out[:n], 1.0) + loss_of(out[n:], 0.0)
    dl = d_loss.item()
    if not math.isfinite(dl):
        return {"who": "discriminator", "value": dl}
    _update(opt_d, d_params, d_loss, lr, clip)
    kept = _snapshot_buffers(D)
    _set_rng_state(device, g_rng)
    fake = G(z)
    _set_rng_state(device, d_rng)
    g_loss = loss_of(D(fake), 1.0)
    gl = g_loss.item()
    if math.isfinite(gl):
        _update(opt_g, g_params, g_loss, lr, clip)
    _restore_buffers(D, kept)
    if not math.isfinite(gl):
        return {"who": "generator", "value": gl}
    return {"d_loss": dl, "g_loss": gl}


def import_module(spec):
    loader = importlib.util.spec_from_file_location("dlm_" + spec["className"], spec["module"])
    mod = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(mod)
    return mod


def build_model(mod, spec, weights):
    """The generated module's class with its prefixed weights (strict: names and shapes agree)."""
    model = getattr(mod, spec["className"])()
    prefix = spec["prefix"]
    model.load_state_dict({k[len(prefix):]: v for k, v in weights.items() if k.startswith(prefix)}, strict=True)
    return model`;

const GAN_DRIVER = `def main(cfg):
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        raise SystemExit("adversarial training runs in one process")
    use_cuda = cfg["device"] == "cuda"
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    start = cfg.get("startStep", 0)
    # Dropout's stream and the noise's, per seed and starting step (a resumed run does not replay epoch 1).
    torch.manual_seed(cfg["seed"] * 1_000_003 + start)
    noise = torch.Generator().manual_seed(((cfg["seed"] * 1_000_003 + start) * 1009 + 3) % (2**63))
    gs, ds = cfg["generator"], cfg["discriminator"]
    gmod, dmod = import_module(gs), import_module(ds)
    weights = gmod.load_safetensors(cfg["weights"])
    G, D = build_model(gmod, gs, weights), build_model(dmod, ds, weights)
    G.to(device)
    D.to(device)
    g_named = {gs["prefix"] + k: p for k, p in G.named_parameters() if p.requires_grad}
    d_named = {ds["prefix"] + k: p for k, p in D.named_parameters() if p.requires_grad}
    g_params, d_params = list(g_named.values()), list(d_named.values())
    opt_g, opt_d = make_optimizer(g_params), make_optimizer(d_params)
    step = start
    if cfg.get("optimizerState"):
        load_optimizer_state(opt_g, g_named, gmod.load_safetensors, cfg["optimizerState"], step)
        load_optimizer_state(opt_d, d_named, gmod.load_safetensors, cfg["optimizerState"], step)
    data = DlmShards(cfg["shards"])
    batch = cfg["batch"]
    steps_per_epoch = math.ceil(len(data) / batch)
    total_steps = steps_per_epoch * cfg["epochs"]
    print(json.dumps({"event": "ready", "world": 1}), flush=True)
    for epoch in range(cfg.get("firstEpoch", 1), cfg["epochs"] + 1):
        order_file = os.path.join(cfg["orders"], f"epoch-{epoch}.i32") if cfg.get("orders") else None
        order = np.fromfile(order_file, dtype="<i4") if order_file and os.path.exists(order_file) else np.arange(len(data))
        G.train()
        D.train()
        started, d_sum, g_sum, seen = time.time(), 0.0, 0.0, 0
        for b in range(steps_per_epoch):
            idx = order[b * batch : (b + 1) * batch]
            x, _ = data.batch(idx)
            real = torch.from_numpy(x).to(device).float()
            z = torch.randn([len(idx)] + list(cfg["noiseShape"]), generator=noise).to(device)
            lr = schedule_lr(cfg["schedule"]["name"], cfg["lr"], step, total_steps, steps_per_epoch, cfg["schedule"]["args"]) if cfg.get("schedule") else cfg["lr"]
            r = adversarial_step(G, D, opt_g, opt_d, g_params, d_params, real, z, lr, cfg)
            if "who" in r:
                print(json.dumps({"event": "nonfinite", "epoch": epoch, "step": step + 1, "value": str(r["value"]), "who": r["who"]}), flush=True)
                return
            step += 1
            d_sum += r["d_loss"] * len(idx)
            g_sum += r["g_loss"] * len(idx)
            seen += len(idx)
            print(json.dumps({"event": "step", "epoch": epoch, "step": step, "loss": r["d_loss"] + r["g_loss"], "d_loss": r["d_loss"], "g_loss": r["g_loss"], "lr": lr, "world": 1, "t": time.time()}), flush=True)
        folder = os.path.join(cfg["out"], f"epoch-{epoch}")
        os.makedirs(folder, exist_ok=True)
        save_safetensors({**optimizer_tensors(opt_g, g_named), **optimizer_tensors(opt_d, d_named)}, os.path.join(folder, "optimizer.safetensors"))
        tensors = {gs["prefix"] + k: v for k, v in G.state_dict().items()}
        tensors.update({ds["prefix"] + k: v for k, v in D.state_dict().items()})
        save_safetensors(tensors, os.path.join(folder, "weights.safetensors"))
        print(json.dumps({"event": "epoch", "epoch": epoch, "step": step, "d_loss": d_sum / max(1, seen), "g_loss": g_sum / max(1, seen), "seconds": time.time() - started, "samples": seen}), flush=True)


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        main(json.load(f))`;

/** The adversarial training program for optimizer `optimizer` with resolved `args` (the rest comes from the config). */
export function ganTrainingProgram(name: string, optimizer: string, args: Args): string | undefined {
  const ctor = optimizerTwin(optimizer, py.name('params'), args);
  if (!ctor) return undefined;
  return (
    [
      `"""dlm adversarial training program for ${name}: one process.\n\nargv[1]: the JSON config (see GanTrainingConfig in @dlm/torch). Progress: JSON lines on stdout.\n"""`,
      PROGRAM_IMPORTS,
      LOSS_SOURCE,
      SCHEDULE_SOURCE,
      SHARD_READER_SOURCE,
      CHECKPOINT_IO_SOURCE,
      `def make_optimizer(params):\n    return ${render(ctor)}`,
      GAN_STEP,
      GAN_DRIVER,
    ].join('\n\n\n') + '\n'
  );
}
