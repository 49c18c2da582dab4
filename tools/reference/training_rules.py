#!/usr/bin/env python3
"""Reference values for dlm's training rules (losses, optimizers), computed with PyTorch.

Regenerate (Debian's python3-torch is enough):
    /usr/bin/python3 tools/reference/training_rules.py > packages/tfjs/test/fixtures/torch-training-rules.json

The inputs are fixed numbers generated here from a seeded generator and written into the JSON,
so the TypeScript test feeds dlm exactly the same values.
"""
import json
import torch

torch.manual_seed(1234)
torch.set_default_dtype(torch.float64)  # references in f64; the tests compare f32 with a tolerance


def arr(t):
    return [round(float(v), 12) for v in t.flatten().tolist()]


out = {"torch": torch.__version__, "losses": [], "optimizers": []}

# ---------------------------------------------------------------- losses
logits = torch.randn(4, 5) * 2
labels = torch.tensor([1, 0, 4, 2])
probs_target = torch.softmax(torch.randn(4, 5), dim=1)
bin_logits = torch.randn(6, 1) * 2
bin_target = torch.tensor([[1.0], [0.0], [1.0], [1.0], [0.0], [0.0]])
reg_out = torch.randn(3, 2)
reg_target = torch.randn(3, 2)


def loss_case(name, args, output, target, fn, target_dtype="f32"):
    o = output.clone().requires_grad_(True)
    value = fn(o, target)
    value.backward()
    out["losses"].append({
        "loss": name, "args": args,
        "output": arr(output), "outputShape": list(output.shape),
        "target": arr(target), "targetShape": list(target.shape), "targetDType": target_dtype,
        "value": float(value), "grad": arr(o.grad),
    })


F = torch.nn.functional
loss_case("cross_entropy", {"label_smoothing": 0.0}, logits, labels, lambda o, t: F.cross_entropy(o, t), "i32")
loss_case("cross_entropy", {"label_smoothing": 0.1}, logits, labels, lambda o, t: F.cross_entropy(o, t, label_smoothing=0.1), "i32")
loss_case("cross_entropy", {"label_smoothing": 0.0}, logits, probs_target, lambda o, t: F.cross_entropy(o, t))
loss_case("sparse_cross_entropy", {"label_smoothing": 0.2}, logits, labels, lambda o, t: F.cross_entropy(o, t, label_smoothing=0.2), "i32")
logp = torch.log_softmax(logits, dim=1)
loss_case("nll", {}, logp, labels, lambda o, t: F.nll_loss(o, t), "i32")
loss_case("bce", {}, torch.sigmoid(bin_logits), bin_target, lambda o, t: F.binary_cross_entropy(o, t))
loss_case("bce_with_logits", {}, bin_logits, bin_target, lambda o, t: F.binary_cross_entropy_with_logits(o, t))
loss_case("mse", {}, reg_out, reg_target, lambda o, t: F.mse_loss(o, t))
loss_case("mae", {}, reg_out, reg_target, lambda o, t: F.l1_loss(o, t))

# ---------------------------------------------------------------- optimizers
STEPS = 6
p0 = torch.randn(2, 3)
grads = [torch.randn(2, 3) for _ in range(STEPS)]

cases = [
    ("sgd", {"lr": 0.1, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0},
     lambda p: torch.optim.SGD([p], lr=0.1)),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1, "nesterov": False, "weight_decay": 0.01},
     lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "dampening": 0.0, "nesterov": True, "weight_decay": 0.0},
     lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, nesterov=True)),
    ("adam", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
     lambda p: torch.optim.Adam([p], lr=0.01)),
    ("adam", {"lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1},
     lambda p: torch.optim.Adam([p], lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw", {"lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.05},
     lambda p: torch.optim.AdamW([p], lr=0.01, weight_decay=0.05)),
    ("rmsprop", {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "momentum": 0.0, "centered": False, "weight_decay": 0.0},
     lambda p: torch.optim.RMSprop([p], lr=0.01)),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "momentum": 0.5, "centered": True, "weight_decay": 0.01},
     lambda p: torch.optim.RMSprop([p], lr=0.01, alpha=0.9, eps=1e-6, momentum=0.5, centered=True, weight_decay=0.01)),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.0, "weight_decay": 0.0, "initial_accumulator": 0.0, "eps": 1e-10},
     lambda p: torch.optim.Adagrad([p], lr=0.1)),
    ("adagrad", {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.02, "initial_accumulator": 0.1, "eps": 1e-10},
     lambda p: torch.optim.Adagrad([p], lr=0.1, lr_decay=0.05, weight_decay=0.02, initial_accumulator_value=0.1)),
]
for name, args, make in cases:
    p = p0.clone().requires_grad_(True)
    opt = make(p)
    traj = []
    for g in grads:
        p.grad = g.clone()
        opt.step()
        traj.append(arr(p.detach()))
    out["optimizers"].append({"optimizer": name, "args": args, "shape": list(p0.shape), "p0": arr(p0),
                              "grads": [arr(g) for g in grads], "trajectory": traj})

print(json.dumps(out, separators=(",", ":")))
