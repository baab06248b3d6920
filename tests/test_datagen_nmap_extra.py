"""The train-only scan families of half F (operatorx.training.datagen_nmap_extra).

They reach training only through a half-F draw, every call they write is one the grounded
grammar lets the model write, and their wording stays clear of the held-out families' and of
the hand-written dev set's questions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from operatorx.training import datagen, datagen_nmap_extra, datagen_paraphrase

DATA = Path(__file__).resolve().parents[1] / "data"


def _extra(records: list[dict]) -> list[dict]:
    return [r for r in records if r["family"].startswith("nmapx.")]


@pytest.fixture(scope="module")
def f_draw() -> dict[str, list[dict]]:
    return datagen_paraphrase.draw(61, "F")


def test_only_a_half_f_draw_has_them(f_draw):
    plain = datagen.build(datagen.GenConfig(seed=61, scale=0.05, tokens=False, dry_run=True))
    assert not any(_extra(plain[s]) for s in plain)
    with datagen_paraphrase.vocabulary(datagen_paraphrase.E):
        assert not _extra(datagen.build(datagen.GenConfig(seed=61, scale=0.05, tokens=False, dry_run=True))["train"])
    fams = {r["family"] for r in _extra(f_draw["train"])}
    assert {f.id for f in datagen_nmap_extra.FAMILIES} <= fams | {r["family"] for r in _extra(f_draw["val"])}


def test_port_lists_keep_every_port_in_order():
    import random

    r = random.Random(3)
    for _ in range(300):
        p = datagen_nmap_extra.port_list(r, r.choice([2, 3, 4]))
        assert re.findall(r"\d+", p.text) == p.meaning["ports"].split(",")
    texts = {datagen_nmap_extra.port_list(r, 3).text for _ in range(200)}
    assert any(" or " in t for t in texts) and any("/" in t for t in texts) and any(" and " in t for t in texts)


def test_their_wording_is_not_held_out_or_dev_hand(f_draw):
    records = _extra(f_draw["train"] + f_draw["val"] + f_draw["test"])
    held_out = re.compile(r"\b(listen\w*|answers?|respond\w*|offers?|expos\w*|census|platform)\b", re.I)
    assert not [r["question"] for r in records if held_out.search(r["question"])]
    dev = {json.loads(line)["question"].lower() for line in (DATA / "dev-hand" / "val.jsonl").read_text().splitlines()}
    assert not [r for r in records if r["question"].lower() in dev]
