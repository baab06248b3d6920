#!/usr/bin/env bash
# Reproduce the shipped LoRA adapter from scratch: data → fine-tune → GGUF export → verify.
#
#   bash scripts/train-adapter.sh                  # about 19.5 hours on 2 CPU cores (twelve stages: 1-10, 12, 15)
#   SKIP_DATAGEN=1 bash scripts/train-adapter.sh   # reuse data/*.jsonl
#   NICE=0 bash scripts/train-adapter.sh           # alone on the machine: do not yield the CPU
#
# Every stage reads configs/train-smollm2.toml (override it with CONFIG=...). Outputs:
#   var/train/smollm2-lora{,-cont,-s3,-s4,-s5,-s6,-p7,-c8,-d9,-e10,-f12,-g15}/{adapter/,train_log.json,loss.png,verify.json}   (not committed)
#   operatorx/models/operatorx-smollm2-lora.gguf                            (the shipped adapter)
#   docs/training/{loss.png,train_log.json,verify.json}
# Then fill operatorx/models/MODEL_CARD.md from train_log.json and verify.json.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
CONFIG=${CONFIG:-configs/train-smollm2.toml}
NICE=${NICE:-10}
RUN_DIR=var/train/smollm2-lora
STAGE2_DIR=var/train/smollm2-lora-cont
STAGE3_DIR=var/train/smollm2-lora-s3
STAGE3_DATA=var/data-stage3
STAGE4_DIR=var/train/smollm2-lora-s4
STAGE4_DATA=var/data-stage4
STAGE5_DIR=var/train/smollm2-lora-s5
STAGE5_DATA=var/data-stage5
STAGE6_DIR=var/train/smollm2-lora-s6
STAGE6_DATA=var/data-stage6
STAGE7_DIR=var/train/smollm2-lora-p7
STAGE7_DATA=var/data-para
STAGE8_DIR=var/train/smollm2-lora-c8
STAGE8_DATA=var/data-s8
STAGE9_DIR=var/train/smollm2-lora-d9
STAGE9_DATA=var/data-s9
STAGE10_DIR=var/train/smollm2-lora-e10
STAGE10_DATA=var/data-s10
STAGE12_DIR=var/train/smollm2-lora-f12
STAGE12_DATA=var/data-s12
STAGE15_DIR=var/train/smollm2-lora-g15
STAGE15_DATA=var/data-s15
# Stage 2 continues stage 1's exported adapter on a new batch order with a fresh warmup and
# cosine decay over its own time budget (the shipped adapter is stage 2's).
STAGE2=(--set init_adapter="$RUN_DIR/stage1.gguf" --set lr=3e-4 --set epochs=3 --set time_budget_s=3900
        --set eval_every=100 --set seed=1 --set out_dir="$STAGE2_DIR")
# Stage 3 continues stage 2 on fresh questions: the train splits of two more datagen seeds,
# minus every question of the committed val/test/shifted splits (datagen --holdout).
STAGE3=(--set init_adapter="$STAGE2_DIR/stage2.gguf" --set train="$STAGE3_DATA/train.jsonl" --set lr=2e-4
        --set epochs=1 --set time_budget_s=5400 --set eval_every=100 --set seed=3 --set out_dir="$STAGE3_DIR")
# Stage 4: the same on two more seeds, shorter, from a lower learning rate.
STAGE4=(--set init_adapter="$STAGE3_DIR/stage3.gguf" --set train="$STAGE4_DATA/train.jsonl" --set lr=1.5e-4
        --set warmup_steps=10 --set epochs=1 --set time_budget_s=2100 --set eval_every=150 --set seed=4
        --set out_dir="$STAGE4_DIR")
# Stage 5: three more seeds, a 150-minute budget.
STAGE5=(--set init_adapter="$STAGE4_DIR/stage4.gguf" --set train="$STAGE5_DATA/train.jsonl" --set lr=1.5e-4
        --set warmup_steps=10 --set epochs=1 --set time_budget_s=9000 --set eval_every=150 --set seed=5
        --set out_dir="$STAGE5_DIR")
