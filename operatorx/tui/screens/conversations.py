"""ctrl+o: pick a saved conversation to reopen (newest first)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from operatorx.tui.storage import SavedConversation


class ConversationsScreen(ModalScreen[str | None]):
    """Dismisses with the chosen conversation's id, or None."""

    BINDINGS = [Binding("escape,q", "close", "Close", id="conversations-close")]

    def __init__(self, conversations: list[SavedConversation], where: str):
        super().__init__()
        self.conversations = conversations
        self.where = where

    def compose(self) -> ComposeResult:
        with Vertical(id="conversations-dialog"):
            yield Label("Saved conversations", id="conversations-title")
            if self.conversations:
                yield OptionList(
                    *[
                        Option(
                            Text.assemble(
                                (c.title, "bold"),
                                (f"   {c.updated[:16].replace('T', ' ')}", "dim"),
                                (f"   {len(c.turns)} question(s)", "dim"),
                            ),
                            id=c.id,
                        )
                        for c in self.conversations
                    ],
                    id="conversations-list",
                )
            else:
                yield Static(Text(f"None yet. Conversations are saved in {self.where}."))
            yield Static("[b]Enter[/b] open   [b]Esc[/b] close", id="conversations-keys")

    @on(OptionList.OptionSelected, "#conversations-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
