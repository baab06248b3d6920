"""Helpers for the chat app tests (used by conftest.py and the test modules)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime

from operatorx.config import Config

FIXED_NOW = datetime(2024, 10, 9, 14, 30, tzinfo=UTC)


def fixed_clock() -> datetime:
    return FIXED_NOW


def scripted_planner(replies: list[dict | str], config: Config | None = None):
    """The real planner over a backend that answers with these tool calls, in order."""
    from operatorx.agent.planner import Planner
    from operatorx.backend.scripted import ScriptedBackend

    return Planner(ScriptedBackend(replies), config)


def make_executor_factory(privileged: bool | None = False, es_url: str | None = None):
    """The real executor; ``privileged=False`` keeps argv the same whoever runs the tests."""

    def factory(config: Config, confirmer):
        from operatorx.agent.executor import Executor
        from operatorx.audit import AuditLog
        from operatorx.tools.elastic.client import make_client

        url = es_url or config.elasticsearch.url or "http://127.0.0.1:9"
        return Executor(
            config,
            AuditLog(config.audit.resolved()),
            confirmer,
            es_client_factory=lambda: make_client(config.elasticsearch, url=url),
            privileged=privileged,
        )

    return factory


def audit_events(config: Config) -> list[str]:
    path = config.audit.resolved()
    if not path.exists():
        return []
    return [json.loads(line)["event"] for line in path.read_text().splitlines() if line.strip()]


async def wait_until(pilot, predicate: Callable[[], bool], timeout: float = 60.0) -> None:
    """Let the app run until ``predicate()`` holds (a modal shows, a worker posts a result).

    Used where ``workers.wait_for_complete`` cannot be: a worker blocked on the confirmation
    card completes only after the test answers it.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate.__doc__ or predicate}")
        await pilot.pause(0.02)


async def ask(pilot, question: str) -> None:
    """Type a question into the prompt and press Enter."""
    app = pilot.app
    app.prompt.load_text(question)
    app.prompt.focus()
    await pilot.press("enter")


def plain(widget) -> str:
    """What a Static/Label shows, as plain text (rich renderables rendered without styles)."""
    import io

    from rich.console import Console

    content = widget.content
    if isinstance(content, str):
        return content
    console = Console(width=200, file=io.StringIO(), color_system=None, record=True)
    console.print(content)
    return console.export_text()


def showing(app, screen_type) -> bool:
    """``screen_type`` is the active screen and has been composed and mounted."""
    return isinstance(app.screen, screen_type) and app.screen.is_mounted
