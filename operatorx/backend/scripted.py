"""A backend that answers from a script: exact, instant planner tests without a model.

Replies are strings (sent as-is, so a test can feed malformed JSON), dicts (written like
``prompting.format_call``, like a well-behaved model) or a callable ``(prompt, schema) -> str | dict``.
Every request is recorded in ``calls`` so a test can assert what the planner asked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from operatorx.backend.base import Generation, Mode, Template
from operatorx.errors import PlannerError

Reply = str | dict
Script = Iterable[Reply] | Callable[[str, dict], Reply]


@dataclass
class ScriptedCall:
    prompt: str
    schema: dict
    max_tokens: int
    avoid: tuple[str, ...] = ()


class ScriptedBackend:
    name = "scripted"

    def __init__(self, script: Script, *, mode: Mode = "adapter", template: Template = "chatml") -> None:
        self._fn = script if callable(script) else None
        self._queue = [] if callable(script) else list(script)
        self.mode = mode
        self.template = template
        self.calls: list[ScriptedCall] = []

    def describe(self) -> str:
        return f"scripted replies ({self.mode} mode)"

    def generate(
        self, prompt: str, schema: dict, *, max_tokens: int = 256, avoid: Sequence[str] = ()
    ) -> Generation:
        """The next scripted reply; ``avoid`` (answers the planner asks to leave) is only recorded."""
        self.calls.append(ScriptedCall(prompt, schema, max_tokens, tuple(avoid)))
        if self._fn is not None:
            reply = self._fn(prompt, schema)
        elif self._queue:
            reply = self._queue.pop(0)
        else:
            raise PlannerError("The scripted backend has no reply left.")
        # Same bytes as prompting.format_call (compact separators).
        text = (
            reply if isinstance(reply, str) else json.dumps(reply, separators=(",", ":"), ensure_ascii=False)
        )
        return Generation(
            text=text, prompt_tokens=len(prompt.split()), completion_tokens=len(text.split()), seconds=0.0
        )
