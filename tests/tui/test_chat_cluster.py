"""First run: with no Elasticsearch URL the app starts the local DEMO cluster in a worker.

The app stays usable while it starts, shows 'starting demo cluster…', and marks DEMO in the
sidebar; a failure becomes a message, not a dead app.
"""

from __future__ import annotations

import threading

import pytest
from test_chat_flow import SIZE
from tui_helpers import plain, wait_until

from operatorx.errors import ToolUnavailable
from operatorx.tui.widgets.transcript import Note


def cluster_line(app) -> str:
    return plain(app.panel.query_one("#status-cluster"))


async def test_demo_start_is_visible_marked_and_a_failure_is_reported(make_app):
    release = threading.Event()

    def start_demo():
        release.wait(30)
        raise ToolUnavailable("Elasticsearch needs Java 17 or newer and none was found.")

    app = make_app([], start_demo=start_demo)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(
            pilot, lambda: "starting demo cluster" in cluster_line(app) and app.activity == "cluster"
        )
        assert cluster_line(app).startswith(" DEMO ")
        assert app.prompt.has_focus  # usable while the cluster starts
        release.set()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "unavailable" in cluster_line(app)
        assert any("Java 17" in plain(n) for n in app.transcript.query(Note))
        assert app.activity == "idle"


@pytest.mark.elastic
async def test_demo_cluster_connected_shows_name_version_health(make_app, es_url):
    started: list[bool] = []
    app = make_app([], start_demo=lambda: started.append(True), es_url=es_url)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: app.cluster_settled.is_set())
        await app.workers.wait_for_complete()
        await pilot.pause()
        line = cluster_line(app)
    assert started == [True]
    assert line.startswith(" DEMO ") and "operatorx-test 8." in line and es_url in line
