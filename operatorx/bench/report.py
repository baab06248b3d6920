"""Collect the benchmarks into docs/BENCHMARKS.md, with charts in docs/bench/.

    .venv/bin/python -m operatorx.bench.report [--repeat N] [--start-es] [--reuse] [--bench-dir docs/bench]

* **Overhead** — runs ``operatorx.bench.overhead`` and keeps its JSON as
  ``docs/bench/overhead.json`` (``--reuse`` takes the JSON already there instead).
* **Planner latency** — every ``docs/bench/planner*.json`` written by
  ``python -m operatorx.bench.planner --json docs/bench/planner.json``.
* **Accuracy** — every ``docs/bench/eval*.json`` written by
  ``operatorx eval --split test --json docs/bench/eval-test.json``.

An input that is missing (or unreadable) is reported as "not measured in this run", never an
error: the report says what was measured, when, on what machine, with which versions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOT_MEASURED = "_Not measured in this run._"


def _load(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# A copy or rename at least this similar (git's score) is the same measurement under another
# name (a report kept under its planner's name, perhaps with its label edited); a new run's
# per-record timings alone keep it below (a new report on the same set scored 90-95).
SAME_MEASUREMENT_SCORE = 98


def _committed_at(path: Path) -> float | None:
    """When git last committed ``path``'s content, if the file is tracked and unchanged since;
    else None. A fresh clone stamps every file with the clone's time, so the file's own mtime
    would date every report to the checkout."""
    try:
        dirty = subprocess.run(["git", "status", "--porcelain", "--", str(path)], cwd=path.parent,
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        if dirty:
            return None
        # git log --follow walks through renames and copies; a new report merely like an older
        # one is a "copy" too ("C093"), so only a near-identical one is followed further back
        log = subprocess.run(["git", "log", "--follow", "--format=%x00%ct", "--name-status", "--", str(path)],
                             cwd=path.parent, capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    for entry in log.split("\0")[1:]:
        stamp, _, changes = entry.strip().partition("\n")
        status = changes.strip().split("\t", 1)[0]
        if status[:1] in ("A", "M"):
            return float(stamp)
        if status[:1] in ("R", "C") and not (status[1:].isdigit() and int(status[1:]) >= SAME_MEASUREMENT_SCORE):
            return float(stamp)
    return None


def _written(path: Path, data: dict | None = None) -> str:
    """When a report was measured: its own ``written`` field (reports since 2026-12-06), else
    the commit that wrote its content, else the file's time."""
    stamp = None
    if data and isinstance(data.get("written"), str):
        try:
            stamp = datetime.fromisoformat(data["written"]).timestamp()
        except ValueError:
            stamp = None
    if stamp is None:
        stamp = _committed_at(path)
    if stamp is None:
        stamp = path.stat().st_mtime
    return datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _pct(v) -> str:
    return "–" if not isinstance(v, int | float) else f"{v:.1%}"


def _num(v, fmt: str = "{:.2f}") -> str:
    return "–" if not isinstance(v, int | float) else fmt.format(v)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(r) + " |" for r in rows),
    ]


# --- overhead ---------------------------------------------------------------------------------


