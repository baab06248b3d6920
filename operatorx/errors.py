"""Error types whose message is written for the analyst, not for a traceback.

Every layer raises one of these for anything the user can fix (bad input, a refused
call, a service that does not answer); the CLI and the TUI print ``str(error)`` and
keep going. Anything else is a bug and is allowed to surface as one.
"""

from __future__ import annotations


class OperatorXError(Exception):
    """Base class: ``str(err)`` is a complete sentence the analyst can act on."""


class ConfigError(OperatorXError):
    """The configuration file is missing, malformed or names something unusable."""


class ValidationFailed(OperatorXError):
    """A tool call does not fit its schema (malformed, unknown field, injection attempt)."""


class PolicyRefused(OperatorXError):
    """A well-formed call that policy will not run (out of scope, too wide, not read-only)."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("Refused: " + "; ".join(self.reasons))


class NotConfirmed(OperatorXError):
    """The confirmation port said no (or nobody was asked): nothing was executed."""


class ToolUnavailable(OperatorXError):
    """nmap is missing, Elasticsearch does not answer, credentials are refused, …"""


class ExecutionFailed(OperatorXError):
    """The tool ran but failed or was cancelled."""


class PlannerError(OperatorXError):
    """The planner itself cannot run (model missing, corrupt, server down)."""
