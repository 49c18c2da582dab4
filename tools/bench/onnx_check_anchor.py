"""The anchor of tools/bench/check-scaling.ts: ONNX's own checker on a graph equivalent to the
generated .dlm model (N layers alternating dense(16) and relu, so N/2 Gemm nodes with their
weights and N/2 Relu nodes). Times what `dlm check` does in ONNX terms: parse the file
(onnx.load), then check_model with full_check=True (the checker and strict shape inference).
Prints one JSON line. Run with Debian's python3-onnx: /usr/bin/python3 onnx_check_anchor.py N
"""
import json
import os
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build(layers: int) -> onnx.ModelProto:
    nodes, inits = [], []
    prev = "x"
    for i in range(layers):
        out = f"v{i}"
        if i % 2 == 0:
            w, b = f"w{i}", f"b{i}"
            inits.append(numpy_helper.from_array(np.zeros((16, 16), np.float32), w))
            inits.append(numpy_helper.from_array(np.zeros((16,), np.float32), b))
            nodes.append(helper.make_node("Gemm", [prev, w, b], [out], transB=1))
        else:
            nodes.append(helper.make_node("Relu", [prev], [out]))
        prev = out
    graph = helper.make_graph(
        nodes,
        "big",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
        [helper.make_tensor_value_info(prev, TensorProto.FLOAT, ["batch", 16])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def main() -> None:
    layers = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    model = build(layers)
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "big.onnx")
        onnx.save(model, path)
        size = os.path.getsize(path)
        del model
        t0, c0 = time.perf_counter(), time.process_time()
        loaded = onnx.load(path)
        onnx.checker.check_model(loaded, full_check=True)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"layers": layers, "nodes": layers, "seconds": seconds, "cpuSeconds": cpu, "bytes": size, "onnx": onnx.__version__}))


if __name__ == "__main__":
    main()
