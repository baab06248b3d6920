#!/usr/bin/env bash
# Run on the device tool's GPU machine, in the repository root, after scripts/gpu-prep.sh here.
#
#   bash scripts/gpu-train.sh [--set key=value ...]                  # one run, named "run"
#   bash scripts/gpu-train.sh --run a --set lr=1e-4 --run b --set lr=2e-4 ...   # runs side by side
#
# Each call stashes the base pieces it carried in STASH (default /tmp/operatorx-gpu: a machine
# keeps it while it stays warm, 30 s after a call). Once every piece is there and common/ has
# come, it joins and checks the base, installs the gguf wheel and trains every run at once on
# the one GPU (each --run's overrides follow it; finetune's own defaults and the config's come
# first). A 135M model at 2,048-token batches leaves an H100 mostly idle (stage 15: 8,000
# tokens/s per run, three runs side by side), so side-by-side runs cost no more than one.
# For each run NAME, $OUT holds NAME.log and NAME.tar (adapter/ with float16 weights, so it
# stays under the 16 MiB a returned file may have, train_log.json and loss.png); export and
# verify run here.
set -uo pipefail
GPU_DIR=${GPU_DIR:-var/gpu}
STASH=${STASH:-/tmp/operatorx-gpu}
PYTHON=${PYTHON:-python3}
CONFIG=${CONFIG:-configs/train-smollm2.toml}
OUT_DIR=${OUT:-$GPU_DIR/out}

mkdir -p "$STASH"
for part in "$GPU_DIR"/part-*/; do
    [[ -f $part/piece ]] && cp "$part/piece" "$STASH/$(basename "$part")"
done
have=$(find "$STASH" -maxdepth 1 -name 'part-*' | wc -l)
if [[ ! -f $GPU_DIR/common/pieces ]]; then
    echo "gpu-train: $have base piece(s) stashed; carry $GPU_DIR/common with the last piece"
    exit 0
fi
need=$(cat "$GPU_DIR/common/pieces")
if (( have < need )); then
    echo "gpu-train: $have of $need base pieces stashed; call again at once carrying the next part"
    exit 0
fi
set -e
base=$STASH/$(cat "$GPU_DIR/common/base.name")
[[ -f $base ]] || cat "$STASH"/part-* > "$base"
echo "$(cat "$GPU_DIR/common/base.sha256")  $base" | sha256sum --check --quiet -
data=$STASH/data
mkdir -p "$data"
gunzip -c "$GPU_DIR/common/data/train.jsonl.gz" > "$data/train.jsonl"
cp "$GPU_DIR/common/data/val.jsonl" "$data/val.jsonl"
"$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$STASH/site" \
    "$GPU_DIR"/common/wheels/*.whl
export PYTHONPATH=$STASH/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
export PYTHONUNBUFFERED=1
set +e

# Split the arguments into runs: "--run NAME" starts one; arguments before any belong to "run".
names=() args=()
[[ ${1:-} == --run ]] || names=(run) args=("")
while (( $# )); do
    if [[ $1 == --run ]]; then
        names+=("$2") args+=("")
        shift 2
        continue
    fi
    args[-1]+="${args[-1]:+$'\x1f'}$1"
    shift
done
init=()
[[ -f $GPU_DIR/common/init.gguf ]] && init=(--set init_adapter="$GPU_DIR/common/init.gguf")
mkdir -p "$OUT_DIR"
for i in "${!names[@]}"; do
    name=${names[$i]}
    IFS=$'\x1f' read -r -a own <<< "${args[$i]}"
    "$PYTHON" -m operatorx.training.finetune --config "$CONFIG" --set base="$base" --set train="$data/train.jsonl" \
        --set val="$data/val.jsonl" --set device="${DEVICE:-cuda}" --set out_dir="$STASH/runs/$name" \
        "${init[@]}" "${own[@]}" > "$OUT_DIR/$name.log" 2>&1 &
done
failed=0
for job in $(jobs -p); do wait "$job" || failed=1; done
for name in "${names[@]}"; do
    run=$STASH/runs/$name
    tail -n 2 "$OUT_DIR/$name.log"
    if [[ ! -f $run/adapter/adapter_model.safetensors ]]; then
        echo "gpu-train: run $name wrote no adapter (see $name.log)"
        failed=1
        continue
    fi
    "$PYTHON" - "$run/adapter/adapter_model.safetensors" <<'PY'
import sys

import torch
from safetensors.torch import load_file, save_file

path = sys.argv[1]
save_file({k: v.to(torch.float16) if v.is_floating_point() else v for k, v in load_file(path).items()}, path)
PY
    tar -C "$run" -cf "$OUT_DIR/$name.tar" adapter train_log.json loss.png
done
ls -l "$OUT_DIR"
exit "$failed"
