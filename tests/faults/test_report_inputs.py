"""The benchmark report with inputs missing, broken or present: it never fails, it says what
was not measured, and the overhead arithmetic is what the page claims."""

from __future__ import annotations

import json

from operatorx.bench import overhead, report


def test_nothing_measured_is_said_not_hidden(tmp_path):
    text = report.render(tmp_path, None, charts=False, out_dir=tmp_path)
    assert text.count("_Not measured in this run._") == 3
    assert "## Machine and versions" in text and "python" in text


def test_broken_and_partial_inputs_do_not_fail(tmp_path):
    (tmp_path / "planner.json").write_text("{truncated")
    (tmp_path / "eval-test.json").write_text(
        json.dumps({"split": "test", "summary": [{"tool": "nmap", "n": 3}]})
    )
    skipped = {"rows": [], "skipped": {"search": "no Elasticsearch answered"}}
    text = report.render(tmp_path, skipped, charts=True, out_dir=tmp_path)
    assert "search: no Elasticsearch answered" in text
    assert "Not read (not a JSON object): `planner.json`" in text
    assert "| nmap | 3 | – | – | – | – | – | – | – |" in text  # unknown rates show as dashes


def test_rows_charts_and_links(tmp_path):
    r = overhead.row("w", [0.11, 0.12, 0.13], [0.10, 0.10, 0.10], "ours", "nmap -sT 127.0.0.1")
    assert r["median_operatorx_s"] == 0.12 and r["ratio"] == 1.2 and r["overhead_ms"] == 20.0
    assert r["paired_ratio"] == 1.2 and r["min_ratio"] == 1.1 and r["meets_target"] is False
    data = {"date": "d", "repeat": 3, "rows": [r], "skipped": {}, "machine": overhead.machine()}
    out_dir = tmp_path / "docs"
    bench = out_dir / "bench"
    bench.mkdir(parents=True)
    text = report.render(bench, data, charts=True, out_dir=out_dir)
    assert "| w | 120.0 ms | 100.0 ms | +20.0 | 1.200 | 1.200 | 1.100 | **no** |" in text
    assert "![overhead](bench/overhead.png)" in text and (bench / "overhead.png").stat().st_size > 1000


def test_interleaving_alternates_and_warms_up():
    calls: list[str] = []
    a, b = overhead.interleaved(lambda: calls.append("a"), lambda: calls.append("b"), 3)
    assert calls == ["a", "b", "a", "b", "b", "a", "a", "b"] and len(a) == len(b) == 3
