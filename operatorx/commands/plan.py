"""`operatorx plan QUESTION`: show the call the model plans for a question; never runs it.

With ``--json`` the output is exactly one JSON object on stdout (scripts depend on it):

    {"tool": "nmap", "argv": [...call.to_argv()...], "call": {...compact...}, ...}
    {"tool": "elasticsearch", "index": "logs-*", "body": {...call.to_body()...}, "call": {...}, ...}
    {"tool": "none", "kind": "clarify" | "refuse", "message": "...", ...}

plus ``mode``, ``latency_ms``, ``attempts``, ``tokens`` (and ``risk`` for a call). Exit
status 0 for all three; non-zero only when the planner cannot run (the reason on stderr).
"""

from __future__ import annotations

import argparse
import json
import shlex

from operatorx.commands.common import add_config_options, load


def register(sub) -> None:
    p = sub.add_parser("plan", help="show the call planned for a question (runs nothing)")
    p.add_argument("question", metavar="QUESTION", help="what you want to know, in plain language")
    p.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    p.add_argument("--model", metavar="GGUF", help="base model file, or smollm2 / gemma3-270m (default: the packaged SmolLM2)")
    adapter = p.add_mutually_exclusive_group()
    adapter.add_argument("--adapter", metavar="GGUF", help="LoRA adapter file (default: the packaged one)")
    adapter.add_argument("--no-adapter", action="store_true", help="bare base model with the few-shot prompt")
    add_config_options(p)
    p.set_defaults(handler=plan_cmd)


def plan_cmd(args: argparse.Namespace) -> int:
    from operatorx.agent.grounding import LiveCatalog
    from operatorx.agent.planner import Planner
    from operatorx.backend import create_backend

    config = load(args)
    if args.no_adapter:
        config.model.use_adapter = False
    elif args.adapter:
        config.model.use_adapter = True
    backend = create_backend(config.model, model_path=args.model, adapter_path=args.adapter)
    planner = Planner(backend, config, LiveCatalog(config))
    outcome = planner.plan(args.question)
    if args.json:
        print(json.dumps(plan_json(outcome), ensure_ascii=False))
    else:
        print(plan_text(outcome, planner.describe()))
    return 0


def plan_json(outcome) -> dict:
    """The stable --json object for one outcome (see the module docstring)."""
    plan = outcome.plan
    if plan.tool == "nmap":
        out = {"tool": "nmap", "argv": plan.to_argv(), "call": plan.compact()}
    elif plan.tool == "elasticsearch":
        out = {"tool": "elasticsearch", "index": plan.index, "body": plan.to_body(), "call": plan.compact()}
    else:
        out = {"tool": "none", "kind": plan.kind, "message": plan.message}
    if outcome.decision is not None and outcome.call is not None:
        out["risk"] = outcome.decision.risk
    out.update(
        mode=outcome.mode,
        latency_ms=round(outcome.timings.get("total", 0.0) * 1000),
        attempts=outcome.attempts,
        tokens={"prompt": outcome.tokens.get("prompt", 0), "completion": outcome.tokens.get("completion", 0)},
    )
    return out


def plan_text(outcome, model: str) -> str:
    plan = outcome.plan
    head = f"Planned by {model} in {outcome.timings.get('total', 0.0):.1f} s"
    if outcome.attempts > 1:
        head += f" ({outcome.attempts} attempts)"
    lines = [head, ""]
    if plan.tool == "none":
        lines.append(("Question back: " if plan.kind == "clarify" else "Declined: ") + plan.message)
        return "\n".join(lines)
    lines += [plan.to_command(), "", plan.describe()]
    decision = outcome.decision
    if decision is not None:
        lines.append(f"Risk: {decision.risk} — {'; '.join(decision.risk_reasons)}")
    call = json.dumps(plan.compact(), separators=(",", ":"))
    lines += ["", "Nothing was run. To run it (after a confirmation prompt):"]
    lines.append(f"  operatorx run --tool {plan.tool} --call {shlex.quote(call)}")
    return "\n".join(lines)
