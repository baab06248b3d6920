"""Scope, caps, risk tiers and reach — the decisions that keep scans inside their bounds."""

import pytest

from operatorx.config import Config, ScopeConfig
from operatorx.policy import check_target, count_ports, evaluate
from operatorx.schemas import Condition, EsSearch, NmapScan


def fake_resolver(table):
    def resolve(host, port):
        if host not in table:
            raise OSError(f"Name or service not known: {host}")
        return [(2, 1, 6, "", (ip, 0)) for ip in table[host]]

    return resolve


LAB = Config(
    scope=ScopeConfig(
        allow=["10.0.0.0/16", "127.0.0.0/8", "fd00::/64"], hostnames=["localhost", "*.lab.internal"]
    )
)


@pytest.mark.parametrize(
    "target",
    ["10.0.0.5", "10.0.1.0/24", "10.0.0.1-20", "10.0.0-3.1-254", "127.0.0.1", "fd00::5", "fd00::/120"],
)
def test_in_scope_targets_are_allowed(target):
    _, why = check_target(target, LAB)
    assert why is None


@pytest.mark.parametrize(
    "target, words",
    [
        ("8.8.8.8", "outside the allowed scope"),
        ("10.1.0.5", "outside the allowed scope"),
        ("10.0.0.0/8", "more than the limit"),
        ("10.1.0.0/24", "not inside the allowed scope"),
        ("10.0.255-256.1", "not a valid IPv4 range"),
        ("10.0.255.250-255", None),
        ("9.255.255.250-255", "not inside the allowed scope"),
        ("::ffff:10.0.0.5", "IPv4-mapped"),
        ("::ffff:8.8.8.8", "IPv4-mapped"),
        ("167772165", "numeric IP spelling"),
        ("0x0a000005", "numeric IP spelling"),
        ("012.0.0.5", "leading zeros"),
        ("2001:db8::1", "outside the allowed scope"),
        ("example.com", "not in the allowed hostnames"),
        ("0.0.0.0/0", "more than the limit"),
        ("*.*.*.*", "more than the limit"),
    ],
)
def test_out_of_scope_targets_are_refused_with_a_reason(target, words):
    _, why = check_target(target, LAB)
    if words is None:
        assert why is None
    else:
        assert why is not None and words in why


def test_hostname_must_be_listed_and_resolve_inside_scope():
    resolve = fake_resolver(
        {"db.lab.internal": ["10.0.0.9"], "evil.lab.internal": ["10.0.0.9", "93.184.216.34"]}
    )
    assert check_target("db.lab.internal", LAB, resolve)[1] is None
    why = check_target("evil.lab.internal", LAB, resolve)[1]
    assert "93.184.216.34" in why and "outside" in why
    assert "does not resolve" in check_target("gone.lab.internal", LAB, resolve)[1]


def test_default_scope_is_loopback_only():
    cfg = Config()
    assert evaluate(NmapScan(targets=["127.0.0.1"]), cfg).allowed
    d = evaluate(NmapScan(targets=["10.0.0.5"]), cfg)
    assert not d.allowed and "10.0.0.5" in d.reasons[0]


def test_every_target_is_checked_not_just_the_first():
    d = evaluate(NmapScan(targets=["10.0.0.5", "8.8.4.4"]), LAB)
    assert not d.allowed and any("8.8.4.4" in r for r in d.reasons)


@pytest.mark.parametrize(
    "scan, ports",
    [
        (NmapScan(targets=["10.0.0.1"]), 1000),
        (NmapScan(targets=["10.0.0.1"], ports="22,80,8000-8009"), 12),
        (NmapScan(targets=["10.0.0.1"], top_ports=50), 50),
        (NmapScan(targets=["10.0.0.1"], fast=True), 100),
        (NmapScan(targets=["10.0.0.1"], all_ports=True), 65535),
        (NmapScan(targets=["10.0.0.1"], technique="ping"), 0),
        (NmapScan(targets=["10.0.0.1"], ports="T:80,U:53"), 2),
    ],
)
def test_port_counts(scan, ports):
    assert count_ports(scan) == ports


def test_reach_is_hosts_times_ports():
    d = evaluate(NmapScan(targets=["10.0.0.0/24"], top_ports=100), LAB)
    assert (d.reach.hosts, d.reach.ports) == (256, 100)
    assert "25,600 probes" in d.reach.text()


@pytest.mark.parametrize(
    "scan, risk",
    [
        (NmapScan(targets=["10.0.0.0/24"], technique="ping"), "low"),
        (NmapScan(targets=["10.0.0.5"], top_ports=100), "low"),
        (NmapScan(targets=["10.0.0.5"], ports="22,443"), "low"),
        (NmapScan(targets=["10.0.0.5"], all_ports=True), "medium"),
        (NmapScan(targets=["10.0.0.5"], ports="22", service_version=True), "medium"),
        (NmapScan(targets=["10.0.0.5"]), "medium"),
        (NmapScan(targets=["10.0.0.5"], aggressive=True), "high"),
        (NmapScan(targets=["10.0.0.5"], scripts=["vuln"]), "high"),
        (NmapScan(targets=["10.0.0.5"], technique="udp", all_ports=True), "high"),
        (NmapScan(targets=["10.0.0.5"], timing=5, ports="80"), "high"),
    ],
)
def test_risk_tiers(scan, risk):
    assert evaluate(scan, LAB).risk == risk


def test_search_index_must_be_allowed_and_sizes_capped():
    cfg = Config()
    assert evaluate(EsSearch(index="logs-zeek-so*"), cfg).allowed
    d = evaluate(EsSearch(index="secrets-*"), cfg)
    assert not d.allowed and "secrets-*" in d.reasons[0]
    d = evaluate(EsSearch(size=5000), cfg)
    assert not d.allowed and "5000" in d.reasons[0]
    d = evaluate(EsSearch(index="*"), cfg)
    assert not d.allowed


def test_search_risk_mentions_missing_time_window():
    d = evaluate(EsSearch(where=[Condition(field="source.ip", value="10.0.0.5")]), Config())
    assert d.risk == "medium" and "time window" in d.risk_reasons[0]
    d = evaluate(EsSearch(since="now-24h"), Config())
    assert d.risk == "low"