def overhead_section(data: dict | None, chart: str | None) -> list[str]:
    out = ["## Overhead: OperatorX vs. the bare tools", ""]
    if not data or not data.get("rows"):
        out += [
            NOT_MEASURED,
            "",
            "Run `python -m operatorx.bench.report` (or `python -m operatorx.bench.overhead`).",
        ]
        for part, why in (data or {}).get("skipped", {}).items():
            out.append(f"- {part}: {why}")
        return out + [""]
    out += [
        f"Measured {data.get('date', '?')}; medians of {data.get('repeat', '?')} interleaved runs per side "
        "(after one warm-up each). *ratio* = median OperatorX / median baseline; *paired* = median of the "
        "per-run ratios; *min* = fastest over fastest run; *+ms* = what OperatorX adds per call (medians). "
        "Target: ratio ≤ 1.10.",
        "",
    ]
    m = data.get("machine") or {}
    load, cpus = (m.get("load_average") or [0])[0], m.get("cpus") or 1
    if load > cpus:
        out += [
            f"**The machine was busy** (load average {load} on {cpus} CPUs when this ran), so single runs "
            "vary a lot; the paired and fastest-run ratios are the steadier figures.",
            "",
        ]
    rows = []
    for r in data["rows"]:
        ok = "yes" if r.get("meets_target") else "**no**"
        rows.append(
            [
                r["name"],
                f"{r['median_operatorx_s'] * 1000:.1f} ms",
                f"{r['median_baseline_s'] * 1000:.1f} ms",
                f"{r['overhead_ms']:+.1f}",
                f"{r['ratio']:.3f}",
                f"{r['paired_ratio']:.3f}",
                _num(r.get("min_ratio"), "{:.3f}"),
                ok,
            ]
        )
    out += _table(
        ["workload", "OperatorX", "baseline", "+ms", "ratio", "paired", "min", "ratio ≤ 1.10"], rows
    )
    out += ["", "What each side runs:", ""]
    for r in data["rows"]:
        out.append(f"- {r['name']}: OperatorX = {r['operatorx']}; baseline = `{r['baseline']}`")
    for part, why in data.get("skipped", {}).items():
        out.append(f"- {part}: not measured in this run ({why})")
    if chart:
        out += ["", f"![overhead]({chart})"]
    return out + [""]


def overhead_chart(data: dict, path: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = data.get("rows") or []
    if not rows:
        return False
    names = [r["name"].replace(": ", ":\n", 1) for r in rows]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 0.9 * len(rows) + 1.6), sharey=True)
    y = range(len(rows))
    left.barh(
        y, [r["ratio"] for r in rows], color=["#4c72b0" if r["meets_target"] else "#dd8452" for r in rows]
    )
    left.axvline(1.0, color="black", linewidth=0.8)
    left.axvline(1.10, color="red", linestyle="--", linewidth=1, label="target 1.10")
    left.set_yticks(list(y), names, fontsize=8)
    left.invert_yaxis()
    left.set_xlabel("median OperatorX / median baseline")
    left.legend(loc="lower right", fontsize=8)
    right.barh(y, [r["overhead_ms"] for r in rows], color="#55a868")
    right.set_xlabel("added per call (ms)")
    right.set_xlim(
        min(0, *(r["overhead_ms"] for r in rows)), 1.45 * max(1, *(r["overhead_ms"] for r in rows))
    )
    for i, r in enumerate(rows):
        right.text(r["overhead_ms"], i, f" {r['median_baseline_s'] * 1000:.0f} → {r['median_operatorx_s'] * 1000:.0f} ms", va="center", fontsize=7)  # fmt: skip
    fig.suptitle("OperatorX overhead over plain nmap / the bare Elasticsearch client")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# --- planner latency --------------------------------------------------------------------------


def planner_section(runs: list[tuple[Path, dict]], chart: str | None) -> list[str]:
    out = ["## Planner latency", ""]
    if not runs:
        return out + [
            NOT_MEASURED,
            "",
            "Produce it with `python -m operatorx.bench.planner --json docs/bench/planner.json`, then re-run "
            "the report with `--reuse`.",
            "",
        ]
    for path, d in runs:
        out += [
            f"### {path.name} — {d.get('model', '?')}, written {_written(path, d)}",
            "",
            f"Load {_num(d.get('load_s'))} s · system prompt {_num(d.get('warm_s'))} s · "
            f"peak RSS {_num(d.get('rss_mb'), '{:.0f}')} MB",
            "",
        ]
        rows = []
        groups = [*(d.get("per_tool") or {}).items(), ("all", d.get("all") or {})]
        for tool, s in groups:
            rows.append(
                [
                    tool,
                    str(s.get("n", "–")),
                    _num(s.get("p50_s")),
                    _num(s.get("p95_s")),
                    _num(s.get("tokens_per_s"), "{:.1f}"),
                    _pct(s.get("valid_rate")),
                    _pct(s.get("first_try_rate")),
                    _pct(s.get("right_tool_rate")),
                ]
            )
        out += _table(
            ["expected tool", "n", "p50 s", "p95 s", "tokens/s", "valid", "first try", "right tool"], rows
        )
        out.append("")
    if chart:
        out += [f"![planner latency]({chart})", ""]
    return out


