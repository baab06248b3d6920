"""The audit log cannot be written: disk full, a file-size limit hit mid-entry, an immutable
file, a directory in the way, a damaged last line. Then nothing executes, the message says
why, every entry written before is intact (the chain verifies), and once the log can be
written again the next call works.

The nmap here is the recorder from the adversarial suite's idea: a script that notes it was
started and exits — so "nothing executed" is observed, not assumed.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from operatorx.agent.confirm import AssumeYes
from operatorx.agent.executor import Executor
from operatorx.audit import AuditError, AuditLog, verify
from operatorx.cli import main
from operatorx.config import Config, NmapConfig
from operatorx.errors import PolicyRefused
from operatorx.schemas import NmapScan

RECORDER = "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{log}'\nexit 97\n"
LIMITED = """
import resource, signal, sys
from operatorx.cli import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG / a short write, not a core dump
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.exit(main(sys.argv[2:]))
"""


class Env:
    def __init__(self, tmp_path: Path):
        self.root = tmp_path
        self.log = tmp_path / "audit.jsonl"
        self.runs = tmp_path / "nmap-runs.log"
        self.nmap = tmp_path / "nmap"
        self.nmap.write_text(RECORDER.format(log=self.runs))
        self.nmap.chmod(0o755)
        self.cfg = tmp_path / "config.toml"
        self.cfg.write_text(f'[audit]\npath = "{self.log}"\n[nmap]\nbinary = "{self.nmap}"\n')

    def ox(self, *args: str, stdin: str = "") -> tuple[int, str]:
        err = io.StringIO()
        old, sys.stdin = sys.stdin, io.StringIO(stdin)
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                code = main([*args, "--config", str(self.cfg)])
        finally:
            sys.stdin = old
        return code, err.getvalue()

    def ox_limited(self, limit: int, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-c", LIMITED, str(limit), *args, "--config", str(self.cfg)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    def nmap_runs(self) -> list[str]:
        return self.runs.read_text().splitlines() if self.runs.exists() else []

    def seed(self) -> bytes:
        """A few entries of history: a refusal and a denied call."""
        self.ox("run", "--tool", "nmap", "--call", '{"targets": ["8.8.8.8"]}', "--yes")
        self.ox("run", "--tool", "nmap", "--call", SCAN, stdin="n\n")
        assert [e["event"] for e in AuditLog(self.log).entries()] == ["refused", "proposed", "denied"]
        return self.log.read_bytes()


SCAN = json.dumps({"targets": ["127.0.0.1"], "ports": "9", "technique": "connect"})


@pytest.fixture
def env(tmp_path) -> Env:
    return Env(tmp_path)


def assert_history_intact(env: Env, before: bytes) -> None:
    assert env.log.read_bytes() == before  # not a byte added, not a partial line
    assert verify(env.log).ok


def test_dev_full_means_nothing_runs(env):
    ex = Executor(Config(nmap=NmapConfig(binary=str(env.nmap))), AuditLog("/dev/full"), AssumeYes("test"))
    with pytest.raises(AuditError) as caught:
        ex.propose(NmapScan(targets=["127.0.0.1"], ports="9"))
    expected = "Cannot write the audit log /dev/full: No space left on device; nothing was executed."
    assert str(caught.value) == expected
    assert env.nmap_runs() == []


def test_dev_full_through_the_cli(env):
    env.cfg.write_text(f'[audit]\npath = "/dev/full"\n[nmap]\nbinary = "{env.nmap}"\n')
    code, err = env.ox("run", "--tool", "nmap", "--call", SCAN, "--yes")
    assert code == 2
    assert "operatorx: Cannot write the audit log /dev/full: No space left on device" in err
    assert env.nmap_runs() == []


@pytest.mark.parametrize("room", [0, 40], ids=["full", "room-for-part-of-an-entry"])
def test_disk_fills_before_the_proposal_is_recorded(env, room):
    before = env.seed()
    r = env.ox_limited(len(before) + room, "run", "--tool", "nmap", "--call", SCAN, "--yes")
    assert r.returncode == 2, r.stderr
    assert "Cannot write the audit log" in r.stderr and "nothing was executed" in r.stderr
    assert_history_intact(env, before)
    assert env.nmap_runs() == []
    # Space again: the same command works, and the chain goes on from the last good entry.
    code, _ = env.ox("run", "--tool", "nmap", "--call", SCAN, "--yes")
    assert [e["event"] for e in AuditLog(env.log).entries()][3:] == ["proposed", "confirmed", "failed"]
    assert verify(env.log).ok and len(env.nmap_runs()) == 1  # the recorder ran (and "failed")


def test_disk_fills_between_proposal_and_confirmation(env):
    """The card's 'proposed' entry fits, the 'confirmed' one does not: the scan must not start."""
    before = env.seed()
    proposed_len = len(env.log.read_bytes().splitlines(keepends=True)[1])  # a 'proposed' line of SCAN
    r = env.ox_limited(len(before) + proposed_len + 30, "run", "--tool", "nmap", "--call", SCAN, "--yes")
    assert r.returncode == 2, r.stderr
    assert "Cannot write the audit log" in r.stderr and "nothing was executed" in r.stderr
    entries = AuditLog(env.log).entries()
    assert [e["event"] for e in entries] == ["refused", "proposed", "denied", "proposed"]
    assert env.log.read_bytes().startswith(before) and env.log.read_bytes().endswith(b"\n")
    assert verify(env.log).ok
    assert env.nmap_runs() == []


