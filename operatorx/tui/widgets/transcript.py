"""The conversation as it happened: questions, proposed calls, progress, results, summaries."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Label, ProgressBar, Static

from operatorx.tui.widgets.card import ProposalCard, command_renderable
from operatorx.tui.widgets.results import ResultView

EMPTY_HINT = (
    "Ask about your network or your logs, for example\n"
    "  “which ports are open on 127.0.0.1?”\n"
    "  “any HTTP traffic to bad.domain.com today?”\n\n"
    "OperatorX shows the exact scan or search first and runs it only when you confirm.\n"
    "F1 help and examples · ctrl+p commands"
)


class Question(Static):
    def __init__(self, text: str, when: str):
        super().__init__(Text.assemble(("You", "bold"), (f"  {when}\n", "dim"), text))


class Note(Static):
    """A line from OperatorX itself: a reply, a refusal, an error, what happened to a call."""

    def __init__(self, text: str, kind: str = "info"):
        super().__init__(Text(text))
        self.add_class(f"note-{kind}")


class SavedCall(Static):
    """A call from a reopened conversation: its command (shortened) and what became of it."""

    def __init__(self, tool: str, command: str, status: str):
        super().__init__(command_renderable(tool, command, compact=True))
        self.border_title = f"{tool} — {status}"


class RunProgress(Vertical):
    """Live progress of a running scan: percent, ETA, nmap's current task; Esc cancels."""

    def compose(self) -> ComposeResult:
        yield Label(Text("Running… (Esc cancels)"), classes="progress-label")
        yield ProgressBar(total=100, show_eta=False, classes="progress-bar")

    def update_progress(self, percent: float, eta_s: float | None, task: str) -> None:
        eta = f", about {eta_s:.0f} s left" if eta_s else ""
        label = f"{task or 'Scanning'}: {percent:.0f}%{eta} (Esc cancels)"
        self.query_one(Label).update(Text(label))
        self.query_one(ProgressBar).update(progress=percent)


class Transcript(VerticalScroll):
    """Append-only; each add scrolls to the newest entry. Tracks the cards and the live progress."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._cards: dict[str, ProposalCard] = {}  # proposal id → its card
        self._progress: RunProgress | None = None

    def compose(self) -> ComposeResult:
        yield Static(EMPTY_HINT, classes="empty-hint")

    def add(self, widget: Widget) -> Widget:
        for hint in self.query(".empty-hint"):
            hint.remove()
        self.mount(widget)
        self.call_after_refresh(self.scroll_end, animate=False)
        return widget

    def question(self, text: str, when: str) -> Question:
        return self.add(Question(text, when))

    def note(self, text: str, kind: str = "info") -> Note:
        return self.add(Note(text, kind))

    def card(self, proposal: Any) -> ProposalCard:
        card = self.add(ProposalCard(proposal, compact=True, classes="transcript-card"))
        self._cards[proposal.id] = card
        return card

    def card_status(self, proposal: Any, status: str) -> None:
        """What became of a proposed call: shown in its card's title."""
        card = self._cards.get(proposal.id)
        if card is not None:
            card.status = status

    def saved_call(self, tool: str, command: str, status: str) -> SavedCall:
        return self.add(SavedCall(tool, command, status))

    def start_progress(self) -> None:
        self._progress = self.add(RunProgress(classes="run-progress"))

    def update_progress(self, percent: float, eta_s: float | None, task: str) -> None:
        if self._progress is not None:
            self._progress.update_progress(percent, eta_s, task)

    def end_progress(self) -> None:
        if self._progress is not None:
            self._progress.remove()
            self._progress = None

    def result(self, result: Any, summary: str, turn: int) -> ResultView:
        return self.add(ResultView(result, summary, turn=turn, classes="result-view"))

    def current_result(self, focused: Widget | None) -> ResultView | None:
        """The result view that holds ``focused`` (its table), else the newest one."""
        if focused is not None:
            for node in focused.ancestors_with_self:
                if isinstance(node, ResultView):
                    return node
        views = self.query(ResultView)
        return views.last() if views else None

    def replay(self, turns: list, result_of) -> None:
        """A reopened conversation: questions, calls (shortened) and results as they were saved."""
        for i, turn in enumerate(turns, 1):
            self.question(turn.question, turn.ts[11:16])
            if turn.command:
                status = "ran" if turn.status == "executed" else turn.status
                self.saved_call((turn.call or {}).get("tool", "nmap"), turn.command, status)
            result = result_of(turn)
            if result is not None:
                self.result(result, turn.summary, i)
            elif turn.note:
                self.note(f"[{turn.status}] {turn.note}", "info")

    def clear_entries(self) -> None:
        self._cards.clear()
        self.remove_children()
        self.mount(Static(EMPTY_HINT, classes="empty-hint"))
