"""SVG snapshots of the main screens: empty chat, a confirmation card, scan and search results.

Deterministic by construction: a fixed clock, a fixed conversation id and audit path in the
sidebar, no cluster, fixed result data (the results snapshots use a stand-in executor that
still asks the real confirmation card), and no spinners (progress is a plain bar) and no blinking cursor.
Update with ``pytest tests/tui/test_chat_snapshots.py --snapshot-update`` after checking the
new SVGs by eye.
"""

from __future__ import annotations

from tui_helpers import ask, fixed_clock, make_executor_factory, scripted_planner, showing, wait_until

from operatorx.agent.executor import Proposal
from operatorx.config import AuditConfig, Config
from operatorx.errors import NotConfirmed
from operatorx.policy import PolicyDecision, Reach
from operatorx.tools.elastic.runner import AggResult, Bucket, SearchResult
from operatorx.tui.app import OperatorXApp
from operatorx.tui.screens.confirm import ConfirmScreen
from operatorx.tui.storage import ConversationStore
from operatorx.tui.widgets.results import ResultView

SIZE = (140, 42)
SEARCH = {
    "tool": "elasticsearch",
    "index": "logs-*",
    "since": "now/d",
    "where": [{"field": "http.virtual_host", "value": "bad.domain.com"}],
    "agg": {"type": "terms", "field": "source.ip", "size": 5},
    "size": 3,
}


def app_for(tmp_path, replies, executor_factory=None) -> OperatorXApp:
    config = Config(audit=AuditConfig(path=str(tmp_path / "audit.jsonl")))
    return OperatorXApp(
        config,
        scripted_planner(replies),
        executor_factory or make_executor_factory(privileged=False),
        store=ConversationStore(tmp_path / "conversations"),
        clock=fixed_clock,
        model_label="SmolLM2-135M-Instruct (packaged)\nOperatorX LoRA adapter (packaged)",
    )


def steady(app: OperatorXApp) -> None:
    """Fix what differs per run: tmp path, random id, and the blinking cursor in the prompt."""
    app.prompt.cursor_blink = False
    app.session.saved.id = "0123456789ab"
    app.panel.audit = "~/.local/state/operatorx/audit.jsonl"
    app.panel.conversation = app.session.describe()


class FixedExecutor:
    """Proposes every call as allowed and returns a fixed result — after the real card says yes."""

    def __init__(self, confirmer, result, reach: Reach):
        self.confirmer, self.result, self.reach = confirmer, result, reach

    def propose(self, call):
        return Proposal(call, PolicyDecision(True, [], "low", ["read-only search"], self.reach), id="fixed")

    def execute(self, proposal, *, progress=None, cancel=None):
        if not self.confirmer.confirm(proposal):
            raise NotConfirmed("Not confirmed: nothing was run.")
        return self.result


def search_result() -> SearchResult:
    rows = [
        {"@timestamp": f"2024-10-09T14:2{i}:00.000Z", "event.dataset": "zeek.http", "source.ip": "10.20.4.23",
         "source.port": 51000 + i, "destination.ip": "198.51.100.66", "destination.port": 80,
         "http.method": "GET", "http.virtual_host": "bad.domain.com", "http.uri": uri, "http.status_code": 200}
        for i, uri in enumerate(["/payload.exe", "/gate.php", "/gate.php"])
    ]  # fmt: skip
    return SearchResult(
        index="logs-*", total=3, total_relation="eq", took_ms=4,
        columns=["@timestamp", "source.ip", "destination.ip", "destination.port", "http.method",
                 "http.virtual_host", "http.uri", "http.status_code"],
        rows=rows,
        agg=AggResult(type="terms", field="source.ip", buckets=[Bucket(key="10.20.4.23", count=3)]),
    )  # fmt: skip


def test_empty_chat_with_help_hint(snap_compare, tmp_path):
    app = app_for(tmp_path, [])

    async def run_before(pilot):
        steady(pilot.app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_confirmation_card(snap_compare, tmp_path):
    app = app_for(
        tmp_path, [{"tool": "nmap", "targets": ["127.0.0.1"], "ports": "22,80,443", "service_version": True}]
    )

    async def run_before(pilot):
        steady(pilot.app)
        await ask(pilot, "which web and ssh ports are open on 127.0.0.1, and what runs there?")
        await wait_until(pilot, lambda: showing(pilot.app, ConfirmScreen))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_search_results_table_and_chart(snap_compare, tmp_path):
    def factory(config, confirmer):
        return FixedExecutor(confirmer, search_result(), Reach(documents=3, search=True))

    app = app_for(tmp_path, [SEARCH], factory)

    async def run_before(pilot):
        steady(pilot.app)
        await ask(pilot, "any HTTP traffic to bad.domain.com today?")
        await wait_until(pilot, lambda: showing(pilot.app, ConfirmScreen))
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(pilot.app.transcript.query(ResultView)))
        await pilot.app.workers.wait_for_complete()
        steady(pilot.app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_scan_results_table(snap_compare, tmp_path):
    from test_chat_widgets import scan_result

    def factory(config, confirmer):
        return FixedExecutor(confirmer, scan_result(), Reach(hosts=1, ports=2))

    app = app_for(
        tmp_path,
        [{"tool": "nmap", "targets": ["127.0.0.1"], "ports": "22,80", "service_version": True}],
        factory,
    )

    async def run_before(pilot):
        steady(pilot.app)
        await ask(pilot, "is ssh or http open on 127.0.0.1, and which versions?")
        await wait_until(pilot, lambda: showing(pilot.app, ConfirmScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(pilot.app.transcript.query(ResultView)))
        await pilot.app.workers.wait_for_complete()
        steady(pilot.app)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
