"""nmap XML → ScanResult, and progress lines, from XML captured from real nmap 7.93 runs.

The files in tests/data/nmap were written by these commands (root, listeners on 127.0.0.1 /
::1 — TCP 18022 and an http.server on 18080 open, 18023 closed, UDP 18053 bound):

    connect.xml          nmap -sT -p 18022,18023 --max-rate 2 -oX - --stats-every 1s 127.0.0.1
    service_scripts.xml  nmap -sT -sV --script=http-title,http-server-header -p 18080,18023 -oX - --stats-every 1s 127.0.0.1
    ping.xml             nmap -sn -oX - --stats-every 1s 127.0.0.1
    ipv6.xml             nmap -6 -sT -p 18022,18023 -oX - --stats-every 1s ::1
    udp.xml              nmap -sU -p 18053,18054 -oX - --stats-every 1s 127.0.0.1
    os.xml               nmap -sS -O -p 18022,18023 -oX - --stats-every 1s 127.0.0.1
    open_only.xml        nmap -sT --open -p 18022,18023 -oX - --stats-every 1s 127.0.0.1
    extraports.xml       nmap -sT -p 1-100 -oX - --stats-every 1s 127.0.0.1
    truncated.xml        timeout -s TERM 2.5 nmap -sT --max-rate 2 -p 1-20 -oX - --stats-every 1s 127.0.0.1

and, inside a network namespace with a veth holding 10.200.0.1/24 (nothing else answers):

    down_verbose.xml     nmap -v -sn -oX - 10.200.0.1-2
    no_hosts.xml         nmap -sn -oX - 10.200.0.2
"""

from __future__ import annotations

from pathlib import Path

import nmap
import pytest

from operatorx.errors import ExecutionFailed
from operatorx.tools.nmap.results import ScanProgress, parse_progress_line, parse_xml

DATA = Path(__file__).parent / "data" / "nmap"


def load(name: str):
    return parse_xml((DATA / name).read_text(encoding="utf-8"))


def test_connect_scan_open_and_closed():
    r = load("connect.xml")
    assert r.finished and r.nmap_version == "7.93"
    (host,) = r.hosts
    assert (host.address, host.state, host.reason, host.hostnames) == (
        "127.0.0.1",
        "up",
        "localhost-response",
        ["localhost"],
    )
    assert [(p.port, p.protocol, p.state, p.reason) for p in host.ports] == [
        (18022, "tcp", "open", "syn-ack"),
        (18023, "tcp", "closed", "conn-refused"),
    ]
    assert [(a, p.port) for a, p in r.open_ports()] == [("127.0.0.1", 18022)]
    assert r.summary_counts() == {"hosts_up": 1, "hosts_down": 0, "open": 1, "closed": 1, "filtered": 0}
    assert r.argv[:2] == ["nmap", "-sT"]  # from nmap's args attribute when none is given
    assert r.elapsed_s == 0.53


def test_service_versions_and_script_output():
    r = load("service_scripts.xml")
    http = next(p for p in r.hosts[0].ports if p.port == 18080)
    assert (http.service, http.product, http.version, http.extrainfo) == (
        "http",
        "SimpleHTTPServer",
        "0.6",
        "Python 3.11.7",
    )
    assert http.scripts == {
        "http-title": "Directory listing for /",
        "http-server-header": "SimpleHTTP/0.6 Python/3.11.7",
    }


def test_ping_sweep_has_a_host_and_no_ports():
    r = load("ping.xml")
    assert [(h.address, h.state, h.ports) for h in r.hosts] == [("127.0.0.1", "up", [])]


def test_ipv6():
    (host,) = load("ipv6.xml").hosts
    assert host.address == "::1"
    assert {p.port: p.state for p in host.ports} == {18022: "open", 18023: "closed"}


def test_udp_open_filtered_and_closed():
    r = load("udp.xml")
    assert {(p.port, p.protocol, p.state) for p in r.hosts[0].ports} == {
        (18053, "udp", "open|filtered"),
        (18054, "udp", "closed"),
    }
    assert r.open_ports() == []  # open|filtered is not open
    assert r.summary_counts()["open|filtered"] == 1


def test_os_matches_in_order_with_their_own_accuracy():
    matches = load("os.xml").hosts[0].os_matches
    assert len(matches) == 10
    assert (matches[0].name, matches[0].accuracy) == ("Linux 5.0 - 5.2", 97)
    assert [m.accuracy for m in matches] == sorted((m.accuracy for m in matches), reverse=True)


def test_ports_nmap_did_not_list_are_counted():
    r = load("extraports.xml")
    assert r.hosts[0].ports == [] and r.hosts[0].extra_ports == {"closed": 100}
    assert r.summary_counts()["closed"] == 100
    r = load("open_only.xml")
    assert [p.port for p in r.hosts[0].ports] == [18022]
    assert r.hosts[0].extra_ports == {"closed": 1}


def test_down_hosts_listed_in_verbose_output():
    r = load("down_verbose.xml")
    assert [(h.address, h.state, h.reason) for h in r.hosts] == [
        ("10.200.0.1", "up", "localhost-response"),
        ("10.200.0.2", "down", "no-response"),
    ]
    assert (r.hosts_up, r.hosts_down) == (1, 1)
    assert r.notes == []


def test_no_host_answered():
    r = load("no_hosts.xml")
    assert r.hosts == [] and (r.hosts_up, r.hosts_down) == (0, 1) and r.finished
    assert any("-Pn" in n for n in r.notes)


