#!/usr/bin/env python3
"""Parameter counts of the classic networks among dlm's examples, built in plain torch.nn.

- ResNetCifar: examples/resnet/resnet_cifar.dlm, the CIFAR ResNet of He et al. (width 16, two
  basic blocks per stage, a 1×1 convolution + batch norm projecting the shortcut when the shape
  changes).
- Vgg11: examples/vgg/vgg11.dlm, torchvision's vgg11_bn feature extractor (configuration "A",
  3×3 convolutions with bias, batch norm, ReLU, 2×2 max pooling) on CIFAR-10 32×32 images, with a
  512-wide classifier (torchvision is not installed here, so the layers are written out).

Each network runs a forward pass on a batch of 2 to check the output shape. The test
packages/language/test/examples.test.ts compares dlm's counts with the golden file this writes:

    /usr/bin/python3 tools/reference/torch_classic_nets.py > packages/language/test/golden/torch-classic-nets.json
"""
import json

import torch
from torch import nn

COMMAND = "/usr/bin/python3 tools/reference/torch_classic_nets.py > packages/language/test/golden/torch-classic-nets.json"


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout))
        if stride == 1 and cin == cout:
            self.shortcut = nn.Identity()
        else:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        return torch.relu(self.main(x) + self.shortcut(x))


def resnet_cifar(width=16, blocks_per_stage=2):
    layers = [nn.Conv2d(3, width, 3, padding=1, bias=False), nn.BatchNorm2d(width), nn.ReLU()]
    cin = width
    for stage, cout in enumerate([width, width * 2, width * 4]):
        for b in range(blocks_per_stage):
            stride = 2 if stage > 0 and b == 0 else 1
            layers.append(BasicBlock(cin, cout, stride))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)]
    return nn.Sequential(*layers)


def vgg11_bn_cifar():
    layers, cin = [], 3
    for c in [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"]:
        if c == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(cin, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
            cin = c
    layers += [nn.Flatten(), nn.Linear(512, 512), nn.ReLU(True), nn.Dropout(0.5),
               nn.Linear(512, 512), nn.ReLU(True), nn.Dropout(0.5), nn.Linear(512, 10)]
    return nn.Sequential(*layers)


def describe(net, shape):
    out = net.eval()(torch.zeros(2, *shape))
    return {
        "input": ["batch", *shape],
        "output": ["batch", *out.shape[1:]],
        "params": sum(p.numel() for p in net.parameters()),
        "buffers": sum(b.numel() for name, b in net.named_buffers() if not name.endswith("num_batches_tracked")),
    }


torch.manual_seed(0)
print(json.dumps({
    "command": COMMAND,
    "torch_version": torch.__version__,
    "nets": {"ResNetCifar": describe(resnet_cifar(), [3, 32, 32]), "Vgg11": describe(vgg11_bn_cifar(), [3, 32, 32])},
}, indent=2))
