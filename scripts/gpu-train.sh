#!/usr/bin/env bash
# Run on the device tool's GPU machine, in the repository root, after scripts/gpu-prep.sh here.
#
#   bash scripts/gpu-train.sh [--set key=value ...]     # finetune's overrides (lr, epochs, batch_tokens, ...)
#
# Each call stashes the base pieces it carried in STASH (default /tmp/operatorx-gpu: a machine
# keeps it while it stays warm, 30 s after a call). Once every piece is there and common/ has
# come, it joins and checks the base, installs the gguf wheel and trains; $OUT/run then holds
# the PEFT adapter, train_log.json and loss.png to bring back (export and verify run here).
set -euo pipefail
GPU_DIR=${GPU_DIR:-var/gpu}
STASH=${STASH:-/tmp/operatorx-gpu}
PYTHON=${PYTHON:-python3}
RUN_DIR=${OUT:-$GPU_DIR/out}/run

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
base=$STASH/$(cat "$GPU_DIR/common/base.name")
[[ -f $base ]] || cat "$STASH"/part-* > "$base"
echo "$(cat "$GPU_DIR/common/base.sha256")  $base" | sha256sum --check --quiet -
"$PYTHON" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$STASH/site" \
    "$GPU_DIR"/common/wheels/*.whl
export PYTHONPATH=$STASH/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
export PYTHONUNBUFFERED=1
init=()
[[ -f $GPU_DIR/common/init.gguf ]] && init=(--set init_adapter="$GPU_DIR/common/init.gguf")
"$PYTHON" -m operatorx.training.finetune --set base="$base" --set train="$GPU_DIR/common/data/train.jsonl" \
    --set val="$GPU_DIR/common/data/val.jsonl" --set device="${DEVICE:-cuda}" --set out_dir="$RUN_DIR" \
    "${init[@]}" "$@"