# Stage 6: three more seeds at a lower learning rate, 100 minutes. Chosen over stage 5 on
# data/val-fresh (91.8 % against 89.2 %), which no planner rule was written from.
STAGE6=(--set init_adapter="$STAGE5_DIR/stage5.gguf" --set train="$STAGE6_DATA/train.jsonl" --set lr=1e-4
        --set warmup_steps=10 --set epochs=1 --set time_budget_s=6000 --set eval_every=150 --set seed=6
        --set out_dir="$STAGE6_DIR")
# Stage 7: half paraphrase draw (datagen_paraphrase, half A: new openers, closers, verbs,
# synonyms and time phrases; seed 7171), half one more ordinary seed (5252), 90 minutes.
# Chosen over stage 6 on data/val-para (half B wording: 79.7 % against 76.7 %) with val-fresh
# not worse (92.0 % against 91.5 %).
STAGE7=(--set init_adapter="$STAGE6_DIR/stage6.gguf" --set train="$STAGE7_DATA/mix.jsonl"
        --set val=data/val-para/val.jsonl --set lr=1e-4 --set warmup_steps=10 --set epochs=1
        --set time_budget_s=5400 --set eval_every=150 --set seed=7 --set out_dir="$STAGE7_DIR")
# Stage 8: half paraphrase draw in halves A and C together (seed 8181), half one more ordinary
# seed (5353), both without any val-para question, 110 minutes.
STAGE8=(--set init_adapter="$STAGE7_DIR/stage7.gguf" --set train="$STAGE8_DATA/mix.jsonl"
        --set val=data/val-para/val.jsonl --set lr=1e-4 --set warmup_steps=10 --set epochs=1
        --set time_budget_s=6600 --set eval_every=150 --set seed=8 --set out_dir="$STAGE8_DIR")
# Stage 9: the same with half D added to the paraphrase draw (halves A, C and D; seed 9191) and
# one more ordinary seed (5454), 105 minutes.
STAGE9=(--set init_adapter="$STAGE8_DIR/stage8.gguf" --set train="$STAGE9_DATA/mix.jsonl"
        --set val=data/val-para/val.jsonl --set lr=1e-4 --set warmup_steps=10 --set epochs=1
        --set time_budget_s=6300 --set eval_every=150 --set seed=9 --set out_dir="$STAGE9_DIR")
# Stage 10: the same with half E added (halves A, C, D and E; seed 10101) and one more ordinary
# seed (5555), 100 minutes (one epoch took 70). Chosen over stage 9 on data/val-para (89.0 %
# against 85.3 %) with val-fresh not worse (95.2 % against 94.5 %).
STAGE10=(--set init_adapter="$STAGE9_DIR/stage9.gguf" --set train="$STAGE10_DATA/mix.jsonl"
        --set val=data/val-para/val.jsonl --set lr=1e-4 --set warmup_steps=10 --set epochs=1
        --set time_budget_s=6000 --set eval_every=150 --set seed=10 --set out_dir="$STAGE10_DIR")
# Stage 11 (tried 2026-12-05, not shipped, so not run here): one more epoch of the same kind
# from stage 10 (halves A, C, D and E, seed 11111, ordinary seed 5656, lr 1e-4, seed 11). Its
# rule, written before training: beat stage 10 on val-para with val-fresh at most a point
# lower, both under one planner. It scored 88.0 % on val-para against stage 10's 89.0 %.
# Stage 12 (2026-12-06, shipped): from stage 10 (not 11), one epoch of a half-ACDEF draw
# (seed 12121: A, C, D, E and the new half F, whose train-only scan families teach port lists,
# ports beside another option, services where ports belong and packet-rate caps) and one
# ordinary seed (5757), both without any question of data/, val-fresh, val-para or dev-hand;
# lr 1e-4, seed 12. Its rule, written before training: ship it only if it beats stage 10 on
# val-para with val-fresh at most a point lower, both adapters under one planner: the planner
# of commit 894da1a (restated so, before any stage-12 result, once planner rules had been added
# while it trained; stage 10 is re-run under it). dev-hand's failures were read to write half F
# and those rules, so dev-hand is reported, not used. It scored 91.7 % on val-para against
# stage 10's 89.7 % and 96.5 % on val-fresh against 95.0 %.
STAGE12=(--set init_adapter="$STAGE10_DIR/stage10.gguf" --set train="$STAGE12_DATA/mix.jsonl"
        --set val=data/val-para/val.jsonl --set lr=1e-4 --set warmup_steps=10 --set epochs=1
        --set time_budget_s=6000 --set eval_every=150 --set seed=12 --set out_dir="$STAGE12_DIR")
