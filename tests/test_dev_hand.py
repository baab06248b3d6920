"""data/dev-hand, dev-hand2 … dev-hand11, sel-hand and sel-hand2: hand-written questions whose targets must be
valid, compact and unseen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from operatorx.schemas.plan import parse_plan
from operatorx.training import datagen

DATA = Path(__file__).resolve().parent.parent / "data"
SETS = {"dev-hand": 64, "dev-hand2": 53, "dev-hand3": 60, "dev-hand4": 80, "dev-hand5": 296, "dev-hand6": 85, "dev-hand7": 80,
        "dev-hand8": 80, "dev-hand9": 160, "dev-hand10": 160, "dev-hand11": 159,
        "sel-hand": 53, "sel-hand2": 83}
OTHERS = [DATA / "val-fresh" / "val.jsonl", DATA / "val-para" / "val.jsonl"]


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.mark.parametrize("name", SETS)
def test_every_target_validates_in_the_compact_form(name):
    records = _records(DATA / name / "val.jsonl")
    assert len(records) == SETS[name] and len({r["id"] for r in records}) == SETS[name]
    for rec in records:
        for call in filter(None, (rec["previous"], rec["target"])):
            plan = parse_plan(json.dumps(call))
            dumped = plan.model_dump(mode="json", exclude_defaults=True)
            if call["tool"] == "none":  # a reply keeps its kind written, as the generator writes it
                dumped.setdefault("kind", call["kind"])
            assert {"tool": call["tool"], **dumped} == call, rec["id"]
        assert rec["tool"] == rec["target"]["tool"]


@pytest.mark.parametrize("name", SETS)
def test_no_question_is_one_of_the_other_splits(name):
    seen = set()
    for path in [*DATA.glob("*.jsonl"), *OTHERS, *(DATA / other / "val.jsonl" for other in SETS if other != name)]:
        seen |= {datagen.normalise(r["question"]) for r in _records(path)}
    assert not [r["id"] for r in _records(DATA / name / "val.jsonl") if datagen.normalise(r["question"]) in seen]


# Answers out of reach on purpose: "halve that packet rate ceiling" asks for arithmetic, and
# the grammar takes numbers only from the words (10 is nowhere in them); a defanged URL
# ("hxxp://bad.domain.com/gate.php") split into a host and a path is more than the grounding reads;
# every host a new scan names is a target, also one named only as context ("the front desk PC
# (192.168.30.14) lost its link … check 445 and 3389 on the imaging server, 192.168.30.50").
OUT_OF_REACH = {"dev-hand7": ["devhand7-e-011"], "dev-hand9": ["devhand9-p-027"], "dev-hand10": ["devhand10-r-000"]}


@pytest.mark.parametrize("name", ["dev-hand3", "dev-hand4", "dev-hand7", "dev-hand8", "dev-hand9", "dev-hand10",
                                  "dev-hand11"])
def test_the_grounded_grammar_admits_freely_written_scans(name):
    """dev-hand3's, dev-hand4's and dev-hand7's scans were labelled by meaning by writers who never
    saw the grounding rules: the planner's grammar must let the model write every one of them. It
    refused three of dev-hand3's before "gentle timing", "remote desktop" and "a full-connection
    scan" were words for their options, three of dev-hand4's before "SMB versions" asked for
    smb-protocols and a follow-up's ".45" named a host beside the one just scanned, and eight of
    dev-hand7's before "responsive hosts", "eats pings", "windows or linux?", "encryption options
    the https side accepts" and "1,000 packets" were read, and six of dev-hand8's before "Modbus
    TCP", "which devices answer", "don't send a single packet to", "more soft", "sysinfo", "SMTP
    verbs" and "top 1k ports" were. dev-hand9's calls (scans and searches; its replies have no
    call to admit) lost six to "kubelet", "etcd", "mongo", "kibana", "the change window closes in
    10 min" and "only the earliest record"; dev-hand10's six to "UDP ports 53 and 67." ending a
    sentence (twice), "top100", "left the network", "instead of just counting them" and "add the
    snmp info script" to a top-50 scan; dev-hand11's five to "fp the stack", "my timeline" and
    "establish the timeline" (no histogram asked for), "Twenty entries" and "the ten biggest"."""
    llguidance = pytest.importorskip("llguidance")
    from test_backend_grammar import _Bytes, _grammar_rejects

    tokenizer = llguidance.LLTokenizer(llguidance.TokenizerWrapper(_Bytes()))
    calls = [r for r in _records(DATA / name / "val.jsonl") if r["tool"] != "none"]
    rejected = [r[0] for r in _grammar_rejects(tokenizer, calls)]
    assert rejected == OUT_OF_REACH.get(name, [])
