"""A fresh validation split: questions no training stage and no planner rule has seen.

    .venv/bin/python -m operatorx.training.fresh_val --out data/val-fresh

``data/val.jsonl`` chose the planner's grammar rules (their authors read its failures) and
so flatters the adapter they were tuned with: it picked stage 5 over stage 6, and on this
split stage 6 is the better one. This split is drawn like val (same template families) from
a seed no stage trained on, minus every question of the committed splits and of the train
data of every stage (``scripts/train-adapter.sh``'s seeds, regenerated here: same seed,
same bytes). It picks between adapters; it is not for writing rules. Evaluate it with
``operatorx eval --split val --data data/val-fresh``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from operatorx.training import datagen

# The seeds whose train splits the stages of scripts/train-adapter.sh train on: stage 1-2
# on data/ (seed 1234), then two, two, three and three fresh seeds (``datagen --holdout``).
TRAINED_SEEDS = (4242, 4343, 4444, 4545, 4646, 4747, 4848, 4949, 5050, 5151)
FRESH_SEED = 6262
SIZE = 400


def build(
    data: Path, seed: int = FRESH_SEED, size: int = SIZE, trained=TRAINED_SEEDS
) -> tuple[list[dict], int]:
    """(the fresh records: ``seed``'s val then test split minus anything seen, how many were dropped)."""
    held = datagen.held_keys(sorted(data.glob("*.jsonl")))
    for s in trained:
        held |= datagen.record_keys(datagen.build(datagen.GenConfig(seed=s, tokens=False, dry_run=True))["train"])
    splits = datagen.build(datagen.GenConfig(seed=seed, tokens=False, dry_run=True))
    candidates = splits["val"] + splits["test"]
    keep = datagen.unseen(candidates, held)
    return keep[:size], len(candidates) - len(keep)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m operatorx.training.fresh_val", description=__doc__.split("\n")[0]
    )
    p.add_argument("--data", type=Path, default=Path("data"), help="the committed splits (default: data/)")
    p.add_argument("--out", type=Path, default=Path("data/val-fresh"))
    p.add_argument("--seed", type=int, default=FRESH_SEED)
    p.add_argument("--size", type=int, default=SIZE)
    a = p.parse_args(argv)
    records, dropped = build(a.data, a.seed, a.size)
    for i, r in enumerate(records):
        r["split"], r["id"] = "val", f"fresh-{i:05d}"
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "val.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )
    print(f"val-fresh {len(records)} records (seed {a.seed}; {dropped} dropped as seen) → {a.out}/val.jsonl")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
