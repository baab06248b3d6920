"""Elasticsearch that is down, slow, failing, refusing credentials or of another major version.

Each fault must give the analyst one clear sentence, leave an audit trail that is complete
and intact (``failed`` with the reason), and leave the program usable: the next call in the
same Executor works once the cluster is back.
"""

from __future__ import annotations

import contextlib
import io
import socket
import threading
import time

import pytest
from fakes import FakeES, free_port

from operatorx.agent.confirm import AssumeYes
from operatorx.agent.executor import Executor
from operatorx.audit import AuditLog, verify
from operatorx.cli import main
from operatorx.config import Config, ElasticConfig
from operatorx.errors import ExecutionFailed, ToolUnavailable
from operatorx.schemas import EsSearch
from operatorx.tools.elastic.client import cluster_info, make_client

SEARCH = EsSearch(
    index="logs-*", since="now-1h", where=[{"field": "source.ip", "op": "eq", "value": "10.0.0.1"}]
)
TIMEOUT_S = 0.5


def executor(url: str, audit) -> Executor:
    config = Config(elasticsearch=ElasticConfig(url=url, request_timeout_s=TIMEOUT_S))
    return Executor(config, audit, AssumeYes("test"))


def events(audit) -> list[str]:
    return [e["event"] for e in audit.entries()]


def assert_recovers(ex: Executor, audit, before: int) -> None:
    result = ex.execute(ex.propose(SEARCH))
    assert result.total == 2
    assert events(audit)[before:] == ["proposed", "confirmed", "executed"]
    assert verify(audit.path).ok


@pytest.mark.parametrize(
    "mode, error, words",
    [
        ("500", ExecutionFailed, ["failed", "(500)", "something broke inside the node"]),
        ("429", ExecutionFailed, ["overloaded (429)", "try again shortly"]),
        ("401", ToolUnavailable, ["refused the credentials (401)", "api_key"]),
        ("not-es", ToolUnavailable, ["is not Elasticsearch"]),
        ("v7", ToolUnavailable, ["does not speak the Elasticsearch 8 API", "version 7", "8.x only"]),
        ("hang", ExecutionFailed, ["did not answer in time", "request_timeout_s"]),
    ],
)
def test_fault_is_explained_audited_and_the_next_call_works(fake_es, audit, mode, error, words):
    fake_es.mode = mode
    ex = executor(fake_es.url, audit)
    started = time.monotonic()
    proposal = ex.propose(SEARCH)  # falls back to the packaged catalog; the count is a note
    assert proposal.allowed
    assert any("could not count matching documents" in n for n in proposal.notes)
    with pytest.raises(error) as caught:
        ex.execute(proposal)
    message = str(caught.value)
    for w in words:
        assert w in message
    assert time.monotonic() - started < 10  # timeouts are the configured ones, not minutes
    assert events(audit) == ["proposed", "confirmed", "failed"]
    failed = audit.entries()[-1]
    assert failed["error"] == message and failed["proposal"] == proposal.id
    fake_es.mode = "ok"
    fake_es.release.set()
    assert_recovers(ex, audit, before=3)


def test_cluster_down_then_up_on_the_same_port(audit):
    port = free_port()
    ex = executor(f"http://127.0.0.1:{port}", audit)
    proposal = ex.propose(SEARCH)
    with pytest.raises(ToolUnavailable, match="Cannot reach Elasticsearch at http://127.0.0.1:"):
        ex.execute(proposal)
    assert events(audit) == ["proposed", "confirmed", "failed"]
    es = FakeES(port=port)
    try:
        assert_recovers(ex, audit, before=3)
    finally:
        es.close()


def test_a_server_that_accepts_and_never_answers_times_out(audit):
    """A raw socket that accepts and stays silent (no HTTP at all): the configured timeout ends it."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except TimeoutError:
                continue

    t = threading.Thread(target=hold, daemon=True)
    t.start()
    try:
        ex = executor(f"http://127.0.0.1:{server.getsockname()[1]}", audit)
        started = time.monotonic()
        with pytest.raises(ExecutionFailed, match="did not answer in time"):
            ex.execute(ex.propose(SEARCH))
        assert time.monotonic() - started < 4 * TIMEOUT_S + 3
        assert events(audit) == ["proposed", "confirmed", "failed"]
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        server.close()


@pytest.mark.parametrize("version", ["7.17.0", "9.1.0", "6.8.23"])
def test_other_major_versions_are_named_at_connect(fake_es, version):
    fake_es.version = version
    with pytest.raises(ToolUnavailable) as caught:
        cluster_info(make_client(ElasticConfig(url=fake_es.url)))
    assert f"runs Elasticsearch {version}" in str(caught.value)
    assert "supports Elasticsearch 8.x only" in str(caught.value)


def test_the_supported_version_connects(fake_es):
    info = cluster_info(make_client(ElasticConfig(url=fake_es.url)))
    assert info.version == "8.19.21" and info.health == "green"


def test_run_command_against_a_dead_cluster(tmp_path):
    """`operatorx run` itself: exit 2, one clear line, the failure in the audit log."""
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'[audit]\npath = "{tmp_path / "audit.jsonl"}"\n[elasticsearch]\nrequest_timeout_s = 0.5\n'
    )
    url = f"http://127.0.0.1:{free_port()}"
    call = '{"index": "logs-*", "body": {"size": 1}}'
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(
            ["run", "--tool", "elasticsearch", "--call", call, "--yes", "--es-url", url, "--config", str(cfg)]
        )
    assert code == 2
    assert f"operatorx: Cannot reach Elasticsearch at {url}" in err.getvalue()
    assert [e["event"] for e in AuditLog(tmp_path / "audit.jsonl").entries()] == [
        "proposed",
        "confirmed",
        "failed",
    ]
