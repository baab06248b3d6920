"""Score a saved ``operatorx eval --json`` report again with the current canonical forms.

    .venv/bin/python -m operatorx.bench.rescore docs/bench/eval-test-smollm2-adapter.json --data data [--out NEW.json]

The model is not run: each record's saved plan is compared with its expected call (read from
``DATA/<split>.jsonl`` by id) the way ``operatorx.training.evaluate`` compares them now. Only
records decided by canonical form are scored again (a search decided by executing it against
Elasticsearch keeps its verdict, and so do refusals). It prints the old and new semantic match
and how many records changed either way, never a question or a plan, so a selection or test
split can be re-scored without reading its failures.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from operatorx.bench.compare import CompareError, load, paired
from operatorx.errors import ValidationFailed
from operatorx.schemas.plan import parse_plan
from operatorx.training.evaluate import RecordResult, Report, canonical


def expected_calls(data: Path, split: str) -> dict[str, dict]:
    """Expected calls by record id, from ``DATA/<split>.jsonl`` or the directory's one split file
    (data/val-para holds its split as val.jsonl)."""
    path = data / f"{split}.jsonl"
    if not path.is_file() and len(files := sorted(data.glob("*.jsonl"))) == 1:
        path = files[0]
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise CompareError(f"{path}: cannot read the split's records ({e})") from e
    return {rec["id"]: rec["target"] for rec in map(json.loads, lines)}


def rescore(report: dict, expected: dict[str, dict]) -> dict:
    """``report`` with each canonically decided record's match decided again."""
    results = []
    for rec in report["records"]:
        r = RecordResult(**rec)
        if r.how in ("canonical", "mismatch") and r.plan is not None and r.pred_tool == r.tool:
            if r.id not in expected:
                raise CompareError(f"record {r.id} is not in the data split: pass the --data the report was run on")
            try:
                plan = parse_plan(r.plan)
            except ValidationFailed:  # a plan today's stricter models reject: it matches nothing, as before
                plan = None
            if plan is not None:
                r.match = canonical(parse_plan(expected[r.id])) == canonical(plan)
                r.how = "canonical" if r.match else "mismatch"
        results.append(r)
    return Report(report["split"], report["model"], report["es_mode"], results).to_dict()


def _line(name: str, report: dict) -> str:
    rows = {row["tool"]: row for row in report["summary"]}
    cells = [f"{tool} {100 * rows[tool]['match']:.1f} %" for tool in ("all", "nmap", "elasticsearch") if tool in rows]
    return f"{name}: " + ", ".join(cells)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m operatorx.bench.rescore", description=__doc__.split("\n")[0])
    p.add_argument("report", type=Path)
    p.add_argument("--data", type=Path, default=Path("data"), help="the directory of the split the report ran on")
    p.add_argument("--out", type=Path, help="write the re-scored report here (may be the report itself)")
    a = p.parse_args(argv)
    try:
        old = load(a.report)
        new = rescore(old, expected_calls(a.data, old["split"]))
        change = paired(new, old)
    except CompareError as e:
        p.error(str(e))
    print(_line("before", old))
    print(_line("after ", new))
    print(f"changed: {change.fixed} now match, {change.broken} no longer match (of {change.n})")
    if a.out:
        a.out.write_text(json.dumps(new, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
