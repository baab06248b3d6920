#!/usr/bin/env bash
# Reproduce the Gemma 3 270M adapter (one stage from a fresh LoRA): data → fine-tune → GGUF
# export → verify. About 70 minutes on 2 CPU cores.
#
#   bash scripts/train-gemma-adapter.sh
#
# Its data is stage 12's draw of the SmolLM2 pipeline (scripts/train-adapter.sh: paraphrase
# halves ACDEF seed 12121 and ordinary seed 5757, without any question of data/, val-fresh,
# val-para or dev-hand) with data/train-hand twice over; the 60-minute budget covers about half
# of it, in the order of seed 21. Outputs: var/train/gemma3-lora/{adapter/,train_log.json,
# loss.png,verify.json} and models/gemma3/operatorx-gemma3-lora.gguf.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
CONFIG=${CONFIG:-configs/train-gemma3.toml}
NICE=${NICE:-0}
DATA=var/data-g1
RUN_DIR=var/train/gemma3-lora
export OMP_WAIT_POLICY=PASSIVE

[[ -x $PY ]] || bash scripts/setup-venv.sh
if ! $PY -c 'import torch, transformers, peft, gguf, matplotlib' 2>/dev/null; then
    echo "train-gemma-adapter: installing the train extra (torch, transformers, peft, gguf, matplotlib)"
    $PY -m pip install --quiet -e '.[train]'
fi

echo "== data"
hold=(--holdout data --holdout data/val-fresh --holdout data/val-para --holdout data/dev-hand)
$PY -m operatorx.training.datagen_paraphrase --half ACDEF --seed 12121 --out "$DATA/para" "${hold[@]}"
$PY -m operatorx.training.datagen --seed 5757 --out "$DATA/fresh" "${hold[@]}" --no-tokens
cat "$DATA/para/train.jsonl" "$DATA/fresh/train.jsonl" data/train-hand/train.jsonl \
    data/train-hand/train.jsonl > "$DATA/mix.jsonl"

echo "== finetune (fresh LoRA on Gemma 3 270M)"
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG"
echo "== export"
$PY -m operatorx.training.export --config "$CONFIG"
echo "== verify"
nice -n "$NICE" $PY -m operatorx.training.verify --config "$CONFIG" --set out="$RUN_DIR/verify.json" >/dev/null
$PY - "$RUN_DIR" <<'PYEOF'
import json, sys
v = json.load(open(f"{sys.argv[1]}/verify.json"))
print("verify:", "passed" if v["passed"] else "FAILED", json.dumps({k: v[k] for k in ("check", "floor", "effect_cpp")}))
PYEOF
