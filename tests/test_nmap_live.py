"""The runner against the real nmap, on loopback only (127.0.0.1, ::1).

Listeners are python sockets on ephemeral ports opened by each test. A missing nmap skips
the ``nmap``-marked tests on a developer machine and fails them in CI (conftest's
``nmap_path``). The runner's error paths that no real nmap produces on demand (nonzero exit,
garbage output) use a small shell script standing in for the binary; they are not marked.
"""

from __future__ import annotations

import os
import socket
import textwrap
import threading
import time
from pathlib import Path

import pytest

from operatorx.config import Config, NmapConfig
from operatorx.errors import ExecutionFailed, ToolUnavailable, ValidationFailed
from operatorx.schemas.nmap import NmapScan
from operatorx.tools.nmap.results import ScanProgress
from operatorx.tools.nmap.runner import adapt_for_privileges, privileged, requires_privileges, run_scan

IS_ROOT = os.geteuid() == 0
BANNER = b"SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.1\r\n"


@pytest.fixture
def config(nmap_path) -> NmapConfig:
    return NmapConfig(binary=nmap_path)


@pytest.fixture
def ports():
    """(open, closed): a listening TCP port and a bound, not listening one, on 127.0.0.1."""
    listening = socket.create_server(("127.0.0.1", 0))
    bound = socket.socket()
    bound.bind(("127.0.0.1", 0))
    yield listening.getsockname()[1], bound.getsockname()[1]
    listening.close()
    bound.close()


@pytest.fixture
def banner_port(serve_banner):
    """A TCP port on 127.0.0.1 that greets every connection like an OpenSSH server."""
    with serve_banner(BANNER) as port:
        yield port


def slow_scan(marker: str) -> NmapScan:
    """A connect scan of 1000 loopback ports at one probe a second; ``marker`` finds it in /proc."""
    return NmapScan(
        targets=["127.0.0.1"], technique="connect", ports="1-1000", max_rate=1, host_timeout=marker
    )


def nmap_pids(marker: str) -> list[int]:
    pids = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            args = (d / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"nmap") and marker.encode() in args:
            pids.append(int(d.name))
    return pids


def session_members(sid: int) -> list[int]:
    """Every process (zombies too) in session ``sid``; nmap's session id is its pid."""
    members = []
    for d in Path("/proc").glob("[0-9]*"):
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        if int(stat.rpartition(")")[2].split()[3]) == sid:
            members.append(int(d.name))
    return members


# --- real scans -------------------------------------------------------------------------


@pytest.mark.nmap
def test_connect_scan_open_and_closed(config, ports):
    open_port, closed_port = ports
    scan = NmapScan(targets=["127.0.0.1"], technique="connect", ports=f"{open_port},{closed_port}")
    r = run_scan(scan, config=config)
    assert r.finished and r.argv == scan.to_argv() and r.nmap_version
    (host,) = r.hosts
    assert host.address == "127.0.0.1" and host.state == "up"
    assert {p.port: p.state for p in host.ports} == {open_port: "open", closed_port: "closed"}
    assert [(a, p.port) for a, p in r.open_ports()] == [("127.0.0.1", open_port)]


@pytest.mark.nmap
def test_service_detection_and_script(config, banner_port, ports):
    scan = NmapScan(
        targets=["127.0.0.1"],
        technique="connect",
        ports=f"{banner_port},{ports[1]}",
        service_version=True,
        scripts=["banner"],
    )
    r = run_scan(scan, config=config)
    port = next(p for p in r.hosts[0].ports if p.port == banner_port)
    assert (port.state, port.service, port.product) == ("open", "ssh", "OpenSSH")
    assert port.version.startswith("8.9p1")
    assert port.scripts["banner"].startswith("SSH-2.0-OpenSSH_8.9p1")


@pytest.mark.nmap
def test_ping_sweep(config):
    r = run_scan(NmapScan(targets=["127.0.0.1"], technique="ping"), config=config)
    assert [(h.address, h.state, h.ports) for h in r.hosts] == [("127.0.0.1", "up", [])]
    assert r.hosts_up == 1


@pytest.mark.nmap
def test_ipv6_loopback(config):
    try:
        server = socket.create_server(("::1", 0), family=socket.AF_INET6)
    except OSError:
        pytest.skip("no IPv6 loopback here")
    with server:
        port = server.getsockname()[1]
        scan = NmapScan(targets=["::1"], technique="connect", ports=str(port))
        assert "-6" in scan.to_argv()
        r = run_scan(scan, config=config)
    assert r.hosts[0].address == "::1"
    assert [(p.port, p.state) for p in r.hosts[0].ports] == [(port, "open")]


