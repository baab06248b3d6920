"""The question box: Enter asks, ctrl+j (or alt+Enter) adds a line, ↑/↓ walk the history.

A ``TextArea`` rather than an ``Input`` so that a pasted multi-line question (a log line, a
list of hosts) arrives whole; ``Input`` keeps only the first line of a paste.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.message import Message
from textual.widgets import TextArea

NEWLINE_KEYS = ("ctrl+j", "alt+enter", "shift+enter", "ctrl+enter")


class PromptInput(TextArea):
    @dataclass
    class Submitted(Message):
        """The analyst asked ``text`` (already stripped, never empty)."""

        prompt: PromptInput
        text: str

        @property
        def control(self) -> PromptInput:
            return self.prompt

    def __init__(self, *, placeholder: str = "", asked: list[str] | None = None, **kwargs):
        super().__init__(
            soft_wrap=True, show_line_numbers=False, tab_behavior="focus", placeholder=placeholder, **kwargs
        )
        self.asked: list[str] = list(asked or [])
        self._browse: int | None = None  # index into history while walking it
        self._draft = ""

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.submit()
            return
        if event.key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        await super()._on_key(event)

    def submit(self) -> None:
        text = self.text.strip()
        if not text:
            return
        if not self.asked or self.asked[-1] != text:
            self.asked.append(text)
        self._browse = None
        self._draft = ""
        self.clear()
        self.post_message(self.Submitted(self, text))

    # --- history --------------------------------------------------------------------------

    def action_cursor_up(self, select: bool = False) -> None:
        if select or self.cursor_location[0] > 0 or not self.asked:
            super().action_cursor_up(select)
            return
        if self._browse is None:
            self._draft = self.text
            self._browse = len(self.asked)
        if self._browse > 0:
            self._browse -= 1
            self._show(self.asked[self._browse])

    def action_cursor_down(self, select: bool = False) -> None:
        last_row = self.document.line_count - 1
        if select or self._browse is None or self.cursor_location[0] < last_row:
            super().action_cursor_down(select)
            return
        self._browse += 1
        if self._browse >= len(self.asked):
            self._browse = None
            self._show(self._draft)
        else:
            self._show(self.asked[self._browse])

    def _show(self, text: str) -> None:
        self.load_text(text)
        self.move_cursor(self.document.end)
