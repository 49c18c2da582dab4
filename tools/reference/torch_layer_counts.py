#!/usr/bin/env python3
"""Reference output shapes and parameter counts of dlm's standard layers, computed by PyTorch.

Each case is a stack of dlm layer calls (name + args, exactly as dlm's layers take them) on an
input of a given shape. This script builds the equivalent torch.nn modules, runs a forward pass
with batch 2, and prints JSON with the output shape (dim 0 written as "batch"), the number of
parameters (sum(p.numel() for p in parameters())) and of buffers (running statistics), and
statistics of the freshly initialized tensors (numel, std, max |x|) in dlm's parameter order, so
the test can check that dlm's initializers draw from the same distributions as PyTorch's.

The vitest test packages/plugin-std/test/torch-reference.test.ts builds the same cases with
dlm's GraphBuilder and compares. Regenerate the golden file with:

    /usr/bin/python3 tools/reference/torch_layer_counts.py > packages/plugin-std/test/golden/torch-reference.json

(Debian: apt-get install python3-torch.)
"""
import json
import sys

import torch
from torch import nn

COMMAND = "/usr/bin/python3 tools/reference/torch_layer_counts.py > packages/plugin-std/test/golden/torch-reference.json"
BATCH = 2

CASES = [
    {"name": "mnist_cnn", "input": {"dtype": "f32", "shape": ["batch", 1, 28, 28]}, "layers": [
        {"layer": "conv2d", "args": {"filters": 10, "kernel": 5}},
        {"layer": "max_pool", "args": {"kernel": 2}},
        {"layer": "relu", "args": {}},
        {"layer": "conv2d", "args": {"filters": 20, "kernel": 5}},
        {"layer": "max_pool", "args": {"kernel": 2}},
        {"layer": "relu", "args": {}},
        {"layer": "flatten", "args": {}},
        {"layer": "dropout", "args": {"rate": 0.2}},
        {"layer": "dense", "args": {"units": 50}},
        {"layer": "relu", "args": {}},
        {"layer": "dropout", "args": {"rate": 0.5}},
        {"layer": "dense", "args": {"units": 10}},
        {"layer": "log_softmax", "args": {}},
    ]},
    {"name": "dense_no_bias", "input": {"dtype": "f32", "shape": ["batch", 64]}, "layers": [
        {"layer": "dense", "args": {"units": 32, "bias": False}}]},
    {"name": "dense_3d", "input": {"dtype": "f32", "shape": ["batch", 7, 16]}, "layers": [
        {"layer": "dense", "args": {"units": 8}}]},
    {"name": "conv2d_same", "input": {"dtype": "f32", "shape": ["batch", 3, 32, 32]}, "layers": [
        {"layer": "conv2d", "args": {"filters": 16, "kernel": 3, "padding": "same"}}]},
    {"name": "conv2d_same_even_kernel", "input": {"dtype": "f32", "shape": ["batch", 3, 15, 15]}, "layers": [
        {"layer": "conv2d", "args": {"filters": 4, "kernel": 4, "padding": "same", "dilation": 2}}]},
    {"name": "conv2d_stride_pad", "input": {"dtype": "f32", "shape": ["batch", 3, 33, 31]}, "layers": [
        {"layer": "conv2d", "args": {"filters": 8, "kernel": [3, 5], "stride": [2, 3], "padding": [1, 2]}}]},
    {"name": "conv2d_dilated", "input": {"dtype": "f32", "shape": ["batch", 4, 20, 20]}, "layers": [
        {"layer": "conv2d", "args": {"filters": 6, "kernel": 3, "dilation": 2, "bias": False}}]},
    {"name": "conv2d_grouped", "input": {"dtype": "f32", "shape": ["batch", 8, 16, 16]}, "layers": [
        {"layer": "conv2d", "args": {"filters": 16, "kernel": 3, "groups": 4, "padding": 1}}]},
    {"name": "conv2d_depthwise", "input": {"dtype": "f32", "shape": ["batch", 32, 14, 14]}, "layers": [
        {"layer": "conv2d", "args": {"filters": 32, "kernel": 3, "groups": 32, "stride": 2, "padding": 1}}]},
    {"name": "conv1d", "input": {"dtype": "f32", "shape": ["batch", 12, 50]}, "layers": [
        {"layer": "conv1d", "args": {"filters": 24, "kernel": 5, "stride": 2}}]},
    {"name": "conv1d_same", "input": {"dtype": "f32", "shape": ["batch", 12, 50]}, "layers": [
        {"layer": "conv1d", "args": {"filters": 6, "kernel": 4, "padding": "same"}}]},
    {"name": "conv2d_transpose", "input": {"dtype": "f32", "shape": ["batch", 16, 7, 7]}, "layers": [
        {"layer": "conv2d_transpose", "args": {"filters": 8, "kernel": 4, "stride": 2, "padding": 1}}]},
    {"name": "conv2d_transpose_output_padding", "input": {"dtype": "f32", "shape": ["batch", 16, 7, 7]}, "layers": [
        {"layer": "conv2d_transpose", "args": {"filters": 8, "kernel": 3, "stride": 2, "padding": 1, "output_padding": 1}}]},
    {"name": "conv2d_transpose_grouped_dilated", "input": {"dtype": "f32", "shape": ["batch", 6, 5, 9]}, "layers": [
        {"layer": "conv2d_transpose", "args": {"filters": 9, "kernel": [3, 2], "stride": [1, 2], "dilation": 2, "groups": 3, "bias": False}}]},
    {"name": "max_pool_ceil", "input": {"dtype": "f32", "shape": ["batch", 3, 25, 25]}, "layers": [
        {"layer": "max_pool", "args": {"kernel": 3, "stride": 2, "padding": 1, "ceil_mode": True}}]},
    {"name": "max_pool_1d", "input": {"dtype": "f32", "shape": ["batch", 3, 25]}, "layers": [
        {"layer": "max_pool", "args": {"kernel": 2}}]},
    {"name": "avg_pool", "input": {"dtype": "f32", "shape": ["batch", 3, 10, 10]}, "layers": [
        {"layer": "avg_pool", "args": {"kernel": 3, "stride": 2, "padding": 1}}]},
    {"name": "global_avg_pool", "input": {"dtype": "f32", "shape": ["batch", 64, 7, 7]}, "layers": [
        {"layer": "global_avg_pool", "args": {}}, {"layer": "flatten", "args": {}}]},
    {"name": "batch_norm_2d", "input": {"dtype": "f32", "shape": ["batch", 16, 8, 8]}, "layers": [
        {"layer": "batch_norm", "args": {}}]},
    {"name": "batch_norm_1d", "input": {"dtype": "f32", "shape": ["batch", 40]}, "layers": [
        {"layer": "batch_norm", "args": {"momentum": 0.01}}]},
    {"name": "layer_norm", "input": {"dtype": "f32", "shape": ["batch", 10, 32]}, "layers": [
        {"layer": "layer_norm", "args": {}}]},
    {"name": "embedding", "input": {"dtype": "i32", "shape": ["batch", 12]}, "layers": [
        {"layer": "embedding", "args": {"vocab": 1000, "dim": 64}}]},
    {"name": "lstm_last", "input": {"dtype": "f32", "shape": ["batch", 12, 32]}, "layers": [
        {"layer": "lstm", "args": {"hidden": 128}}]},
    {"name": "lstm_bidirectional_sequences", "input": {"dtype": "f32", "shape": ["batch", 12, 32]}, "layers": [
        {"layer": "lstm", "args": {"hidden": 64, "bidirectional": True, "return_sequences": True}}]},
    {"name": "lstm_bidirectional_last", "input": {"dtype": "f32", "shape": ["batch", 12, 32]}, "layers": [
        {"layer": "lstm", "args": {"hidden": 64, "bidirectional": True}}]},
    {"name": "gru", "input": {"dtype": "f32", "shape": ["batch", 9, 20]}, "layers": [
        {"layer": "gru", "args": {"hidden": 48, "return_sequences": True}}]},
    {"name": "gru_bidirectional", "input": {"dtype": "f32", "shape": ["batch", 9, 20]}, "layers": [
        {"layer": "gru", "args": {"hidden": 16, "bidirectional": True}}]},
    {"name": "simple_rnn", "input": {"dtype": "f32", "shape": ["batch", 9, 20]}, "layers": [
        {"layer": "simple_rnn", "args": {"hidden": 30}}]},
    {"name": "text_classifier", "input": {"dtype": "i32", "shape": ["batch", 40]}, "layers": [
        {"layer": "embedding", "args": {"vocab": 5000, "dim": 100}},
        {"layer": "lstm", "args": {"hidden": 128, "bidirectional": True}},
        {"layer": "dense", "args": {"units": 2}}]},
    {"name": "upsample", "input": {"dtype": "f32", "shape": ["batch", 8, 7, 5]}, "layers": [
        {"layer": "upsample", "args": {"scale": 2}}]},
    {"name": "reshape", "input": {"dtype": "f32", "shape": ["batch", 320]}, "layers": [
        {"layer": "reshape", "args": {"shape": ["batch", 20, 4, 4]}}]},
    {"name": "activations", "input": {"dtype": "f32", "shape": ["batch", 5, 6]}, "layers": [
        {"layer": "leaky_relu", "args": {"alpha": 0.2}}, {"layer": "elu", "args": {}}, {"layer": "gelu", "args": {}},
        {"layer": "sigmoid", "args": {}}, {"layer": "tanh", "args": {}}, {"layer": "softmax", "args": {"axis": 1}}]},
    {"name": "vgg_block", "input": {"dtype": "f32", "shape": ["batch", 3, 32, 32]}, "layers": [
        {"layer": "conv2d", "args": {"filters": 64, "kernel": 3, "padding": "same", "bias": False}},
        {"layer": "batch_norm", "args": {}}, {"layer": "relu", "args": {}},
        {"layer": "conv2d", "args": {"filters": 64, "kernel": 3, "padding": 1}},
        {"layer": "max_pool", "args": {"kernel": 2}},
        {"layer": "global_avg_pool", "args": {}}, {"layer": "flatten", "args": {}},
        {"layer": "dense", "args": {"units": 10}}]},
]


