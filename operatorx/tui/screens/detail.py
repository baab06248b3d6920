"""A read-only detail view: one search document, or one host's OS guesses and script output.

Everything shown here is data from the tool, rendered as text; nothing in it is ever sent
back to the planner.
"""

from __future__ import annotations

from rich.console import RenderableType
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class DetailScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "close", "Close", id="detail-close")]

    def __init__(self, title: str, body: RenderableType):
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-dialog"):
            yield Label(self.title_text, id="detail-title")
            with VerticalScroll(id="detail-body"):
                yield Static(self.body, id="detail-content")
            yield Static("[b]Esc[/b]/[b]q[/b] close   [b]↑↓[/b] scroll", id="detail-keys")

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()

    def action_close(self) -> None:
        self.dismiss(None)
