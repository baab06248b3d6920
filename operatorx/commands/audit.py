"""`operatorx audit verify|show`: check the hash chain, read the log."""

from __future__ import annotations

import argparse
import json

from operatorx.commands.common import load


def register(sub) -> None:
    p = sub.add_parser("audit", help="verify or show the audit log")
    asub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    for name, fn, text in (
        ("verify", verify_cmd, "detect tampering"),
        ("show", show_cmd, "print recent entries"),
    ):
        a = asub.add_parser(name, help=text)
        a.add_argument("--config", metavar="PATH")
        a.add_argument("--path", metavar="FILE", help="audit log file (default: from config)")
        if name == "show":
            a.add_argument("-n", type=int, default=20, help="how many entries (default 20)")
        a.set_defaults(handler=fn)


def _path(args):
    return args.path or load(args).audit.resolved()


def verify_cmd(args: argparse.Namespace) -> int:
    from operatorx.audit import verify

    report = verify(_path(args))
    print(f"{_path(args)}: {report.text()}")
    return 0 if report.ok else 1


def show_cmd(args: argparse.Namespace) -> int:
    from operatorx.audit import AuditLog

    for e in AuditLog(_path(args)).entries()[-args.n :]:
        what = e.get("argv") or e.get("request") or e.get("call") or ""
        why = "; ".join(e.get("reasons") or []) or e.get("by") or e.get("error") or ""
        print(
            f"{e['seq']:>5} {e['ts']} {e['event']:<9} {e.get('tool', ''):<13} {json.dumps(what)[:90]} {why}"
        )
    return 0
