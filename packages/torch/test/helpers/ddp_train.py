"""N steps of data-parallel training of a dlm-generated module, for the DDP test.

argv: module.py ClassName weights.safetensors images.f32 labels.i32 n steps global_batch lr out.json
The data are raw little-endian shards that every rank memory-maps (numpy.memmap): images
[n, 1, 28, 28] float32, labels [n] int32. Under torchrun / elastic_launch (WORLD_SIZE set) each
rank trains on its contiguous slice of every global batch in a DistributedDataParallel model
(gloo), which averages the gradients; run plainly it is one process on the whole batch. Dropout is
off (eval mode) so that both runs see the same function. Rank 0 prints one JSON line per step and
writes the final weights as JSON.
"""
import importlib.util
import json
import os
import sys

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

module_path, class_name, weights, images_path, labels_path, n, steps, batch, lr, out = sys.argv[1:11]
n, steps, batch, lr = int(n), int(steps), int(batch), float(lr)
distributed = "WORLD_SIZE" in os.environ
if distributed:
    dist.init_process_group("gloo")
rank = dist.get_rank() if distributed else 0
world = dist.get_world_size() if distributed else 1
torch.set_num_threads(1)

spec = importlib.util.spec_from_file_location("dlm_generated", module_path)
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
model = getattr(mod, class_name)()
model.load_state_dict(mod.load_safetensors(weights), strict=True)
model.eval()
net = torch.nn.parallel.DistributedDataParallel(model) if distributed else model
opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)

images = np.memmap(images_path, dtype="<f4", mode="r", shape=(n, 1, 28, 28))
labels = np.memmap(labels_path, dtype="<i4", mode="r", shape=(n,))
local = batch // world
for step in range(steps):
    start = (step * batch) % n + rank * local
    x = torch.from_numpy(np.array(images[start : start + local]))
    y = torch.from_numpy(np.array(labels[start : start + local])).long()
    opt.zero_grad()
    loss = F.nll_loss(net(x), y)
    loss.backward()
    opt.step()
    if rank == 0:
        print(json.dumps({"step": step + 1, "loss": loss.item(), "world": world}), flush=True)
if rank == 0:
    with open(out, "w") as f:
        json.dump({k: v.flatten().tolist() for k, v in model.state_dict().items()}, f)
if distributed:
    dist.destroy_process_group()
