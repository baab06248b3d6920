"""Planner benchmark: load time, latency, tokens, memory, valid-call and right-tool rates.

    .venv/bin/python -m operatorx.bench.planner [--no-adapter] [--questions bench/questions.jsonl]

Each line of the questions file is ``{"id", "question", "tool", "previous"?}`` with the tool
that should answer (nmap, elasticsearch, none). The planner is the real one (pre-checks,
grammar, validation, policy, one retry); the scope is widened to the private ranges the
questions use unless ``--config`` names a config. Targets (issue "Planner"): load ≤ 2 s,
p50 ≤ 1.0 s, p95 ≤ 2.5 s, peak RSS ≤ 600 MB.

Definitions: *latency* is ``plan()`` wall time per question after the system prompt is in
the cache (the warm-up is reported on its own); *valid* means the planner returned a plan
that passed validation (a model answer, a pre-check reply or a policy refusal — not the
reply it gives after two invalid answers); *right tool* compares the plan's tool with the
expected one.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[2] / "bench" / "questions.jsonl"
BENCH_SCOPE = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "192.168.0.0/16"]
TARGETS = {"load_s": 2.0, "p50_s": 1.0, "p95_s": 2.5, "rss_mb": 600}


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil
    return ordered[int(rank) - 1]


def peak_rss_mb() -> float:
    """VmHWM (peak resident set) of this process, from /proc/self/status."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def load_questions(path: Path, limit: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def run(args: argparse.Namespace) -> dict:
    from operatorx.agent.conversation import Conversation
    from operatorx.agent.planner import Planner
    from operatorx.backend import create_backend
    from operatorx.config import Config, load_config
    from operatorx.schemas.plan import parse_call

    config = load_config(args.config) if args.config else Config()
    if not args.config:
        config.scope.allow = list(BENCH_SCOPE)
    if args.no_adapter:
        config.model.use_adapter = False
    t = time.perf_counter()
    backend = create_backend(
        config.model, model_path=args.model, adapter_path=args.adapter, prefix_cache=not args.cold
    )
    load_s = time.perf_counter() - t
    planner = Planner(backend, config)
    t = time.perf_counter()
    warm_tokens = planner.warm()
    warm_s = time.perf_counter() - t

    rows = []
    for q in load_questions(Path(args.questions), args.limit):
        conv = Conversation()
        if q.get("previous"):
            conv.add_call("(previous request)", parse_call(q["previous"]))
        out = planner.plan(q["question"], conv, follow_up=bool(q.get("previous")))
        gen_s = out.timings.get("generate", 0.0)
        rows.append(
            {
                "id": q["id"],
                "expected": q["tool"],
                "tool": out.plan.tool,
                "source": out.source,
                "attempts": out.attempts,
                "seconds": out.timings["total"],
                "completion_tokens": out.tokens["completion"],
                "gen_seconds": gen_s,
                "plan": out.plan.compact(),
            }
        )
        if args.verbose:
            r = rows[-1]
            print(
                f"{r['id']:>4} {r['seconds']:5.2f}s {r['source']:8} {json.dumps(r['plan'])[:150]}",
                file=sys.stderr,
            )
    return summarize(rows, backend, load_s, warm_s, warm_tokens)


def summarize(rows: list[dict], backend, load_s: float, warm_s: float, warm_tokens: int) -> dict:
    def stats(sub: list[dict]) -> dict:
        model = [r for r in sub if r["attempts"] > 0]
        tokens = sum(r["completion_tokens"] for r in model)
        gen_s = sum(r["gen_seconds"] for r in model)
        return {
            "n": len(sub),
            "p50_s": round(percentile([r["seconds"] for r in sub], 50), 3),
            "p95_s": round(percentile([r["seconds"] for r in sub], 95), 3),
            "tokens_per_call": round(tokens / max(1, sum(r["attempts"] for r in model)), 1),
            "tokens_per_s": round(tokens / gen_s, 1) if gen_s else 0.0,
            "valid_rate": round(sum(r["source"] != "gave_up" for r in sub) / max(1, len(sub)), 3),
            "first_try_rate": round(
                sum(r["attempts"] <= 1 and r["source"] != "gave_up" for r in sub) / max(1, len(sub)), 3
            ),
            "right_tool_rate": round(sum(r["tool"] == r["expected"] for r in sub) / max(1, len(sub)), 3),
        }

    per_tool = {t: stats([r for r in rows if r["expected"] == t]) for t in ("nmap", "elasticsearch", "none")}
    return {
        "model": backend.describe(),
        "mode": backend.mode,
        "load_s": round(load_s, 3),
        "warm_s": round(warm_s, 3),
        "warm_tokens_evaluated": warm_tokens,
        "rss_mb": round(peak_rss_mb(), 1),
        "all": stats(rows),
        "per_tool": per_tool,
        "rows": rows,
    }


def report(result: dict) -> str:
    a = result["all"]
    lines = [
        f"model: {result['model']}",
        f"load: {result['load_s']:.2f} s (target ≤ {TARGETS['load_s']} s)   "
        f"system prompt: {result['warm_s']:.2f} s, {result['warm_tokens_evaluated']} tokens evaluated "
        "(0 = restored from the prefix cache)",
        f"peak RSS (VmHWM): {result['rss_mb']:.0f} MB (target ≤ {TARGETS['rss_mb']} MB)",
        "",
        "| tool | n | p50 s | p95 s | tokens/call | tokens/s | valid | first try | right tool |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, s in [*result["per_tool"].items(), ("all", a)]:
        lines.append(
            f"| {name} | {s['n']} | {s['p50_s']:.2f} | {s['p95_s']:.2f} | {s['tokens_per_call']} | "
            f"{s['tokens_per_s']} | {s['valid_rate']:.0%} | {s['first_try_rate']:.0%} | {s['right_tool_rate']:.0%} |"
        )
    lines.append("")
    lines.append(f"targets: p50 ≤ {TARGETS['p50_s']} s, p95 ≤ {TARGETS['p95_s']} s (all questions)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m operatorx.bench.planner", description=__doc__.splitlines()[0])
    p.add_argument("--questions", default=str(DEFAULT_QUESTIONS), help="JSONL questions file")
    p.add_argument("--no-adapter", action="store_true", help="bare base model, few-shot prompt")
    p.add_argument("--adapter", metavar="GGUF", help="LoRA adapter file")
    p.add_argument("--model", metavar="GGUF", help="base model file, or smollm2 / gemma3-270m")
    p.add_argument("--config", metavar="PATH", help="config file (default: built-in, bench scope)")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--cold", action="store_true", help="no on-disk prefix cache (measure the warm-up)")
    p.add_argument("--json", metavar="PATH", help="also write the full result (every answer) here")
    p.add_argument("-v", "--verbose", action="store_true", help="print each answer to stderr")
    args = p.parse_args(argv)
    result = run(args)
    print(report(result))
    if args.json:
        result["written"] = datetime.now(UTC).isoformat(timespec="seconds")  # when measured, for BENCHMARKS.md
        Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