# Stage 13 (tried 2026-12-06, not shipped, so not run here): from stage 12, one epoch of the
# hand-written training questions (data/train-hand: four helper sessions in four personas, who
# read no split, no template and no dev set) three times over, with 2,500 questions of a
# half-ACDEF paraphrase draw (seed 13131) and 1,000 of an ordinary seed (5858), both without
# any question of data/, val-fresh, val-para, dev-hand, dev-hand2 or sel-hand (4,952 records,
# shuffled with seed 13); lr 1e-4, seed 13, a 45-minute budget (244 of 254 steps). Its rule,
# written before training (commit ca9c74c): ship it only if, both adapters under the planner of
# the commit that started its training (37d62a8), it beats stage 12 on data/sel-hand (the
# sealed hand-written split) by at least 2 records net and is at most a point lower on
# val-fresh and val-para. It scored 67.9 % against 66.0 % on sel-hand: 4 fixed, 3 broken, net
# +1, so it failed the rule (val-fresh and val-para were not finished: the rule had already
# decided).
# Stage 14 (tried 2026-12-06, not shipped, so not run here): from stage 12, one epoch of both
# hand-written training sets three times over (data/train-hand, 484, and data/train-hand2, 236:
# six helper sessions in six personas, who read no split, no template and no dev set), with
# 2,500 questions of a half-ACDEF paraphrase draw (seed 14141) and 1,000 of an ordinary seed
# (5959), both without any question of data/, val-fresh, val-para, dev-hand, dev-hand2 or
# sel-hand (5,660 records, shuffled with seed 14); lr 1.5e-4, 10 warmup steps, seed 14, a
# 55-minute budget (all 294 steps in 42 minutes). Its rule, written before training (commit
# 5c3a075): ship it only if, both adapters under that commit's planner, it beats stage 12 on
# data/sel-hand by at least 2 records net and is at most a point lower on val-fresh and
# val-para. It scored 64.2 % against 67.9 % on sel-hand: 3 fixed, 5 broken, net -2, so it
# failed the rule (val-fresh and val-para were stopped: the rule had already decided).
# Stage 15 (2026-12-06, shipped; the first stage on a GPU): from stage 12, one epoch of a new
# mix (s15_mix: two half-ACDEF paraphrase draws, seeds 15151 and 15353; two ordinary seeds,
# 15252 and 15454; data/train-hand and data/train-hand2 three times over; 25,743 records, 2.61 M
# tokens, shuffled with seed 15; every question of data/, val-fresh, val-para, dev-hand,
# dev-hand2, dev-hand3 and sel-hand held out); lr 1e-4, 10 warmup steps, batch 2,048 tokens,
# seed 15. It ran on an H100 through the device tool (scripts/gpu-prep.sh, then
# `bash scripts/gpu-train.sh --run 15a … --run 15b … --run 15c …`: 1,310 steps in 5.3 min at
# 8,150 tokens/s beside two other candidates, bf16 autocast); here, on 2 CPU cores, the same
# steps take about 3 hours. Its rule, written before training (docs/training/stage15-rule.md,
# commit 0e9e701): of three candidates (15b: 2 epochs at lr 1.5e-4 from stage 12, cut to 0.97
# of one by its 330 s budget; 15c: a fresh LoRA, 3 epochs at lr 4e-4, cut to 0.99 of one), one
# ships only if it beats stage 12 by at least 4 of the 753 records of val-fresh, val-para and
# sel-hand together, losing no more than 4, 3 and 1 on them, all under one planner (c08c04c).
# 15a: 704 against 698 (val-fresh +2, val-para +4, sel-hand 0); 15b: 698; 15c: 598.
STAGE15=(--set init_adapter="$STAGE12_DIR/stage12.gguf" --set train="$STAGE15_DATA/mix.jsonl"
         --set val=data/val-para/val.jsonl --set lr=1e-4 --set warmup_steps=10 --set epochs=1
         --set eval_every=200 --set eval_records=150 --set log_every=50 --set time_budget_s=14400
         --set seed=15 --set out_dir="$STAGE15_DIR")
