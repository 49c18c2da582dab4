/**
 * The training program the torch engine runs on every rank: a fixed Python driver around the
 * generated model module, with the train block's rules as Python twins (optimizer constructor
 * generated from its arguments; losses, penalties and schedules from twins.ts) and data from
 * memory-mapped shards. It follows the tfjs trainer's step: forward in training mode → loss +
 * penalties → gradients → global-norm clipping (clip_grad_norm_, norm + 1e-6) → the optimizer with
 * the scheduled rate of the step (counted from 0 over the run; ceil(size / batch) steps per epoch).
 *
 * Data parallelism: each rank takes a contiguous part of every global batch; its loss is weighted
 * by its share of the batch so that DistributedDataParallel's gradient average is the gradient of
 * the global-batch mean, also for a last batch that does not split evenly. Rank 0 prints one JSON
 * line per step and per epoch and writes the weights (safetensors, dlm's names) after each epoch.
 *
 * The sample order of each epoch comes from dlm's loop (`orders`), so both engines see the same
 * batches. Each epoch's weights and optimizer slots are written under `out/epoch-N/` in dlm's names
 * and layouts (dlm's layouts are PyTorch's: NCHW, dense weights [out, in]); dlm's own loop then
 * evaluates, decides early stopping and writes the checkpoint (the engine in ../engine.ts).
 * A non-finite global-batch loss stops every rank before the update.
 */
import type { Args } from '@dlm/core';
import { py, render } from '../emitter.js';
import { SHARD_READER_SOURCE } from '../shards.js';
import { AUGMENT_SOURCE, LOSS_SOURCE, optimizerTwin, SCHEDULE_SOURCE } from './twins.js';

/** Everything the program reads from its JSON config (argv[1]). */
export interface TrainingConfig {
  module: string;
  className: string;
  weights: string;
  shards: string;
  out: string;
  inputName: string;
  loss: { name: string; args: Args };
  /** Base learning rate (the optimizer's `lr`). */
  lr: number;
  schedule?: { name: string; args: Record<string, unknown> };
  penalties: { param: string; name: string; args: Args }[];
  clip?: number;
  epochs: number;
  batch: number;
  shuffle: boolean;
  seed: number;
  device: 'cpu' | 'cuda';
  /** Stop after this many optimizer steps (tests, smoke runs). */
  maxSteps?: number;
  /** Folder with the loop's order of each epoch (`epoch-N.i32`, positions in the shards). */
  orders?: string;
  /** The first epoch to run (resume) and the optimizer steps already taken. */
  firstEpoch?: number;
  startStep?: number;
  /** Optimizer slots to start from (`<param>/<slot>`, a resumed dlm checkpoint). */
  optimizerState?: string;
  /** Folder of preallocated `epoch-N.f32` files: each rank writes its training-mode outputs there (one row per order position). */
  outputs?: string;
  /** Mixed precision on CUDA (autocast; fp16 with a gradient scaler). */
  precision?: 'bf16' | 'fp16';
  /** The train block's augmentations in order, each with its Python twin (`def augment(x, args, draw)`). */
  augmentations?: { name: string; args: Args; source: string }[];
}

/** Checkpoint I/O shared by the training programs: safetensors writing and optimizer slots in dlm's names. */
export const CHECKPOINT_IO_SOURCE = `def save_safetensors(tensors, path):
    """Writes {name: tensor} as safetensors (float32 → F32, int32 → I32, int64 → I64), names sorted."""
    kinds = {torch.float32: ("F32", "<f4"), torch.int32: ("I32", "<i4"), torch.int64: ("I64", "<i8")}
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        code, dtype = kinds[t.dtype]
        raw = t.numpy().astype(dtype).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head + b"".join(blobs))
    os.replace(tmp, path)


def load_optimizer_state(opt, named, load_safetensors, path, step):
    """Optimizer slots saved by dlm ('<param>/<slot>', the tfjs trainer's names = torch's state keys)."""
    saved = load_safetensors(path)
    stepped = isinstance(opt, (torch.optim.Adam, torch.optim.AdamW, torch.optim.RMSprop, torch.optim.Adagrad))
    for name, p in named.items():
        state = {k[len(name) + 1 :]: v.to(p.device) for k, v in saved.items() if k.startswith(name + "/")}
        if not state:
            continue
        if stepped:
            state["step"] = torch.tensor(float(step))
        opt.state[p].update(state)


def optimizer_tensors(opt, named):
    """The optimizer's per-parameter state as dlm names it ('<param>/<slot>'), without torch's step counter."""
    out = {}
    for name, p in named.items():
        for slot, v in opt.state.get(p, {}).items():
            if slot != "step" and torch.is_tensor(v) and v.shape == p.shape:
                out[f"{name}/{slot}"] = v.float()
    return out`;

