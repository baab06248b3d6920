"""Options and wiring shared by several commands."""

from __future__ import annotations

import argparse

from operatorx.audit import AuditLog
from operatorx.config import Config, load_config

DEMO_URL = "http://127.0.0.1:9200"


def add_config_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--config", metavar="PATH", help="TOML config file (default: ~/.config/operatorx/config.toml)"
    )
    p.add_argument("--es-url", metavar="URL", help="Elasticsearch URL (overrides the config)")


def load(args: argparse.Namespace) -> Config:
    config = load_config(getattr(args, "config", None))
    if getattr(args, "es_url", None):
        config.elasticsearch.url = args.es_url
    return config


def es_url(config: Config) -> str:
    """The configured cluster, or the local demo cluster when none is configured."""
    return config.elasticsearch.url or DEMO_URL


def audit_log(config: Config) -> AuditLog:
    return AuditLog(config.audit.resolved())


def es_client_factory(config: Config):
    def make():
        from operatorx.tools.elastic.client import make_client

        return make_client(config.elasticsearch, url=es_url(config))

    return make
