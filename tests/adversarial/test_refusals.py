"""Every hostile input in cases.py, through `operatorx run --yes`: refused, explained, audited,
and — proved by three witnesses, not assumed — never executed."""

from __future__ import annotations

import json
import re

import pytest
from cases import ALL, Case

from operatorx.audit import verify

# What must never reach the analyst's terminal from hostile input: it could redraw the screen.
RAW_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def assert_refused_and_not_run(sb, outcome, case: Case) -> None:
    message = outcome.err.lower()
    assert outcome.code == case.code, f"exit {outcome.code}, expected {case.code}:\n{outcome.err}"
    for word in case.words:
        assert word.lower() in message, f"{word!r} not in the message:\n{outcome.err}"
    assert "nothing was run" in message
    assert not RAW_CONTROL.search(outcome.err), f"raw control characters echoed: {outcome.err!r}"
    assert outcome.out == ""
    # Witness 1: the audit log holds the refusal (with the reason) and nothing after it.
    entries = sb.audit.entries()
    assert [e["event"] for e in entries] == ["refused"]
    reasons = " ".join(entries[0]["reasons"]).lower()
    for word in case.words:
        assert word.lower() in reasons, f"{word!r} not in the audited reasons: {reasons}"
    assert verify(sb.audit.path).ok
    # Witness 2: nmap was never started.
    assert sb.nmap_runs() == []
    # Witness 3: Elasticsearch saw at most the read-only field list, never a search or a write.
    assert all("/_field_caps" in p for p in sb.es_paths()), sb.es_paths()


@pytest.mark.parametrize("case", ALL, ids=[c.id for c in ALL])
def test_hostile_call_is_refused_explained_audited_and_not_run(sandbox, case):
    outcome = sandbox.ox("run", "--tool", case.tool, "--call", case.call, "--yes")
    assert_refused_and_not_run(sandbox, outcome, case)


def test_the_suite_is_big_and_covers_every_string_field():
    assert len(ALL) >= 150
    assert len({c.id for c in ALL}) == len(ALL)
    ids = {c.id for c in ALL}
    for field in ("targets", "exclude", "ports", "scripts", "host_timeout"):
        assert {f"nmap-{field}-shell-semicolon", f"nmap-{field}-option-iL"} <= ids
    es_calls = [json.loads(c.call) for c in ALL if c.tool == "elasticsearch" and c.call.startswith("{")]
    keys = set().union(*(set(c) for c in es_calls))
    assert {"index", "body", "where", "fields", "sort", "agg", "since", "until"} <= keys


SAMPLE = ["nmap-targets-shell-semicolon", "nmap-cmd-oN", "scope-mapped", "es-script-query", "es-index-star"]


@pytest.mark.parametrize("cid", SAMPLE)
def test_same_refusals_from_a_real_process(sandbox, cid):
    """A few cases again as `python -m operatorx run`, with the recorder first on PATH too."""
    case = next(c for c in ALL if c.id == cid)
    outcome = sandbox.ox_process("run", "--tool", case.tool, "--call", case.call, "--yes")
    assert_refused_and_not_run(sandbox, outcome, case)


def test_call_from_a_file_and_from_stdin_are_refused_too(sandbox, tmp_path):
    bad = json.dumps({"targets": ["127.0.0.1"], "ports": "22 -oN /tmp/x"})
    (tmp_path / "call.json").write_text(bad)
    r = sandbox.ox("run", "--tool", "nmap", "--call", f"@{tmp_path / 'call.json'}", "--yes")
    assert r.code == 2 and "not a port list" in r.err
    r = sandbox.ox("run", "--tool", "nmap", "--call", "-", "--yes", stdin=bad)
    assert r.code == 2 and "not a port list" in r.err
    assert sandbox.events() == ["refused", "refused"] and sandbox.nmap_runs() == []


@pytest.mark.nmap
def test_a_path_to_nmap_in_the_command_is_not_what_runs(live_sandbox, tmp_path):
    """`/tmp/evil/nmap -sT …` parses (nmap's own path is tolerated), but config.nmap.binary runs."""
    evil = tmp_path / "evil" / "nmap"
    evil.parent.mkdir()
    evil.write_text(f"#!/bin/sh\ntouch {tmp_path / 'evil-ran'}\n")
    evil.chmod(0o755)
    r = live_sandbox.ox("run", "--tool", "nmap", "--call", f"{evil} -sT -p 9 -Pn 127.0.0.1", "--yes")
    assert r.code == 0, r.err
    assert not (tmp_path / "evil-ran").exists()
    (run,) = live_sandbox.nmap_runs()
    assert run.split()[1:] == ["-sT", "-p", "9", "-Pn", "-oX", "-", "--stats-every", "1s", "127.0.0.1"]
    assert live_sandbox.events() == ["proposed", "confirmed", "executed"]
