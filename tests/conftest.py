"""Session fixtures for the real services: Elasticsearch, nmap, and a throw-away config.

A missing service skips the tests that need it on a developer's machine, and fails them
loudly in CI (env ``CI``) or with ``OPERATORX_REQUIRE_SERVICES=1``, so a green CI run
cannot hide an install step that did not happen.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from operatorx.config import AuditConfig, Config
from operatorx.errors import OperatorXError
from operatorx.tools.elastic import local_cluster


def services_required() -> bool:
    return bool(os.environ.get("CI")) or os.environ.get("OPERATORX_REQUIRE_SERVICES") == "1"


def unavailable(reason: str) -> None:
    """Fail (CI, or services required) or skip the test that needs this service."""
    if services_required():
        pytest.fail(f"{reason} (required here: CI or OPERATORX_REQUIRE_SERVICES=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def service_unavailable():
    """``unavailable`` for test modules: ``service_unavailable("llama_cpp is not installed")``."""
    return unavailable


@pytest.fixture(scope="session")
def es_url() -> Iterator[str]:
    """A test cluster on 127.0.0.1:9201 with fresh data, or OPERATORX_TEST_ES_URL's."""
    override = os.environ.get("OPERATORX_TEST_ES_URL")
    if override:
        yield override.rstrip("/")
        return
    home = local_cluster.default_home()
    try:
        handle = local_cluster.start(home, local_cluster.TEST_PORT, "operatorx-test", fresh=True)
    except OperatorXError as e:
        unavailable(f"Elasticsearch test cluster unavailable: {e}")
    yield handle.url
    if handle.started:
        local_cluster.stop(home, local_cluster.TEST_PORT)


@pytest.fixture(scope="session")
def nmap_path() -> str:
    path = shutil.which("nmap")
    if not path:
        unavailable("nmap is not installed (scripts/install-system.sh installs it)")
    return path


@pytest.fixture
def tmp_config(tmp_path) -> Config:
    """Default settings with the audit log in this test's tmp_path."""
    return Config(audit=AuditConfig(path=str(tmp_path / "audit.jsonl")))


@contextlib.contextmanager
def banner_server(banner: bytes) -> Iterator[int]:
    """A TCP port on 127.0.0.1 that sends ``banner`` to every connection, for nmap to read."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with contextlib.suppress(OSError), conn:
                conn.sendall(banner)
                conn.settimeout(1.0)
                with contextlib.suppress(OSError):
                    conn.recv(1024)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        t.join()
        server.close()


@pytest.fixture
def serve_banner() -> Callable[[bytes], contextlib.AbstractContextManager[int]]:
    """``with serve_banner(b"SSH-2.0-…") as port:`` — see ``banner_server``."""
    return banner_server