def test_truncated_or_foreign_output_is_an_execution_failure():
    with pytest.raises(ExecutionFailed, match="could not be read"):
        load("truncated.xml")
    with pytest.raises(ExecutionFailed, match="could not be read"):
        parse_xml("Starting Nmap 7.93 ( https://nmap.org )")
    with pytest.raises(ExecutionFailed, match="not a scan report"):
        parse_xml("<html><body/></html>")


# Hand-written on nmap's DTD (no loopback service gives host scripts or a mid-scan error).
HOSTSCRIPT_AND_ERROR = """<?xml version="1.0" encoding="UTF-8"?>
<nmaprun scanner="nmap" args="nmap -sT -p 445 --script=smb-os-discovery 127.0.0.1" version="7.93">
<host><status state="up" reason="user-set" reason_ttl="0"/>
<address addr="127.0.0.1" addrtype="ipv4"/><address addr="00:11:22:33:44:55" addrtype="mac"/>
<ports><port protocol="tcp" portid="445"><state state="filtered" reason="no-response" reason_ttl="0"/></port></ports>
<hostscript><script id="smb-os-discovery" output="&#xa;  OS: Unix (Samba 4.1)&#xa;"/></hostscript>
</host>
<target specification="nosuch.invalid" status="skipped" reason="invalid"/>
<runstats><finished time="1" elapsed="3.50" exit="error" errormsg="pcap died"/><hosts up="1" down="0" total="1"/></runstats>
</nmaprun>"""


def test_host_scripts_skipped_targets_and_nmap_errors():
    r = parse_xml(HOSTSCRIPT_AND_ERROR, argv=["nmap", "x"])
    host = r.hosts[0]
    assert host.address == "127.0.0.1"  # the IP, not the MAC
    assert host.scripts == {"smb-os-discovery": "OS: Unix (Samba 4.1)"}
    assert host.ports[0].state == "filtered"
    assert not r.finished and r.argv == ["nmap", "x"] and r.elapsed_s == 3.5
    assert any("pcap died" in n for n in r.notes)
    assert any("nosuch.invalid" in n for n in r.notes)


def test_digest_is_canonical_and_sensitive():
    a, b = load("connect.xml"), load("connect.xml")
    assert a.digest() == b.digest() and len(a.digest()) == 64
    changed = a.model_copy(update={"elapsed_s": 9.0})
    assert changed.digest() != a.digest()
    assert type(a).model_validate(a.model_dump()).digest() == a.digest()


COMPLETE = sorted(p.name for p in DATA.glob("*.xml") if p.name != "truncated.xml")


@pytest.mark.parametrize("name", COMPLETE)
def test_port_table_agrees_with_python_nmap(name):
    """python-nmap as an oracle. Its PortScanner() runs ``nmap -V``; the parser does not need it."""
    xml = (DATA / name).read_text(encoding="utf-8")
    oracle = nmap.PortScanner.__new__(nmap.PortScanner).analyse_nmap_xml_scan(nmap_xml_output=xml)["scan"]
    ours = parse_xml(xml)
    theirs = {
        (
            addr,
            proto,
            port,
            v["state"],
            v["reason"],
            v["name"],
            v["product"],
            v["version"],
            v.get("script", {}) == {},
        )
        for addr, host in oracle.items()
        for proto in ("tcp", "udp")
        for port, v in host.get(proto, {}).items()
    }
    mine = {
        (h.address, p.protocol, p.port, p.state, p.reason, p.service, p.product, p.version, p.scripts == {})
        for h in ours.hosts
        for p in h.ports
    }
    assert mine == theirs
    assert {a for a, h in oracle.items()} == {h.address for h in ours.hosts}
    for h in ours.hosts:
        assert h.hostnames == [n["name"] for n in oracle[h.address]["hostnames"] if n["name"]]
        assert h.state == oracle[h.address]["status"]["state"]


# --- progress ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, expected",
    [
        (
            '<taskprogress task="Connect Scan" time="1795460111" percent="12.34" remaining="40" etc="1795460151"/>\n',
            ScanProgress(percent=12.34, eta_s=40.0, task="Connect Scan"),
        ),
        (
            '<taskprogress task="Service scan" time="1795460097" percent="0.00"/>',
            ScanProgress(percent=0.0, eta_s=None, task="Service scan"),
        ),
        (
            '<taskbegin task="ARP Ping Scan" time="1795460125"/>',
            ScanProgress(percent=0.0, eta_s=None, task="ARP Ping Scan"),
        ),
        (
            '<taskend task="ARP Ping Scan" time="1795460127" extrainfo="1 total hosts"/>',
            ScanProgress(percent=100.0, eta_s=0.0, task="ARP Ping Scan"),
        ),
        ('<taskprogress task="X" percent="140"/>', ScanProgress(percent=100.0, eta_s=None, task="X")),
        ('<host starttime="1"><status state="up"/>', None),
        ("<taskprogress task=broken", None),
        ('<taskprogress task="X" percent="lots"/>', None),
        ("", None),
    ],
)
def test_parse_progress_line(line, expected):
    assert parse_progress_line(line) == expected


def test_progress_lines_in_captured_streams():
    lines = (DATA / "truncated.xml").read_text().splitlines()
    got = [p for p in map(parse_progress_line, lines) if p]
    assert got == [
        ScanProgress(percent=10.0, eta_s=10.0, task="Connect Scan"),
        ScanProgress(percent=20.0, eta_s=8.0, task="Connect Scan"),
    ]
    verbose = (DATA / "down_verbose.xml").read_text().splitlines()
    assert [p.percent for p in map(parse_progress_line, verbose) if p] == [0.0, 100.0, 0.0, 100.0]
