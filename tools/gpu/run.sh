#!/usr/bin/env bash
# Runs the GPU kit built by tools/gpu/prepare.sh, on the GPU machine (no Node needed):
#   OUT=/some/dir ./run.sh [--steps 50] [--warmup 5]     (extra flags go to bench.mjs)
# Unpacks node into a scratch folder, records nvidia-smi, then trains the
# MNIST CNN and a sequence model on WebGPU, compares with PyTorch CUDA when it is installed, and
# then trains the MNIST example with dlm's torch engine on that GPU (`dlm train --engine torch`).
# Results: $OUT/gpu-bench.json and $OUT/gpu-bench.log (+ $OUT/run.log with everything printed).
# Exit status 2 when WebGPU is not on the GPU (software adapter or none), 1 on other failures.
set -euo pipefail
kit="$(cd "$(dirname "$0")" && pwd)"
out="${OUT:?set OUT to the folder for the results}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# xz-utils may be missing on a minimal image: Python's lzma module reads the same format.
unxz_to_stdout() {
  if command -v xz > /dev/null; then xz -dc "$1"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1"; fi
}
{
  echo "== $(date -u +%FT%TZ) $(uname -srm)"
  if command -v nvidia-smi > /dev/null; then nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv; else echo "no nvidia-smi"; fi
  ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2> /dev/null || echo "no Vulkan ICD folder found (Dawn needs a Vulkan driver for the GPU)"
  unxz_to_stdout "$kit/node.xz" > "$work/node" && chmod +x "$work/node"
  # The CLI looks for the MNIST sample at ../assets and for plugin-std in node_modules, as in the kit.
  mkdir -p "$work/app" && unxz_to_stdout "$kit/app/dlm.mjs.xz" > "$work/app/dlm.mjs"
  ln -s "$kit/assets" "$work/assets" && ln -s "$kit/node_modules" "$work/node_modules"
  "$work/node" "$kit/app/bench.mjs" --kit "$kit" --out "$out" --dlm "$work/app/dlm.mjs" "$@"
} 2>&1 | tee "$out/run.log"
exit "${PIPESTATUS[0]}"
