"""Compare two ``operatorx eval --json`` reports of the same split, record by record.

    .venv/bin/python -m operatorx.bench.compare NEW.json OLD.json

Prints each report's semantic match (all and per tool), then how many records the new one
fixed and broke and a two-sided sign test on those: the numbers the model card quotes when
it chooses one adapter over another. It prints no question, plan or output, so a selection
split can be compared without reading its failures.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path


class CompareError(ValueError):
    """The two reports cannot be compared record by record."""


@dataclass(frozen=True)
class Paired:
    fixed: int  # wrong in the old report, right in the new
    broken: int  # right in the old, wrong in the new
    n: int  # records in both

    @property
    def p(self) -> float:
        """Two-sided sign test on the changed records (1.0 when none changed)."""
        k, m = min(self.fixed, self.broken), self.fixed + self.broken
        if not m:
            return 1.0
        return min(1.0, 2 * sum(math.comb(m, i) for i in range(k + 1)) / 2**m)


def load(path: Path) -> dict:
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CompareError(f"{path}: not a readable eval report ({e})") from e
    if not isinstance(report, dict) or "records" not in report or "summary" not in report:
        raise CompareError(f"{path}: not an eval report (no records/summary; write one with operatorx eval --json)")
    return report


def paired(new: dict, old: dict) -> Paired:
    """Fixed and broken records between two reports of the same questions."""
    before = {r["id"]: bool(r["match"]) for r in old["records"]}
    after = {r["id"]: bool(r["match"]) for r in new["records"]}
    if before.keys() != after.keys():
        only = sorted(before.keys() ^ after.keys())
        raise CompareError(f"the reports hold different records ({len(only)} in one only, e.g. {only[0]}): "
                           "compare runs of the same split")
    fixed = sum(1 for i, ok in after.items() if ok and not before[i])
    broken = sum(1 for i, ok in after.items() if not ok and before[i])
    return Paired(fixed, broken, len(after))


def totals(report: dict) -> str:
    by_tool = {s["tool"]: s for s in report["summary"]}
    a = by_tool["all"]
    tools = ", ".join(f"{t} {s['match'] * 100:.1f} %" for t, s in by_tool.items() if t != "all")
    refusal = "" if a.get("right_refusal") is None else f", right refusal {a['right_refusal'] * 100:.1f} %"
    return (f"{report.get('split', '?')} ({a['n']}): match {a['match'] * 100:.1f} % ({tools}), "
            f"valid call {a['valid_call'] * 100:.1f} %{refusal}, p50/p95 {a['p50_s']:.2f}/{a['p95_s']:.2f} s")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m operatorx.bench.compare", description=__doc__.split("\n")[0])
    p.add_argument("new", type=Path)
    p.add_argument("old", type=Path)
    a = p.parse_args(argv)
    try:
        new, old = load(a.new), load(a.old)
        pair = paired(new, old)
    except CompareError as e:
        print(f"compare: {e}")
        return 2
    print(f"new  {totals(new)}")
    print(f"old  {totals(old)}")
    print(f"fixed {pair.fixed}, broken {pair.broken} of {pair.n} (sign test p = {pair.p:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
