"""PyTorch reference for tools/bench/train-throughput.ts: the same MNIST CNN, batch 64, Adam,
random data, on the CPU (default) or `--device cuda` (tools/gpu/bench.ts). Prints
`samples_per_s=<n>`; exits 0 with a note when torch is missing."""
import argparse
import sys
import time

try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
    from torch_mnist_net import Net
except ImportError:
    print("torch is not importable; PyTorch comparison skipped")
    sys.exit(0)

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=30)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--device", default="cpu")
a = p.parse_args()
dev = torch.device(a.device)
sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)


torch.manual_seed(0)
net = Net().to(dev)
opt = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.rand(64, 1, 28, 28, device=dev)
y = torch.randint(0, 10, (64,), device=dev)


def step():
    opt.zero_grad()
    loss = F.nll_loss(net(x), y)
    loss.backward()
    opt.step()


for _ in range(a.warmup):
    step()
sync()
t0 = time.perf_counter()
for _ in range(a.steps):
    step()
sync()
dt = time.perf_counter() - t0
print(f"torch {torch.__version__}, {a.device}, {torch.get_num_threads()} threads")
print(f"samples_per_s={64 * a.steps / dt:.1f}")
