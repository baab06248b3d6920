"""Searches from the chat app against the real Elasticsearch test cluster with the demo data.

Hits become a table (Enter on a row: the document), a terms aggregation a bar chart and a
date histogram a sparkline; the sidebar shows the cluster's name, version and health.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from test_chat_flow import SIZE, idle, on_card
from textual.widgets import DataTable, Sparkline
from tui_helpers import ask, audit_events, plain, showing, wait_until

from operatorx.config import ElasticConfig
from operatorx.tools.elastic import fixtures
from operatorx.tools.elastic.client import make_client
from operatorx.tui.screens.detail import DetailScreen
from operatorx.tui.widgets.charts import BarChart, Histogram
from operatorx.tui.widgets.results import ResultView

pytestmark = pytest.mark.elastic

P = fixtures.PLANTED


@pytest.fixture(scope="module")
def demo_es(es_url: str) -> str:
    fixtures.ensure_demo_data(make_client(ElasticConfig(), url=es_url), max_age=timedelta(hours=6))
    return es_url


@pytest.fixture
def today_es(demo_es: str) -> str:
    """The demo cluster with data from today (UTC) that stays today while the test runs.

    A test close to midnight waits until it has passed, then the data is loaded again: a batch
    loaded before midnight has no "today" (a CI run that crossed midnight failed on this).
    """
    now = datetime.now(UTC)
    to_midnight = (now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)) - now
    if to_midnight < timedelta(minutes=2):
        time.sleep(to_midnight.total_seconds() + 1)
    fixtures.ensure_demo_data(make_client(ElasticConfig(), url=demo_es), max_age=timedelta(hours=6))
    return demo_es


def search(**kw) -> dict:
    return {"tool": "elasticsearch", "index": "logs-*", **kw}


async def run_one(pilot, question: str) -> ResultView:
    app = pilot.app
    await ask(pilot, question)
    await wait_until(pilot, lambda: on_card(app))
    await pilot.press("y")
    await wait_until(pilot, lambda: bool(app.transcript.query(ResultView)) and idle(app))
    await app.workers.wait_for_complete()
    await pilot.pause()
    return app.transcript.query(ResultView).last()


async def test_hits_table_document_detail_and_cluster_in_sidebar(make_app, config, today_es):
    where = [{"field": "http.virtual_host", "value": P["bad_domain"]}]
    app = make_app([search(since="now/d", where=where, size=10)], es_url=today_es)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.cluster_settled.is_set())
        await pilot.pause()
        assert "(green)" in app.panel.cluster or "(yellow)" in app.panel.cluster
        await ask(pilot, f"any HTTP traffic to {P['bad_domain']} today?")
        await wait_until(pilot, lambda: on_card(app))
        assert "matching documents" in plain(app.screen.query_one("#confirm-card"))
        await pilot.press("y")
        await wait_until(pilot, lambda: bool(app.transcript.query(ResultView)) and idle(app))
        await app.workers.wait_for_complete()
        view = app.transcript.query_one(ResultView)
        table = view.query_one(DataTable)
        columns = [str(c.label) for c in table.columns.values()]
        assert "http.virtual_host" in columns and "source.ip" in columns
        hosts = {str(table.get_row_at(i)[columns.index("http.virtual_host")]) for i in range(table.row_count)}
        assert hosts == {P["bad_domain"]} and table.row_count >= 3
        table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, DetailScreen))
        assert P["bad_domain"] in plain(app.screen.query_one("#detail-content"))
    assert audit_events(config) == ["proposed", "confirmed", "executed"]


async def test_terms_aggregation_is_a_bar_chart(make_app, demo_es):
    call = search(since="now-24h", where=[{"field": "tags", "value": "alert"}],
                  agg={"field": "source.ip", "size": 5}, size=0)  # fmt: skip
    app = make_app([call], es_url=demo_es)
    async with app.run_test(size=SIZE) as pilot:
        view = await run_one(pilot, "which hosts raised the most alerts in the last 24 hours?")
        chart = view.query_one(BarChart)
        assert chart.items[0][0] == P["top_alert_host"]
        assert [v for _, v in chart.items] == sorted((v for _, v in chart.items), reverse=True)
        assert not view.query(DataTable)  # size 0: no hits table


async def test_date_histogram_is_a_sparkline(make_app, demo_es):
    call = search(index="logs-zeek-so*", since="now-24h",
                  agg={"type": "date_histogram", "field": "@timestamp", "interval": "1h"}, size=0)  # fmt: skip
    app = make_app([call], es_url=demo_es)
    async with app.run_test(size=SIZE) as pilot:
        view = await run_one(pilot, "zeek events per hour over the last 24 hours")
        hist = view.query_one(Histogram)
        total = sum(v for _, v in hist.items)
        assert total == view.result.total > 0
        assert hist.query_one(Sparkline).data == [v for _, v in hist.items]
