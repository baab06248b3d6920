"""Saved conversations and exports: files on disk, reopened in the app, formulas neutralised."""

from __future__ import annotations

import csv
import json
import stat

import pytest
from test_chat_widgets import scan_result
from tui_helpers import fixed_clock, showing

from operatorx.tools.elastic.runner import AggResult, Bucket, SearchResult
from operatorx.tui.storage import ConversationStore, SavedConversation, SavedTurn, StorageError, csv_safe


def search_result(rows=None, agg=None) -> SearchResult:
    return SearchResult(
        index="logs-*", total=len(rows or []), total_relation="eq", took_ms=2,
        columns=["source.ip", "dns.query.name"], rows=rows or [], agg=agg,
    )  # fmt: skip


def test_save_load_list_newest_first(tmp_path):
    store = ConversationStore(tmp_path)
    old = SavedConversation(title="old", updated="2024-10-08T10:00:00+00:00")
    new = SavedConversation(
        title="new",
        updated="2024-10-09T10:00:00+00:00",
        turns=[SavedTurn(ts="2024-10-09T10:00:00+00:00", question="q", status="reply")],
    )
    for c in (old, new):
        path = store.save(c)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    (tmp_path / "broken.json").write_text("{")
    assert [c.title for c in store.list()] == ["new", "old"]
    assert store.load(new.id) == new


def test_ids_cannot_name_other_files(tmp_path):
    with pytest.raises(StorageError):
        ConversationStore(tmp_path).load("../../etc/passwd")


def test_export_scan_json_and_csv(tmp_path):
    store = ConversationStore(tmp_path)
    result = scan_result()
    data = json.loads(store.export(result, "json", "c-001-scan", {"question": "q"}).read_text())
    assert data["type"] == "scan" and data["question"] == "q"
    assert data["result"]["hosts"][0]["ports"][0]["port"] == 22
    rows = list(csv.reader(store.export(result, "csv", "c-001-scan").open()))
    assert rows[0] == ["host", "port", "protocol", "state", "service", "version"]
    assert rows[1] == ["127.0.0.1 (localhost)", "22", "tcp", "open", "ssh", "OpenSSH 9.2p1"]


def test_export_search_csv_hits_else_buckets_and_neutralise_formulas(tmp_path):
    store = ConversationStore(tmp_path)
    hits = search_result([{"source.ip": "10.0.0.1", "dns.query": {"name": '=HYPERLINK("x")'}}])
    rows = list(csv.reader(store.export(hits, "csv", "hits").open()))
    assert rows == [["source.ip", "dns.query.name"], ["10.0.0.1", '\'=HYPERLINK("x")']]
    buckets = search_result(
        agg=AggResult(type="terms", field="source.ip", buckets=[Bucket(key="10.0.0.1", count=7)])
    )
    assert list(csv.reader(store.export(buckets, "csv", "aggs").open())) == [
        ["key", "count"],
        ["10.0.0.1", "7"],
    ]


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-42", "-42"),
        ("-x", "'-x"),
        ("ok", "ok"),
    ],
)
def test_csv_safe(cell, safe):
    assert csv_safe(cell) == safe


async def test_conversation_is_saved_and_reopened(make_app, store, listener):
    from test_chat_flow import SIZE, idle, on_card, scan
    from tui_helpers import ask, wait_until

    from operatorx.tui.screens.conversations import ConversationsScreen
    from operatorx.tui.widgets.results import ResultView

    app = make_app([scan(listener)])
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "is my port open?")
        await wait_until(pilot, lambda: on_card(app))
        await pilot.press("n")
        await wait_until(pilot, lambda: idle(app))
        saved_id = app.session.saved.id
        # a stored result, as a finished scan leaves it
        app.session.record("scan it", "executed", result=scan_result(), summary="1 open port")
        app.session.save()
        await pilot.press("ctrl+n")
        assert app.session.saved.id != saved_id
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: showing(app, ConversationsScreen))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.session.saved.id == saved_id)
        await pilot.pause()
        assert [t.question for t in app.session.saved.turns] == ["is my port open?", "scan it"]
        assert app.session.last_call().ports == str(listener)
        assert len(app.transcript.query(ResultView)) == 1
        await pilot.press("f2")
        await pilot.press("f3")
        await pilot.pause()
    exports = sorted(p.name for p in (store.root / "exports").iterdir())
    assert exports == [f"{saved_id}-002-scan.csv", f"{saved_id}-002-scan.json"]
    assert fixed_clock().isoformat(timespec="seconds") in (store.root / f"{saved_id}.json").read_text()
