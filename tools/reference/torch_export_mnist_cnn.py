"""Exports the MNIST CNN (the same network as examples/mnist/mnist_cnn.dlm) with torch.onnx.export,
for the ONNX latency comparison in tools/bench/onnx-latency.ts. Writes the file given as argv[1];
symbolic batch dim as dlm does, opset 17.

    /usr/bin/python3 tools/reference/torch_export_mnist_cnn.py /tmp/torch_mnist_cnn.onnx
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, 5)
        self.conv2 = nn.Conv2d(10, 20, 5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        x = F.dropout(torch.flatten(x, 1), 0.2, self.training)
        x = F.dropout(F.relu(self.fc1(x)), 0.5, self.training)
        return F.log_softmax(self.fc2(x), dim=1)


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
