#!/usr/bin/python3
"""The model of packages/tfjs/test/fixtures/new_layers.dlm (every layer added for transformers)
written in PyTorch, for the twin test packages/tfjs/test/torch-twin-layers.test.ts.

usage: torch_new_layers.py IN.json  — IN holds x {shape, data}, ids {shape, data} and the
embedding table weight {shape, data}; prints the outputs y, stats, picked as JSON {shape, data}.
"""
import json
import sys

import torch


def tensor(v, dtype):
    return torch.tensor(v["data"], dtype=dtype).reshape(v["shape"])


def forward(x, ids, weight):
    t = x.shape[1]
    pos = torch.arange(t).unsqueeze(0).expand(ids.shape[0], t)
    ge = (ids >= pos).float()
    lt = (ids < pos).float()
    le = (ids <= 3).float()
    s = x.abs().clamp(min=0.1, max=4.0).sqrt().log().exp().erf().pow(2)
    e = torch.nn.functional.embedding(ids, weight)
    scores = torch.matmul(x, e.transpose(1, 2))
    visible = torch.tril(torch.ones(t, t)) > 0
    att = torch.where(visible, scores, torch.tensor(-1e9)).softmax(-1)
    hidden = (torch.tril(torch.ones(t, t)) == 0).float()
    below = torch.tril(torch.ones(t, t), diagonal=-1)
    y = torch.matmul(att + below + hidden, s.permute(0, 1, 2))
    stats = x.mean(dim=1, keepdim=True) + x.amax(dim=1, keepdim=True)
    z = torch.zeros(x.shape[0], t, 1).squeeze(-1)
    picked = x.sum(dim=-1) + z + ge + lt + le
    return {"y": y, "stats": stats, "picked": picked}


def main(path):
    with open(path) as f:
        d = json.load(f)
    with torch.no_grad():
        out = forward(tensor(d["x"], torch.float32), tensor(d["ids"], torch.int64), tensor(d["weight"], torch.float32))
    print(json.dumps({k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in out.items()}))


if __name__ == "__main__":
    main(sys.argv[1])
