#!/usr/bin/python3
"""Validates ONNX files with the reference checker: onnx.checker.check_model(full_check=True),
which also runs ONNX's strict shape inference. Used by @dlm/onnx's tests on every model they
export. Needs Debian's python3-onnx (1.12: IR 8, opsets up to 17):
    flock /tmp/apt.lock apt-get install -y python3-onnx

usage: tools/onnx-check.py MODEL.onnx [...]
Prints one line per file ("ok: FILE (opset N, K nodes)" or "error: FILE: reason") and exits 1 if
any file fails.
"""
import sys

try:
    import onnx
    import onnx.checker
except ImportError as e:  # pragma: no cover - environment problem, reported plainly
    print(f"error: the onnx Python package is missing ({e}); install python3-onnx", file=sys.stderr)
    sys.exit(2)


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            model = onnx.load(path)
            onnx.checker.check_model(model, full_check=True)
        except Exception as e:  # the checker raises several exception types
            failed += 1
            msg = str(e).strip().replace("\n", " | ")
            print(f"error: {path}: {type(e).__name__}: {msg}")
            continue
        opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), "?")
        print(f"ok: {path} (onnx {onnx.__version__}, IR {model.ir_version}, opset {opset}, {len(model.graph.node)} nodes)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
