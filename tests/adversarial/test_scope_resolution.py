"""Hostnames: the name must be on the allow-list, and every address it resolves to must be in
scope — when the call is proposed and again when it is confirmed (DNS can change between the
card and the keypress). Resolution is injected for the unit cases; `localhost` is resolved for
real through `operatorx run`."""

from __future__ import annotations

import socket

import pytest

from operatorx import policy
from operatorx.agent.confirm import AssumeYes, DenyAll
from operatorx.agent.executor import Executor
from operatorx.audit import AuditLog
from operatorx.config import Config, NmapConfig, ScopeConfig
from operatorx.errors import NotConfirmed, PolicyRefused
from operatorx.policy import evaluate
from operatorx.schemas import NmapScan

SCOPE = ScopeConfig(allow=["127.0.0.0/8", "::1/128"], hostnames=["*.corp.test", "localhost"])


def resolver(table: dict):
    """A getaddrinfo stand-in: name → list of addresses, an exception, or a callable giving either."""

    def resolve(host, port, *args, **kwargs):
        answer = table[host]
        answer = answer() if callable(answer) else answer
        if isinstance(answer, Exception):
            raise answer
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0))
            for a in answer
        ]

    return resolve


NXDOMAIN = socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.mark.parametrize(
    "name, answer, words",
    [
        ("db.corp.test", ["8.8.8.8"], ["resolves to 8.8.8.8", "outside the allowed scope"]),
        ("db.corp.test", ["127.0.0.5", "10.0.0.1"], ["resolves to 10.0.0.1"]),
        ("db.corp.test", ["::1", "2001:db8::1"], ["2001:db8::1"]),
        ("db.corp.test", ["::ffff:127.0.0.1"], ["::ffff:7f00:1", "outside the allowed scope"]),
        ("db.corp.test", ["fe80::1%eth0"], ["fe80::1", "outside the allowed scope"]),
        ("db.corp.test", [], ["does not resolve"]),
        ("db.corp.test", NXDOMAIN, ["does not resolve"]),
        ("DB.CORP.TEST", ["8.8.8.8"], ["resolves to 8.8.8.8"]),
        ("db.corp.test.", ["8.8.8.8"], ["resolves to 8.8.8.8"]),
        ("evil.example", ["127.0.0.1"], ["not in the allowed hostnames"]),
        ("corp.test.evil.example", ["127.0.0.1"], ["not in the allowed hostnames"]),
        ("corp.test", ["127.0.0.1"], ["not in the allowed hostnames"]),
    ],
)
def test_hostnames_are_checked_by_name_and_by_every_address(name, answer, words):
    scan = NmapScan(targets=[name], ports="22")
    d = evaluate(scan, Config(scope=SCOPE), resolve=resolver({name: answer}))
    assert not d.allowed
    for w in words:
        assert w in " ".join(d.reasons)


def test_allowed_name_resolving_inside_scope_is_allowed():
    scan = NmapScan(targets=["db.corp.test"], ports="22")
    d = evaluate(scan, Config(scope=SCOPE), resolve=resolver({"db.corp.test": ["127.0.0.5", "::1"]}))
    assert d.allowed and d.reach.hosts == 2


def test_names_are_never_resolved_before_the_allow_list_says_yes():
    asked = []

    def resolve(host, *a, **k):
        asked.append(host)
        raise AssertionError("must not resolve")

    d = evaluate(NmapScan(targets=["attacker-controlled.example"]), Config(scope=SCOPE), resolve=resolve)
    assert not d.allowed and asked == []


@pytest.fixture
def executor_with_dns(sandbox, monkeypatch):
    """An Executor whose policy resolves through ``table`` (the real runner, the never-scanning nmap)."""

    def make(table: dict, confirmer=None) -> Executor:
        monkeypatch.setitem(policy.evaluate.__kwdefaults__, "resolve", resolver(table))
        recorder = sandbox.root / "bin" / "nmap"
        config = Config(scope=SCOPE, nmap=NmapConfig(binary=str(recorder)))
        return Executor(config, sandbox.audit, confirmer or AssumeYes(), privileged=True)

    return make


def test_dns_rebinding_between_card_and_confirmation_is_caught(sandbox, executor_with_dns):
    answers = iter([["127.0.0.5"], ["8.8.8.8"]])
    ex = executor_with_dns({"db.corp.test": lambda: next(answers)})
    proposal = ex.propose(NmapScan(targets=["db.corp.test"], ports="22"))
    assert proposal.allowed  # what the card showed
    with pytest.raises(PolicyRefused, match="resolves to 8.8.8.8"):
        ex.execute(proposal)
    assert sandbox.events() == ["proposed", "refused"]
    assert sandbox.nmap_runs() == []


def test_name_that_stops_resolving_is_refused_at_execution(sandbox, executor_with_dns):
    answers = iter([["127.0.0.5"], NXDOMAIN])
    ex = executor_with_dns({"db.corp.test": lambda: next(answers)})
    proposal = ex.propose(NmapScan(targets=["db.corp.test"], ports="22"))
    with pytest.raises(PolicyRefused, match="does not resolve"):
        ex.execute(proposal)
    assert sandbox.nmap_runs() == []


def test_real_resolution_of_localhost_outside_a_narrow_scope(sandbox):
    """`localhost` really resolves to 127.0.0.1 (and maybe ::1); a scope of 127.0.0.2 refuses it."""
    sandbox.config_path.write_text(
        sandbox.config_path.read_text() + '\n[scope]\nallow = ["127.0.0.2/32"]\nhostnames = ["localhost"]\n'
    )
    r = sandbox.ox("run", "--tool", "nmap", "--call", '{"targets": ["localhost"], "ports": "22"}', "--yes")
    assert r.code == 3, r.err
    assert "hostname localhost resolves to" in r.err and "127.0.0.1" in r.err
    assert "outside the allowed scope (127.0.0.2/32)" in r.err
    assert sandbox.events() == ["refused"] and sandbox.nmap_runs() == []


def test_real_resolution_of_localhost_inside_the_default_scope(sandbox):
    ex = Executor(
        Config(nmap=NmapConfig(binary=str(sandbox.root / "bin" / "nmap"))), sandbox.audit, DenyAll()
    )
    proposal = ex.propose(NmapScan(targets=["localhost"], ports="22"))
    assert proposal.allowed, proposal.decision.reasons
    with pytest.raises(NotConfirmed):
        ex.execute(proposal)
    assert sandbox.events() == ["proposed", "denied"] and sandbox.nmap_runs() == []


def test_audit_log_of_a_rebinding_refusal_names_the_new_address(sandbox, executor_with_dns):
    answers = iter([["127.0.0.5"], ["203.0.113.9"]])
    ex = executor_with_dns({"db.corp.test": lambda: next(answers)})
    with pytest.raises(PolicyRefused):
        ex.execute(ex.propose(NmapScan(targets=["db.corp.test"], ports="22")))
    refused = AuditLog(sandbox.audit.path).entries()[-1]
    assert refused["event"] == "refused" and "203.0.113.9" in " ".join(refused["reasons"])
