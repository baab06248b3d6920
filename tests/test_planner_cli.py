"""`operatorx plan`: the --json contract, the human output, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from operatorx import cli
from operatorx.backend.scripted import ScriptedBackend
from operatorx.errors import PlannerError
from operatorx.schemas import EsSearch, NmapScan

SCAN = {"tool": "nmap", "targets": ["127.0.0.1"], "ports": "22,80"}
SEARCH = {
    "tool": "elasticsearch",
    "since": "now-24h",
    "where": [{"field": "dns.query.name", "value": "evil.example"}],
}


@pytest.fixture
def scripted(monkeypatch, tmp_path):
    """`operatorx plan` with a scripted model instead of the real one."""
    monkeypatch.setenv("OPERATORX_CONFIG", str(tmp_path / "absent.toml"))
    made: dict = {}

    def use(replies):
        def create_backend(cfg, **kw):
            made.update(cfg=cfg, **kw)
            return ScriptedBackend(replies, mode="adapter" if cfg.use_adapter else "fewshot")

        monkeypatch.setattr("operatorx.backend.create_backend", create_backend)
        return made

    return use


def run_json(capsys, *argv) -> tuple[int, dict]:
    code = cli.main(["plan", *argv, "--json"])
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object, one line
    return code, json.loads(out)


def test_json_scan(scripted, capsys):
    scripted([SCAN])
    code, data = run_json(capsys, "scan 127.0.0.1 for ssh and http")
    assert code == 0
    assert data["tool"] == "nmap" and data["call"] == SCAN
    assert data["argv"] == NmapScan.model_validate(SCAN).to_argv()
    assert data["mode"] == "adapter" and data["attempts"] == 1 and data["risk"] in ("low", "medium", "high")
    assert isinstance(data["latency_ms"], int) and set(data["tokens"]) == {"prompt", "completion"}


def test_json_search(scripted, capsys):
    scripted([SEARCH])
    code, data = run_json(capsys, "dns lookups of evil.example today")
    assert code == 0
    assert data["tool"] == "elasticsearch" and data["index"] == "logs-*" and data["call"] == SEARCH
    assert data["body"] == EsSearch.model_validate(SEARCH).to_body()


@pytest.mark.parametrize(
    "question,replies,kind",
    [
        (
            "write a poem",
            [{"tool": "none", "kind": "refuse", "message": "Not a scan or a search."}],
            "refuse",
        ),
        ("scan the server", [], "clarify"),  # pre-check, no model call
        ("scan 10.9.9.9 port 22", [{"tool": "nmap", "targets": ["10.9.9.9"], "ports": "22"}], "refuse"),
        ("scan 127.0.0.1", ["{garbage", "{garbage"], "clarify"),  # two invalid answers: fail closed
    ],
)
def test_json_none_exits_zero(scripted, capsys, question, replies, kind):
    scripted(replies)
    code, data = run_json(capsys, question)
    assert code == 0 and data["tool"] == "none" and data["kind"] == kind and data["message"]
    assert "argv" not in data and "body" not in data


def test_adapter_options_reach_the_backend(scripted, capsys):
    made = scripted([SCAN])
    run_json(capsys, "scan 127.0.0.1", "--no-adapter", "--model", "/m.gguf")
    assert made["cfg"].use_adapter is False and made["model_path"] == "/m.gguf"
    made = scripted([SCAN])
    run_json(capsys, "scan 127.0.0.1", "--adapter", "/a.gguf")
    assert made["cfg"].use_adapter is True and made["adapter_path"] == "/a.gguf"


def test_adapter_and_no_adapter_exclude_each_other(capsys):
    with pytest.raises(SystemExit):
        cli.main(["plan", "x", "--adapter", "a.gguf", "--no-adapter"])


def test_planner_that_cannot_run_exits_non_zero(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("OPERATORX_CONFIG", str(tmp_path / "absent.toml"))

    def broken(cfg, **kw):
        raise PlannerError("The model file /nope.gguf does not exist.")

    monkeypatch.setattr("operatorx.backend.create_backend", broken)
    assert cli.main(["plan", "scan 127.0.0.1", "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "/nope.gguf does not exist" in captured.err


def test_human_output(scripted, capsys):
    scripted([SCAN])
    assert cli.main(["plan", "scan 127.0.0.1 for ssh and http"]) == 0
    out = capsys.readouterr().out
    scan = NmapScan.model_validate(SCAN)
    assert scan.to_command() in out and scan.describe() in out and "Risk:" in out
    assert "Nothing was run" in out and "scripted replies (adapter mode)" in out
    scripted([{"tool": "none", "kind": "refuse", "message": "Not a scan or a search."}])
    cli.main(["plan", "tell me a joke"])  # not the pre-check's: the model declines
    assert "Declined: Not a scan or a search." in capsys.readouterr().out


@pytest.mark.model
def test_real_model_end_to_end(tmp_path_factory, tmp_path, service_unavailable):
    try:
        from operatorx.backend.models import default_base_model

        default_base_model()
    except PlannerError as e:
        service_unavailable(str(e))
    home = tmp_path / "home"
    home.mkdir()
    shared = tmp_path_factory.getbasetemp() / "prefix-cache"  # shared with the other model tests
    shared.mkdir(exist_ok=True)
    (home / "cache").symlink_to(shared)
    env = dict(os.environ, OPERATORX_HOME=str(home), OPERATORX_CONFIG=str(tmp_path / "absent.toml"))
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "operatorx",
            "plan",
            "scan 127.0.0.1 ports 22 and 80",
            "--json",
            "--no-adapter",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["mode"] == "fewshot" and data["tool"] == "nmap"
    assert data["argv"] == NmapScan.model_validate(data["call"]).to_argv()
