"""The training/evaluation data: deterministic, valid, disjoint, covering every option.

A small generation (``--scale 0.05``) checks the generator itself; the committed full
dataset in ``data/`` is checked for coverage and for being exactly what the generator makes.
"""

from __future__ import annotations

import hashlib
import json
import typing
from pathlib import Path

import pytest

from operatorx.config import load_config
from operatorx.schemas.elastic import Aggregation, Condition, EsSearch
from operatorx.schemas.nmap import NmapScan, target_kind
from operatorx.schemas.plan import parse_plan
from operatorx.training import datagen
from operatorx.training.datagen_handwritten import REFERENCE
from operatorx.training.datagen_none import MESSAGES
from operatorx.training.evaluate import load_split, scope_resolver

DATA = Path(__file__).resolve().parents[1] / "data"
SPLITS = datagen.SPLITS


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    assert datagen.main(["--seed", "99", "--out", str(out), "--scale", "0.05", "--no-tokens"]) == 0
    return out


@pytest.fixture(scope="module")
def full() -> dict[str, list[dict]]:
    if not (DATA / "train.jsonl").is_file():
        pytest.fail("data/train.jsonl is missing: run python -m operatorx.training.datagen --seed 1234 --out data/")
    return {s: load_split(DATA, s) for s in SPLITS}


def test_same_seed_same_bytes(small, tmp_path):
    assert datagen.main(["--seed", "99", "--out", str(tmp_path), "--scale", "0.05", "--no-tokens"]) == 0
    for s in SPLITS:
        assert sha(tmp_path / f"{s}.jsonl") == sha(small / f"{s}.jsonl"), s
    assert (tmp_path / "DATASET_CARD.md").read_text() == (small / "DATASET_CARD.md").read_text()


def test_other_seed_other_data(small, tmp_path):
    datagen.main(["--seed", "100", "--out", str(tmp_path), "--scale", "0.05", "--no-tokens"])
    assert sha(tmp_path / "train.jsonl") != sha(small / "train.jsonl")


def test_small_records_are_valid_and_in_scope(small):
    config = load_config(datagen.SCOPE_CONFIG)
    resolve = scope_resolver(config)
    for s in SPLITS:
        recs = load_split(small, s)
        assert recs, s
        for rec in recs:
            assert list(rec) == ["id", "split", "family", "intent", "tool", "question", "previous", "target"]
            assert rec["split"] == s and rec["id"].startswith(s)
            datagen.check_record(rec, config, resolve)


def test_committed_data_is_what_the_generator_makes(tmp_path, full):
    """data/*.jsonl must be regenerated whenever the generator (or a schema it uses) changes."""
    datagen.main(["--seed", "1234", "--out", str(tmp_path), "--no-tokens"])
    for s in SPLITS:
        assert sha(tmp_path / f"{s}.jsonl") == sha(DATA / f"{s}.jsonl"), (
            f"data/{s}.jsonl is stale: python -m operatorx.training.datagen --seed 1234 --out data/"
        )


def test_sizes(full):
    sizes = {s: len(full[s]) for s in SPLITS}
    assert 5900 <= sizes["train"] <= 6100
    assert 280 <= sizes["val"] <= 320 and 380 <= sizes["test"] <= 420 and 230 <= sizes["shifted"] <= 270


def test_every_target_validates(full):
    for s in SPLITS:
        for rec in full[s]:
            assert parse_plan(rec["target"]).compact() == rec["target"]


def test_splits_are_disjoint_after_normalisation(full):
    seen: dict[str, str] = {}
    for s in SPLITS:
        for rec in full[s]:
            key = datagen.dedup_key(rec["question"], rec["previous"])
            assert key not in seen, f"{rec['question']!r} is in {seen.get(key)} and {s}"
            seen[key] = s