@pytest.mark.nmap
@pytest.mark.skipif(not IS_ROOT, reason="a SYN scan needs root")
def test_syn_scan_as_root(config, ports):
    open_port, closed_port = ports
    r = run_scan(
        NmapScan(targets=["127.0.0.1"], technique="syn", ports=f"{open_port},{closed_port}"), config=config
    )
    assert {p.port: (p.state, p.reason) for p in r.hosts[0].ports} == {
        open_port: ("open", "syn-ack"),
        closed_port: ("closed", "reset"),
    }


@pytest.mark.nmap
@pytest.mark.skipif(not IS_ROOT, reason="a UDP scan needs root")
def test_udp_scan_as_root(config):
    with (
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as bound,
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as gone,
    ):
        bound.bind(("127.0.0.1", 0))
        gone.bind(("127.0.0.1", 0))
        closed_port = gone.getsockname()[1]
        gone.close()  # nothing there now: the kernel answers port-unreachable
        udp_port = bound.getsockname()[1]
        r = run_scan(
            NmapScan(targets=["127.0.0.1"], technique="udp", ports=f"{udp_port},{closed_port}"), config=config
        )
    assert {p.port: (p.protocol, p.state) for p in r.hosts[0].ports} == {
        udp_port: ("udp", "open|filtered"),
        closed_port: ("udp", "closed"),
    }


@pytest.mark.nmap
def test_progress_is_reported_on_the_callers_thread(config, ports):
    open_port, closed_port = ports
    seen: list[tuple[ScanProgress, threading.Thread]] = []
    scan = NmapScan(
        targets=["127.0.0.1"], technique="connect", ports=f"{open_port},{closed_port},1-4", max_rate=2
    )
    r = run_scan(scan, config=config, progress=lambda p: seen.append((p, threading.current_thread())))
    assert seen, "no progress reported"
    assert all(isinstance(p, ScanProgress) and 0 <= p.percent <= 100 and p.task for p, _ in seen)
    assert {t for _, t in seen} == {threading.current_thread()}
    assert r.finished and ("127.0.0.1", open_port) in [(a, p.port) for a, p in r.open_ports()]


@pytest.mark.nmap
def test_cancel_stops_nmap_and_its_process_group(config):
    marker = "1777s"
    cancel = threading.Event()
    running: list[int] = []

    def on_progress(_):
        running.extend(nmap_pids(marker))
        cancel.set()

    started = time.monotonic()
    with pytest.raises(ExecutionFailed, match="cancelled"):
        run_scan(slow_scan(marker), config=config, progress=on_progress, cancel=cancel)
    assert time.monotonic() - started < 8
    assert running, "nmap was not seen running"
    assert nmap_pids(marker) == []
    assert all(session_members(pid) == [] for pid in running)


@pytest.mark.nmap
def test_time_limit_stops_nmap(nmap_path):
    marker = "1778s"
    quick = NmapConfig.model_construct(
        binary=nmap_path, privileged=None, max_duration_s=1
    )  # under the 10 s floor
    started = time.monotonic()
    with pytest.raises(ExecutionFailed, match="1 s limit"):
        run_scan(slow_scan(marker), config=quick)
    assert time.monotonic() - started < 6
    assert nmap_pids(marker) == []


@pytest.mark.nmap
def test_a_failing_progress_callback_still_stops_nmap(config):
    marker = "1779s"

    def broken(_):
        raise RuntimeError("widget gone")

    with pytest.raises(RuntimeError, match="widget gone"):
        run_scan(slow_scan(marker), config=config, progress=broken)
    assert nmap_pids(marker) == []


# --- privileges -------------------------------------------------------------------------


def test_requires_privileges_names_each_raw_socket_feature():
    assert requires_privileges(NmapScan(targets=["h"], technique="connect", service_version=True)) == []
    assert requires_privileges(NmapScan(targets=["h"])) == []
    assert requires_privileges(NmapScan(targets=["h"], technique="ping")) == []
    needs = requires_privileges(
        NmapScan(
            targets=["h"], technique="syn", udp=True, os_detection=True, aggressive=True, traceroute=True
        )
    )
    assert [n.split(" (")[0] for n in needs] == [
        "SYN scan",
        "UDP scan",
        "OS detection",
        "OS detection and traceroute in aggressive mode",
        "traceroute",
    ]
    for technique in ("ack", "fin", "null", "xmas", "udp"):
        assert len(requires_privileges(NmapScan(targets=["h"], technique=technique))) == 1


def test_privileged_reads_config_then_euid():
    assert privileged(NmapConfig(privileged=False)) is False
    assert privileged(NmapConfig(privileged=True)) is True
    assert privileged(NmapConfig()) is (os.geteuid() == 0)
    assert privileged(Config(nmap=NmapConfig(privileged=False))) is False


def test_privileged_scans_pass_unchanged():
    scan = NmapScan(targets=["127.0.0.1"], technique="syn", os_detection=True)
    assert adapt_for_privileges(scan, True) == (scan, [])


