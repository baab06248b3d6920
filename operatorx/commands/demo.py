"""`operatorx demo up|down|status`: the local DEMO Elasticsearch with Security-Onion-like data.

The demo cluster listens on 127.0.0.1:9200 only, runs the Elasticsearch 8 distribution that
`make setup` installed, and is filled with the project's seeded fixture data — clearly not
production data, and marked DEMO wherever it is shown.
"""

from __future__ import annotations

import argparse

from operatorx.commands.common import DEMO_URL


def register(sub) -> None:
    p = sub.add_parser("demo", help="the local DEMO Elasticsearch with Security-Onion-like data")
    dsub = p.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    dsub.add_parser("up", help="start it (if needed) and load the demo data").set_defaults(handler=up)
    dsub.add_parser("down", help="stop it").set_defaults(handler=down)
    dsub.add_parser("status", help="is it running?").set_defaults(handler=status)


def ensure_demo() -> dict:
    """Start the demo cluster if needed and make sure its data is there; returns counts per stream."""
    from operatorx.config import ElasticConfig
    from operatorx.tools.elastic import local_cluster
    from operatorx.tools.elastic.client import make_client
    from operatorx.tools.elastic.fixtures import ensure_demo_data

    local_cluster.start()
    return ensure_demo_data(make_client(ElasticConfig(), url=DEMO_URL))


def up(args: argparse.Namespace) -> int:
    counts = ensure_demo()
    total = sum(counts.values()) if isinstance(counts, dict) else counts
    print(f"DEMO Elasticsearch is up at {DEMO_URL} with {total} demo documents.")
    return 0


def down(args: argparse.Namespace) -> int:
    from operatorx.tools.elastic import local_cluster

    print("Stopped." if local_cluster.stop() else "The demo cluster was not running.")
    return 0


def status(args: argparse.Namespace) -> int:
    from operatorx.tools.elastic import local_cluster

    s = local_cluster.status()
    if s.health:
        print(f"DEMO Elasticsearch {s.version or ''} at {s.url}: {s.health}")
        return 0
    print(f"The demo cluster is not running ({s.url}).")
    return 1