def ints(v, n):
    v = v if isinstance(v, list) else [v]
    return tuple(v * n) if len(v) == 1 else tuple(v)


class Recurrent(nn.Module):
    def __init__(self, cls, inp, hidden, bidirectional, return_sequences):
        super().__init__()
        self.rnn = cls(inp, hidden, batch_first=True, bidirectional=bidirectional)
        self.return_sequences = return_sequences

    def forward(self, x):
        y, h = self.rnn(x)
        if isinstance(h, tuple):  # LSTM: (h_n, c_n)
            h = h[0]
        if self.return_sequences:
            return y
        return h.permute(1, 0, 2).reshape(x.shape[0], -1)


class Lambda(nn.Module):
    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, x):
        return self.fn(x)


def module(spec, shape):
    """The torch module for one dlm layer call, given the (concrete) input shape."""
    name, a = spec["layer"], spec["args"]
    if name == "dense":
        return nn.Linear(shape[-1], a["units"], bias=a.get("bias", True))
    if name in ("conv1d", "conv2d"):
        n = 1 if name == "conv1d" else 2
        cls = nn.Conv1d if n == 1 else nn.Conv2d
        pad = a.get("padding", "valid")
        pad = pad if isinstance(pad, str) else ints(pad, n)
        return cls(shape[1], a["filters"], ints(a["kernel"], n), stride=ints(a.get("stride", 1), n), padding=pad,
                   dilation=ints(a.get("dilation", 1), n), groups=a.get("groups", 1), bias=a.get("bias", True))
    if name == "conv2d_transpose":
        return nn.ConvTranspose2d(shape[1], a["filters"], ints(a["kernel"], 2), stride=ints(a.get("stride", 1), 2),
                                  padding=ints(a.get("padding", 0), 2), output_padding=ints(a.get("output_padding", 0), 2),
                                  dilation=ints(a.get("dilation", 1), 2), groups=a.get("groups", 1), bias=a.get("bias", True))
    if name in ("max_pool", "avg_pool"):
        n = len(shape) - 2
        k = ints(a["kernel"], n)
        stride = ints(a["stride"], n) if "stride" in a else k
        pad = ints(a.get("padding", 0), n)
        if name == "max_pool":
            return (nn.MaxPool1d if n == 1 else nn.MaxPool2d)(k, stride, pad, ceil_mode=a.get("ceil_mode", False))
        return (nn.AvgPool1d if n == 1 else nn.AvgPool2d)(k, stride, pad, ceil_mode=a.get("ceil_mode", False),
                                                            count_include_pad=a.get("count_include_pad", True))
    if name == "global_avg_pool":
        return nn.AdaptiveAvgPool2d(1)
    if name == "batch_norm":
        return (nn.BatchNorm1d if len(shape) == 2 else nn.BatchNorm2d)(shape[1], eps=a.get("eps", 1e-5), momentum=a.get("momentum", 0.1))
    if name == "layer_norm":
        return nn.LayerNorm(shape[-1], eps=a.get("eps", 1e-5))
    if name == "dropout":
        return nn.Dropout(a.get("rate", 0.5))
    if name == "flatten":
        return nn.Flatten()
    if name == "reshape":
        target = [shape[0] if d == "batch" else d for d in a["shape"]]
        return Lambda(lambda x: x.reshape(target))
    if name == "upsample":
        return nn.Upsample(scale_factor=a.get("scale", 2), mode="nearest")
    if name == "embedding":
        return nn.Embedding(a["vocab"], a["dim"])
    if name in ("lstm", "gru", "simple_rnn"):
        cls = {"lstm": nn.LSTM, "gru": nn.GRU, "simple_rnn": nn.RNN}[name]
        return Recurrent(cls, shape[-1], a["hidden"], a.get("bidirectional", False), a.get("return_sequences", False))
    simple = {"relu": nn.ReLU(), "sigmoid": nn.Sigmoid(), "tanh": nn.Tanh(), "gelu": nn.GELU(),
              "leaky_relu": nn.LeakyReLU(a.get("alpha", 0.01)), "elu": nn.ELU(a.get("alpha", 1.0)),
              "softmax": nn.Softmax(a.get("axis", -1)), "log_softmax": nn.LogSoftmax(a.get("axis", -1))}
    if name in simple:
        return simple[name]
    raise SystemExit(f"no torch equivalent for dlm layer {name}")


