#!/usr/bin/env bash
# Prepare a LoRA run for the device tool's GPU machine (run here, on the CPU machine).
#
#   bash scripts/gpu-prep.sh TRAIN.jsonl VAL.jsonl [BASE]      # BASE: smollm2 (default), gemma3-270m or a GGUF file
#   INIT_ADAPTER=operatorx/models/operatorx-smollm2-lora.gguf bash scripts/gpu-prep.sh ...   # continue an adapter
#
# That machine's image has torch, transformers and peft, but not llama-cpp-python, gguf or this
# app's dependencies, and one call carries at most 64 MiB with the working tree. So this
# writes, under GPU_DIR (default var/gpu, ignored by git):
#   common/   the token ids (format --encode, gzipped: finetune then needs no llama.cpp), the gguf
#             wheel, the base's name, sha256 and number of pieces, and the adapter to continue (if any)
#   part-NN/  the base GGUF in pieces of PIECE_MB (default 30) — one piece per call
# Then each device call carries one part-NN (the last call also carries common) and runs
# `bash scripts/gpu-train.sh [--set key=value ...]`: MODEL_CARD.md, "Training on a GPU".
#
# The working tree travels with every call (42 MiB of tracked files in December 2026, most of
# them docs/bench reports and the two shipped adapters, none of which training reads). Stage 15
# took the base in two calls (PIECE_MB=48) by leaving those out of the index for the calls:
#   printf '/docs/\n/models/\n/data/\n/operatorx/models/*.gguf\n' > .git/info/exclude
#   git rm -r -q --cached docs models data operatorx/models/operatorx-smollm2-lora.gguf
#   ... the device calls ...;  git reset -q; : > .git/info/exclude    # the index as it was
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 2 ]]; then
    echo "usage: bash scripts/gpu-prep.sh TRAIN.jsonl VAL.jsonl [smollm2|gemma3-270m|BASE.gguf]" >&2
    exit 2
fi
PY=${PY:-.venv/bin/python}
GPU_DIR=${GPU_DIR:-var/gpu}
PIECE_MB=${PIECE_MB:-30}
train=$1 val=$2 base=${3:-smollm2}

base_file=$($PY -c 'import sys; from operatorx.training.format import base_path; print(base_path(sys.argv[1]))' "$base")
[[ -f $base_file ]] || { echo "gpu-prep: no base model file for '$base' ($base_file)" >&2; exit 1; }
rm -rf "$GPU_DIR"
mkdir -p "$GPU_DIR/common"
$PY -m operatorx.training.format --set base="$base_file" --set train="$train" --set val="$val" \
    --encode "$GPU_DIR/common/data" | grep -E '^(train|val)'
gzip -9 "$GPU_DIR/common/data/train.jsonl"   # token ids in JSON: 12 MB → 1.2 MB for 25,743 records
gguf_version=$($PY -c 'import importlib.metadata as m; print(m.version("gguf"))')
$PY -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
    --platform manylinux2014_x86_64 -d "$GPU_DIR/common/wheels" "gguf==$gguf_version"
if [[ -n ${INIT_ADAPTER:-} ]]; then
    cp "$INIT_ADAPTER" "$GPU_DIR/common/init.gguf"
fi
basename "$base_file" > "$GPU_DIR/common/base.name"
sha256sum "$base_file" | cut -d' ' -f1 > "$GPU_DIR/common/base.sha256"
split -b "${PIECE_MB}M" -d -a 2 "$base_file" "$GPU_DIR/piece-"
n=0
for piece in "$GPU_DIR"/piece-*; do
    mkdir "$GPU_DIR/part-${piece##*-}"
    mv "$piece" "$GPU_DIR/part-${piece##*-}/piece"
    n=$((n + 1))
done
echo "$n" > "$GPU_DIR/common/pieces"
du -sh "$GPU_DIR"/* | sed 's/^/gpu-prep: /'
tree=$( (git ls-files -z; git ls-files -z --others --exclude-standard) | xargs -0 du -cb 2>/dev/null | tail -n 1 | cut -f1)
echo "gpu-prep: the working tree travels too: $((tree >> 20)) MiB (a call carries at most 64 MiB)"
echo "gpu-prep: $n device calls, each carrying one $GPU_DIR/part-NN (the last also $GPU_DIR/common), each running scripts/gpu-train.sh"