# Stage 16 (tried 2026-12-06, not shipped, so not run here): from stage 15 (the shipped adapter), one
# epoch of s16_mix (MIX16_ONLY=DIR writes it: 1,200 generated searches whose private addresses are
# swapped for random public ones, every readable hand-written set but dev-hand2 and dev-hand6 twice
# over, 2,400 replayed records; 6,968 in all), lr 1e-4, 10 warmup steps, cosine to 1e-5, seed 16,
# on the CPU (all 384 steps in 44 minutes). Its rule, written before training
# (docs/training/stage16-rule.md): ship it only if it gains >= 2 net on sel-hand + sel-hand2, loses
# <= 3 net on val-fresh and on val-para each, and gains >= 3 net on the four together. It gained 4
# on the sealed hand sets and lost 7 on val-para (-3 in all), so stage 15 stays.
# A blend of stages 15 and 16 (tried 2026-12-06, not shipped): no training, 0.75 x stage 15's update +
# 0.25 x stage 16's as one rank-32 adapter (python -m operatorx.training.blend A.gguf:0.75 B.gguf:0.25;
# the weight chosen on dev-hand2, dev-hand6 and val). By its rule (docs/training/blend1516-rule.md)
# it gained 1 on the sealed hand sets (>= 2 asked) and 0 on the four judge sets (>= 3 asked).
# Stage 17 (tried 2026-12-06, not shipped): from stage 15, one epoch of s17_mix (MIX17_ONLY=DIR writes
# it: stage 16's mix and 2,400 more paraphrases, 9,368 records), stage 16's settings with seed 17
# (all 507 steps in 70 minutes on the CPU). By its rule (docs/training/stage17-rule.md, the same
# as stage 16's) it gained 5 on the sealed hand sets but lost 4 on val-fresh and 10 on val-para.
# Waiting OpenMP threads must sleep, not spin: on a shared CPU spinning cost a niced run 10x.
export OMP_WAIT_POLICY=PASSIVE

# fresh_data DIR SEED...: the train splits of these datagen seeds, without any question of the
# committed val/test/shifted splits or of data/val-fresh, joined in DIR/train.jsonl. (val-fresh
# was drawn without any question of stages 3-6, so holding it out changes only later stages.)
fresh_data() {
    local dir=$1 seed parts=()
    shift
    for seed in "$@"; do
        $PY -m operatorx.training.datagen --seed "$seed" --out "$dir/$seed" --holdout data --holdout data/val-fresh --no-tokens
        parts+=("$dir/$seed/train.jsonl")
    done
    cat "${parts[@]}" > "$dir/train.jsonl"
}

# para_mix DIR HALVES PARA_SEED FRESH_SEED [HOLDOUT...]: a paraphrase draw in these halves and
# one ordinary seed, both without any question of data/, data/val-fresh, data/val-para or the
# further HOLDOUT directories, in DIR/mix.jsonl.
para_mix() {
    local dir=$1 hold=(--holdout data --holdout data/val-fresh --holdout data/val-para) extra
    for extra in "${@:5}"; do hold+=(--holdout "$extra"); done
    $PY -m operatorx.training.datagen_paraphrase --half "$2" --seed "$3" --out "$dir/para" "${hold[@]}"
    $PY -m operatorx.training.datagen --seed "$4" --out "$dir/fresh" "${hold[@]}" --no-tokens
    cat "$dir/para/train.jsonl" "$dir/fresh/train.jsonl" > "$dir/mix.jsonl"
}

