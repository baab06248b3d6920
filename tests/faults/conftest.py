"""Stand-ins for services that fail: an Elasticsearch that errs on demand, a port nobody
listens on, an nmap wrapper that tells us its pid. All on 127.0.0.1; nothing leaves the host.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FakeES

from operatorx.audit import AuditLog


@pytest.fixture
def fake_es() -> Iterator[FakeES]:
    es = FakeES()
    yield es
    es.close()


@pytest.fixture
def audit(tmp_path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


PIDFILE_NMAP = """#!/bin/sh
# Writes its pid (which nmap keeps: exec) and then becomes the real nmap.
echo $$ >> '{pids}'
exec '{nmap}' "$@"
"""


@pytest.fixture
def pid_nmap(tmp_path, nmap_path) -> tuple[Path, Path]:
    """(wrapper path, file where each started nmap's pid appears)."""
    pids = tmp_path / "nmap.pids"
    wrapper = tmp_path / "bin" / "nmap"
    wrapper.parent.mkdir(exist_ok=True)
    wrapper.write_text(PIDFILE_NMAP.format(pids=pids, nmap=nmap_path))
    wrapper.chmod(0o755)
    return wrapper, pids


@pytest.fixture
def listener() -> Iterator[int]:
    s = socket.create_server(("127.0.0.1", 0))
    yield s.getsockname()[1]
    s.close()
