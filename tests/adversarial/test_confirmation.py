"""The whole-app property, end to end: nothing runs without a literal yes or a typed --yes.

tests/test_executor_gate.py checks the gate statically and with recorders; here `operatorx run`
is driven with every kind of answer — no, nothing, Enter, a closed stdin, EOF, 'yes please',
escape codes — and two witnesses say what ran: the audit log and the nmap wrapper (which
records each start and then is the real nmap, scanning one loopback port).
"""

from __future__ import annotations

import json
import socket

import pytest

pytestmark = pytest.mark.nmap

# (stdin, runs?) — TerminalConfirmer reads one line; only y / yes (any case, spaces around) is a yes.
ANSWERS = [
    ("n\n", False),
    ("no\n", False),
    ("", False),  # end of input at once
    ("\n", False),  # just Enter: the default is No
    ("yes please\n", False),
    ("ye\n", False),
    ("yy\n", False),
    ("y es\n", False),
    ("true\n", False),
    ("1\n", False),
    ("oui\n", False),
    ("\x1b[Ay\n", False),  # an arrow key, then y
    ("\ny\n", False),  # the answer is the first line, and it was empty
    ("nope, y\n", False),
    ("y\n", True),
    ("Y\n", True),
    ("yes\n", True),
    (" YES \n", True),
    ("y", True),  # y, then end of input (Ctrl-D): still a typed y
]


@pytest.fixture
def listener():
    s = socket.create_server(("127.0.0.1", 0))
    yield s.getsockname()[1]
    s.close()


def call_for(port: int) -> str:
    return json.dumps({"targets": ["127.0.0.1"], "ports": str(port), "technique": "connect"})


def assert_ran(sb, code: int, by: str) -> None:
    assert code == 0
    assert sb.events() == ["proposed", "confirmed", "executed"]
    assert sb.audit.entries()[1]["by"] == by
    assert len(sb.nmap_runs()) == 1


def assert_did_not_run(sb, code: int) -> None:
    assert code == 1
    assert sb.events() == ["proposed", "denied"]
    assert sb.audit.entries()[1]["by"] == "terminal prompt"
    assert sb.nmap_runs() == []


@pytest.mark.parametrize("answer, runs", ANSWERS, ids=[repr(a) for a, _ in ANSWERS])
def test_only_a_literal_yes_runs(live_sandbox, listener, answer, runs):
    r = live_sandbox.ox("run", "--tool", "nmap", "--call", call_for(listener), stdin=answer)
    assert "Run this? [y/N]" in r.err
    if runs:
        assert_ran(live_sandbox, r.code, "terminal prompt")
        assert f"{listener}/tcp" in r.out
    else:
        assert_did_not_run(live_sandbox, r.code)
        assert "Not confirmed: nothing was run." in r.err and r.out == ""


PROCESS_ANSWERS = [("n\n", False), ("", False), (None, False), ("yes please\n", False), ("y\n", True)]


@pytest.mark.parametrize("answer, runs", PROCESS_ANSWERS, ids=["n", "empty", "closed", "yes-please", "y"])
def test_only_a_literal_yes_runs_in_a_real_process(live_sandbox, listener, answer, runs):
    """The same through a separate process: a real stdin pipe, /dev/null, end of file."""
    r = live_sandbox.ox_process("run", "--tool", "nmap", "--call", call_for(listener), stdin=answer)
    if runs:
        assert_ran(live_sandbox, r.code, "terminal prompt")
    else:
        assert_did_not_run(live_sandbox, r.code)


def test_typed_yes_flag_runs_and_is_recorded_as_such(live_sandbox, listener):
    r = live_sandbox.ox_process("run", "--tool", "nmap", "--call", call_for(listener), "--yes", stdin=None)
    assert_ran(live_sandbox, r.code, "--yes on the command line")


def test_the_call_read_from_stdin_cannot_also_carry_the_answer(live_sandbox, listener):
    """With --call -, stdin is the call; a 'y' smuggled after it is never read as a yes."""
    r = live_sandbox.ox("run", "--tool", "nmap", "--call", "-", stdin=call_for(listener) + "\ny\n")
    assert r.code == 2 and live_sandbox.events() == ["refused"]
    r = live_sandbox.ox("run", "--tool", "nmap", "--call", "-", stdin=call_for(listener))
    assert r.code == 1 and live_sandbox.events() == ["refused", "proposed", "denied"]
    assert live_sandbox.nmap_runs() == []


def test_every_path_to_a_run_passed_a_confirmation_record(live_sandbox, listener):
    """Across many runs in one log: each 'executed' follows its own 'confirmed', same proposal."""
    for answer in ("y\n", "n\n", "", "yes\n", "yes please\n"):
        live_sandbox.ox("run", "--tool", "nmap", "--call", call_for(listener), stdin=answer)
    live_sandbox.ox("run", "--tool", "nmap", "--call", call_for(listener), "--yes")
    entries = live_sandbox.audit.entries()
    confirmed = {e["proposal"]: e for e in entries if e["event"] == "confirmed"}
    executed = [e for e in entries if e["event"] == "executed"]
    assert len(executed) == 3 == len(live_sandbox.nmap_runs())
    for e in executed:
        c = confirmed[e["proposal"]]
        assert c["seq"] < e["seq"] and c["argv"] == e["argv"]