def test_shifted_uses_held_out_families_only(full):
    main_families = {r["family"] for s in ("train", "val", "test") for r in full[s]}
    assert not any(f.endswith("~s") or f.startswith("handwritten") for f in main_families)
    for rec in full["shifted"]:
        assert rec["family"].endswith("~s") or rec["family"].startswith("handwritten"), rec["family"]
    # the reference's 25 hunting questions are in shifted, worded as the reference words them
    shifted_q = {r["question"] for r in full["shifted"]}
    assert all(q in shifted_q for q, *_ in REFERENCE) and len(REFERENCE) == 25
    assert sum(r["family"].startswith("handwritten") for r in full["shifted"]) >= 40


def test_val_and_test_come_from_train_families(full):
    train_families = {r["family"] for r in full["train"]}
    for s in ("val", "test"):
        assert {r["family"] for r in full[s]} <= train_families


def test_nmap_coverage(full):
    train = [r["target"] for r in full["train"] if r["tool"] == "nmap"]
    fields = {k for t in train for k in t}
    assert set(NmapScan.model_fields) <= fields
    assert {t.get("technique", "default") for t in train} == set(typing.get_args(NmapScan.model_fields["technique"].annotation))
    assert {t["timing"] for t in train if "timing" in t} == set(range(6))
    ports = [t["ports"] for t in train if "ports" in t]
    assert any("," in p for p in ports) and any("-" in p for p in ports) and any("U:" in p for p in ports)
    kinds = {target_kind(x) for t in train for x in t["targets"]}
    assert kinds == {"ipv4", "ipv6", "cidr4", "cidr6", "range4", "hostname"}
    scripts = {s for t in train for s in t.get("scripts", [])}
    assert {"default", "vuln", "safe", "ssl-enum-ciphers", "http-title"} <= scripts


def test_elasticsearch_coverage(full):
    train = [r["target"] for r in full["train"] if r["tool"] == "elasticsearch"]
    keys = {k for t in train for k in t}
    assert set(EsSearch.model_fields) <= keys | {"tool"}
    ops = {c.get("op", "eq") for t in train for key in ("where", "any_of", "exclude") for c in t.get(key, [])}
    assert ops == set(typing.get_args(Condition.model_fields["op"].annotation))
    aggs = {t["agg"].get("type", "terms") for t in train if "agg" in t}
    assert aggs == set(typing.get_args(Aggregation.model_fields["type"].annotation))
    assert any(t["agg"].get("order") == "asc" for t in train if "agg" in t)
    sinces = {t.get("since") for t in train}
    assert {"now/d", "now-1d/d", "now-24h", "now-7d", "now-1w"} <= sinces
    assert any(s and s[0].isdigit() for s in sinces)  # explicit dates


def test_fields_come_from_the_catalog(full):
    from operatorx.tools.elastic.catalog import FieldCatalog

    names = set(FieldCatalog.packaged().names())
    for s in SPLITS:
        for rec in full[s]:
            for call in (rec["target"], rec["previous"]):
                if call and call["tool"] == "elasticsearch":
                    assert EsSearch.model_validate(call).fields_used() <= names


def test_none_reasons_and_follow_ups(full):
    messages = {r["target"]["message"] for r in full["train"] if r["tool"] == "none"}
    assert messages == {m for _, m in MESSAGES.values()}
    intents = {r["intent"] for r in full["train"]}
    assert {"none.out_of_scope", "none.obfuscated", "none.destructive", "none.injection", "none.vague",
            "none.offtopic"} <= intents
    follow = [r for r in full["train"] if r["previous"] is not None]
    assert len(follow) > 500
    assert {r["previous"]["tool"] for r in follow} == {"nmap", "elasticsearch"}
    # public addresses are refused for scans in several spellings, and searched for in logs
    refused = " ".join(r["question"] for r in full["train"] if r["intent"] == "none.out_of_scope")
    assert "::ffff:" in refused and "8.8.8.8" in refused or "1.1.1.1" in refused
    obfuscated = " ".join(r["question"] for r in full["train"] if r["intent"] == "none.obfuscated")
    assert "0x" in obfuscated
    searched = [r for r in full["train"] if r["tool"] == "elasticsearch" and "203.0.113." in json.dumps(r["target"])]
    assert searched


def test_card_reports_counts_and_tokens():
    text = (DATA / "DATASET_CARD.md").read_text()
    assert "## Tokens" in text and "## Conventions" in text and "## Template families" in text


