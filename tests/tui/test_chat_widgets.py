"""The pieces on their own: prompt history and paste, the edit parser, charts, result tables."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Sparkline
from tui_helpers import plain

from operatorx.errors import ValidationFailed
from operatorx.schemas import EsSearch, NmapScan
from operatorx.tools.elastic.runner import AggResult, Bucket, SearchResult
from operatorx.tools.nmap.results import HostResult, OsMatch, PortResult, ScanResult
from operatorx.tui.screens.detail import DetailScreen
from operatorx.tui.screens.edit import parse_command
from operatorx.tui.widgets.charts import BarChart, Histogram, bar
from operatorx.tui.widgets.prompt_input import PromptInput
from operatorx.tui.widgets.results import ResultView

# --- prompt --------------------------------------------------------------------------------


class PromptApp(App[None]):
    def __init__(self):
        super().__init__()
        self.submitted: list[str] = []

    def compose(self) -> ComposeResult:
        yield PromptInput(id="prompt")

    def on_prompt_input_submitted(self, event: PromptInput.Submitted) -> None:
        self.submitted.append(event.text)


async def test_enter_submits_and_history_walks_back_and_forth():
    app = PromptApp()
    async with app.run_test() as pilot:
        prompt = app.query_one(PromptInput)
        for q in ("first question", "second question"):
            await pilot.press(*q)
            await pilot.press("enter")
        await pilot.press("enter")  # empty: nothing is submitted
        assert app.submitted == ["first question", "second question"]
        assert prompt.text == ""
        await pilot.press("d", "r", "a", "f", "t")
        await pilot.press("up")
        assert prompt.text == "second question"
        await pilot.press("up")
        assert prompt.text == "first question"
        await pilot.press("up")
        assert prompt.text == "first question"
        await pilot.press("down")
        assert prompt.text == "second question"
        await pilot.press("down")
        assert prompt.text == "draft"


async def test_multi_line_paste_and_ctrl_j_keep_every_line():
    app = PromptApp()
    async with app.run_test() as pilot:
        prompt = app.query_one(PromptInput)
        app.post_message(events.Paste("these hosts:\n127.0.0.1\n127.0.0.2"))  # as the terminal does
        await pilot.pause()
        await pilot.press("ctrl+j")
        await pilot.press(*"thanks")
        assert prompt.text == "these hosts:\n127.0.0.1\n127.0.0.2\nthanks"
        await pilot.press("enter")
        assert app.submitted == ["these hosts:\n127.0.0.1\n127.0.0.2\nthanks"]


# --- edit parser -----------------------------------------------------------------------------


def test_parse_nmap_command():
    call = parse_command("nmap -sV -p 22,80 127.0.0.1")
    assert isinstance(call, NmapScan)
    assert call.ports == "22,80" and call.service_version


def test_parse_search_request_round_trips():
    search = EsSearch.model_validate(
        {"since": "now-24h", "where": [{"field": "destination.port", "value": 443}], "size": 5}
    )
    again = parse_command(search.to_command())
    assert isinstance(again, EsSearch)
    assert again.to_body() == search.to_body() and again.index == search.index


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("rm -rf /", "Start with `nmap"),
        ("nmap -iL /etc/passwd", "-iL"),
        ("nmap 'unclosed", "cannot be split"),
        ("DELETE logs-*", "Start with"),
        ("GET logs-*/_delete_by_query\n{}", "Only `<index>/_search`"),
        ("GET logs-*/_search\n{not json", "not valid JSON"),
        ("GET logs-*/_search\n[]", "JSON object"),
        ('GET logs-*/_search\n{"script": {"source": "x"}}', ""),
    ],
)
def test_parse_rejects_with_a_reason(text, message):
    with pytest.raises(ValidationFailed) as err:
        parse_command(text)
    assert message in str(err.value)


# --- charts ------------------------------------------------------------------------------------


def test_bar_is_proportional_with_eighths():
    assert bar(10, 10, 8) == "█" * 8
    assert bar(5, 10, 8) == "█" * 4
    assert bar(1, 16, 2) == "▏"
    assert bar(0, 10, 8) == ""
    assert bar(3, 0, 8) == ""


class ChartApp(App[None]):
    def __init__(self, widget):
        super().__init__()
        self.widget = widget

    def compose(self) -> ComposeResult:
        yield self.widget


async def test_bar_chart_draws_one_row_per_bucket():
    chart = BarChart([("10.20.4.23", 40), ("10.20.4.17", 10)])
    async with ChartApp(chart).run_test(size=(60, 10)):
        lines = chart.render().plain.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("10.20.4.23") and lines[0].rstrip().endswith("40")
    assert lines[0].count("█") == 4 * lines[1].count("█")


async def test_histogram_has_a_sparkline_and_the_time_span():
    hist = Histogram(
        [("2024-10-09T00:00", 3), ("2024-10-09T01:00", 0), ("2024-10-09T02:00", 9)], interval="1h"
    )
    async with ChartApp(hist).run_test(size=(60, 10)):
        assert hist.query_one(Sparkline).data == [3, 0, 9]
        texts = [plain(w) for w in hist.query("Label, Static")]
    assert any("12 hits over 3 intervals per 1h" in t for t in texts)
    assert any("2024-10-09T00:00" in t and "2024-10-09T02:00" in t for t in texts)


# --- result views -------------------------------------------------------------------------------


def scan_result() -> ScanResult:
    return ScanResult(
        hosts=[
            HostResult(
                address="127.0.0.1",
                hostnames=["localhost"],
                state="up",
                ports=[
                    PortResult(
                        port=22,
                        protocol="tcp",
                        state="open",
                        service="ssh",
                        product="OpenSSH",
                        version="9.2p1",
                        scripts={"ssh-hostkey": "256 aa:bb (ED25519)"},
                    ),
                    PortResult(port=80, protocol="tcp", state="closed", service="http"),
                ],
                os_matches=[OsMatch(name="Linux 5.x", accuracy=97)],
            )
        ],
        argv=["nmap", "127.0.0.1"],
        elapsed_s=0.5,
        finished=True,
    )


class ResultApp(App[None]):
    def __init__(self, result, summary="summary"):
        super().__init__()
        self.view = ResultView(result, summary, turn=1)

    def compose(self) -> ComposeResult:
        yield self.view


async def test_scan_table_and_detail_with_scripts_and_os():
    app = ResultApp(scan_result())
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.view.query_one(DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert rows[0] == ["127.0.0.1 (localhost)", "22", "tcp", "open", "ssh", "OpenSSH 9.2p1"]
        table.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        detail = plain(app.screen.query_one("#detail-content"))
        assert "ssh-hostkey" in detail and "256 aa:bb (ED25519)" in detail and "Linux 5.x  (97%)" in detail


async def test_search_table_chart_and_document_detail_show_data_not_markup():
    rows = [{"@timestamp": "2024-10-09T10:00:00Z", "source.ip": "10.20.4.23", "http.uri": "[b]bold?[/b]"}]
    result = SearchResult(
        index="logs-*", total=1, total_relation="eq", took_ms=3,
        columns=["@timestamp", "source.ip", "http.uri"], rows=rows,
        agg=AggResult(type="terms", field="source.ip", buckets=[Bucket(key="10.20.4.23", count=1)]),
    )  # fmt: skip
    app = ResultApp(result)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.view.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][2] == "[b]bold?[/b]"  # shown literally
        assert app.view.query_one(BarChart).items == [("10.20.4.23", 1)]
        table.focus()
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        assert '"http.uri": "[b]bold?[/b]"' in plain(app.screen.query_one("#detail-content"))
