"""The confirmation port: nothing runs unless a human said yes to this exact call.

The executor asks its ``Confirmer``; the default denies. The CLI prompts on the terminal
(default No, and end-of-input means No); ``AssumeYes`` exists only for a ``--yes`` that a
person typed; the TUI supplies a modal card. Whoever answered is written to the audit log.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from operatorx.agent.executor import Proposal


class Confirmer(Protocol):
    name: str

    def confirm(self, proposal: Proposal) -> bool:
        """True only on an explicit yes for this proposal."""
        ...


class DenyAll:
    """The default: a call that reaches execution without a real confirmer does not run."""

    name = "default-deny"

    def confirm(self, proposal: Proposal) -> bool:
        return False


class AssumeYes:
    """For `--yes` typed on the command line by a person; recorded as such in the audit log."""

    def __init__(self, who: str = "--yes on the command line"):
        self.name = who

    def confirm(self, proposal: Proposal) -> bool:
        return True


class TerminalConfirmer:
    """Shows the card on the terminal and reads y/N; anything but y/yes is a no."""

    name = "terminal prompt"

    def __init__(self, stdin: TextIO | None = None, stdout: TextIO | None = None):
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stderr

    def confirm(self, proposal: Proposal) -> bool:
        self.stdout.write(proposal.card_text() + "\n")
        self.stdout.write("Run this? [y/N] ")
        self.stdout.flush()
        try:
            answer = self.stdin.readline()
        except (OSError, KeyboardInterrupt):
            return False
        return answer.strip().lower() in ("y", "yes")
