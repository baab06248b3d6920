"""Fixtures for the chat app tests: the real planner over a scripted backend, the real executor.

The model's replies are scripted (``ScriptedBackend``), so the tests do not depend on the
model's accuracy; policy, the audit log, nmap and Elasticsearch are the real ones. Scans only
ever target 127.0.0.1.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tui_helpers import fixed_clock, make_executor_factory, scripted_planner

from operatorx.config import AuditConfig, Config
from operatorx.tui.app import OperatorXApp
from operatorx.tui.storage import ConversationStore


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config(audit=AuditConfig(path=str(tmp_path / "audit.jsonl")))


@pytest.fixture
def store(tmp_path: Path) -> ConversationStore:
    return ConversationStore(tmp_path / "conversations")


@pytest.fixture
def make_app(config: Config, store: ConversationStore) -> Callable[..., OperatorXApp]:
    """``make_app(replies)``: the app with a planner that answers ``replies`` in order."""

    def make(replies: list[dict | str], *, es_url: str | None = None, **kw) -> OperatorXApp:
        cfg = config
        if es_url:
            cfg = config.model_copy(deep=True)
            cfg.elasticsearch.url = es_url
        return OperatorXApp(
            cfg,
            scripted_planner(replies, cfg),
            make_executor_factory(es_url=es_url),
            store=store,
            clock=fixed_clock,
            model_label="scripted backend (tests)",
            **kw,
        )

    return make


@pytest.fixture
def listener() -> Iterator[int]:
    """A TCP port open on 127.0.0.1 for the length of a test (accepts and says nothing)."""
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    try:
        yield srv.getsockname()[1]
    finally:
        srv.close()