def test_immutable_log_is_refused_and_kept(env):
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed")
    before = env.seed()
    if subprocess.run(["chattr", "+i", str(env.log)], capture_output=True).returncode != 0:
        pytest.skip("this file system does not support the immutable attribute")
    try:
        code, err = env.ox("run", "--tool", "nmap", "--call", SCAN, "--yes")
        assert code == 2
        assert "Cannot open the audit log" in err and "Operation not permitted" in err
        assert "nothing was executed" in err
        assert env.nmap_runs() == []
    finally:
        subprocess.run(["chattr", "-i", str(env.log)], check=True)
    assert_history_intact(env, before)
    code, _ = env.ox("run", "--tool", "nmap", "--call", SCAN, "--yes")
    assert [e["event"] for e in AuditLog(env.log).entries()][3:] == ["proposed", "confirmed", "failed"]


def test_a_directory_where_the_log_should_be(env, tmp_path):
    (tmp_path / "logdir").mkdir()
    ex = Executor(Config(nmap=NmapConfig(binary=str(env.nmap))), AuditLog(tmp_path / "logdir"), AssumeYes())
    with pytest.raises(
        AuditError, match="Cannot open the audit log .*logdir: Is a directory; nothing was executed"
    ):
        ex.propose(NmapScan(targets=["127.0.0.1"], ports="9"))
    assert env.nmap_runs() == []


def test_a_damaged_last_line_stops_everything_until_verified(env):
    before = env.seed()
    env.log.write_bytes(before + b'{"seq": 3, "event": "exec')  # a crash mid-write, by someone else
    code, err = env.ox("run", "--tool", "nmap", "--call", SCAN, "--yes")
    assert code == 2
    assert "ends in a damaged line; run `operatorx audit verify`" in err and "Nothing was executed" in err
    assert env.nmap_runs() == []
    report = verify(env.log)
    assert not report.ok and "line 4: not valid JSON" in report.text()


def test_the_executor_stays_usable_after_the_log_is_fixed(env, tmp_path):
    """Same Executor: the log moves to a writable place, and the next call goes through."""
    ex = Executor(Config(nmap=NmapConfig(binary=str(env.nmap))), AuditLog("/dev/full"), AssumeYes("test"))
    with pytest.raises(AuditError):
        ex.propose(NmapScan(targets=["127.0.0.1"], ports="9"))
    ex.audit = AuditLog(tmp_path / "new.jsonl")
    proposal = ex.propose(NmapScan(targets=["8.8.8.8"], ports="9"))
    with pytest.raises(PolicyRefused):
        ex.execute(proposal)
    assert [e["event"] for e in ex.audit.entries()] == ["refused"] and verify(ex.audit.path).ok
