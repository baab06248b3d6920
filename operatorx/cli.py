"""The `operatorx` command: one subcommand per module in operatorx/commands/.

Each command module defines ``register(subparsers)``; heavy imports (Textual, the model,
the Elasticsearch client) happen inside the handlers, so `operatorx --help` is instant.
Errors meant for the analyst (OperatorXError) print as one clear line and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from operatorx import __version__
from operatorx.errors import OperatorXError

COMMANDS = ("chat", "plan", "run", "tools", "audit", "eval", "demo")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="operatorx",
        description="Ask in plain language; OperatorX plans an Nmap scan or an Elasticsearch search, "
        "shows it, and runs it only after you confirm.",
    )
    parser.add_argument("--version", action="version", version=f"operatorx {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"operatorx.commands.{name}")
        except ModuleNotFoundError as e:
            if e.name and e.name.startswith("operatorx.commands"):
                continue  # a command whose module is not part of this build
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except OperatorXError as e:
        print(f"operatorx: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("operatorx: interrupted.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
