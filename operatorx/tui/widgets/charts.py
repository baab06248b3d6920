"""Aggregations drawn in the terminal: top values as a bar chart, hits over time as a histogram."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Label, Sparkline, Static

BAR = "█"
PARTIAL = " ▏▎▍▌▋▊▉"


def bar(value: float, scale: float, width: int) -> str:
    """A horizontal bar of ``value`` on ``scale`` → ``width`` cells, with eighth-cell precision."""
    if scale <= 0 or width <= 0:
        return ""
    eighths = round(max(0.0, min(1.0, value / scale)) * width * 8)
    full, rest = divmod(eighths, 8)
    return BAR * full + (PARTIAL[rest] if rest else "")


class BarChart(Widget):
    """One row per bucket: label, bar, count. Redraws to the width it is given."""

    COMPONENT_CLASSES = {"bar-chart--bar"}
    DEFAULT_CSS = "BarChart { height: auto; } BarChart > .bar-chart--bar { color: $accent; }"

    def __init__(self, items: Sequence[tuple[str, int]], **kwargs):
        super().__init__(**kwargs)
        self.items = [(str(k), int(v)) for k, v in items]

    def render(self) -> Text:
        if not self.items:
            return Text("no buckets", style="dim")
        label_w = min(32, max(len(k) for k, _ in self.items))
        count_w = max(len(f"{v:,}") for _, v in self.items)
        width = max(4, (self.size.width or 80) - label_w - count_w - 4)
        top = max(v for _, v in self.items) or 1
        bar_style = self.get_component_rich_style("bar-chart--bar")
        out = Text(no_wrap=True, overflow="ellipsis")
        for i, (key, value) in enumerate(self.items):
            label = key if len(key) <= label_w else key[: label_w - 1] + "…"
            out.append(f"{label:<{label_w}}  ", style="bold" if i == 0 else "")
            out.append(f"{bar(value, top, width):<{width}}", style=bar_style)
            out.append(f" {value:>{count_w},}")
            if i < len(self.items) - 1:
                out.append("\n")
        return out


class Histogram(Vertical):
    """Counts per time interval as a sparkline, with the first and last interval under it."""

    DEFAULT_CSS = "Histogram { height: auto; } Histogram > Sparkline { height: 3; }"

    def __init__(self, items: Sequence[tuple[str, int]], *, interval: str = "", **kwargs):
        super().__init__(**kwargs)
        self.items = [(str(k), int(v)) for k, v in items]
        self.interval = interval

    def compose(self) -> ComposeResult:
        counts = [v for _, v in self.items]
        total = sum(counts)
        per = f" per {self.interval}" if self.interval else ""
        yield Label(
            f"{total:,} hits over {len(counts)} intervals{per} — peak {max(counts, default=0):,}",
            classes="chart-title",
        )
        yield Sparkline(counts or [0], summary_function=max)
        if self.items:
            first, last = self.items[0][0], self.items[-1][0]
            yield Static(Text(f"{first}  →  {last}", style="dim", no_wrap=True, overflow="ellipsis"))
