#!/usr/bin/python3
"""The model of packages/tfjs/test/fixtures/transformer.dlm written with PyTorch's
nn.TransformerEncoderLayer / nn.TransformerDecoderLayer(batch_first=True), for
packages/tfjs/test/torch-twin-attention.test.ts.

usage: torch_transformer.py IN.json — IN holds the inputs x, mem, lens and the parameters under
their dlm names (transformer_encoder_layer_1.self_attn.in_proj_weight, …), each {shape, data};
prints the outputs as JSON {shape, data} and each layer's parameter count. The layers run with
gradients enabled, which keeps PyTorch off its fused inference fast path: the reference is the
plain formula.
"""
import json
import sys

import torch


def tensor(v, dtype=torch.float32):
    return torch.tensor(v["data"], dtype=dtype).reshape(v["shape"])


def load(m, d, prefix):
    m.load_state_dict({k: tensor(d["params"][f"{prefix}.{k}"]) for k in m.state_dict()})
    return m.eval()


def main(path):
    with open(path) as f:
        d = json.load(f)
    x, mem, lens = tensor(d["x"]), tensor(d["mem"]), tensor(d["lens"], torch.int64)
    t = x.shape[1]
    kw = dict(dim_feedforward=16, batch_first=True)
    enc_post = load(torch.nn.TransformerEncoderLayer(8, 2, **kw), d, "transformer_encoder_layer_1")
    enc_pre = load(torch.nn.TransformerEncoderLayer(8, 2, norm_first=True, activation="gelu", **kw), d, "transformer_encoder_layer_2")
    dec_post = load(torch.nn.TransformerDecoderLayer(8, 2, **kw), d, "transformer_decoder_layer_1")
    dec_pre = load(torch.nn.TransformerDecoderLayer(8, 4, norm_first=True, activation="gelu", **kw), d, "transformer_decoder_layer_2")
    future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
    padded = torch.arange(t).unsqueeze(0) >= lens.unsqueeze(1)
    out = {
        "enc_post": enc_post(x, src_key_padding_mask=padded),
        "enc_pre": enc_pre(x),
        "dec_post": dec_post(x, mem, tgt_mask=future),
        "dec_pre": dec_pre(x, mem, tgt_mask=future),
    }
    res = {k: {"shape": list(v.shape), "data": v.detach().flatten().tolist()} for k, v in out.items()}
    res["counts"] = {k: sum(p.numel() for p in m.parameters()) for k, m in
                     [("transformer_encoder_layer_1", enc_post), ("transformer_encoder_layer_2", enc_pre),
                      ("transformer_decoder_layer_1", dec_post), ("transformer_decoder_layer_2", dec_pre)]}
    print(json.dumps(res))


if __name__ == "__main__":
    main(sys.argv[1])