const DRIVER = `def main(cfg):
    distributed = "WORLD_SIZE" in os.environ
    use_cuda = cfg["device"] == "cuda"
    if distributed:
        dist.init_process_group("nccl" if use_cuda else "gloo")
    rank = dist.get_rank() if distributed else 0
    world = dist.get_world_size() if distributed else 1
    # Each node's first process reports to the dlm on its node and writes that node's copy of the
    # epoch's tensors (identical on every rank after DDP's all-reduce), so every node's dlm runs
    # the same loop and keeps a complete run folder, not only the master's.
    lead = int(os.environ.get("LOCAL_RANK", "0")) == 0
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if use_cuda else "cpu")
    if use_cuda:
        torch.cuda.set_device(device)
    # Dropout's stream: per seed and starting step, so a resumed run does not replay epoch 1's
    # masks, and per rank, so ranks do not draw the same masks for their parts of a batch.
    torch.manual_seed(cfg["seed"] * 1_000_003 + cfg.get("startStep", 0) + rank * 7_919)
    spec = importlib.util.spec_from_file_location("dlm_model", cfg["module"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    model = getattr(mod, cfg["className"])()
    model.load_state_dict(mod.load_safetensors(cfg["weights"]), strict=True)
    model.to(device)
    net = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
    params = dict(model.named_parameters())
    named = {k: p for k, p in params.items() if p.requires_grad}
    trainable = list(named.values())
    opt = make_optimizer(trainable)
    step = cfg.get("startStep", 0)
    if cfg.get("optimizerState"):
        load_optimizer_state(opt, named, mod.load_safetensors, cfg["optimizerState"], step)
    precision = cfg.get("precision")
    autocast_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
    scaler = torch.cuda.amp.GradScaler() if precision == "fp16" else None
    penalty_groups = {}
    for p in cfg["penalties"]:
        penalty_groups.setdefault((p["name"], float(p["args"]["weight"])), []).append(params[p["param"]])
    data = DlmShards(cfg["shards"])
    # Augmentations draw per rank from their own generator (per seed, starting step and rank), so
    # ranks do not repeat each other's draws and dropout's stream is not shifted by them.
    augment = None
    if cfg.get("augmentations"):
        generator = torch.Generator().manual_seed(((cfg["seed"] * 1_000_003 + cfg.get("startStep", 0)) * 1009 + 7 + rank) % (2**63))
        augment = dlm_augmenter(cfg["augmentations"], DlmDraw(generator, device))
    batch = cfg["batch"]
    steps_per_epoch = math.ceil(len(data) / batch)
    total_steps = steps_per_epoch * cfg["epochs"]
    if lead:
        # Every rank has joined, the model and data are loaded: dlm's clock for the epoch starts now.
        print(json.dumps({"event": "ready", "world": world}), flush=True)
    for epoch in range(cfg.get("firstEpoch", 1), cfg["epochs"] + 1):
        order_file = os.path.join(cfg["orders"], f"epoch-{epoch}.i32") if cfg.get("orders") else None
        if order_file and os.path.exists(order_file):
            order = np.fromfile(order_file, dtype="<i4")
        elif cfg["shuffle"] and not cfg.get("orders"):
            order = np.random.default_rng(cfg["seed"] + epoch).permutation(len(data))
        else:
            order = np.arange(len(data))
        model.train()
        started, seen, loss_sum, counted = time.time(), 0, 0.0, 0
        # Training-mode outputs, one row per position of the order, for dlm's training metrics.
        outputs = np.memmap(os.path.join(cfg["outputs"], f"epoch-{epoch}.f32"), dtype="<f4", mode="r+").reshape(len(data), -1) if cfg.get("outputs") else None
        for b in range(steps_per_epoch):
            global_idx = order[b * batch : (b + 1) * batch]
            parts = np.array_split(global_idx, world)
            part = parts[rank]
            first = b * batch + sum(len(p) for p in parts[:rank])
            x, y = data.batch(part)
            x, y = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
            if augment is not None:
                # After the dataset's normalization (the shards hold what the dataset plugin gives), as in the tfjs step.
                x = augment(x)
            with torch.autocast(device_type="cuda", dtype=autocast_dtype, enabled=autocast_dtype is not None):
                out = net(x)
            loss = dlm_loss(cfg["loss"]["name"], out.float(), y, cfg["loss"]["args"])
            if outputs is not None:
                outputs[first : first + len(part)] = out.detach().float().reshape(len(part), -1).cpu().numpy()
            # The global batch's mean loss, before any update: a non-finite one stops every rank
            # with the weights of the last step (dlm's non-finite-loss rule).
            total = loss.detach() * len(part)
            if distributed:
                total = total.clone()
                dist.all_reduce(total)
            batch_loss = total.item() / len(global_idx)
            if not math.isfinite(batch_loss):
                if lead:
                    print(json.dumps({"event": "nonfinite", "epoch": epoch, "step": step + 1, "value": str(batch_loss)}), flush=True)
                if distributed:
                    dist.destroy_process_group()
                return
            # This rank's share of the global-batch mean (DDP averages over ranks).
            objective = loss * (len(part) * world / len(global_idx))
            opt.zero_grad()
            if scaler is not None:
                scaler.scale(objective).backward()
                scaler.unscale_(opt)
            else:
                objective.backward()
            # Penalties enter the gradient (not the reported loss), before clipping, like the tfjs step.
            dlm_penalty_grads(penalty_groups)
            if cfg.get("clip"):
                torch.nn.utils.clip_grad_norm_(trainable, cfg["clip"])
            lr = schedule_lr(cfg["schedule"]["name"], cfg["lr"], step, total_steps, steps_per_epoch, cfg["schedule"]["args"]) if cfg.get("schedule") else cfg["lr"]
            for group in opt.param_groups:
                group["lr"] = lr
            if scaler is not None:
                scaler.step(opt)
                scaler.update()
            else:
                opt.step()
            step += 1
            seen += len(global_idx)
            loss_sum += batch_loss * len(global_idx)
            counted += len(global_idx)
            if lead:
                print(json.dumps({"event": "step", "epoch": epoch, "step": step, "loss": batch_loss, "lr": lr, "world": world, "t": time.time()}), flush=True)
            if cfg.get("maxSteps") and step >= cfg["maxSteps"]:
                break
        if outputs is not None:
            outputs.flush()
            del outputs
            if distributed:
                dist.barrier()
        if lead:
            # Written completely before the event announces it (dlm then checkpoints it).
            folder = os.path.join(cfg["out"], f"epoch-{epoch}")
            os.makedirs(folder, exist_ok=True)
            save_safetensors(optimizer_tensors(opt, named), os.path.join(folder, "optimizer.safetensors"))
            save_safetensors(model.state_dict(), os.path.join(folder, "weights.safetensors"))
            print(json.dumps({"event": "epoch", "epoch": epoch, "step": step, "loss": loss_sum / max(1, counted), "seconds": time.time() - started, "samples": seen}), flush=True)
        if cfg.get("maxSteps") and step >= cfg["maxSteps"]:
            break
    if distributed:
        dist.destroy_process_group()


if __name__ == "__main__":
    with open(sys.argv[1]) as f:
        main(json.load(f))`;

export const PROGRAM_IMPORTS = 'import importlib.util\nimport json\nimport math\nimport os\nimport struct\nimport sys\nimport time\n\nimport numpy as np\nimport torch\nimport torch.distributed as dist\nimport torch.nn.functional as F';

/** The training program for optimizer `optimizer` with resolved `args` (the rest comes from the config). */
export function trainingProgram(modelName: string, optimizer: string, args: Args): string | undefined {
  const ctor = optimizerTwin(optimizer, py.name('params'), args);
  if (!ctor) return undefined;
  return [
    `"""dlm training program for ${modelName}: run on every rank by torchrun (or plainly, one process).\n\nargv[1]: the JSON config (see TrainingConfig in @dlm/torch). Progress: JSON lines on stdout.\n"""`,
    PROGRAM_IMPORTS,
    LOSS_SOURCE,
    SCHEDULE_SOURCE,
    AUGMENT_SOURCE,
    SHARD_READER_SOURCE,
    CHECKPOINT_IO_SOURCE,
    `def make_optimizer(params):\n    return ${render(ctor)}`,
    DRIVER,
  ].join('\n\n\n') + '\n';
}