def tensor_stats(ts):
    t = torch.cat([x.detach().reshape(-1) for x in ts])
    return {"numel": t.numel(), "std": float(t.std(unbiased=False)), "maxabs": float(t.abs().max())}


def init_stats(m):
    """Initial-value statistics of a module's parameters and buffers in dlm's order."""
    if isinstance(m, Recurrent):
        named = dict(m.rnn.named_parameters())
        groups = [[v for k, v in named.items() if k.startswith("weight_ih")],
                  [v for k, v in named.items() if k.startswith("weight_hh")],
                  [v for k, v in named.items() if k.startswith("bias")]]
        return [tensor_stats(g) for g in groups]
    out = [tensor_stats([p]) for p in m.parameters()]
    out += [tensor_stats([b]) for name, b in m.named_buffers() if not name.endswith("num_batches_tracked")]
    return out


def run(case):
    shape = [BATCH if d == "batch" else d for d in case["input"]["shape"]]
    if case["input"]["dtype"] == "i32":
        x = torch.randint(0, 10, shape)
    else:
        x = torch.randn(*shape)
    params = buffers = 0
    per_layer = []
    init = []
    with torch.no_grad():
        for spec in case["layers"]:
            m = module(spec, list(x.shape))
            init += init_stats(m)
            m.eval()
            x = m(x)
            p = sum(t.numel() for t in m.parameters())
            b = sum(t.numel() for name, t in m.named_buffers() if not name.endswith("num_batches_tracked"))
            params += p
            buffers += b
            per_layer.append({"layer": spec["layer"], "output": ["batch"] + list(x.shape[1:]), "params": p})
    return {**case, "output": ["batch"] + list(x.shape[1:]), "params": params, "buffers": buffers, "per_layer": per_layer, "init": init}


def main():
    torch.manual_seed(0)
    out = {"command": COMMAND, "torch_version": torch.__version__, "cases": [run(c) for c in CASES]}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
