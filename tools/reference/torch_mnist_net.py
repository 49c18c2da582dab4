"""The MNIST CNN of examples/mnist/mnist_cnn.dlm written in PyTorch: the one definition that the
throughput benchmark (tools/bench/torch_mnist_cnn.py) and the ONNX latency reference
(tools/reference/torch_export_mnist_cnn.py) share."""
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
