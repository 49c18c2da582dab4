"""Runs dlm-generated PyTorch modules forward and backward for the parity tests.

argv: jobs.json — a list of {module, class, weights, inputs, cotangents, mode: train|eval}, files
as written by parity.ts. Prints one JSON list, one object per job: out:<output>, shape:<output>,
grad:<input or parameter> (of sum(out * cotangent)), buffer:<name> (after the forward: batch-norm
statistics), as flat lists of numbers; or {"error": traceback} for a job that failed.
One process for all jobs: importing torch costs seconds.
"""
import importlib.util
import json
import sys
import traceback

import torch


def run(job, index):
    spec = importlib.util.spec_from_file_location(f"dlm_generated_{index}", job["module"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cls = getattr(mod, job["class"])
    model = cls()
    # strict: every dlm parameter must be a state_dict key of the same shape, and nothing else.
    model.load_state_dict(mod.load_safetensors(job["weights"]), strict=True)
    model.train(job["mode"] == "train")
    inputs = mod.load_safetensors(job["inputs"])
    feeds = []
    for name in cls.input_names:
        t = inputs[name]
        feeds.append(t.clone().requires_grad_(True) if t.is_floating_point() else t)
    outs = model(*feeds)
    outs = outs if isinstance(outs, tuple) else (outs,)
    cots = mod.load_safetensors(job["cotangents"])
    loss = sum((o * cots[n]).sum() for n, o in zip(cls.output_names, outs))
    loss.backward()
    res = {}
    for n, o in zip(cls.output_names, outs):
        res["out:" + n] = o.detach().flatten().tolist()
        res["shape:" + n] = list(o.shape)
    for n, t in zip(cls.input_names, feeds):
        if t.is_floating_point():
            res["grad:" + n] = t.grad.flatten().tolist() if t.grad is not None else [0.0] * t.numel()
    for n, p in model.named_parameters():
        if p.requires_grad:
            res["grad:" + n] = p.grad.flatten().tolist() if p.grad is not None else [0.0] * p.numel()
    for n, b in model.named_buffers():
        if b.is_floating_point():
            res["buffer:" + n] = b.flatten().tolist()
    return res


torch.set_num_threads(1)
with open(sys.argv[1]) as f:
    jobs = json.load(f)
results = []
for i, job in enumerate(jobs):
    try:
        results.append(run(job, i))
    except Exception:
        results.append({"error": traceback.format_exc()})
print(json.dumps(results))
