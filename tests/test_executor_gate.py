"""No code path reaches a runner without a confirmation record (or a typed --yes).

These tests swap the runners for recorders, so they check the gate itself; the live tests
(test_nmap_live, test_es_live, test_cli_run) run the real tools through the same gate.
"""

import re
import threading
from pathlib import Path

import pytest

from operatorx.agent.confirm import AssumeYes, DenyAll
from operatorx.agent.executor import Executor
from operatorx.audit import AuditError, AuditLog, verify
from operatorx.config import Config
from operatorx.errors import NotConfirmed, PolicyRefused
from operatorx.schemas import NmapScan

PKG = Path(__file__).resolve().parent.parent / "operatorx"


class Recorder:
    def __init__(self, audit):
        self.audit, self.calls = audit, []

    def __call__(self, scan, **kw):
        events = [e["event"] for e in self.audit.entries()]
        self.calls.append((scan, events))

        class R:
            def digest(self):
                return "d" * 64

        return R()


@pytest.fixture
def gate(tmp_path, monkeypatch):
    audit = AuditLog(tmp_path / "audit.jsonl")
    rec = Recorder(audit)
    monkeypatch.setattr("operatorx.tools.nmap.runner.run_scan", rec)
    return audit, rec


def events(audit):
    return [e["event"] for e in audit.entries()]


def test_default_confirmer_denies_and_nothing_runs(gate):
    audit, rec = gate
    ex = Executor(Config(), audit, privileged=True)
    p = ex.propose(NmapScan(targets=["127.0.0.1"], ports="22"))
    with pytest.raises(NotConfirmed):
        ex.execute(p)
    assert rec.calls == []
    assert events(audit) == ["proposed", "denied"]
    assert audit.entries()[1]["by"] == "default-deny"


def test_confirmed_call_runs_after_the_confirmation_is_recorded(gate):
    audit, rec = gate
    ex = Executor(Config(), audit, AssumeYes(), privileged=True)
    ex.execute(ex.propose(NmapScan(targets=["127.0.0.1"], ports="22")))
    ((_, seen),) = rec.calls
    assert seen == ["proposed", "confirmed"]
    assert events(audit) == ["proposed", "confirmed", "executed"]
    assert audit.entries()[2]["argv"][0] == "nmap"
    assert verify(audit.path).ok


def test_refused_call_never_reaches_the_confirmer_or_runner(gate):
    audit, rec = gate
    asked = []

    class Spy:
        name = "spy"

        def confirm(self, p):
            asked.append(p)
            return True

    ex = Executor(Config(), audit, Spy(), privileged=True)
    p = ex.propose(NmapScan(targets=["8.8.8.8"]))
    assert not p.allowed
    with pytest.raises(PolicyRefused, match="8.8.8.8"):
        ex.execute(p)
    assert asked == [] and rec.calls == []
    assert events(audit) == ["refused"]


def test_tampered_proposal_is_rechecked_before_running(gate):
    audit, rec = gate
    ex = Executor(Config(), audit, AssumeYes(), privileged=True)
    p = ex.propose(NmapScan(targets=["127.0.0.1"]))
    object.__setattr__(p.call, "targets", ["8.8.8.8"])  # bypasses validation on purpose
    with pytest.raises(PolicyRefused):
        ex.execute(p)
    assert rec.calls == []


def test_a_confirmer_that_crashes_counts_as_no(gate):
    audit, rec = gate

    class Broken:
        name = "broken"

        def confirm(self, p):
            raise RuntimeError("ui went away")

    ex = Executor(Config(), audit, Broken(), privileged=True)
    with pytest.raises(NotConfirmed):
        ex.execute(ex.propose(NmapScan(targets=["127.0.0.1"])))
    assert rec.calls == [] and events(audit)[-1] == "denied"


def test_unwritable_audit_log_means_nothing_runs(gate, tmp_path):
    _, rec = gate
    blocker = tmp_path / "f"
    blocker.write_text("")
    ex = Executor(Config(), AuditLog(blocker / "audit.jsonl"), AssumeYes(), privileged=True)
    with pytest.raises(AuditError):
        ex.execute(ex.propose(NmapScan(targets=["127.0.0.1"])))
    assert rec.calls == []


def test_deny_all_is_the_default():
    assert isinstance(Executor(Config(), AuditLog("/nonexistent/x")).confirmer, DenyAll)


def test_runners_are_called_only_from_the_executor():
    """A static property of the whole runtime: only agent/executor.py names a runner."""
    offenders = []
    for path in PKG.rglob("*.py"):
        rel = path.relative_to(PKG).as_posix()
        if rel in ("agent/executor.py", "tools/nmap/runner.py", "tools/elastic/runner.py") or rel.startswith(
            "training/"
        ):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(run_scan|run_search)\b", text):
            offenders.append(rel)
    assert offenders == []


def test_cancel_event_is_passed_to_the_runner(gate):
    audit, rec = gate
    cancel = threading.Event()
    seen = {}

    def runner(scan, **kw):
        seen.update(kw)
        return rec(scan)

    import operatorx.tools.nmap.runner as r

    r.run_scan = runner  # restored by the gate fixture's monkeypatch
    ex = Executor(Config(), audit, AssumeYes(), privileged=True)
    ex.execute(ex.propose(NmapScan(targets=["127.0.0.1"])), cancel=cancel)
    assert seen["cancel"] is cancel
