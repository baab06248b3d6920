"""data/dev-hand: hand-written questions whose targets must be valid, compact and unseen."""

from __future__ import annotations

import json
from pathlib import Path

from operatorx.schemas.plan import parse_plan
from operatorx.training import datagen

DATA = Path(__file__).resolve().parent.parent / "data"
DEV = DATA / "dev-hand" / "val.jsonl"


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_every_target_validates_in_the_compact_form():
    records = _records(DEV)
    assert len(records) == 64 and len({r["id"] for r in records}) == 64
    for rec in records:
        for call in filter(None, (rec["previous"], rec["target"])):
            plan = parse_plan(json.dumps(call))
            dumped = plan.model_dump(mode="json", exclude_defaults=True)
            if call["tool"] == "none":  # a reply keeps its kind written, as the generator writes it
                dumped.setdefault("kind", call["kind"])
            assert {"tool": call["tool"], **dumped} == call, rec["id"]
        assert rec["tool"] == rec["target"]["tool"]


def test_no_question_is_one_of_the_other_splits():
    seen = set()
    for path in [*DATA.glob("*.jsonl"), DATA / "val-fresh" / "val.jsonl", DATA / "val-para" / "val.jsonl"]:
        seen |= {datagen.normalise(r["question"]) for r in _records(path)}
    assert not [r["id"] for r in _records(DEV) if datagen.normalise(r["question"]) in seen]
