"""nmap missing, killed mid-scan, run without root, interrupted with Ctrl-C — on loopback only.

Each fault: one clear sentence, the audit log complete (``failed`` / ``cancelled`` /
``refused`` with the reason) and intact, no nmap left running, and the next call works.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from operatorx.agent.confirm import AssumeYes
from operatorx.agent.executor import Executor
from operatorx.audit import AuditLog, verify
from operatorx.cli import main
from operatorx.config import Config, NmapConfig
from operatorx.errors import ExecutionFailed, PolicyRefused, ToolUnavailable
from operatorx.schemas import NmapScan

pytestmark = pytest.mark.nmap


def events(audit) -> list[str]:
    return [e["event"] for e in audit.entries()]


def quick(port: int, **kw) -> NmapScan:
    return NmapScan(targets=["127.0.0.1"], ports=str(port), technique="connect", skip_discovery=True, **kw)


def slow() -> NmapScan:
    """1000 loopback ports at one probe a second: a scan that is still running when we act."""
    return NmapScan(targets=["127.0.0.1"], technique="connect", ports="1-1000", max_rate=1)


def wait_for_pid(pids: Path, timeout: float = 20) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pids.exists() and pids.read_text().strip():
            pid = int(pids.read_text().split()[-1])
            # the wrapper has exec'd nmap once /proc/<pid>/comm says so
            comm = Path(f"/proc/{pid}/comm")
            if comm.exists() and comm.read_text().strip() == "nmap":
                return pid
        time.sleep(0.05)
    raise AssertionError("nmap did not start")


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"  # a zombie has stopped; its parent reaps it


def assert_works(ex: Executor, audit, port: int, before: int) -> None:
    result = ex.execute(ex.propose(quick(port)))
    assert [p.port for _, p in result.open_ports()] == [port]
    assert events(audit)[before:] == ["proposed", "confirmed", "executed"]
    assert verify(audit.path).ok


def test_nmap_missing(tmp_path, nmap_path, listener):
    audit = AuditLog(tmp_path / "audit.jsonl")
    config = Config(nmap=NmapConfig(binary=str(tmp_path / "no" / "nmap")))
    ex = Executor(config, audit, AssumeYes("test"), privileged=True)
    with pytest.raises(ToolUnavailable) as caught:
        ex.execute(ex.propose(quick(listener)))
    assert "nmap is not installed (apt-get install nmap)" in str(caught.value)
    assert "nmap.binary" in str(caught.value)
    assert events(audit) == ["proposed", "confirmed", "failed"]
    assert audit.entries()[-1]["error"] == str(caught.value)
    config.nmap.binary = nmap_path  # the analyst fixes the setting; the same session goes on
    assert_works(ex, audit, listener, before=3)


def test_nmap_missing_through_the_cli(tmp_path, listener):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[audit]\npath = "{tmp_path / "a.jsonl"}"\n[nmap]\nbinary = "/nonexistent/nmap"\n')
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", "--tool", "nmap", "--call", f"nmap -sT -p {listener} 127.0.0.1", "--yes", "--config", str(cfg)])  # fmt: skip
    assert code == 2
    assert "operatorx: nmap is not installed" in err.getvalue()


def test_nmap_killed_mid_scan(tmp_path, pid_nmap, listener):
    wrapper, pids = pid_nmap
    audit = AuditLog(tmp_path / "audit.jsonl")
    ex = Executor(Config(nmap=NmapConfig(binary=str(wrapper))), audit, AssumeYes("test"), privileged=True)
    proposal = ex.propose(slow())
    outcome: dict = {}

    def run():
        try:
            ex.execute(proposal)
        except Exception as e:  # noqa: BLE001 - handed to the test thread
            outcome["error"] = e

    t = threading.Thread(target=run)
    t.start()
    pid = wait_for_pid(pids)
    os.kill(pid, signal.SIGKILL)
    t.join(timeout=20)
    assert not t.is_alive()
    error = outcome["error"]
    assert isinstance(error, ExecutionFailed)
    assert "nmap was killed by signal 9" in str(error)
    assert gone(pid)
    assert events(audit) == ["proposed", "confirmed", "failed"]
    assert audit.entries()[-1]["error"] == str(error)
    assert_works(ex, audit, listener, before=3)


def test_without_root_syn_becomes_connect_with_a_note(tmp_path, nmap_path, listener):
    audit = AuditLog(tmp_path / "audit.jsonl")
    config = Config(nmap=NmapConfig(binary=nmap_path, privileged=False))
    ex = Executor(config, audit, AssumeYes("test"))
    proposal = ex.propose(NmapScan(targets=["127.0.0.1"], ports=str(listener), technique="syn"))
    assert proposal.allowed
    assert "SYN scan needs root; using a TCP connect scan instead." in proposal.notes
    assert "-sT" in proposal.call.to_argv() and "-sS" not in proposal.call.to_argv()
    assert "Note: SYN scan needs root" in proposal.card_text()
    result = ex.execute(proposal)
    assert [p.port for _, p in result.open_ports()] == [listener]
    executed = audit.entries()[-1]
    assert executed["event"] == "executed" and "-sT" in executed["argv"]
    assert audit.entries()[0]["notes"] == ["SYN scan needs root; using a TCP connect scan instead."]


@pytest.mark.parametrize(
    "scan, words",
    [
        ({"os_detection": True}, "OS detection (-O) needs root privileges"),
        ({"aggressive": True}, "aggressive mode (-A)"),
        ({"technique": "udp", "ports": "53"}, "UDP scan (-sU) needs root"),
        ({"technique": "xmas"}, "Xmas scan (-sX) needs root"),
        ({"traceroute": True}, "traceroute (--traceroute) needs root"),
    ],
)
def test_without_root_raw_socket_work_is_refused_clearly(tmp_path, pid_nmap, scan, words):
    wrapper, pids = pid_nmap
    audit = AuditLog(tmp_path / "audit.jsonl")
    ex = Executor(Config(nmap=NmapConfig(binary=str(wrapper), privileged=False)), audit, AssumeYes("test"))
    proposal = ex.propose(NmapScan(targets=["127.0.0.1"], **scan))
    assert not proposal.allowed
    reasons = " ".join(proposal.decision.reasons)
    assert words in reasons and "set nmap.privileged" in reasons
    with pytest.raises(PolicyRefused):
        ex.execute(proposal)
    assert events(audit) == ["refused"] and not pids.exists()


def test_without_root_through_the_cli(tmp_path, pid_nmap):
    wrapper, pids = pid_nmap
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[audit]\npath = "{tmp_path / "a.jsonl"}"\n[nmap]\nbinary = "{wrapper}"\nprivileged = false\n'
    )
    r = subprocess.run(
        [sys.executable, "-m", "operatorx", "run", "--tool", "nmap", "--call", "nmap -O 127.0.0.1", "--yes"],
        capture_output=True,
        text=True,
        env=dict(os.environ, OPERATORX_CONFIG=str(cfg)),
        timeout=60,
    )
    assert r.returncode == 3
    assert "OS detection (-O) needs root privileges" in r.stderr and "Nothing was run" in r.stderr
    assert "service/version detection (-sV)" in r.stderr  # the hint: what works without root
    assert not pids.exists()


def test_ctrl_c_during_a_scan(tmp_path, pid_nmap):
    """`operatorx run --yes` on a slow scan; SIGINT to its process group, as a terminal sends it."""
    wrapper, pids = pid_nmap
    cfg = tmp_path / "config.toml"
    audit_path = tmp_path / "audit.jsonl"
    cfg.write_text(f'[audit]\npath = "{audit_path}"\n[nmap]\nbinary = "{wrapper}"\n')
    call = json.dumps(slow().compact())
    proc = subprocess.Popen(
        [sys.executable, "-m", "operatorx", "run", "--tool", "nmap", "--call", call, "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, OPERATORX_CONFIG=str(cfg)),
        start_new_session=True,  # its own group, like a foreground job
    )
    try:
        pid = wait_for_pid(pids)
        time.sleep(0.3)  # let it print some progress
        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # nmap has its own session: only OperatorX gets it
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert time.monotonic() - started < 10
    assert proc.returncode == 2, err
    assert "Scan cancelled; nmap was stopped" in err
    assert gone(pid)
    audit = AuditLog(audit_path)
    assert events(audit) == ["proposed", "confirmed", "cancelled"]
    assert verify(audit_path).ok
