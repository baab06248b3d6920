"""Results in the transcript: a table of hosts and ports, or of hits, plus charts and the summary.

Every value from a scan or a log is data: it is wrapped in ``rich.text.Text`` (never parsed
as markup) and it never goes back to the planner. Enter on a table row opens the detail view.
"""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Label, Static

from operatorx.tui.screens.detail import DetailScreen
from operatorx.tui.tabular import (
    SCAN_COLUMNS,
    bucket_rows,
    host_label,
    is_scan,
    scan_rows,
    search_columns,
    search_rows,
)
from operatorx.tui.widgets.card import pretty_json
from operatorx.tui.widgets.charts import BarChart, Histogram

MAX_TABLE_ROWS = 500


def _t(value: str, style: str = "") -> Text:
    return Text(value, style=style, no_wrap=True, overflow="ellipsis")


class ResultTable(DataTable):
    """A table that opens the detail view of the selected row (Enter or click)."""

    DEFAULT_CSS = "ResultTable { height: auto; max-height: 14; }"

    def __init__(self, **kwargs):
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)


class ResultView(Vertical):
    """One finished call: header line, summary, table, charts. Holds the typed result for export."""

    def __init__(self, result: Any, summary: str, *, turn: int, **kwargs):
        super().__init__(**kwargs)
        self.result = result
        self.summary = summary
        self.turn = turn
        self.add_class("scan-result" if is_scan(result) else "search-result")

    def compose(self) -> ComposeResult:
        if is_scan(self.result):
            yield from self._compose_scan()
        else:
            yield from self._compose_search()

    # --- scans ----------------------------------------------------------------------------

    def _compose_scan(self) -> ComposeResult:
        r = self.result
        up = sum(1 for h in r.hosts if h.state == "up")
        open_ports = sum(1 for h in r.hosts for p in h.ports if p.state == "open")
        unlisted: dict[str, int] = {}
        for h in r.hosts:
            for state, n in (getattr(h, "extra_ports", None) or {}).items():
                unlisted[state] = unlisted.get(state, 0) + n
        more = "".join(f", {n:,} {state} not listed" for state, n in unlisted.items())
        yield Label(
            _t(f"Scan finished: {up} host(s) up, {open_ports} open port(s){more}, {r.elapsed_s:.1f} s"),
            classes="result-header",
        )
        if self.summary:
            yield Static(Text(self.summary), classes="result-summary")
        rows = scan_rows(r)
        if rows:
            table = ResultTable(classes="result-table")
            table.add_columns(*[c.capitalize() for c in SCAN_COLUMNS])
            for (hi, pi), cells in rows[:MAX_TABLE_ROWS]:
                table.add_row(*[_t(c) for c in cells], key=f"{hi}:{pi}")
            yield table
        for note in getattr(r, "notes", None) or []:
            yield Static(Text(f"Note: {note}", style="italic"), classes="result-note")

    def scan_detail(self, hi: int, pi: int) -> tuple[str, RenderableType]:
        host = self.result.hosts[hi]
        parts: list[RenderableType] = [
            Text.assemble(("Host ", "dim"), (host_label(host), "bold"), ("   state ", "dim"), host.state)
        ]
        names = [n for n in host.hostnames if n]
        if names:
            parts.append(Text.assemble(("Hostnames ", "dim"), ", ".join(names)))
        if pi >= 0:
            p = host.ports[pi]
            parts += [
                Text(),
                Text.assemble(
                    ("Port ", "dim"),
                    (f"{p.port}/{p.protocol}", "bold"),
                    ("   state ", "dim"),
                    p.state,
                    ("   service ", "dim"),
                    p.service or "?",
                ),
            ]
            for label, value in (("Product", p.product), ("Version", p.version), ("Extra", p.extrainfo)):
                if value:
                    parts.append(Text.assemble((f"{label} ", "dim"), value))
            scripts = p.scripts or {}
            parts += [Text(), Text("Script output", style="bold underline")]
            if not scripts:
                parts.append(Text("none (ask for scripts, e.g. “run http-title on it”)", style="dim"))
            for name, output in scripts.items():
                parts += [Text(name, style="bold"), Text(output.rstrip()), Text()]
        for name, output in (getattr(host, "scripts", None) or {}).items():
            parts += [Text(), Text(f"Host script {name}", style="bold"), Text(output.rstrip())]
        parts += [Text(), Text("OS guesses", style="bold underline")]
        matches = getattr(host, "os_matches", None) or []
        if not matches:
            parts.append(Text("none (OS detection was not asked for, or nmap was not sure)", style="dim"))
        for m in matches:
            acc = getattr(m, "accuracy", None)
            parts.append(Text(f"{getattr(m, 'name', m)}" + (f"  ({acc}%)" if acc is not None else "")))
        title = f"{host_label(host)}" + (
            f" port {host.ports[pi].port}/{host.ports[pi].protocol}" if pi >= 0 else ""
        )
        return title, Group(*parts)

    # --- searches -------------------------------------------------------------------------

    def _compose_search(self) -> ComposeResult:
        r = self.result
        plus = "+" if getattr(r, "total_relation", "eq") == "gte" else ""
        yield Label(
            _t(f"Search finished: {r.total:,}{plus} matching, {len(r.rows)} shown, {r.took_ms} ms"),
            classes="result-header",
        )
        if self.summary:
            yield Static(Text(self.summary), classes="result-summary")
        agg = getattr(r, "agg", None)
        if agg is not None:
            yield from self._compose_agg(agg)
        if r.rows:
            table = ResultTable(classes="result-table")
            table.add_columns(*search_columns(r))
            for i, cells in enumerate(search_rows(r)[:MAX_TABLE_ROWS]):
                table.add_row(*[_t(c) for c in cells], key=str(i))
            yield table
        for note in getattr(r, "notes", None) or []:
            yield Static(Text(f"Note: {note}", style="italic"), classes="result-note")

    def _compose_agg(self, agg: Any) -> ComposeResult:
        items = [(k, int(c)) for k, c in bucket_rows(self.result)]
        if agg.type == "date_histogram":
            yield Histogram(items, interval=getattr(agg, "interval", "") or "", classes="result-chart")
        elif agg.type == "terms":
            yield Label(_t(f"Top values of {agg.field}"), classes="chart-title")
            yield BarChart(items, classes="result-chart")
            other = getattr(agg, "other_count", 0)
            if other:
                yield Static(
                    Text(f"… and {other:,} more in other values", style="dim"), classes="result-note"
                )
        else:
            value = agg.value if agg.value is not None else "?"
            yield Label(
                _t(
                    f"Distinct values of {agg.field}: {value:,}"
                    if isinstance(value, int)
                    else f"{agg.type} of {agg.field}: {value}"
                ),
                classes="chart-title",
            )

    def search_detail(self, i: int) -> tuple[str, RenderableType]:
        row = self.result.rows[i]
        title = f"Document {i + 1} of {len(self.result.rows)}"
        doc_id = row.get("_id") if isinstance(row, dict) else None
        if doc_id:
            title += f"  ({row.get('_index', '')}/{doc_id})"
        body = Syntax(pretty_json(row), "json", theme="ansi_dark", background_color="default", word_wrap=True)
        return title, body

    # --- detail ---------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _open_detail(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = str(event.row_key.value)
        if is_scan(self.result):
            hi, pi = (int(x) for x in key.split(":"))
            title, body = self.scan_detail(hi, pi)
        else:
            title, body = self.search_detail(int(key))
        self.app.push_screen(DetailScreen(title, body))
