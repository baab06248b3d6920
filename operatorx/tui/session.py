"""The chat's state outside the widgets: the planner's conversation and the saved record.

Two things are kept apart on purpose. The *conversation* (``operatorx.agent.conversation``)
is what the planner sees: the analyst's questions and the calls made from them, so a
follow-up can edit the last call. The *saved record* also holds results and summaries for
reopening and export — and none of that goes back to the planner: tool output is data.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from operatorx.tui.storage import ConversationStore, SavedConversation, SavedTurn, StorageError, now_iso
from operatorx.tui.tabular import is_scan

TITLE_MAX = 60


def new_conversation() -> Any:
    from operatorx.agent.conversation import Conversation

    return Conversation()


class ChatSession:
    def __init__(self, store: ConversationStore, clock: Callable[[], datetime], conversation: Any = None):
        self.store = store
        self.clock = clock
        self.conversation = conversation if conversation is not None else new_conversation()
        self.saved = self._blank()
        self._questions: dict[str, str] = {}  # proposal id → the question it answers
        self._last: tuple[str, Any] | None = None  # (question, call) of the newest proposal

    def _blank(self) -> SavedConversation:
        ts = now_iso(self.clock)
        return SavedConversation(created=ts, updated=ts)

    def describe(self) -> str:
        n = len(self.saved.turns)
        return f"{self.saved.title}\n{n} question(s) · id {self.saved.id}"

    # --- the planner's conversation -------------------------------------------------------

    def remember(self, question: str, proposal: Any) -> None:
        """A call was proposed for ``question``: it becomes the call that follow-ups edit."""
        self._questions[proposal.id] = question
        self._last = (question, proposal.call)
        self.conversation.add_call(question, proposal.call)

    def question_of(self, proposal: Any) -> str:
        return self._questions.get(proposal.id, "")

    def last_call(self) -> Any:
        return self._last[1] if self._last else None

    def last_question(self) -> str:
        return self._last[0] if self._last else ""

    # --- the saved record -----------------------------------------------------------------

    def record(
        self,
        question: str,
        status: str,
        *,
        proposal: Any = None,
        result: Any = None,
        summary: str = "",
        note: str = "",
    ) -> int:
        """Append one turn; returns its number (1-based), used to name exports."""
        turn = SavedTurn(ts=now_iso(self.clock), question=question, status=status, note=note, summary=summary)
        if proposal is not None:
            turn.call = proposal.call.compact()
            turn.command = proposal.command
        if result is not None:
            turn.result_type = "scan" if is_scan(result) else "search"
            turn.result = result.model_dump(mode="json")
        if not self.saved.turns:
            self.saved.title = " ".join(question.split())[:TITLE_MAX] or "Conversation"
        self.saved.turns.append(turn)
        self.saved.updated = turn.ts
        return len(self.saved.turns)

    def record_proposal(self, proposal: Any, status: str, **kw) -> int:
        return self.record(self.question_of(proposal), status, proposal=proposal, **kw)

    def replied(self, question: str, kind: str, text: str) -> None:
        from operatorx.schemas.plan import Reply

        self.conversation.add_reply(question, Reply(kind=kind, message=text))

    def ran(self, result: Any) -> None:
        """The newest call ran: the conversation keeps only the result's digest, never its content."""
        self.conversation.set_result(result.digest())

    def save(self) -> Path | None:
        if not self.saved.turns:
            return None
        self.saved.planner = self.conversation.to_dict()
        return self.store.save(self.saved)

    def export(self, result: Any, fmt: str, turn: int) -> Path:
        kind = "scan" if is_scan(result) else "search"
        meta = {"conversation": self.saved.id, "turn": turn, "exported": now_iso(self.clock)}
        if 0 < turn <= len(self.saved.turns):
            t = self.saved.turns[turn - 1]
            meta |= {"question": t.question, "command": t.command}
        return self.store.export(result, fmt, f"{self.saved.id}-{turn:03d}-{kind}", meta)

    def new(self) -> None:
        self.saved = self._blank()
        self.conversation = new_conversation()
        self._questions.clear()
        self._last = None

    def open(self, conv_id: str) -> list[SavedTurn]:
        """Load a saved conversation; its calls are replayed into a fresh planner conversation."""
        from operatorx.agent.conversation import Conversation
        from operatorx.errors import ValidationFailed

        saved = self.store.load(conv_id)
        calls = [(t.question, c) for t in saved.turns if t.call and (c := self.call_of(t)) is not None]
        try:
            conversation = Conversation.from_dict(saved.planner or {})
        except ValidationFailed:  # older or damaged file: rebuild from the calls
            conversation = new_conversation()
            for question, call in calls:
                conversation.add_call(question, call)
        self.saved, self.conversation = saved, conversation
        self._last = calls[-1] if calls else None
        self._questions.clear()
        return saved.turns

    @staticmethod
    def call_of(turn: SavedTurn) -> Any:
        from operatorx.errors import ValidationFailed
        from operatorx.schemas.plan import parse_call

        try:
            return parse_call(turn.call or {})
        except ValidationFailed:
            return None

    @staticmethod
    def result_of(turn: SavedTurn) -> Any:
        """The typed result stored with a turn, or None (none stored, or it no longer parses)."""
        if turn.result is None:
            return None
        if turn.result_type == "scan":
            from operatorx.tools.nmap.results import ScanResult as model
        else:
            from operatorx.tools.elastic.runner import SearchResult as model
        try:
            return model.model_validate(turn.result)
        except ValueError:
            return None


__all__ = ["ChatSession", "StorageError"]