# s15_mix DIR: stage 15's training mix in DIR/mix.jsonl (see STAGE15 above).
s15_mix() {
    local dir=$1 hold=(--holdout data --holdout data/val-fresh --holdout data/val-para --holdout data/dev-hand
                       --holdout data/dev-hand2 --holdout data/dev-hand3 --holdout data/sel-hand)
    $PY -m operatorx.training.datagen_paraphrase --half ACDEF --seed 15151 --out "$dir/para1" "${hold[@]}"
    $PY -m operatorx.training.datagen --seed 15252 --out "$dir/fresh1" "${hold[@]}" --no-tokens
    $PY -m operatorx.training.datagen_paraphrase --half ACDEF --seed 15353 --out "$dir/para2" "${hold[@]}"
    $PY -m operatorx.training.datagen --seed 15454 --out "$dir/fresh2" "${hold[@]}" --no-tokens
    $PY - "$dir" <<'EOF'
import random
import sys
from pathlib import Path

out = Path(sys.argv[1])
lines = [line for part in ("para1", "fresh1", "para2", "fresh2") for line in (out / part / "train.jsonl").read_text().splitlines()]
hand = [line for f in ("data/train-hand/train.jsonl", "data/train-hand2/train.jsonl") for line in Path(f).read_text().splitlines()]
lines += hand * 3
random.Random(15).shuffle(lines)
(out / "mix.jsonl").write_text("\n".join(lines) + "\n")
EOF
}
# s16_mix DIR: stage 16's training mix in DIR/mix.jsonl (docs/training/stage16-rule.md): 1,200
# generated searches with public addresses, every readable hand-written set (train-hand3 too) but dev-hand2 and
# dev-hand6 (the twins of the sealed sel-hand and sel-hand2) twice over, and 2,400 replayed
# records of a paraphrase draw and an ordinary seed.
s16_mix() {
    local dir=$1 hold=(--holdout data --holdout data/val-fresh --holdout data/val-para --holdout data/sel-hand
                       --holdout data/sel-hand2 --holdout data/dev-hand2 --holdout data/dev-hand6)
    $PY -m operatorx.training.datagen_paraphrase --half ACDEF --seed 16161 --out "$dir/para" "${hold[@]}"
    $PY -m operatorx.training.datagen --seed 16262 --out "$dir/fresh" "${hold[@]}" --no-tokens
    $PY -m operatorx.training.datagen_public --in "$dir/para/train.jsonl" --in "$dir/fresh/train.jsonl" \
        --seed 16363 --count 1200 --out "$dir/public" "${hold[@]}"
    $PY - "$dir" <<'EOF'
import json
import random
import sys
from pathlib import Path

out = Path(sys.argv[1])
public = (out / "public" / "train.jsonl").read_text().splitlines()
# the two draws number their records alike ("train-00921" in both): a record whose id one
# publicised record had is left out of the replay, whichever draw it came from
used = {json.loads(line)["id"].removesuffix("-pub") for line in public}
pool = [line for part in ("para", "fresh") for line in (out / part / "train.jsonl").read_text().splitlines()
        if json.loads(line)["id"] not in used]
r = random.Random(16)
replay = r.sample(pool, 2400)
hand_files = ["data/train-hand/train.jsonl", "data/train-hand2/train.jsonl", "data/train-hand3/train.jsonl",
              "data/dev-hand/val.jsonl", "data/dev-hand3/val.jsonl", "data/dev-hand4/val.jsonl", "data/dev-hand5/val.jsonl"]
hand = [line for f in hand_files for line in Path(f).read_text().splitlines() if line.strip()]
lines = public + replay + hand * 2
r.shuffle(lines)
(out / "mix.jsonl").write_text("\n".join(lines) + "\n")
print(f"s16_mix: {len(public)} public, {len(replay)} replayed, {len(hand)} hand-written x 2: {len(lines)} records")
EOF
}
# s17_mix DIR: stage 17's training mix in DIR/mix.jsonl (docs/training/stage17-rule.md): stage 16's
# mix (regenerated in DIR/s16) and 2,400 more records of a half-ACDEF paraphrase draw (seed 17171,
# the same held-out sets, no question already in stage 16's mix), shuffled with seed 17.
s17_mix() {
    local dir=$1 hold=(--holdout data --holdout data/val-fresh --holdout data/val-para --holdout data/sel-hand
                       --holdout data/sel-hand2 --holdout data/dev-hand2 --holdout data/dev-hand6)
    s16_mix "$dir/s16"
    $PY -m operatorx.training.datagen_paraphrase --half ACDEF --seed 17171 --out "$dir/para17" "${hold[@]}"
    $PY - "$dir" <<'EOF'
import json
import random
import sys
from pathlib import Path

out = Path(sys.argv[1])
base = (out / "s16" / "mix.jsonl").read_text().splitlines()
seen = {json.loads(line)["question"] for line in base}
pool = [line for line in (out / "para17" / "train.jsonl").read_text().splitlines()
        if json.loads(line)["question"] not in seen]
r = random.Random(17)
extra = r.sample(pool, 2400)
lines = base + extra
r.shuffle(lines)
(out / "mix.jsonl").write_text("\n".join(lines) + "\n")
print(f"s17_mix: stage 16's {len(base)} and {len(extra)} more paraphrases: {len(lines)} records")
EOF
}
[[ -x $PY ]] || bash scripts/setup-venv.sh
# MIX16_ONLY=DIR: write stage 16's mix in DIR and stop (how its run's mix was made).
if [[ -n ${MIX16_ONLY:-} ]]; then s16_mix "$MIX16_ONLY"; exit 0; fi
# MIX17_ONLY=DIR: write stage 17's mix in DIR and stop.
if [[ -n ${MIX17_ONLY:-} ]]; then s17_mix "$MIX17_ONLY"; exit 0; fi
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