def test_scan_targets_are_written_in_the_question(full):
    """The planner only lets the model name targets the question (or the previous call) holds."""
    from operatorx.agent.planner import target_candidates

    hostnames = load_config(datagen.SCOPE_CONFIG).scope.hostnames
    for s in SPLITS:
        for rec in full[s]:
            t = rec["target"]
            if t["tool"] != "nmap":
                continue
            allowed = set(target_candidates(rec["question"], hostnames))
            if rec["previous"] and rec["previous"]["tool"] == "nmap":
                allowed |= set(rec["previous"]["targets"]) | set(rec["previous"].get("exclude", []))
            assert set(t["targets"]) | set(t.get("exclude", [])) <= allowed, rec["question"]


def test_holdout_writes_fresh_train_without_held_out_questions(full, tmp_path):
    """A later training stage's data (scripts/train-adapter.sh, stage 3): another seed's train
    split, with nothing the committed evaluation splits measure."""
    assert datagen.main(["--seed", "4242", "--out", str(tmp_path), "--no-tokens", "--holdout", str(DATA)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.jsonl"]
    fresh = load_split(tmp_path, "train")
    held = {datagen.normalise(r["question"]) for s in ("val", "test", "shifted") for r in full[s]}
    assert len(fresh) > 5000 and not {datagen.normalise(r["question"]) for r in fresh} & held
    # Without the filter the same seed does collide: the check above is not vacuous.
    unfiltered = datagen.build(datagen.GenConfig(seed=4242, tokens=False, dry_run=True))
    assert len({datagen.normalise(r["question"]) for r in unfiltered["train"]} & held) > 50


def test_holdout_takes_several_directories(tmp_path):
    """Stage 7 on holds out data/ and data/val-fresh (which has only a val split)."""
    fresh = [json.loads(line) for line in (DATA / "val-fresh" / "val.jsonl").read_text().splitlines()]
    out = tmp_path / "o"
    assert datagen.main(["--seed", "6262", "--out", str(out), "--no-tokens", "--holdout", str(DATA),
                         "--holdout", str(DATA / "val-fresh")]) == 0
    trained = {datagen.normalise(r["question"]) for r in load_split(out, "train")}
    assert not trained & {datagen.normalise(r["question"]) for r in fresh}


def test_fresh_val_is_unseen_and_reproducible():
    """data/val-fresh: what ``fresh_val`` makes, and nothing of data/ or of any stage's train data."""
    from operatorx.training import fresh_val

    records, dropped = fresh_val.build(DATA)
    committed = [json.loads(line) for line in (DATA / "val-fresh" / "val.jsonl").read_text().splitlines()]
    assert len(committed) == fresh_val.SIZE and dropped > 0
    assert [(r["question"], r["previous"], r["target"]) for r in records] == [
        (r["question"], r["previous"], r["target"]) for r in committed]
    seen = datagen.held_keys(sorted(DATA.glob("*.jsonl")))
    for seed in fresh_val.TRAINED_SEEDS[-1:]:
        seen |= {datagen.normalise(r["question"])
                 for r in datagen.build(datagen.GenConfig(seed=seed, tokens=False, dry_run=True))["train"]}
    assert not seen & {datagen.normalise(r["question"]) for r in committed}
    assert {r["tool"] for r in committed} == {"nmap", "elasticsearch", "none"}


def test_holdout_needs_the_held_out_splits(tmp_path):
    with pytest.raises(SystemExit, match="no val, test or shifted"):
        datagen.main(["--seed", "7", "--out", str(tmp_path / "o"), "--scale", "0.05", "--no-tokens",
                      "--holdout", str(tmp_path)])


def test_calls_the_policy_refuses_are_drawn_again():
    """Seed 4444 once drew a scan of 10.0.0.0/20 plus one host (4,097 addresses, over the
    policy's 4,096) and the whole run failed its final check; now the family draws again."""
    splits = datagen.build(datagen.GenConfig(seed=4444, tokens=False, dry_run=True))
    assert sum(len(v) for v in splits.values()) > 6900  # every record passed check_record
