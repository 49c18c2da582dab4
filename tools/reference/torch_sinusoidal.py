#!/usr/bin/python3
"""The PositionalEncoding of the PyTorch tutorial ("Language modeling with nn.Transformer"), the
twin of dlm's sinusoidal_positions, for packages/tfjs/test/torch-twin-attention.test.ts.

usage: torch_sinusoidal.py IN.json — IN holds {"cases": [{"x": {shape, data}, "max_len", "dim",
"base"}]}; prints {"outputs": [{shape, data}], "tables": [{shape, data}]}: x + pe[:T] and the whole
pe [max_len, dim] table. Computed in float64 (the tutorial's float32 loses ~1e-4 at long
positions), with the cosine columns cut to dim // 2 when dim is odd.
"""
import json
import math
import sys

import torch


class PositionalEncoding(torch.nn.Module):
    def __init__(self, dim, max_len, base):
        super().__init__()
        position = torch.arange(max_len, dtype=torch.float64).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, dim, 2, dtype=torch.float64) * (-math.log(base) / dim))
        pe = torch.zeros(max_len, dim, dtype=torch.float64)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term[: dim // 2])
        self.register_buffer("pe", pe.float())

    def forward(self, x):
        return x + self.pe[: x.size(1)]


def host(t):
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def main(path):
    with open(path) as f:
        cases = json.load(f)["cases"]
    outputs, tables = [], []
    for c in cases:
        m = PositionalEncoding(c["dim"], c["max_len"], c["base"])
        assert sum(p.numel() for p in m.parameters()) == 0  # a buffer, not a parameter
        x = torch.tensor(c["x"]["data"], dtype=torch.float32).reshape(c["x"]["shape"])
        outputs.append(host(m(x)))
        tables.append(host(m.pe))
    print(json.dumps({"outputs": outputs, "tables": tables}))


if __name__ == "__main__":
    main(sys.argv[1])
