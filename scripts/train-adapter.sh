#!/usr/bin/env bash
# Reproduce the shipped LoRA adapter from scratch: data → fine-tune → GGUF export → verify.
#
#   bash scripts/train-adapter.sh                  # about 40-60 min on 2 CPU cores
#   SKIP_DATAGEN=1 bash scripts/train-adapter.sh   # reuse data/*.jsonl
#   NICE=0 bash scripts/train-adapter.sh           # alone on the machine: do not yield the CPU
#
# Every stage reads configs/train-smollm2.toml (override it with CONFIG=...). Outputs:
#   var/train/smollm2-lora/{adapter/,train_log.json,loss.png,verify.json}   (not committed)
#   operatorx/models/operatorx-smollm2-lora.gguf                            (the shipped adapter)
#   docs/training/{loss.png,train_log.json,verify.json}
# Then fill operatorx/models/MODEL_CARD.md from train_log.json and verify.json.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
CONFIG=${CONFIG:-configs/train-smollm2.toml}
NICE=${NICE:-10}
RUN_DIR=var/train/smollm2-lora
# Waiting OpenMP threads must sleep, not spin: on a shared CPU spinning cost a niced run 10x.
export OMP_WAIT_POLICY=PASSIVE

[[ -x $PY ]] || bash scripts/setup-venv.sh
if ! $PY -c 'import torch, transformers, peft, gguf, matplotlib' 2>/dev/null; then
    echo "train-adapter: installing the train extra (torch, transformers, peft, gguf, matplotlib)"
    $PY -m pip install --quiet -e '.[train]'
fi

if [[ -z ${SKIP_DATAGEN:-} ]]; then
    echo "== datagen"
    $PY -m operatorx.training.datagen --seed 1234 --out data/
fi

echo "== format (data check)"
$PY -m operatorx.training.format --config "$CONFIG" | grep -E '^(train|val) '

echo "== finetune"
start=$(date +%s)
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG"
echo "finetune took $(( ($(date +%s) - start) / 60 )) min"

echo "== export"
$PY -m operatorx.training.export --config "$CONFIG"

echo "== verify"
nice -n "$NICE" $PY -m operatorx.training.verify --config "$CONFIG" --set out="$RUN_DIR/verify.json" >/dev/null
$PY - "$RUN_DIR" <<'EOF'
import json, sys
d = sys.argv[1]
v = json.load(open(f"{d}/verify.json"))
print("verify:", "passed" if v["passed"] else "FAILED", json.dumps({k: v[k] for k in ("check", "floor", "effect_cpp")}))
EOF

mkdir -p docs/training
cp "$RUN_DIR/loss.png" "$RUN_DIR/train_log.json" "$RUN_DIR/verify.json" docs/training/
ls -l operatorx/models/operatorx-smollm2-lora.gguf docs/training/loss.png
