"""A sandbox for hostile input: the real `operatorx run`, witnesses instead of trust.

Every test gets its own config (audit log in tmp_path) whose nmap is a *recorder*: a shell
script that appends its arguments to a file and exits without scanning, so even a bug that
let a hostile call through could not send a packet anywhere. Elasticsearch is a small HTTP
server that records every request and answers 404 like a cluster without that index (the
executor then falls back to the packaged field catalog, as it does offline). Non-execution is
then proved three ways: the audit log (no ``confirmed`` / ``executed``), the nmap recorder
(never started) and the request log (nothing but ``_field_caps`` reached "Elasticsearch").

``Sandbox.ox`` calls the CLI's ``main`` in this process (argparse → run handler → Executor
→ runners, exactly as the console script does), which keeps some 200 cases to a few
seconds; ``Sandbox.ox_process`` runs ``python -m operatorx`` for the cases where the process
boundary (stdin, signals, PATH) is the point.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from operatorx.audit import AuditLog

RECORDER = """#!/bin/sh
# Stands in for nmap in the hostile-input suite: notes that it was started, scans nothing.
printf '%s\\n' "$*" >> '{log}'
exit 97
"""

PASSTHROUGH = """#!/bin/sh
# Notes its pid and arguments, then becomes the real nmap (same pid, so signals reach it).
printf '%s %s\\n' "$$" "$*" >> '{log}'
exec '{nmap}' "$@"
"""


class RecordingES:
    """An 'Elasticsearch' on 127.0.0.1 that records each request and finds nothing (404)."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, str]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
                outer.requests.append((self.command, self.path, body))
                payload = json.dumps(
                    {
                        "error": {"type": "index_not_found_exception", "reason": "no such index [sandbox]"},
                        "status": 404,
                    }
                ).encode()
                self.send_response(404)
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _any

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Outcome:
    code: int
    out: str
    err: str


@dataclass
class Sandbox:
    root: Path
    config_path: Path
    audit: AuditLog
    nmap_log: Path
    es: RecordingES
    env: dict[str, str] = field(default_factory=dict)

    def ox(self, *args: str, stdin: str | None = None) -> Outcome:
        """`operatorx <args> --config <sandbox>` through the CLI's main(), in this process."""
        from operatorx.cli import main

        out, err = io.StringIO(), io.StringIO()
        old_stdin = sys.stdin
        sys.stdin = io.StringIO(stdin or "")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main([*args, "--config", str(self.config_path)])
        finally:
            sys.stdin = old_stdin
        return Outcome(code, out.getvalue(), err.getvalue())

    def ox_process(self, *args: str, stdin: str | None = "", timeout: float = 120) -> Outcome:
        """`python -m operatorx <args>` as a separate process; stdin=None closes it."""
        r = subprocess.run(
            [sys.executable, "-m", "operatorx", *args, "--config", str(self.config_path)],
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
        )
        return Outcome(r.returncode, r.stdout, r.stderr)

    def events(self) -> list[str]:
        return [e["event"] for e in self.audit.entries()]

    def nmap_runs(self) -> list[str]:
        return self.nmap_log.read_text().splitlines() if self.nmap_log.exists() else []

    def es_paths(self) -> list[str]:
        return [f"{method} {path}" for method, path, _ in self.es.requests]


def write_config(path: Path, *, audit: Path, nmap: Path, es_url: str, extra: str = "") -> None:
    path.write_text(
        f'[audit]\npath = "{audit}"\n\n'
        f'[nmap]\nbinary = "{nmap}"\n\n'
        f'[elasticsearch]\nurl = "{es_url}"\nrequest_timeout_s = 5\n\n' + extra
    )


def make_script(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


@pytest.fixture(scope="session")
def recording_es() -> Iterator[RecordingES]:
    es = RecordingES()
    yield es
    es.close()


@pytest.fixture
def sandbox(tmp_path, recording_es) -> Sandbox:
    """Config + audit log + an nmap that never scans (also first on PATH, for subprocesses)."""
    recording_es.requests.clear()
    log = tmp_path / "nmap-invocations.log"
    nmap = make_script(tmp_path / "bin" / "nmap", RECORDER.format(log=log))
    cfg = tmp_path / "config.toml"
    write_config(cfg, audit=tmp_path / "audit.jsonl", nmap=nmap, es_url=recording_es.url)
    env = dict(
        os.environ,
        PATH=f"{nmap.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        OPERATORX_HOME=str(tmp_path / "home"),
        OPERATORX_CONFIG=str(cfg),
    )
    return Sandbox(tmp_path, cfg, AuditLog(tmp_path / "audit.jsonl"), log, recording_es, env)


@pytest.fixture
def live_sandbox(sandbox, nmap_path) -> Sandbox:
    """The sandbox, but its nmap records and then *is* the real nmap (loopback tests only)."""
    nmap = make_script(
        sandbox.root / "bin" / "nmap", PASSTHROUGH.format(log=sandbox.nmap_log, nmap=nmap_path)
    )
    write_config(sandbox.config_path, audit=sandbox.audit.path, nmap=nmap, es_url=sandbox.es.url)
    return sandbox
