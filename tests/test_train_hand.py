"""data/train-hand{,2}: hand-written training questions whose labels the planner could write."""

from __future__ import annotations

import json
from pathlib import Path

import llguidance
import pytest

from operatorx.schemas.plan import parse_plan
from operatorx.training import datagen

DATA = Path(__file__).resolve().parent.parent / "data"
# each directory with its record count
HAND = {DATA / "train-hand" / "train.jsonl": 484, DATA / "train-hand2" / "train.jsonl": 236,
        DATA / "train-hand3" / "train.jsonl": 464}


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("hand", HAND, ids=lambda p: p.parent.name)
def test_every_label_validates_in_the_compact_form(hand):
    records = _records(hand)
    assert len(records) == HAND[hand] and len({r["id"] for r in records}) == HAND[hand]
    assert {"nmap", "elasticsearch"} <= {r["tool"] for r in records} <= {"nmap", "elasticsearch", "none"}
    for rec in records:
        for call in filter(None, (rec["previous"], rec["target"])):
            dumped = parse_plan(json.dumps(call)).model_dump(mode="json", exclude_defaults=True)
            if call["tool"] == "none":
                dumped.setdefault("kind", call["kind"])
            assert {"tool": call["tool"], **dumped} == call, rec["id"]


def test_no_question_is_one_of_a_scored_split():
    scored = [*DATA.glob("*.jsonl"), *DATA.glob("*/val.jsonl")]
    assert len(scored) >= 14
    seen = {datagen.normalise(r["question"]) for path in scored for r in _records(path)}
    own = [datagen.normalise(r["question"]) for hand in HAND for r in _records(hand)]
    assert len(set(own)) == len(own) and not set(own) & seen


@pytest.mark.slow
@pytest.mark.parametrize("hand", HAND, ids=lambda p: p.parent.name)
def test_the_grounded_grammar_lets_the_model_write_the_labels(hand):
    """A label the grammar rejects would teach what the planner forbids. Every fourth record
    (the whole file passes too, but takes about a minute: one grammar per question)."""
    from test_backend_grammar import _Bytes, _grammar_rejects

    tokenizer = llguidance.LLTokenizer(llguidance.TokenizerWrapper(_Bytes()))
    assert _grammar_rejects(tokenizer, _records(hand)[::4]) == []


def test_set_aside_records_say_why_and_stay_out_of_training():
    """data/train-hand3/rejected.jsonl lists right labels the planner cannot write yet: each says
    why, is a valid call, and is not trained on."""
    hand3 = DATA / "train-hand3"
    rejected = _records(hand3 / "rejected.jsonl")
    trained = {datagen.normalise(r["question"]) for r in _records(hand3 / "train.jsonl")}
    assert len(rejected) == 15
    for rec in rejected:
        assert len(rec["note"]) > 20, rec["id"]
        parse_plan(json.dumps(rec["target"]))
        assert datagen.normalise(rec["question"]) not in trained, rec["id"]
