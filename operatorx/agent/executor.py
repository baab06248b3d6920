"""The only path from a tool call to a running tool: propose → confirm → execute, audited.

``propose`` validates and applies policy (scope, caps, privileges, live field check, reach)
and records the outcome. ``execute`` re-checks policy (addresses can change between card
and keypress), asks the confirmer — default deny — and records its answer *before* anything
runs; if that record cannot be written, nothing runs. Runners are imported here and nowhere
else in the runtime (tests/test_executor_gate.py checks that).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from operatorx.agent.confirm import Confirmer, DenyAll
from operatorx.audit import AuditLog
from operatorx.config import Config
from operatorx.errors import (
    ExecutionFailed,
    NotConfirmed,
    OperatorXError,
    PolicyRefused,
    ToolUnavailable,
    ValidationFailed,
)
from operatorx.policy import PolicyDecision, evaluate
from operatorx.schemas.elastic import EsSearch
from operatorx.schemas.nmap import NmapScan

ToolCall = NmapScan | EsSearch


@dataclass
class Proposal:
    """A call ready for the confirmation card: everything the analyst needs to decide."""

    call: ToolCall
    decision: PolicyDecision
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    notes: list[str] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return self.decision.allowed

    @property
    def tool(self) -> str:
        return self.call.tool

    @property
    def command(self) -> str:
        return self.call.to_command()

    @property
    def explanation(self) -> str:
        return self.call.describe()

    def request(self) -> dict:
        """What is audited as the exact action: the argv, or index + body."""
        if isinstance(self.call, NmapScan):
            return {"argv": self.call.to_argv()}
        return {"request": {"index": self.call.index, "body": self.call.to_body()}}

    def card_text(self) -> str:
        d = self.decision
        lines = [
            f"── {self.tool} ── risk: {d.risk.upper()} ── reach: {d.reach.text()}",
            self.command,
            "",
            self.explanation,
        ]
        if d.risk_reasons:
            lines.append("Risk: " + "; ".join(d.risk_reasons))
        lines += [f"Note: {n}" for n in self.notes + d.notes]
        lines.append("Scope: OK" if d.allowed else "REFUSED: " + "; ".join(d.reasons))
        return "\n".join(lines)


class Executor:
    """Holds config, audit log and confirmer; owns the ES client and catalog once made."""

    def __init__(
        self,
        config: Config,
        audit: AuditLog,
        confirmer: Confirmer | None = None,
        *,
        es_client_factory: Callable[[], object] | None = None,
        privileged: bool | None = None,
    ):
        self.config = config
        self.audit = audit
        self.confirmer: Confirmer = confirmer or DenyAll()
        self._es_factory = es_client_factory
        self._es_client = None
        self._catalogs: dict[str, object] = {}
        self._privileged = privileged

    # --- collaborators -------------------------------------------------------------------

    def es_client(self):
        if self._es_client is None:
            if self._es_factory is None:
                from operatorx.tools.elastic.client import make_client

                self._es_client = make_client(self.config.elasticsearch)
            else:
                self._es_client = self._es_factory()
        return self._es_client

    def catalog(self, index: str):
        """The live field catalog of ``index`` (cached), or the packaged SO catalog if unreachable."""
        from operatorx.tools.elastic.catalog import FieldCatalog

        if index not in self._catalogs:
            try:
                self._catalogs[index] = FieldCatalog.load(self.es_client(), index)
            except OperatorXError:
                return FieldCatalog.packaged()
        return self._catalogs[index]

    @property
    def privileged(self) -> bool:
        if self._privileged is None:
            from operatorx.tools.nmap.runner import privileged

            self._privileged = privileged(self.config.nmap)
        return self._privileged

    # --- propose -------------------------------------------------------------------------

    def propose(self, call: ToolCall) -> Proposal:
        """Validate and apply policy; the result is audited as proposed or refused."""
        notes: list[str] = []
        if isinstance(call, NmapScan):
            from operatorx.tools.nmap.runner import adapt_for_privileges

            try:
                call, notes = adapt_for_privileges(call, self.privileged)
            except ValidationFailed as e:
                decision = PolicyDecision(False, [str(e)])
                return self._record_proposal(Proposal(call, decision))
            decision = evaluate(call, self.config)
        else:
            catalog = self.catalog(call.index)
            decision = evaluate(call, self.config, catalog=catalog)
            if decision.allowed:
                notes += self._count(call, decision)
        return self._record_proposal(Proposal(call, decision, notes=notes))

    def _count(self, call: EsSearch, decision: PolicyDecision) -> list[str]:
        from operatorx.tools.elastic.runner import count

        try:
            decision.reach.documents = count(call, self.es_client())
        except OperatorXError as e:
            return [f"could not count matching documents: {e}"]
        return []

    def _record_proposal(self, p: Proposal) -> Proposal:
        event = "proposed" if p.allowed else "refused"
        self.audit.append(
            event,
            proposal=p.id,
            tool=p.tool,
            call=p.call.compact(),
            **p.request(),
            risk=p.decision.risk,
            reach=p.decision.reach.text(),
            reasons=p.decision.reasons,
            notes=p.notes,
        )
        return p

    def refuse_invalid(self, tool: str, raw: object, error: str) -> None:
        """Record a call that never became a valid proposal (malformed, injection, …)."""
        self.audit.append("refused", tool=tool, raw=raw, reasons=[error])

    # --- execute -------------------------------------------------------------------------

    def execute(
        self,
        proposal: Proposal,
        *,
        progress: Callable[[object], None] | None = None,
        cancel: threading.Event | None = None,
        confirmer: Confirmer | None = None,
    ):
        """Confirm, then run. Raises PolicyRefused, NotConfirmed, ToolUnavailable or ExecutionFailed."""
        if not proposal.allowed:
            raise PolicyRefused(proposal.decision.reasons)
        recheck = (
            evaluate(proposal.call, self.config)
            if isinstance(proposal.call, NmapScan)
            else evaluate(proposal.call, self.config, catalog=self.catalog(proposal.call.index))
        )
        if not recheck.allowed:
            self.audit.append("refused", proposal=proposal.id, tool=proposal.tool, reasons=recheck.reasons)
            raise PolicyRefused(recheck.reasons)
        who = confirmer or self.confirmer
        try:
            yes = who.confirm(proposal) is True
        except Exception as e:  # a broken confirmer is a no
            yes = False
            proposal.notes.append(f"confirmation failed: {e}")
        self.audit.append(
            "confirmed" if yes else "denied",
            proposal=proposal.id,
            tool=proposal.tool,
            by=who.name,
            **proposal.request(),
        )
        if not yes:
            raise NotConfirmed("Not confirmed: nothing was run.")
        return self._run(proposal, progress, cancel)

    def _run(self, proposal: Proposal, progress, cancel):
        started = time.monotonic()
        try:
            if isinstance(proposal.call, NmapScan):
                from operatorx.tools.nmap.runner import run_scan

                result = run_scan(proposal.call, config=self.config.nmap, progress=progress, cancel=cancel)
            else:
                from operatorx.tools.elastic.runner import run_search

                result = run_search(proposal.call, self.es_client(), self.config.elasticsearch)
        except (ToolUnavailable, ExecutionFailed) as e:
            cancelled = cancel is not None and cancel.is_set()
            self.audit.append(
                "cancelled" if cancelled else "failed",
                proposal=proposal.id,
                tool=proposal.tool,
                error=str(e),
                elapsed_s=round(time.monotonic() - started, 3),
            )
            raise
        except KeyboardInterrupt:
            self.audit.append(
                "cancelled", proposal=proposal.id, tool=proposal.tool, error="interrupted (Ctrl-C)"
            )
            raise
        self.audit.append(
            "executed",
            proposal=proposal.id,
            tool=proposal.tool,
            **proposal.request(),
            digest=result.digest(),
            elapsed_s=round(time.monotonic() - started, 3),
        )
        return result
