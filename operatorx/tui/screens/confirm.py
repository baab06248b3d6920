"""The modal confirmation card: Enter/y runs, e edits, n/Esc cancels — default deny.

Typed ``ModalScreen[bool]``: it dismisses with True only on Enter or y for a call policy
allowed. ``e`` dismisses with False and sets ``edit_requested``, so the executor records a
denial for this exact call and the app opens the editor; the edited call is a new proposal
with its own card. A refused call shows why and offers only edit or close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from operatorx.tui.widgets.card import ProposalCard

if TYPE_CHECKING:
    from operatorx.agent.executor import Proposal


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("enter,y", "run", "Run", id="confirm-run"),
        Binding("e", "edit", "Edit", id="confirm-edit"),
        Binding("n,escape", "cancel", "Cancel", id="confirm-cancel"),
    ]

    def __init__(self, proposal: Proposal):
        super().__init__()
        self.proposal = proposal
        self.edit_requested = False

    def compose(self) -> ComposeResult:
        allowed = self.proposal.allowed
        with Vertical(id="confirm-dialog", classes="allowed" if allowed else "refused"):
            yield Label(
                "Run this?" if allowed else "This call was refused",
                id="confirm-title",
            )
            with VerticalScroll(id="confirm-body"):
                yield ProposalCard(self.proposal, id="confirm-card")
            yield Static(
                "[b]Enter[/b]/[b]y[/b] run   [b]e[/b] edit   [b]n[/b]/[b]Esc[/b] cancel   [b]↑↓[/b] scroll"
                if allowed
                else "[b]e[/b] edit the call   [b]n[/b]/[b]Esc[/b] close — nothing runs",
                id="confirm-keys",
            )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.proposal.allowed if action == "run" else True

    def action_run(self) -> None:
        if self.proposal.allowed:
            self.dismiss(True)

    def action_edit(self) -> None:
        self.edit_requested = True
        self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)
