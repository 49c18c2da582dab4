#!/usr/bin/python3
"""PyTorch side of tools/bench/char-gpt-step.ts: dlm's own PyTorch export of the char GPT
(char_gpt_module.py in DIR) trained on random ids with Adam and cross-entropy, 2 threads.

usage: torch_char_gpt.py DIR [--steps N] [--warmup N] [--batch N]; prints steps_per_s=…"""
import argparse
import sys
import time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("dir")
p.add_argument("--steps", type=int, default=5)
p.add_argument("--warmup", type=int, default=2)
p.add_argument("--batch", type=int, default=16)
a = p.parse_args()
sys.path.insert(0, a.dir)
import char_gpt_module  # noqa: E402

torch.set_num_threads(2)
torch.manual_seed(0)
model = char_gpt_module.CharGpt().train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
x = torch.randint(0, 58, (a.batch, 64))
y = torch.randint(0, 58, (a.batch, 64))


def step():
    opt.zero_grad()
    loss = F.cross_entropy(model(x).reshape(-1, 58), y.reshape(-1))
    loss.backward()
    opt.step()
    return loss


for _ in range(a.warmup):
    step()
t0 = time.perf_counter()
for _ in range(a.steps):
    step()
print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
print(f"steps_per_s={a.steps / (time.perf_counter() - t0):.4f}")
