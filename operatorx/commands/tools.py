"""`operatorx tools schema`: print the JSON schemas of the tool calls."""

from __future__ import annotations

import argparse
import json


def register(sub) -> None:
    p = sub.add_parser("tools", help="inspect the tools")
    tsub = p.add_subparsers(dest="tools_command", metavar="ACTION", required=True)
    s = tsub.add_parser("schema", help="print the JSON schemas of the tool calls")
    s.add_argument("--tool", choices=["nmap", "elasticsearch", "none"], help="only this tool")
    s.set_defaults(handler=schema)


def schema(args: argparse.Namespace) -> int:
    from operatorx.schemas import tool_schemas

    schemas = tool_schemas()
    print(json.dumps(schemas[args.tool] if args.tool else schemas, indent=2))
    return 0