echo "== finetune, stage 1 (fresh LoRA)"
start=$(date +%s)
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG"
$PY -m operatorx.training.export --config "$CONFIG" --set out="$RUN_DIR/stage1.gguf"
echo "== finetune, stage 2 (continues stage 1)"
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE2[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE2_DIR/adapter" \
    --set out="$STAGE2_DIR/stage2.gguf"
echo "== finetune, stage 3 (continues stage 2 on fresh questions)"
fresh_data "$STAGE3_DATA" 4242 4343
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE3[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE3_DIR/adapter" \
    --set out="$STAGE3_DIR/stage3.gguf"
echo "== finetune, stage 4 (continues stage 3 on more fresh questions)"
fresh_data "$STAGE4_DATA" 4444 4545
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE4[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE4_DIR/adapter" \
    --set out="$STAGE4_DIR/stage4.gguf"
echo "== finetune, stage 5 (continues stage 4 on three more seeds)"
fresh_data "$STAGE5_DATA" 4646 4747 4848
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE5[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE5_DIR/adapter" \
    --set out="$STAGE5_DIR/stage5.gguf"
echo "== finetune, stage 6 (continues stage 5 on three more seeds, lower learning rate)"
fresh_data "$STAGE6_DATA" 4949 5050 5151
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE6[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE6_DIR/adapter" \
    --set out="$STAGE6_DIR/stage6.gguf"
echo "== finetune, stage 7 (continues stage 6 on paraphrased and fresh questions)"
$PY -m operatorx.training.datagen_paraphrase --seed 7171 --out "$STAGE7_DATA/para" --holdout data --holdout data/val-fresh
fresh_data "$STAGE7_DATA/fresh" 5252
cat "$STAGE7_DATA/para/train.jsonl" "$STAGE7_DATA/fresh/train.jsonl" > "$STAGE7_DATA/mix.jsonl"
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE7[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE7_DIR/adapter" \
    --set out="$STAGE7_DIR/stage7.gguf"
echo "== finetune, stage 8 (continues stage 7 on paraphrases in halves A and C, and fresh questions)"
para_mix "$STAGE8_DATA" AC 8181 5353
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE8[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE8_DIR/adapter" \
    --set out="$STAGE8_DIR/stage8.gguf"
echo "== finetune, stage 9 (continues stage 8 on paraphrases in halves A, C and D, and fresh questions)"
para_mix "$STAGE9_DATA" ACD 9191 5454
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE9[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE9_DIR/adapter" \
    --set out="$STAGE9_DIR/stage9.gguf"
echo "== finetune, stage 10 (continues stage 9 on paraphrases in halves A, C, D and E, and fresh questions)"
para_mix "$STAGE10_DATA" ACDE 10101 5555
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE10[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE10_DIR/adapter" \
    --set out="$STAGE10_DIR/stage10.gguf"
echo "== finetune, stage 12 (continues stage 10 on paraphrases in halves A, C, D, E and F, and fresh questions)"
para_mix "$STAGE12_DATA" ACDEF 12121 5757 data/dev-hand
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE12[@]}"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$STAGE12_DIR/adapter" \
    --set out="$STAGE12_DIR/stage12.gguf"
echo "== finetune, stage 15 (continues stage 12 on two paraphrase draws, two fresh seeds and the hand-written sets)"
s15_mix "$STAGE15_DATA"
nice -n "$NICE" $PY -m operatorx.training.finetune --config "$CONFIG" "${STAGE15[@]}"
echo "finetune took $(( ($(date +%s) - start) / 60 )) min"

FINAL_DIR=$STAGE15_DIR   # the shipped adapter is the last stage's
echo "== export"
$PY -m operatorx.training.export --config "$CONFIG" --set adapter_dir="$FINAL_DIR/adapter"

echo "== verify"
nice -n "$NICE" $PY -m operatorx.training.verify --config "$CONFIG" --set adapter_dir="$FINAL_DIR/adapter" \
    --set out="$FINAL_DIR/verify.json" >/dev/null
$PY - "$FINAL_DIR" <<'EOF'
import json, sys
d = sys.argv[1]
v = json.load(open(f"{d}/verify.json"))
print("verify:", "passed" if v["passed"] else "FAILED", json.dumps({k: v[k] for k in ("check", "floor", "effect_cpp")}))
EOF

mkdir -p docs/training
cp "$RUN_DIR/loss.png" docs/training/loss-stage1.png
cp "$RUN_DIR/train_log.json" docs/training/train_log-stage1.json
cp "$STAGE2_DIR/loss.png" docs/training/loss-stage2.png
cp "$STAGE2_DIR/train_log.json" docs/training/train_log-stage2.json
cp "$STAGE3_DIR/loss.png" docs/training/loss-stage3.png
cp "$STAGE3_DIR/train_log.json" docs/training/train_log-stage3.json
cp "$STAGE4_DIR/loss.png" docs/training/loss-stage4.png
cp "$STAGE4_DIR/train_log.json" docs/training/train_log-stage4.json
cp "$STAGE5_DIR/loss.png" docs/training/loss-stage5.png
cp "$STAGE5_DIR/train_log.json" docs/training/train_log-stage5.json
cp "$STAGE6_DIR/loss.png" docs/training/loss-stage6.png
cp "$STAGE6_DIR/train_log.json" docs/training/train_log-stage6.json
cp "$STAGE7_DIR/loss.png" docs/training/loss-stage7.png
cp "$STAGE7_DIR/train_log.json" docs/training/train_log-stage7.json
cp "$STAGE8_DIR/loss.png" docs/training/loss-stage8.png
cp "$STAGE8_DIR/train_log.json" docs/training/train_log-stage8.json
cp "$STAGE9_DIR/loss.png" docs/training/loss-stage9.png
cp "$STAGE9_DIR/train_log.json" docs/training/train_log-stage9.json
cp "$STAGE10_DIR/loss.png" docs/training/loss-stage10.png
cp "$STAGE10_DIR/train_log.json" docs/training/train_log-stage10.json
cp "$STAGE12_DIR/loss.png" docs/training/loss-stage12.png
cp "$STAGE12_DIR/train_log.json" docs/training/train_log-stage12.json
cp "$FINAL_DIR/loss.png" docs/training/loss.png
cp "$FINAL_DIR/train_log.json" "$FINAL_DIR/verify.json" docs/training/
ls -l operatorx/models/operatorx-smollm2-lora.gguf docs/training/loss.png
