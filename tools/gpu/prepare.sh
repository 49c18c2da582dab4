#!/usr/bin/env bash
# Builds the GPU kit (one folder, default out/gpu-kit, ignored by git) on a machine WITH Node, for
# a linux x64 machine with a GPU and WITHOUT Node, where tools/gpu/run.sh (copied in) runs it:
#   node.xz                  this machine's node binary, xz-compressed
#   app/bench.mjs            tools/gpu/bench.ts and everything it imports, bundled by esbuild
#                            (in app/ because @dlm/datasets finds the MNIST sample at
#                            new URL('../assets/…', import.meta.url), which a bundle keeps as is)
#   assets/                  the embedded MNIST sample (@dlm/datasets' two gzipped IDX files)
#   node_modules/webgpu      Dawn's dawn.node (linux-x64 only) and its loader, kept external
#   models/                  the example .dlm files the bench trains
#   torch/                   the PyTorch twin of the CNN (run with --device cuda when CUDA is there)
#   app/dlm.mjs.xz           the dlm CLI bundled by esbuild, xz-compressed (run.sh unpacks it), for
#                            `dlm train --engine torch --device cuda` when the machine has PyTorch
#   node_modules/@dlm/plugin-std  the standard plugin as a module of its own: the CLI's plugin
#                            loader resolves it by name (it is also bundled into dlm.mjs)
# Fails if the kit exceeds 60 MiB.   Usage: tools/gpu/prepare.sh [KIT_DIR]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
kit="${1:-$root/out/gpu-kit}"
rm -rf "$kit"
mkdir -p "$kit/app" "$kit/assets" "$kit/node_modules" "$kit/models" "$kit/torch"
cd "$root"

"$root/node_modules/.bin/esbuild" tools/gpu/bench.ts --bundle --platform=node --format=esm --target=node20 \
  --conditions=@dlm/source --main-fields=module,main --ignore-annotations --outfile="$kit/app/bench.mjs" --log-level=warning \
  --external:webgpu --external:@tensorflow/tfjs-backend-wasm \
  --banner:js="import { createRequire as __dlmCreateRequire } from 'node:module'; const require = __dlmCreateRequire(import.meta.url);"

# The CLI for the torch engine run. Some bundled CommonJS code reads __filename, which an ES
# module lacks: the banner defines it. xz keeps the kit under its size limit (11 MiB → ~2 MiB).
"$root/node_modules/.bin/esbuild" apps/cli/src/main.ts --bundle --platform=node --format=esm --target=node20 \
  --conditions=@dlm/source --main-fields=module,main --ignore-annotations --outfile="$kit/app/dlm.mjs" --log-level=warning \
  --external:webgpu --external:@tensorflow/tfjs-backend-wasm \
  --banner:js="import { createRequire as __dlmCreateRequire } from 'node:module'; import { fileURLToPath as __dlmPath } from 'node:url'; import { dirname as __dlmDirname } from 'node:path'; const require = __dlmCreateRequire(import.meta.url); const __filename = __dlmPath(import.meta.url); const __dirname = __dlmDirname(__filename);"
xz -T0 -6 "$kit/app/dlm.mjs"
std="$kit/node_modules/@dlm/plugin-std"
mkdir -p "$std"
"$root/node_modules/.bin/esbuild" packages/plugin-std/src/index.ts --bundle --platform=node --format=esm --target=node20 \
  --conditions=@dlm/source --main-fields=module,main --outfile="$std/index.mjs" --log-level=warning \
  --external:webgpu --external:@tensorflow/tfjs-backend-wasm \
  --banner:js="import { createRequire as __dlmCreateRequire } from 'node:module'; const require = __dlmCreateRequire(import.meta.url);"
echo '{ "name": "@dlm/plugin-std", "type": "module", "exports": { ".": "./index.mjs" } }' > "$std/package.json"

web="$(node -p "require('path').dirname(require.resolve('webgpu/package.json'))")"
mkdir -p "$kit/node_modules/webgpu/dist/linux-x64"
cp "$web/package.json" "$web/index.js" "$web/LICENSE.md" "$kit/node_modules/webgpu/"
cp "$web/dist/linux-x64/dawn.node" "$kit/node_modules/webgpu/dist/linux-x64/"

cp packages/datasets/assets/mnist-sample-*.gz packages/datasets/assets/README.md "$kit/assets/"

mkdir -p "$kit/models/mnist" "$kit/models/text"
cp examples/mnist/mnist_cnn.dlm "$kit/models/mnist/"
cp examples/text/lstm_classifier.dlm "$kit/models/text/"
if compgen -G "examples/transformer/*.dlm" > /dev/null; then
  # with the data files the models read (char_gpt.dlm trains on coriolanus.txt beside it)
  mkdir -p "$kit/models/transformer" && cp examples/transformer/* "$kit/models/transformer/"
fi
cp tools/bench/torch_mnist_cnn.py "$kit/torch/"
mkdir -p "$kit/reference" && cp tools/reference/torch_mnist_net.py "$kit/reference/"
cp tools/gpu/run.sh "$kit/run.sh"

xz -T0 -6 -c "$(command -v node)" > "$kit/node.xz"

size=$(du -sbL "$kit" | cut -f1)
echo "GPU kit: $kit, $((size / 1048576)) MiB ($size bytes)"
if [ "$size" -gt $((60 * 1048576)) ]; then echo "FAIL: the kit is over 60 MiB" >&2; exit 1; fi
