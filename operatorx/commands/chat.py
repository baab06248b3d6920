"""`operatorx chat`: the terminal chat app (Textual). Nothing runs until you confirm a card.

    operatorx chat [--config PATH] [--es-url URL] [--no-adapter] [--demo]

With no Elasticsearch URL configured (or with --demo) the local DEMO cluster is started on
127.0.0.1:9200 with seeded demo data, and marked DEMO in the sidebar. Scans are limited to the
configured scope (loopback by default).
"""

from __future__ import annotations

import argparse

from operatorx.commands.common import add_config_options, load


def register(sub) -> None:
    p = sub.add_parser("chat", help="the chat app: ask, confirm, scan or search")
    add_config_options(p)
    p.add_argument(
        "--no-adapter",
        action="store_true",
        help="use the bare base model with the few-shot prompt instead of the LoRA adapter",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="use the local DEMO Elasticsearch on 127.0.0.1:9200 (started if needed) whatever the config says",
    )
    p.set_defaults(handler=chat_cmd)


def chat_cmd(args: argparse.Namespace) -> int:
    from operatorx.commands.demo import ensure_demo
    from operatorx.tui.wiring import build_app

    config = load(args)
    if args.no_adapter:
        config.model.use_adapter = False
    app = build_app(config, demo=args.demo, start_demo=ensure_demo)
    app.run()
    return int(app.return_code or 0)
