"""`operatorx run`, `tools schema` and `audit verify` as a user runs them: real processes,
real nmap on loopback, and the audit log as the witness of what ran and what did not."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from operatorx.audit import AuditLog


@pytest.fixture
def env(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'[audit]\npath = "{tmp_path / "audit.jsonl"}"\n')
    e = dict(os.environ, OPERATORX_CONFIG=str(cfg), OPERATORX_HOME=str(tmp_path / "home"))
    return e, AuditLog(tmp_path / "audit.jsonl")


def ox(env, *args, stdin=""):
    return subprocess.run(
        [sys.executable, "-m", "operatorx", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env[0],
        timeout=120,
    )


@pytest.fixture
def listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    yield s.getsockname()[1]
    s.close()


def events(audit):
    return [e["event"] for e in audit.entries()]


def test_tools_schema_prints_every_tool(env):
    r = ox(env, "tools", "schema")
    assert r.returncode == 0
    schemas = json.loads(r.stdout)
    assert set(schemas) == {"nmap", "elasticsearch", "none"}
    assert "targets" in schemas["nmap"]["properties"]


@pytest.mark.parametrize(
    "call, words",
    [
        ('{"targets": ["10.0.0.1; rm -rf /"]}', "cannot be in a target"),
        ('{"targets": ["127.0.0.1"], "scripts": ["/tmp/x.nse"]}', "not allowed"),
        ('{"targets": ["127.0.0.1"], "output": "/etc/cron.d/x"}', "output"),
        ("nmap -iL /etc/passwd", "-iL"),
        ("nmap -oN /etc/cron.d/x 127.0.0.1", "-oN"),
        ("nmap --script=/tmp/x.nse 127.0.0.1", "script"),
        ("{not json", "not valid JSON"),
    ],
)
def test_hostile_nmap_calls_are_refused_and_audited(env, call, words):
    r = ox(env, "run", "--tool", "nmap", "--call", call, "--yes")
    assert r.returncode == 2, r.stderr
    assert words in r.stderr
    assert "Nothing was run" in r.stderr
    assert events(env[1]) == ["refused"]


def test_out_of_scope_target_is_refused_by_policy(env):
    r = ox(env, "run", "--tool", "nmap", "--call", '{"targets": ["8.8.8.8"]}', "--yes")
    assert r.returncode == 3
    assert "8.8.8.8" in r.stderr and "outside the allowed scope" in r.stderr
    assert events(env[1]) == ["refused"]


@pytest.mark.nmap
def test_answering_no_runs_nothing(env, nmap_path, listener):
    call = json.dumps({"targets": ["127.0.0.1"], "ports": str(listener)})
    r = ox(env, "run", "--tool", "nmap", "--call", call, stdin="n\n")
    assert r.returncode == 1
    assert "Run this? [y/N]" in r.stderr
    assert events(env[1]) == ["proposed", "denied"]


@pytest.mark.nmap
def test_no_answer_at_all_runs_nothing(env, nmap_path, listener):
    call = json.dumps({"targets": ["127.0.0.1"], "ports": str(listener)})
    r = ox(env, "run", "--tool", "nmap", "--call", call, stdin="")
    assert r.returncode == 1
    assert events(env[1]) == ["proposed", "denied"]


@pytest.mark.nmap
def test_yes_runs_a_real_scan_and_audits_it(env, nmap_path, listener):
    call = json.dumps({"targets": ["127.0.0.1"], "ports": str(listener), "technique": "connect"})
    r = ox(env, "run", "--tool", "nmap", "--call", call, stdin="y\n")
    assert r.returncode == 0, r.stderr
    assert f"{listener}/tcp" in r.stdout and "open" in r.stdout
    assert events(env[1]) == ["proposed", "confirmed", "executed"]
    executed = env[1].entries()[-1]
    assert executed["argv"][-1] == "127.0.0.1" and len(executed["digest"]) == 64
    v = ox(env, "audit", "verify")
    assert v.returncode == 0 and "hash chain intact" in v.stdout


@pytest.mark.nmap
def test_command_line_form_and_json_output(env, nmap_path, listener):
    r = ox(env, "run", "--tool", "nmap", "--call", f"nmap -sT -p {listener} 127.0.0.1", "--yes", "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    ports = [p for h in result["hosts"] for p in h["ports"]]
    assert any(p["port"] == listener and p["state"] == "open" for p in ports)


def test_audit_verify_detects_tampering(env):
    ox(env, "run", "--tool", "nmap", "--call", '{"targets": ["8.8.8.8"]}', "--yes")
    ox(env, "run", "--tool", "nmap", "--call", '{"targets": ["9.9.9.9"]}', "--yes")
    path = env[1].path
    path.write_text(path.read_text().replace("9.9.9.9", "1.1.1.1"))
    r = ox(env, "audit", "verify")
    assert r.returncode == 1 and "TAMPERED" in r.stdout
