#!/usr/bin/env bash
# Builds the "old" side of tools/bench/check-ab.ts: the check's packages (@dlm/core, language,
# language-service, plugin-std) of COMMIT, built into FOLDER in this repository's layout, with every
# other dependency linked to this worktree's node_modules.
#
#   tools/bench/check-ab-old.sh COMMIT FOLDER
#   node --import tsx tools/bench/check-ab.ts FOLDER [pairs] [layers]
#
# The layout matters: FOLDER gets the root package.json ("type": "module") and the packages live in
# FOLDER/packages linked from node_modules/@dlm, as here. Without the root package.json, tsx
# transpiles the old dist/ files as it loads them (esbuild's __name helpers, one-line source
# positions) and the old side runs ~2x slower than it is.
set -euo pipefail
commit=$1
dir=$2
repo=$(git rev-parse --show-toplevel)
packs="core language language-service plugin-std"
rm -rf "$dir"
mkdir -p "$dir/node_modules/@dlm" "$dir/tools/bench"
git -C "$repo" archive "$commit" package.json tsconfig.base.json tools/bench/check-scaling.ts tools/bench/onnx_check_anchor.py \
  $(for p in $packs; do echo "packages/$p"; done) | tar -x -C "$dir"
for e in "$repo"/node_modules/* "$repo"/node_modules/.bin; do
  n=$(basename "$e")
  [ "$n" = "@dlm" ] || ln -s "$e" "$dir/node_modules/$n"
done
for e in "$repo"/node_modules/@dlm/*; do
  n=$(basename "$e")
  case " $packs " in
    *" $n "*) ln -s "../../packages/$n" "$dir/node_modules/@dlm/$n" ;;
    *) ln -s "$(readlink -f "$e")" "$dir/node_modules/@dlm/$n" ;;
  esac
done
for p in $packs; do
  (cd "$dir/packages/$p" && npm run --silent build >/dev/null)
done
echo "built $(git -C "$repo" rev-parse --short "$commit") into $dir"