@pytest.mark.parametrize(
    "fields, named",
    [
        ({"os_detection": True}, "OS detection"),
        ({"technique": "udp"}, "UDP scan"),
        ({"technique": "syn", "udp": True}, "UDP scan"),
        ({"technique": "ack"}, "ACK scan"),
        ({"technique": "fin"}, "FIN scan"),
        ({"technique": "null"}, "NULL scan"),
        ({"technique": "xmas"}, "Xmas scan"),
        ({"aggressive": True}, "aggressive mode"),
        ({"traceroute": True}, "traceroute"),
    ],
)
def test_without_privileges_raw_features_are_refused_not_dropped(fields, named):
    with pytest.raises(ValidationFailed, match="root") as err:
        adapt_for_privileges(NmapScan(targets=["127.0.0.1"], **fields), privileged=False)
    assert named in str(err.value)


@pytest.mark.nmap
def test_without_privileges_syn_becomes_connect_and_runs(config, banner_port, ports):
    closed_port = ports[1]
    scan = NmapScan(
        targets=["127.0.0.1"], technique="syn", ports=f"{banner_port},{closed_port}", service_version=True
    )
    adapted, notes = adapt_for_privileges(scan, privileged=False)
    assert adapted.technique == "connect" and adapted.service_version
    assert notes == ["SYN scan needs root; using a TCP connect scan instead."]
    assert "-sT" in adapted.to_argv() and "-sS" not in adapted.to_argv()
    r = run_scan(adapted, config=config)
    assert r.argv == adapted.to_argv()
    states = {p.port: (p.state, p.service) for p in r.hosts[0].ports}
    assert states[banner_port] == ("open", "ssh") and states[closed_port][0] == "closed"


def test_without_privileges_the_default_technique_is_spelled_out():
    adapted, notes = adapt_for_privileges(NmapScan(targets=["127.0.0.1"], top_ports=10), privileged=False)
    assert adapted.technique == "connect" and notes == []


# --- error paths (a stand-in binary, not nmap) -------------------------------------------

MINIMAL_XML = (Path(__file__).parent / "data" / "nmap" / "ping.xml").read_text(encoding="utf-8")


def stand_in(tmp_path: Path, body: str) -> NmapConfig:
    script = tmp_path / "fake-nmap"
    script.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    script.chmod(0o755)
    return NmapConfig(binary=str(script))


def test_missing_nmap_is_tool_unavailable():
    with pytest.raises(ToolUnavailable, match=r"apt-get install nmap"):
        run_scan(NmapScan(targets=["127.0.0.1"]), config=NmapConfig(binary="nmap-is-not-here"))


def test_argv_reaches_the_binary_verbatim_without_a_shell(tmp_path):
    (tmp_path / "out.xml").write_text(MINIMAL_XML)
    cfg = stand_in(tmp_path, f'printf "%s\\n" "$@" > {tmp_path}/args.txt\ncat {tmp_path}/out.xml\n')
    scan = NmapScan(targets=["127.0.0.1"], technique="connect", ports="22,80", scripts=["banner"])
    r = run_scan(scan, config=cfg)
    assert (tmp_path / "args.txt").read_text().splitlines() == scan.to_argv()[1:]
    assert r.argv == scan.to_argv() and r.hosts[0].address == "127.0.0.1"


def test_nonzero_exit_reports_nmaps_error(tmp_path):
    cfg = stand_in(tmp_path, 'echo "Starting" >&2\necho "QUITTING! interface went away" >&2\nexit 1\n')
    with pytest.raises(ExecutionFailed, match="exited with status 1: Starting QUITTING! interface went away"):
        run_scan(NmapScan(targets=["127.0.0.1"]), config=cfg)


def test_unreadable_output_is_an_execution_failure(tmp_path):
    cfg = stand_in(tmp_path, 'echo "Nmap scan report for localhost"\n')
    with pytest.raises(ExecutionFailed, match="could not be read"):
        run_scan(NmapScan(targets=["127.0.0.1"]), config=cfg)


def test_warnings_on_stderr_become_notes(tmp_path):
    (tmp_path / "out.xml").write_text(MINIMAL_XML)
    cfg = stand_in(tmp_path, f'echo "Warning: giving up on port" >&2\ncat {tmp_path}/out.xml\n')
    r = run_scan(NmapScan(targets=["127.0.0.1"]), config=cfg)
    assert r.notes == ["nmap: Warning: giving up on port"]


def test_cancel_before_start_runs_nothing(tmp_path):
    cfg = stand_in(tmp_path, f"touch {tmp_path}/ran\n")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExecutionFailed, match="cancelled"):
        run_scan(NmapScan(targets=["127.0.0.1"]), config=cfg, cancel=cancel)
    assert not (tmp_path / "ran").exists()
