"""Exports the MNIST CNN (the same network as examples/mnist/mnist_cnn.dlm) with torch.onnx.export,
for the ONNX latency comparison in tools/bench/onnx-latency.ts. Writes the file given as argv[1];
symbolic batch dim as dlm does, opset 17.

    /usr/bin/python3 tools/reference/torch_export_mnist_cnn.py /tmp/torch_mnist_cnn.onnx
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_mnist_net import Net  # noqa: E402


torch.manual_seed(0)
net = Net().eval()
torch.onnx.export(
    net,
    torch.rand(1, 1, 28, 28),
    sys.argv[1],
    input_names=["image"],
    output_names=["logits"],
    dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
    opset_version=17,
)
print(f"wrote {sys.argv[1]} (torch {torch.__version__})")
