"""The confirmation card: risk, reach, scope, what the call does in plain words, the exact command.

The explanation comes from ``call.describe()`` — built from the call's fields, never from
the model's prose — so the card cannot be talked into saying something the call does not do.
The same card sits in the modal (full) and in the transcript (compact, no key hints).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

if TYPE_CHECKING:
    from operatorx.agent.executor import Proposal

RISK_STYLE = {"low": "bold green", "medium": "bold yellow", "high": "bold red"}


COMPACT_BODY_LINES = 8


def command_renderable(tool: str, command: str, *, compact: bool = False) -> RenderableType:
    """The command, highlighted: a shell line for nmap, request line + JSON body for a search.

    ``compact`` (the transcript) shortens a long request body; the modal card shows it all.
    """
    if tool == "nmap":
        return Syntax(command, "bash", theme="ansi_dark", background_color="default", word_wrap=True)
    first, _, body = command.partition("\n")
    lines = body.splitlines()
    more = None
    if compact and len(lines) > COMPACT_BODY_LINES:
        more = Text(
            f"  … {len(lines) - COMPACT_BODY_LINES} more lines (F4 shows and edits the whole request)",
            style="dim",
        )
        body = "\n".join(lines[:COMPACT_BODY_LINES])
    parts: list[RenderableType] = [
        Text(first, style="bold"),
        Syntax(body, "json", theme="ansi_dark", background_color="default", word_wrap=True),
    ]
    if more is not None:
        parts.append(more)
    return Group(*parts)


def reach_text(proposal: Proposal) -> str:
    try:
        return proposal.decision.reach.text()
    except AttributeError:  # a stand-in decision without a Reach
        return str(getattr(proposal.decision, "reach", "?"))


def card_renderable(proposal: Proposal, *, compact: bool = False) -> RenderableType:
    d = proposal.decision
    parts: list[RenderableType] = []
    head = Text()
    head.append("risk ", style="dim")
    head.append(d.risk.upper(), style=RISK_STYLE.get(d.risk, "bold"))
    head.append("   reach ", style="dim")
    head.append(reach_text(proposal))
    head.append("   scope ", style="dim")
    head.append("OK" if d.allowed else "REFUSED", style="bold green" if d.allowed else "bold red")
    parts.append(head)
    parts.append(Text())
    parts.append(Text(proposal.explanation))
    if not compact and d.risk_reasons:
        parts.append(Text("Risk: " + "; ".join(d.risk_reasons), style="dim"))
    for note in [*proposal.notes, *getattr(d, "notes", [])]:
        parts.append(Text(f"Note: {note}", style="italic"))
    if not d.allowed:
        parts.append(Text("Refused — this call cannot run:", style="bold red"))
        for reason in d.reasons:
            parts.append(Text(f"  • {reason}", style="red"))
    parts.append(Text())
    parts.append(command_renderable(proposal.tool, proposal.command, compact=compact))
    return Group(*parts)


class ProposalCard(Static):
    """One proposal, rendered; the border title names the tool and what became of the call."""

    status: reactive[str] = reactive("proposed")
    """proposed, refused, confirmed, not run, edited, ran, cancelled, failed."""

    def __init__(self, proposal: Proposal, *, compact: bool = False, **kwargs):
        super().__init__(card_renderable(proposal, compact=compact), **kwargs)
        self.proposal = proposal
        self.add_class(f"risk-{proposal.decision.risk}")
        if not proposal.allowed:
            self.add_class("refused")
        self.set_reactive(ProposalCard.status, "proposed" if proposal.allowed else "refused")
        self.watch_status(self.status)

    def watch_status(self, status: str) -> None:
        self.border_title = f"{self.proposal.tool} — {status}"


def pretty_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
