"""F1: what OperatorX does, the keys, and example questions (pick one to put it in the prompt)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static

EXAMPLES = (
    "which ports are open on 127.0.0.1?",
    "scan localhost for web servers and tell me their versions",
    "ping sweep 127.0.0.0/29",
    "any HTTP traffic to bad.domain.com today?",
    "top 10 destination ports in the last 24 hours",
    "which hosts triggered Suricata alerts this week?",
    "DNS queries for example.com since yesterday",
    "SSH connections to 10.0.0.5 over the last hour, per hour",
)

FOLLOW_UPS = ("also check port 443", "only the last hour", "now group them by source IP")

INTRO = (
    "Ask a question in plain words. A small local model turns it into one Nmap scan or one "
    "read-only Elasticsearch search. You see the exact command, what it does, its risk and "
    "reach, and whether it is in scope — [b]nothing runs until you confirm[/b] (Enter or y). "
    "Press e on the card to edit the call, n or Esc to cancel.\n\n"
    "Follow-ups change the last call: " + ", ".join(f"“{q}”" for q in FOLLOW_UPS) + ".\n\n"
    "[b]Keys[/b]  Enter ask · ctrl+j new line · ↑/↓ history · Esc cancel a running scan · "
    "F4 edit the last call · F2/F3 export the last result to JSON/CSV · ctrl+o open a saved chat · ctrl+n new chat · "
    "ctrl+b sidebar · ctrl+p command palette · Tab / shift+Tab move to the result tables (Enter on a row: "
    "details) · ctrl+q quit"
)


class HelpScreen(ModalScreen[str | None]):
    """Dismisses with the chosen example question, or None."""

    BINDINGS = [Binding("escape,f1,q", "close", "Close", id="help-close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Label("OperatorX — help", id="help-title")
            yield Static(INTRO, id="help-intro")
            yield Label("Example questions (Enter puts one in the prompt):", id="help-examples-title")
            yield OptionList(*EXAMPLES, id="help-examples")

    def on_mount(self) -> None:
        self.query_one("#help-examples", OptionList).focus()

    @on(OptionList.OptionSelected, "#help-examples")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.prompt))

    def action_close(self) -> None:
        self.dismiss(None)
