#!/usr/bin/python3
"""The model of packages/tfjs/test/fixtures/attention.dlm written with PyTorch's
nn.MultiheadAttention(batch_first=True), for packages/tfjs/test/torch-twin-attention.test.ts.

usage: torch_attention.py IN.json — IN holds the inputs x, mem, lens, pad and the parameters
under their dlm names (multi_head_attention_N.in_proj_weight, …), each {shape, data}; prints the
outputs plain, causal, cross as JSON {shape, data} and each module's parameter count.
"""
import json
import sys

import torch


def tensor(v, dtype=torch.float32):
    return torch.tensor(v["data"], dtype=dtype).reshape(v["shape"])


def attention(d, prefix, heads):
    m = torch.nn.MultiheadAttention(8, heads, batch_first=True)
    state = {k: tensor(d["params"][f"{prefix}.{k}"]) for k in m.state_dict()}
    m.load_state_dict(state)
    return m.eval()


def main(path):
    with open(path) as f:
        d = json.load(f)
    x, mem = tensor(d["x"]), tensor(d["mem"])
    lens, pad = tensor(d["lens"], torch.int64), tensor(d["pad"], torch.int64) == 1
    t = x.shape[1]
    plain_m = attention(d, "multi_head_attention_1", 2)
    causal_m = attention(d, "multi_head_attention_2", 2)
    cross_m = attention(d, "multi_head_attention_3", 4)
    future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    lens_pad = torch.arange(t).unsqueeze(0) >= lens.unsqueeze(1)
    with torch.no_grad():
        out = {
            "plain": plain_m(x, x, x, need_weights=False)[0],
            "causal": causal_m(x, x, x, attn_mask=future, key_padding_mask=lens_pad, need_weights=False)[0],
            "cross": cross_m(x, mem, mem, key_padding_mask=pad, need_weights=False)[0],
        }
    res = {k: {"shape": list(v.shape), "data": v.flatten().tolist()} for k, v in out.items()}
    res["counts"] = [sum(p.numel() for p in m.parameters()) for m in (plain_m, causal_m, cross_m)]
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1])
