"""operatorx.training.datagen_public: searches for public addresses, made from generated ones."""

from __future__ import annotations

import ipaddress
import json
import random
from pathlib import Path

import llguidance
import pytest

from operatorx.schemas.plan import parse_plan
from operatorx.training import datagen_public
from operatorx.training.datagen_public import IPV4, public_ip, publicise, publicised

DATA = Path(__file__).resolve().parent.parent / "data"


def _search(question: str, target: dict, previous: dict | None = None) -> dict:
    return {"id": "t-1", "split": "train", "family": "es.x", "intent": "es.lookup", "tool": "elasticsearch",
            "question": question, "previous": previous, "target": {"tool": "elasticsearch", **target}}


def _train_records() -> list[dict]:
    return [json.loads(line) for line in (DATA / "train.jsonl").read_text().splitlines() if line]


def test_public_addresses_are_public_or_documentation_ranges():
    r = random.Random(3)
    drawn = [public_ip(r) for _ in range(500)]
    doc = [a for a in drawn if a.rsplit(".", 1)[0] in datagen_public.DOC_NETS]
    assert 50 < len(doc) < 150, len(doc)
    assert all(ipaddress.ip_address(a).is_global for a in drawn if a not in doc)
    assert len(set(drawn)) > 450, "addresses should rarely repeat"


def test_an_address_is_swapped_in_the_question_and_the_target_alike():
    rec = _search("any traffic from 10.20.4.17 to 192.168.1.9 past hour",
                  {"since": "now-1h", "where": [{"field": "source.ip", "value": "10.20.4.17"},
                                                {"field": "destination.ip", "value": "192.168.1.9"}]})
    out = publicise(rec, random.Random(1), share=1.0)
    new = [c["value"] for c in out["target"]["where"]]
    assert all(not ipaddress.ip_address(a).is_private or a.rsplit(".", 1)[0] in datagen_public.DOC_NETS for a in new)
    assert out["question"] == f"any traffic from {new[0]} to {new[1]} past hour"
    assert out["id"] == "t-1-pub" and out["family"] == "es.x+public"
    assert rec["target"]["where"][0]["value"] == "10.20.4.17", "the input record is left as it was"


def test_a_follow_up_keeps_its_previous_call_consistent():
    prev = {"tool": "elasticsearch", "where": [{"field": "source.ip", "value": "10.0.0.128"}]}
    rec = _search("same but only dns", {"where": [{"field": "source.ip", "value": "10.0.0.128"},
                                                  {"field": "tags", "value": "dns"}]}, prev)
    out = publicise(rec, random.Random(2), share=1.0)
    swapped = out["previous"]["where"][0]["value"]
    assert swapped != "10.0.0.128" and out["target"]["where"][0]["value"] == swapped
    assert out["question"] == "same but only dns"


def test_nets_ranges_scans_and_unwritten_addresses_are_left_alone():
    cidr = _search("alerts for 10.20.4.0/24", {"where": [{"field": "source.ip", "value": "10.20.4.0/24"}]})
    assert publicise(cidr, random.Random(0)) is None
    scan = dict(_search("scan 10.0.0.5", {}), tool="nmap", target={"tool": "nmap", "targets": ["10.0.0.5"]})
    assert publicise(scan, random.Random(0)) is None
    # the question spells the address otherwise: swapping the label alone would break the pair
    odd = _search("alerts for 10.0.0.05", {"where": [{"field": "source.ip", "value": "10.0.0.5"}]})
    assert publicise(odd, random.Random(0)) is None
    already = _search("alerts for 8.8.8.8", {"where": [{"field": "source.ip", "value": "8.8.8.8"}]})
    assert publicise(already, random.Random(0)) is None


def test_only_whole_addresses_match():
    assert IPV4.findall("10.0.0.5 10.0.0.0/24 10.0.0.5-20 10.0.0.5. 1.2.3.4.5") == ["10.0.0.5", "10.0.0.5"]


def test_publicised_records_are_deterministic_unique_valid_and_held_out():
    records = _train_records()
    first = publicised(records, seed=7, count=200)
    assert first == publicised(records, seed=7, count=200)
    held = datagen_public.record_keys(first[:5])
    out = publicised(records, seed=7, count=200, held=held)
    assert len(out) == 200 and len({r["question"] for r in out}) == 200
    assert not {r["question"] for r in first[:5]} & {r["question"] for r in out}
    for rec in out:
        for call in filter(None, (rec["previous"], rec["target"])):
            dumped = parse_plan(json.dumps(call)).model_dump(mode="json", exclude_defaults=True)
            assert {"tool": call["tool"], **dumped} == call, rec["id"]
        written = set(IPV4.findall(rec["question"])) | set(IPV4.findall(json.dumps(rec["previous"])))
        assert set(IPV4.findall(json.dumps(rec["target"]))) <= written, rec["id"]
        assert any(not ipaddress.ip_address(a).is_private or a.rsplit(".", 1)[0] in datagen_public.DOC_NETS
                   for a in written), rec["id"]


def test_the_command_line_refuses_a_count_it_cannot_fill(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _train_records()[:50]))
    with pytest.raises(SystemExit, match="could be publicised"):
        datagen_public.main(["--in", str(src), "--out", str(tmp_path / "o"), "--seed", "1", "--count", "5000"])
    assert datagen_public.main(["--in", str(src), "--out", str(tmp_path / "o"), "--seed", "1", "--count", "3"]) == 0
    assert len((tmp_path / "o" / "train.jsonl").read_text().splitlines()) == 3


@pytest.mark.slow
def test_the_grounded_grammar_lets_the_model_write_the_publicised_labels():
    """A label the grammar rejects would teach what the planner forbids (e.g. an address
    the question does not ground)."""
    from test_backend_grammar import _Bytes, _grammar_rejects

    tokenizer = llguidance.LLTokenizer(llguidance.TokenizerWrapper(_Bytes()))
    assert _grammar_rejects(tokenizer, publicised(_train_records(), seed=11, count=60)) == []
