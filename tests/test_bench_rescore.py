"""operatorx.bench.rescore: a saved report scored again with today's canonical forms, no model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from operatorx.bench import rescore

ROOT = Path(__file__).resolve().parents[1]


def _record(i: int, tool: str, plan: dict | None, match: bool, how: str) -> dict:
    return {"id": f"r{i}", "intent": "x", "family": "f", "tool": tool, "pred_tool": plan["tool"] if plan else "none",
            "pred_kind": None, "valid_json": True, "valid_call": True, "first_try": True, "match": match, "how": how,
            "precheck": False, "seconds": 0.5, "question": f"secret question {i}", "plan": plan, "raw_text": ""}


UDP_53 = {"tool": "nmap", "targets": ["10.0.0.1"], "ports": "53", "technique": "syn", "udp": True}
SEARCH = {"tool": "elasticsearch", "where": [{"field": "tags", "value": "dns"}]}


def _files(tmp_path: Path) -> Path:
    expected = [{"id": "r0", "target": dict(UDP_53, ports="T:53,U:53")},
                {"id": "r1", "target": dict(UDP_53, ports="80")},
                {"id": "r2", "target": {"tool": "elasticsearch", "where": [{"field": "tags", "value": "conn"}]}}]
    (tmp_path / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in expected))
    records = [_record(0, "nmap", UDP_53, False, "mismatch"), _record(1, "nmap", UDP_53, False, "mismatch"),
               _record(2, "elasticsearch", SEARCH, True, "execution")]
    report = {"split": "test", "model": "m", "es_mode": "e", "summary": [], "records": records}
    (tmp_path / "report.json").write_text(json.dumps(report))
    return tmp_path


def test_equivalent_scans_now_match_and_executed_verdicts_stand(tmp_path):
    d = _files(tmp_path)
    report = json.loads((d / "report.json").read_text())
    new = rescore.rescore(report, rescore.expected_calls(d, "test"))
    assert [r["match"] for r in new["records"]] == [True, False, True]
    assert {row["tool"]: row["match"] for row in new["summary"]}["nmap"] == 0.5


def test_cli_prints_totals_only_and_writes_the_new_report(tmp_path, capsys):
    d = _files(tmp_path)
    assert rescore.main([str(d / "report.json"), "--data", str(d), "--out", str(d / "new.json")]) == 0
    out = capsys.readouterr().out
    assert "changed: 1 now match, 0 no longer match (of 3)" in out and "secret" not in out
    assert json.loads((d / "new.json").read_text())["records"][0]["how"] == "canonical"


def test_a_record_missing_from_the_data_is_an_error(tmp_path, capsys):
    d = _files(tmp_path)
    (d / "test.jsonl").write_text("")
    with pytest.raises(SystemExit) as e:
        rescore.main([str(d / "report.json"), "--data", str(d)])
    assert e.value.code == 2
    assert "not in the data split" in capsys.readouterr().err


def test_the_committed_dev_hand_report_gains_only_the_udp_53_spelling():
    report = json.loads((ROOT / "docs/bench/eval-devhand-smollm2-adapter-planner43dec98.json").read_text())
    new = rescore.rescore(report, rescore.expected_calls(ROOT / "data/dev-hand", report["split"]))
    gained = [r["id"] for r, o in zip(new["records"], report["records"], strict=True) if r["match"] != o["match"]]
    assert gained == ["devhand-027"]  # "tcp and udp port 53": -sS -sU -p 53 is -sS -sU -p T:53,U:53
