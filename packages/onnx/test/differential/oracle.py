"""The PyTorch and ONNX-checker side of the differential fuzzer (oracle.ts).

argv: jobs.json, a list of {onnx?, module?, class?, weights?, inputs?}: files written by oracle.ts.
Prints one JSON list, one object per job: "checker" ("ok" or the checker's message) when the job
has an ONNX file; "outputs" {name: {data, shape}} from the generated module's forward pass (eval
mode, strict load_state_dict), or "error" with the traceback. One process for every job:
importing torch costs seconds.
"""
import importlib.util
import json
import math
import sys
import traceback

import torch

try:
    import onnx
    import onnx.checker
except ImportError:  # the checker is then reported missing per job, the forward passes still run
    onnx = None


def check(path):
    if onnx is None:
        return "the onnx Python package is missing (install python3-onnx)"
    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
        return "ok"
    except Exception as e:  # the checker raises several exception types
        return f"{type(e).__name__}: {str(e).strip()}".replace("\n", " | ")


def forward(job, index):
    spec = importlib.util.spec_from_file_location(f"dlm_fuzz_{index}", job["module"])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    cls = getattr(mod, job["class"])
    model = cls()
    model.load_state_dict(mod.load_safetensors(job["weights"]), strict=True)
    model.eval()
    inputs = mod.load_safetensors(job["inputs"])
    with torch.no_grad():
        outs = model(*[inputs[n] for n in cls.input_names])
    outs = outs if isinstance(outs, tuple) else (outs,)
    clean = lambda x: None if math.isnan(x) else x  # JSON has no NaN; oracle.ts reads null back
    return {n: {"data": [clean(x) for x in o.float().flatten().tolist()], "shape": list(o.shape)} for n, o in zip(cls.output_names, outs)}


torch.set_num_threads(1)
with open(sys.argv[1]) as f:
    jobs = json.load(f)
results = []
for i, job in enumerate(jobs):
    res = {}
    if "onnx" in job:
        res["checker"] = check(job["onnx"])
    if "module" in job:
        try:
            res["outputs"] = forward(job, i)
        except Exception:
            res["error"] = traceback.format_exc()
    results.append(res)
print(json.dumps(results, allow_nan=True))
