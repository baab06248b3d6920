"""Conversation state the planner sees: the analyst's questions and the calls made from them.

Only the analyst's words and the *calls* are kept — never tool output (a result is
recorded as a digest, for reference only) — so nothing a scanned host or a log line says
can steer the planner.

A follow-up ("same for 10.0.0.6", "only 443", "make it the last 7 days") is answered by
the model with the previous call in the prompt (``prompting.user_message`` renders it);
the call it returns replaces ``last_call``. The planner does not change the conversation:
the caller records what was actually proposed (``add_call``) — an analyst may have edited
the call before it ran, and the edited call is the one a follow-up should change.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from operatorx.errors import ValidationFailed
from operatorx.schemas.elastic import EsSearch
from operatorx.schemas.nmap import NmapScan
from operatorx.schemas.plan import Reply, parse_plan

FORMAT = "operatorx.conversation/1"

# Words that make a short question an edit of the previous call rather than a new request.
_FOLLOW_UP_START = re.compile(
    r"^(same|and|also|now|then|but|only|just|add|remove|drop|include|exclude|without|with|make|"
    r"change|switch|use|try|instead|again|repeat|redo|rerun|re-run|narrow|widen|limit|extend|"
    r"expand|increase|decrease|sort|group|plus|skip|don't|do not|no|what about|how about|"
    r"do (the same|that|it)|this time|for (the )?(last|past))\b",
    re.IGNORECASE,
)
_FOLLOW_UP_ANY = re.compile(
    r"\b(same|instead|as well|too|again|previous|last (one|scan|search|query)|"
    r"(the|that|this) (scan|search|query|one)|it|them|those|these)\b",
    re.IGNORECASE,
)


def looks_like_follow_up(question: str) -> bool:
    """A cheap guess whether ``question`` edits the previous call (the model decides how)."""
    q = " ".join(question.split())
    return bool(_FOLLOW_UP_START.match(q) or _FOLLOW_UP_ANY.search(q))


# The only words of a follow-up that asks for the previous call again, unchanged ("run it
# again", "same again please", "ok go ahead").
_REPEAT_WORDS = frozenset({
    "again", "once", "more", "repeat", "rerun", "re-run", "redo", "run", "do", "it", "that",
    "this", "the", "same", "scan", "search", "query", "one", "please", "pls", "plz", "ok", "okay",
    "yes", "yep", "go", "ahead", "sure", "fine", "now", "time", "another", "exact", "exactly",
    "as", "before", "can", "could", "would", "you", "we", "i", "want", "to", "let's", "lets",
    "thanks", "identical", "unchanged", "is",
})


def asks_repeat(question: str) -> bool:
    """Whether a follow-up asks only for the previous call again: every other follow-up
    asks for a change, so the planner does not take the previous call back unchanged
    (``Planner``'s second ask)."""
    words = re.findall(r"[a-z0-9'-]+", question.lower())
    return bool(words) and all(w in _REPEAT_WORDS for w in words)


# Numbers of two digits or more and dotted addresses: a lone digit ("1 minute", "3 attempts")
# is in too many calls ("now-1w", "timing": 1) to say the call has it.
_NUMBERS = re.compile(r"(?<![\d.])(?:\d+(?:\.\d+)+|\d{2,})(?![\d.]*\d)")
_REMOVAL = re.compile(r"\b(drop|remove|delete|without|w/o|take out|get rid|lose|undo|clear|no longer|stop)\b", re.I)


def names_only_what_it_has(question: str, previous: dict) -> bool:
    """Whether a follow-up writes numbers or addresses, the call it edits has every one of
    them, and it asks to remove nothing ("no more than 500 packets per second" of a scan at
    500, "but not 192.168.0.37" of a scan that excludes it: two train records): the analyst
    asks for what the call already does, and then gets it unchanged."""
    written = set(_NUMBERS.findall(question))
    has = set(_NUMBERS.findall(json.dumps(previous)))
    return bool(written) and written <= has and not _REMOVAL.search(question)


@dataclass
class Turn:
    question: str
    plan: NmapScan | EsSearch | Reply
    result_digest: str | None = None

    def to_dict(self) -> dict:
        return {"question": self.question, "plan": self.plan.compact(), "result_digest": self.result_digest}

    @classmethod
    def from_dict(cls, data: dict) -> Turn:
        return cls(str(data["question"]), parse_plan(data["plan"]), data.get("result_digest"))


@dataclass
class Conversation:
    turns: list[Turn] = field(default_factory=list)

    @property
    def last_call(self) -> NmapScan | EsSearch | None:
        """The newest tool call (replies do not replace it)."""
        for turn in reversed(self.turns):
            if not isinstance(turn.plan, Reply):
                return turn.plan
        return None

    def add_call(self, question: str, call: NmapScan | EsSearch) -> Turn:
        """Record a call that was proposed for ``question``; follow-ups now edit it."""
        if isinstance(call, Reply):
            raise TypeError("add_call takes a tool call; use add_reply for a reply")
        return self._add(Turn(question, call))

    def add_reply(self, question: str, reply: Reply) -> Turn:
        return self._add(Turn(question, reply))

    def add(self, question: str, plan: NmapScan | EsSearch | Reply) -> Turn:
        return self._add(Turn(question, plan))

    def _add(self, turn: Turn) -> Turn:
        self.turns.append(turn)
        return turn

    def set_result(self, digest: str) -> None:
        """Note the digest of the newest turn's result (the result itself is not kept)."""
        if self.turns:
            self.turns[-1].result_digest = digest

    def previous_for(self, question: str, follow_up: bool | None = None) -> dict | None:
        """The call a follow-up edits, compact — or None when ``question`` stands on its own.

        ``follow_up`` forces the answer; None guesses from the wording.
        """
        last = self.last_call
        if last is None:
            return None
        if follow_up is None:
            follow_up = looks_like_follow_up(question)
        return last.compact() if follow_up else None

    def clear(self) -> None:
        self.turns.clear()

    # --- persistence ------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {"format": FORMAT, "turns": [t.to_dict() for t in self.turns]}

    @classmethod
    def from_dict(cls, data: dict) -> Conversation:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValidationFailed(f"Not a saved conversation (expected format {FORMAT}).")
        try:
            return cls([Turn.from_dict(t) for t in data.get("turns", [])])
        except (KeyError, TypeError) as e:
            raise ValidationFailed(f"The saved conversation is damaged: missing {e}.") from None

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Conversation:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValidationFailed(f"The saved conversation is not JSON: {e.msg}.") from None
        return cls.from_dict(data)


__all__ = ["Conversation", "Turn", "looks_like_follow_up"]
