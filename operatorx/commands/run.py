"""`operatorx run`: validate and run a structured tool call without any model.

The call is shown as the confirmation card and runs only after a `y` on the terminal, or
with `--yes` typed by a person. Exit status: 0 ran, 1 not confirmed, 2 invalid input or a
tool error, 3 refused by policy.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from operatorx.commands.common import add_config_options, audit_log, es_client_factory, load
from operatorx.errors import NotConfirmed, PolicyRefused, ValidationFailed


def register(sub) -> None:
    p = sub.add_parser("run", help="validate and run a structured tool call (asks first)")
    p.add_argument("--tool", choices=["nmap", "elasticsearch"], required=True)
    p.add_argument(
        "--call",
        required=True,
        metavar="JSON",
        help="the call as JSON, @FILE, or - for stdin; for nmap also a command line: 'nmap -sV 127.0.0.1'",
    )
    p.add_argument("--yes", action="store_true", help="skip the prompt: you confirm this call now")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_config_options(p)
    p.set_defaults(handler=run_cmd)


def read_call_text(value: str) -> str:
    if value == "-":
        return sys.stdin.read()
    if value.startswith("@"):
        with open(value[1:], encoding="utf-8") as f:
            return f.read()
    return value


def parse_tool_call(tool: str, text: str):
    """JSON for either tool (compact call, or {index, body} for a search), or an nmap command line."""
    from operatorx.schemas import EsSearch, NmapScan, parse_call

    stripped = text.strip()
    if tool == "nmap" and not stripped.startswith(("{", "[")):  # a command line ("sudo nmap …" too)
        return NmapScan.from_argv(stripped)
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as e:
        raise ValidationFailed(f"--call is not valid JSON: {e.msg} at position {e.pos}.") from None
    if not isinstance(data, dict):
        raise ValidationFailed("--call must be a JSON object.")
    if tool == "elasticsearch" and "body" in data:
        extra = set(data) - {"index", "body"}
        if extra:
            raise ValidationFailed(f"Unknown keys beside index/body: {', '.join(sorted(extra))}.")
        return EsSearch.from_body(data.get("index", "logs-*"), data["body"])
    data.setdefault("tool", tool)
    if data["tool"] != tool:
        raise ValidationFailed(f"--tool is {tool} but the call says tool={data['tool']!r}.")
    return parse_call(data)


def run_cmd(args: argparse.Namespace) -> int:
    from operatorx.agent.confirm import AssumeYes, TerminalConfirmer
    from operatorx.agent.executor import Executor
    from operatorx.agent.summary import summarize, text_table

    config = load(args)
    audit = audit_log(config)
    confirmer = AssumeYes() if args.yes else TerminalConfirmer()
    ex = Executor(config, audit, confirmer, es_client_factory=es_client_factory(config))
    raw = read_call_text(args.call)
    try:
        call = parse_tool_call(args.tool, raw)
    except ValidationFailed as e:
        ex.refuse_invalid(args.tool, raw[:2000], str(e))
        print(f"operatorx: {e}\nNothing was run; the refusal is in the audit log.", file=sys.stderr)
        return 2
    proposal = ex.propose(call)
    if not proposal.allowed:
        print(proposal.card_text(), file=sys.stderr)
        print("Nothing was run; the refusal is in the audit log.", file=sys.stderr)
        return 3
    if args.yes:
        print(proposal.card_text(), file=sys.stderr)

    cancel = threading.Event()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.set())
    try:
        result = ex.execute(proposal, progress=_print_progress, cancel=cancel)
    except NotConfirmed as e:
        print(f"operatorx: {e}", file=sys.stderr)
        return 1
    except PolicyRefused as e:
        print(f"operatorx: {e}", file=sys.stderr)
        return 3
    finally:
        signal.signal(signal.SIGINT, previous)
    if args.json:
        print(json.dumps(result.model_dump(mode="json"), indent=2))
    else:
        print(text_table(result))
        print()
        print(summarize(result))
    return 0


def _print_progress(p) -> None:
    eta = f" ETA {p.eta_s:.0f}s" if getattr(p, "eta_s", None) else ""
    print(f"\r[{p.percent:5.1f}%] {p.task}{eta}    ", end="", file=sys.stderr, flush=True)
