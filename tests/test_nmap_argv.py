"""argv ⇄ NmapScan: the round trip, analysts' spellings, hostile commands, describe().

Nothing here runs nmap; the addresses below are only parsed.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from operatorx.errors import ValidationFailed
from operatorx.schemas.nmap import ALLOWED_SCRIPTS, SCRIPT_CATEGORIES, NmapScan
from operatorx.tools.nmap.argv import OUTPUT_FLAGS, build_argv, describe, parse_argv

# --- a strategy for valid scans ---------------------------------------------------------

_octet = st.integers(0, 255)
_ipv4 = st.ip_addresses(v=4).map(str)
_ipv6 = st.ip_addresses(v=6).map(str)
_cidr4 = st.tuples(_ipv4, st.integers(16, 32)).map(lambda t: f"{t[0]}/{t[1]}")
_range4 = st.tuples(_octet, _octet, _octet, st.integers(0, 100), st.integers(100, 255)).map(
    lambda t: f"{t[0]}.{t[1]}.{t[2]}.{t[3]}-{t[4]}"
)
_star4 = st.tuples(_octet, _octet, _octet).map(lambda t: f"{t[0]}.{t[1]}.{t[2]}.*")
_hostname = st.from_regex(r"[a-z][a-z0-9-]{0,8}[a-z0-9](\.[a-z]{2,6}){0,2}", fullmatch=True)
_v4_target = st.one_of(_ipv4, _cidr4, _range4, _star4, _hostname)
_v6_target = st.one_of(_ipv6, st.sampled_from(["::1", "fe80::1", "2001:db8::/64"]))

_port = st.integers(0, 65535)
_port_item = st.one_of(
    _port.map(str),
    st.tuples(_port, _port).map(lambda t: f"{min(t)}-{max(t)}"),
)
_ports = st.lists(
    st.tuples(st.sampled_from(["", "T:", "U:"]), _port_item).map("".join), min_size=1, max_size=5
).map(",".join)


@st.composite
def scans(draw) -> NmapScan:
    v6 = draw(st.booleans())
    targets = draw(st.lists(_v6_target if v6 else _v4_target, min_size=1, max_size=4))
    technique = draw(
        st.sampled_from(["default", "syn", "connect", "udp", "ping", "ack", "fin", "null", "xmas"])
    )
    fields: dict = {"targets": targets, "technique": technique}
    if technique != "ping":
        which = draw(st.sampled_from(["none", "ports", "top_ports", "all_ports", "fast"]))
        if which == "ports":
            fields["ports"] = draw(_ports)
        elif which == "top_ports":
            fields["top_ports"] = draw(st.integers(1, 65535))
        elif which != "none":
            fields[which] = True
        fields["udp"] = draw(st.booleans())
        fields["service_version"] = draw(st.booleans())
        fields["os_detection"] = draw(st.booleans())
    fields["aggressive"] = draw(st.booleans())
    if fields.get("service_version") or fields["aggressive"]:
        fields["version_intensity"] = draw(st.none() | st.integers(0, 9))
    fields["scripts"] = draw(st.lists(st.sampled_from(ALLOWED_SCRIPTS + SCRIPT_CATEGORIES), max_size=3))
    fields["timing"] = draw(st.none() | st.integers(0, 5))
    for flag in ("skip_discovery", "open_only", "traceroute"):
        fields[flag] = draw(st.booleans())
    fields["ipv6"] = v6 or draw(st.booleans()) and all(t[0].isalpha() for t in targets)
    fields["exclude"] = draw(st.lists(_v6_target if v6 else _v4_target, max_size=2))
    lo = draw(st.none() | st.integers(1, 10000))
    hi = draw(st.none() | st.integers(lo or 1, 10000))
    fields["min_rate"], fields["max_rate"] = lo, hi
    fields["host_timeout"] = draw(st.none() | st.from_regex(r"[1-9]\d{0,3}(ms|s|m|h)", fullmatch=True))
    try:
        return NmapScan(**fields)
    except ValidationError:  # e.g. a generated hostname that is all digits
        assume(False)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scans())
def test_round_trip_argv(scan):
    argv = build_argv(scan)
    assert argv == scan.to_argv()
    assert parse_argv(argv) == scan
    assert NmapScan.from_argv(scan.to_command()) == scan


@settings(max_examples=100, deadline=None)
@given(scans())
def test_argv_shape(scan):
    argv = build_argv(scan)
    assert argv[0] == "nmap"
    n = len(scan.targets)
    assert argv[-n:] == scan.targets
    assert tuple(argv[-n - len(OUTPUT_FLAGS) : -n]) == OUTPUT_FLAGS
    assert build_argv(scan) == argv  # deterministic
    assert describe(scan).endswith(".")


def test_build_argv_full_order():
    scan = NmapScan(
        targets=["10.0.0.5", "10.0.0.6"],
        technique="syn",
        udp=True,
        ports="T:22,U:53",
        service_version=True,
        version_intensity=5,
        os_detection=True,
        aggressive=True,
        scripts=["vuln", "http-title"],
        timing=4,
        skip_discovery=True,
        open_only=True,
        traceroute=True,
        exclude=["10.0.0.7"],
        min_rate=10,
        max_rate=100,
        host_timeout="30s",
    )
    assert build_argv(scan) == [
        "nmap", "-sS", "-sU", "-p", "T:22,U:53", "-sV", "--version-intensity", "5", "-O", "-A",
        "--script=vuln,http-title", "-T4", "-Pn", "--open", "--traceroute", "--exclude", "10.0.0.7",
        "--min-rate", "10", "--max-rate", "100", "--host-timeout", "30s",
        "-oX", "-", "--stats-every", "1s", "10.0.0.5", "10.0.0.6",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "scan, expected",
    [
        (NmapScan(targets=["h"], all_ports=True), ["-p-"]),
        (NmapScan(targets=["h"], fast=True), ["-F"]),
        (NmapScan(targets=["h"], top_ports=100), ["--top-ports", "100"]),
        (NmapScan(targets=["::1"]), ["-6"]),
        (NmapScan(targets=["h"], technique="ping"), ["-sn"]),
    ],
)
def test_build_argv_selectors(scan, expected):
    argv = build_argv(scan)
    assert argv[1 : 1 + len(expected)] == expected


def test_udp_spelling_is_normalised_so_argv_round_trips():
    # UDP next to nmap's default TCP is a SYN scan (UDP needs root; root's default is SYN).
    assert NmapScan(targets=["h"], udp=True).technique == "syn"
    assert NmapScan(targets=["h"], technique="udp", udp=True).udp is False
    assert build_argv(NmapScan(targets=["h"], technique="udp"))[1:2] == ["-sU"]


def test_a_port_said_twice_is_scanned_once():
    # The planner's grammar can write "443,443"; the card and argv show each port once.
    assert NmapScan(targets=["h"], ports="443,443").ports == "443"
    assert NmapScan(targets=["h"], ports="80,443,80,22").ports == "80,443,22"
    assert NmapScan.from_argv("nmap -p 22,22 10.0.0.1").ports == "22"
    assert NmapScan(targets=["h"], ports="T:53,U:53", udp=True).ports == "T:53,U:53"


# --- commands an analyst might type ---------------------------------------------------

ANALYST_COMMANDS = [
    ("nmap 10.0.0.1", {}),
    ("nmap -sV -sC 10.0.0.1", {"service_version": True, "scripts": ["default"]}),
    ("nmap -sC -sV 10.0.0.1", {"service_version": True, "scripts": ["default"]}),
    ("nmap -sSV -p22,80 10.0.0.1", {"technique": "syn", "service_version": True, "ports": "22,80"}),
    ("nmap -sV -sS -p 22,80 10.0.0.1", {"technique": "syn", "service_version": True, "ports": "22,80"}),
    ("nmap -sT --top-ports=100 10.0.0.1", {"technique": "connect", "top_ports": 100}),
    ("nmap -sT --top-ports 100 10.0.0.1", {"technique": "connect", "top_ports": 100}),
    ("nmap -T4 -F 10.0.0.1", {"timing": 4, "fast": True}),
    ("nmap -T 4 -F 10.0.0.1", {"timing": 4, "fast": True}),
    ("nmap -T aggressive -F 10.0.0.1", {"timing": 4, "fast": True}),
    ("nmap --script vuln -p 443 10.0.0.1", {"scripts": ["vuln"], "ports": "443"}),
    ("nmap --script=vuln,http-title -p443 10.0.0.1", {"scripts": ["vuln", "http-title"], "ports": "443"}),
    ("nmap -sC --script=vuln 10.0.0.1", {"scripts": ["default", "vuln"]}),
    ("nmap -p- -Pn --open 10.0.0.0/24", {"all_ports": True, "skip_discovery": True, "open_only": True}),
    ("nmap -p - 10.0.0.1", {"all_ports": True}),
    ("nmap -sn 192.168.1.0/24", {"technique": "ping"}),
    ("nmap -sP 192.168.1.1-50", {"technique": "ping"}),
    ("nmap -sU -p U:53,161 10.0.0.1", {"technique": "udp", "ports": "U:53,161"}),
    ("nmap -sS -sU -p T:22,U:53 10.0.0.1", {"technique": "syn", "udp": True, "ports": "T:22,U:53"}),
    ("nmap -sSU 10.0.0.1", {"technique": "syn", "udp": True}),
    ("nmap -A -T4 scanme.example.org", {"aggressive": True, "timing": 4}),
    ("nmap -O --traceroute 10.0.0.1", {"os_detection": True, "traceroute": True}),
    ("nmap -sV --version-intensity 0 10.0.0.1", {"service_version": True, "version_intensity": 0}),
    ("nmap -sV --version-all 10.0.0.1", {"service_version": True, "version_intensity": 9}),
    ("nmap -6 -sT ::1", {"technique": "connect", "ipv6": True}),
    ("nmap fe80::1", {"ipv6": True}),
    ("nmap --exclude 10.0.0.5,10.0.0.6 10.0.0.0/28", {"exclude": ["10.0.0.5", "10.0.0.6"]}),
    ("nmap --exclude=10.0.0.5 10.0.0.0/28", {"exclude": ["10.0.0.5"]}),
    ("nmap --min-rate 100 --max-rate=500 10.0.0.1", {"min_rate": 100, "max_rate": 500}),
    ("nmap --host-timeout 5m 10.0.0.1", {"host_timeout": "5m"}),
    ("nmap -P0 10.0.0.1", {"skip_discovery": True}),
    ("/usr/bin/nmap -sT 10.0.0.1", {"technique": "connect"}),
    ("nmap -sT -oX - --stats-every 1s 10.0.0.1", {"technique": "connect"}),
    ("nmap -sT --stats-every=5s -oX - 10.0.0.1", {"technique": "connect"}),
    ("nmap -sA 10.0.0.1 10.0.0.2", {"technique": "ack", "targets": ["10.0.0.1", "10.0.0.2"]}),
    ("nmap -sX localhost 10.0.0.*", {"technique": "xmas", "targets": ["localhost", "10.0.0.*"]}),
]


@pytest.mark.parametrize("command, fields", ANALYST_COMMANDS)
def test_analyst_commands(command, fields):
    """``fields`` as the form would hold them; the target is the last word unless listed."""
    scan = parse_argv(command)
    assert scan == NmapScan(**{"targets": [command.split()[-1]], **fields}), command
    assert parse_argv(scan.to_argv()) == scan
    assert parse_argv(command.split()) == scan  # a list works as well as a string


# --- commands that must be refused ----------------------------------------------------

HOSTILE = [
    ("nmap 10.0.0.1; rm -rf /", "10.0.0.1;"),
    (["nmap", "10.0.0.1", ";", "rm", "-rf", "/"], ";"),
    ("nmap $(id)", "$(id)"),
    ("nmap `id`", "`id`"),
    ("nmap 10.0.0.1 && curl evil.example", "&&"),
    ("nmap 10.0.0.1 | tee /tmp/x", "|"),
    ("nmap 10.0.0.1 > /etc/passwd", ">"),
    ("nmap ${IFS}10.0.0.1", "${IFS}10.0.0.1"),
    (["nmap", "10.0.0.1\nid"], "control character"),
    (["nmap", "10.0.0.1 -iL x"], "shell syntax"),
    ("nmap -iL /etc/passwd", "-iL"),
    ("nmap -iL/etc/passwd", "-iL/etc/passwd"),
    ("nmap -iR 100", "-iR"),
    ("nmap --script=/tmp/x.nse 10.0.0.1", "--script=/tmp/x.nse"),
    ("nmap --script x.nse 10.0.0.1", "--script x.nse"),
    ("nmap --script=./evil 10.0.0.1", "--script=./evil"),
    ("nmap --script-args=user=root 10.0.0.1", "--script-args=user=root"),
    ("nmap --script-args-file /tmp/a 10.0.0.1", "--script-args-file"),
    ("nmap --script=vuln,+exploit 10.0.0.1", "+exploit"),
    ("nmap --script=brute 10.0.0.1", "brute"),
    ("nmap -oN /etc/cron.d/x 10.0.0.1", "-oN"),
    ("nmap -oG out.txt 10.0.0.1", "-oG"),
    ("nmap -oA /tmp/scan 10.0.0.1", "-oA"),
    ("nmap -oX /tmp/scan.xml 10.0.0.1", "-oX /tmp/scan.xml"),
    ("nmap -oX/tmp/scan.xml 10.0.0.1", "-oX/tmp/scan.xml"),
    ("nmap --datadir /tmp/evil 10.0.0.1", "--datadir"),
    ("nmap --resume /tmp/scan.log", "--resume"),
    ("nmap --stylesheet http://evil.example/x.xsl 10.0.0.1", "--stylesheet"),
    ("nmap -e eth0 10.0.0.1", "-e"),
    ("nmap --spoof-mac 0 10.0.0.1", "--spoof-mac"),
    ("nmap -D 10.0.0.9,ME 10.0.0.1", "-D"),
    ("nmap -S 10.0.0.9 10.0.0.1", "-S"),
    ("nmap --proxies socks4://10.0.0.9:1080 10.0.0.1", "--proxies"),
    ("nmap -sI zombie.example 10.0.0.1", "-sI"),
    ("nmap --privileged -sS 10.0.0.1", "--privileged"),
    ("nmap -v 10.0.0.1", "-v"),
    ("nmap --scan-delay 1s 10.0.0.1", "--scan-delay"),
    ("sudo nmap 10.0.0.1", "sudo"),
    ("bash -c 'nmap 10.0.0.1'", "bash"),
    ("/tmp/../usr/bin/nmap 10.0.0.1", "/tmp/../usr/bin/nmap"),
    ("ncat 10.0.0.1", "ncat"),
    ("nmap -- -iL", "--"),
    ("nmap -p 22 --exclude -iL 10.0.0.1", "-iL"),
    ("nmap -p 99999 10.0.0.1", "99999"),
    ("nmap 0x0a000001", "0x0a000001"),
    ("nmap 167772161", "167772161"),
    ("nmap -sS -sT 10.0.0.1", "-sS"),
    ("nmap -sn -p 22 10.0.0.1", "ping sweep"),
    ("nmap -6 10.0.0.1", "ipv6"),
    ("nmap -T9 10.0.0.1", "-T9"),
    ("nmap --top-ports 1e3 10.0.0.1", "--top-ports 1e3"),
    ("nmap -p 22 -p 80 10.0.0.1", "-p"),
    ("nmap --open=yes 10.0.0.1", "does not take a value"),
    ("nmap --max-retries=1 10.0.0.1", "'--max-retries=1' is not supported"),
    ("nmap -sT", "No target"),
    ("nmap '10.0.0.1", "quotes"),
    ("", "empty"),
    ("nmap -sL 10.0.0.0/24", "-sL"),
    ("nmap --stats-every forever 10.0.0.1", "--stats-every"),
]


@pytest.mark.parametrize("command, named", HOSTILE, ids=[str(c) for c, _ in HOSTILE])
def test_hostile_commands_are_refused_with_the_reason(command, named):
    with pytest.raises(ValidationFailed) as err:
        NmapScan.from_argv(command)
    assert named in str(err.value)


def test_refusals_say_why():
    cases = {
        "nmap -iL /etc/passwd": "reads targets from a file",
        "nmap -oN x 10.0.0.1": "writes output to a file",
        "nmap --script=/tmp/x.nse 10.0.0.1": "never loaded from a file",
        "nmap --datadir /tmp 10.0.0.1": "data files",
        "nmap 10.0.0.1;id": "shell syntax",
        "sudo nmap 10.0.0.1": "leave out sudo",
    }
    for command, why in cases.items():
        with pytest.raises(ValidationFailed, match=why):
            parse_argv(command)


def test_pydantic_errors_become_validation_failed():
    with pytest.raises(ValidationFailed, match=r"Invalid nmap command: .*min_rate is above max_rate"):
        parse_argv("nmap --min-rate 500 --max-rate 100 10.0.0.1")
    with pytest.raises(ValidationFailed, match="targets"):
        parse_argv("nmap 10.0.0.256")
    # a small model, denied an option, sometimes "excludes" its only target instead
    with pytest.raises(ValidationFailed, match="10.0.0.1 is both a target and excluded"):
        parse_argv("nmap --exclude 10.0.0.1 10.0.0.1")
    assert parse_argv("nmap --exclude 10.0.0.1 10.0.0.0/24").exclude == ["10.0.0.1"]


# --- describe -------------------------------------------------------------------------


def test_describe_example():
    scan = NmapScan(
        targets=["10.0.0.5"],
        technique="connect",
        top_ports=100,
        service_version=True,
        timing=4,
        open_only=True,
    )
    assert describe(scan) == (
        "TCP connect scan of the 100 most common ports on 10.0.0.5, with service/version detection; "
        "timing T4 (aggressive); only open ports are shown."
    )
    assert scan.describe() == describe(scan)


def test_describe_mentions_what_matters():
    text = describe(
        NmapScan(
            targets=["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"],
            technique="syn",
            udp=True,
            os_detection=True,
            scripts=["vuln"],
            skip_discovery=True,
            min_rate=10,
            max_rate=50,
            host_timeout="5m",
        )
    )
    for part in (
        "SYN",
        "UDP",
        "OS detection",
        "vuln",
        "without a ping (-Pn)",
        "at least 10",
        "at most 50",
        "5m",
    ):
        assert part in text, part
    assert "2 more targets" in text
    assert describe(NmapScan(targets=["10.0.0.0/24"], technique="ping")).startswith(
        "Host discovery (ping sweep, no port scan) on 10.0.0.0/24"
    )
    assert "1000 most common ports" in describe(NmapScan(targets=["h"]))
    assert "over IPv6" in describe(NmapScan(targets=["::1"]))
