"""The planner benchmark's arithmetic and its questions file (the run itself needs the model)."""

from __future__ import annotations

from operatorx.bench import planner as bench
from operatorx.schemas.plan import parse_call


def test_percentile_nearest_rank():
    assert bench.percentile([], 50) == 0.0
    assert bench.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert bench.percentile([float(i) for i in range(1, 101)], 95) == 95.0
    assert bench.percentile([1.0, 9.0], 95) == 9.0


def test_questions_file_covers_every_tool():
    rows = bench.load_questions(bench.DEFAULT_QUESTIONS)
    assert len(rows) >= 50 and len({r["id"] for r in rows}) == len(rows)
    counts = {t: sum(r["tool"] == t for r in rows) for t in ("nmap", "elasticsearch", "none")}
    assert sum(counts.values()) == len(rows) and min(counts.values()) >= 10
    for r in rows:
        if r.get("previous"):
            parse_call(r["previous"])  # follow-ups carry a valid previous call


def test_summary_and_report():
    class B:
        mode = "fewshot"

        def describe(self):
            return "a model"

    rows = [
        {"id": "a", "expected": "nmap", "tool": "nmap", "source": "model", "attempts": 1, "seconds": 0.5,
         "completion_tokens": 30, "gen_seconds": 0.5, "plan": {}},
        {"id": "b", "expected": "elasticsearch", "tool": "none", "source": "gave_up", "attempts": 2,
         "seconds": 2.0, "completion_tokens": 100, "gen_seconds": 2.0, "plan": {}},
        {"id": "c", "expected": "none", "tool": "none", "source": "precheck", "attempts": 0, "seconds": 0.0,
         "completion_tokens": 0, "gen_seconds": 0.0, "plan": {}},
    ]  # fmt: skip
    result = bench.summarize(rows, B(), 0.4, 0.1, 0)
    a = result["all"]
    assert a["n"] == 3 and a["valid_rate"] == round(2 / 3, 3) and a["right_tool_rate"] == round(2 / 3, 3)
    assert a["tokens_per_call"] == round(130 / 3, 1) and a["tokens_per_s"] == 52.0
    assert result["per_tool"]["nmap"]["p50_s"] == 0.5 and result["rss_mb"] > 0
    text = bench.report(result)
    assert "| all | 3 |" in text and "load: 0.40 s" in text
