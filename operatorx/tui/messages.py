"""What happened, as past-tense messages: workers post them, the app turns them into UI.

Workers run in threads; ``post_message`` is thread-safe, so every fact a worker learns
(a plan, a progress tick, a result, an error) travels to the UI as one of these and the
widgets are only ever touched on the event loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from textual.message import Message


@dataclass
class QuestionAsked(Message):
    """The analyst pressed Enter in the prompt."""

    text: str


@dataclass
class PlanProposed(Message):
    """The planner (or an edit) produced a call; policy has judged it (it may be refused)."""

    question: str
    proposal: Any  # operatorx.agent.executor.Proposal


@dataclass
class PlanReplied(Message):
    """The planner answered in words instead of a call (clarify or refuse): nothing to run."""

    question: str
    kind: str
    text: str


@dataclass
class PlanFailed(Message):
    """No call came out of the question: the model or validation failed (fail closed)."""

    question: str
    error: str


@dataclass
class RunDenied(Message):
    """The analyst said no (n/Esc) or asked to edit; the executor ran nothing."""

    proposal: Any
    edit: bool = False


@dataclass
class ScanProgressed(Message):
    """nmap reported progress (percent, ETA, current task)."""

    proposal: Any
    percent: float
    eta_s: float | None
    task: str


@dataclass
class ScanFinished(Message):
    proposal: Any
    result: Any  # operatorx.tools.nmap.results.ScanResult
    summary: str


@dataclass
class SearchFinished(Message):
    proposal: Any
    result: Any  # operatorx.tools.elastic.runner.SearchResult
    summary: str


@dataclass
class RunCancelled(Message):
    """The analyst cancelled a running scan; the runner killed nmap."""

    proposal: Any
    error: str


@dataclass
class RunFailed(Message):
    """The tool could not run or failed (nmap missing, cluster down, refused on re-check …)."""

    proposal: Any
    error: str


@dataclass
class ClusterStarting(Message):
    """The local demo Elasticsearch is being started (first run, no URL configured)."""

    url: str


@dataclass
class ClusterConnected(Message):
    """Elasticsearch answered: ``info`` is operatorx.tools.elastic.client.ClusterInfo."""

    info: Any
    demo: bool


@dataclass
class ClusterFailed(Message):
    error: str
    demo: bool


@dataclass
class ConfirmationAnswered(Message):
    """The analyst answered the card: ``yes`` runs it; ``edit`` means no, open the editor."""

    proposal: Any
    yes: bool
    edit: bool