def planner_chart(runs: list[tuple[Path, dict]], path: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars = []
    for p, d in runs:
        for tool, s in [*(d.get("per_tool") or {}).items(), ("all", d.get("all") or {})]:
            if isinstance(s.get("p50_s"), int | float) and s.get("n"):
                bars.append((f"{p.stem}\n{tool}", s["p50_s"], s.get("p95_s") or 0.0))
    if not bars:
        return False
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(bars)), 4))
    x = range(len(bars))
    ax.bar([i - 0.2 for i in x], [b[1] for b in bars], width=0.4, label="p50")
    ax.bar([i + 0.2 for i in x], [b[2] for b in bars], width=0.4, label="p95")
    ax.axhline(1.0, color="#4c72b0", linestyle="--", linewidth=1, label="p50 target 1.0 s")
    ax.axhline(2.5, color="#dd8452", linestyle="--", linewidth=1, label="p95 target 2.5 s")
    ax.set_xticks(list(x), [b[0] for b in bars], fontsize=7)
    ax.set_ylabel("seconds per question")
    ax.set_title("Planner latency (warm prompt cache)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# --- accuracy ---------------------------------------------------------------------------------

ACCURACY_COLUMNS = [
    ("valid_call", "valid call"),
    ("first_try", "first try"),
    ("match", "semantic match"),
    ("right_refusal", "right refusal"),
    ("false_refusal", "false refusal"),
    ("reachable", "reachable"),
]


def accuracy_section(runs: list[tuple[Path, dict]], chart: str | None) -> list[str]:
    out = ["## Planner accuracy", ""]
    if not runs:
        return out + [
            NOT_MEASURED,
            "",
            "Produce it with `operatorx eval --split test --json docs/bench/eval-test.json` (and `--split shifted`), "
            "then re-run the report with `--reuse`.",
            "",
        ]
    for path, d in runs:
        out += [
            f"### {path.name} — split `{d.get('split', '?')}`, {d.get('model', '?')}, written {_written(path, d)}",
            "",
            f"Searches judged by: {d.get('es_mode', '?')}",
            "",
        ]
        rows = []
        for s in d.get("summary") or []:
            cells = [str(s.get("tool", "?")), str(s.get("n", "–"))]
            cells += [_pct(s.get(k)) for k, _ in ACCURACY_COLUMNS]
            cells += [_num(s.get("p50_s")), _num(s.get("p95_s"))]
            rows.append(cells)
        out += _table(["tool", "n", *(t for _, t in ACCURACY_COLUMNS), "p50 s", "p95 s"], rows)
        out.append("")
    if chart:
        out += [f"![planner accuracy]({chart})", ""]
    return out


def accuracy_chart(runs: list[tuple[Path, dict]], path: Path) -> bool:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # One row per run (its "all" line): readable however many runs there are.
    bars = []
    for p, d in runs:
        overall = next((s for s in d.get("summary") or [] if s.get("tool") == "all"), None)
        if overall and isinstance(overall.get("match"), int | float):
            bars.append((f"{p.stem} ({d.get('split', '?')})", overall["match"], overall.get("valid_call") or 0.0))
    if not bars:
        return False
    bars.sort(key=lambda b: b[1])
    fig, ax = plt.subplots(figsize=(9, 1.2 + 0.42 * len(bars)))
    y = range(len(bars))
    ax.barh([i + 0.2 for i in y], [b[2] for b in bars], height=0.4, label="valid call", color="#9ecae1")
    ax.barh([i - 0.2 for i in y], [b[1] for b in bars], height=0.4, label="semantic match", color="#08519c")
    for i, b in enumerate(bars):
        ax.text(b[1] + 0.01, i - 0.2, f"{b[1]:.1%}", va="center", fontsize=7)
    ax.set_xlim(0, 1.08)
    ax.set_yticks(list(y), [b[0] for b in bars], fontsize=7)
    ax.set_xlabel("share of records (all tools)")
    ax.set_title("Planner accuracy per evaluation run")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# --- the page ---------------------------------------------------------------------------------


def context_section(overhead: dict | None, planners: list[tuple[Path, dict]]) -> list[str]:
    from operatorx.bench.overhead import machine, versions

    m = (overhead or {}).get("machine") or machine()
    v = (overhead or {}).get("versions") or versions(None)
    rows = [
        ["platform", m.get("platform", "?")],
        ["CPU", f"{m.get('cpu', '?')} × {m.get('cpus', '?')}"],
        ["memory", f"{m.get('memory_gb', '?')} GB"],
        ["load average (1/5/15 min) at start", " / ".join(map(str, m.get("load_average", [])))],
    ]
    if m.get("load_average_after"):
        rows.append(["load average at end", " / ".join(map(str, m["load_average_after"]))])
    rows += [[name, str(value or "–")] for name, value in v.items()]
    for path, d in planners:
        rows.append([f"model ({path.name})", str(d.get("model", "?"))])
    return ["## Machine and versions", "", *_table(["", ""], rows), ""]


def render(bench_dir: Path, overhead: dict | None, charts: bool = True, out_dir: Path | None = None) -> str:
    planners = [(p, d) for p in sorted(bench_dir.glob("planner*.json")) if (d := _load(p))]
    evals = [(p, d) for p in sorted(bench_dir.glob("eval*.json")) if (d := _load(p))]
    unreadable = [
        p.name
        for p in sorted([*bench_dir.glob("planner*.json"), *bench_dir.glob("eval*.json")])
        if not _load(p)
    ]
    rel = Path(os.path.relpath(bench_dir, out_dir or REPO / "docs")).as_posix()  # links from the page

    def chart(name: str, fn, data) -> str | None:
        if not charts or not data:
            return None
        try:
            return f"{rel}/{name}" if fn(data, bench_dir / name) else None
        except Exception as e:  # noqa: BLE001 - a chart is an extra; the tables are the report
            print(f"report: no {name} ({type(e).__name__}: {e})", file=sys.stderr)
            return None

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# OperatorX benchmarks",
        "",
        f"Generated {now} by `python -m operatorx.bench.report`; do not edit by hand. "
        "Each section says when its numbers were measured; an input that was not there says so.",
        "",
        *context_section(overhead, planners),
        *overhead_section(overhead, chart("overhead.png", overhead_chart, overhead)),
        *planner_section(planners, chart("planner.png", planner_chart, planners)),
        *accuracy_section(evals, chart("accuracy.png", accuracy_chart, evals)),
        *(f"Not read (not a JSON object): `{name}`." for name in unreadable),
    ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m operatorx.bench.report", description=__doc__.splitlines()[0])
    p.add_argument("--bench-dir", default=str(REPO / "docs" / "bench"), help="inputs and charts")
    p.add_argument("--out", default=str(REPO / "docs" / "BENCHMARKS.md"))
    p.add_argument("--repeat", type=int, default=15, help="overhead: timed runs per side")
    p.add_argument("--reuse", action="store_true", help="use overhead.json as it is; run nothing")
    p.add_argument("--es-url", metavar="URL", help="overhead: cluster with the demo data")
    p.add_argument("--start-es", action="store_true", help="overhead: start the test cluster if none answers")
    p.add_argument("--no-charts", action="store_true")
    args = p.parse_args(argv)
    bench_dir = Path(args.bench_dir).resolve()
    bench_dir.mkdir(parents=True, exist_ok=True)
    overhead_json = bench_dir / "overhead.json"
    if args.reuse:
        overhead = _load(overhead_json)
    else:
        from operatorx.bench import overhead as bench

        overhead = bench.run(args.repeat, args.es_url, start_es=args.start_es)
        print(bench.table(overhead))
        overhead_json.write_text(json.dumps(overhead, indent=2) + "\n", encoding="utf-8")
    text = render(bench_dir, overhead, charts=not args.no_charts, out_dir=Path(args.out).resolve().parent)
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
