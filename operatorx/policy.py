"""What may run: scope, caps, risk tier and reach — decided in code, after the model.

The planner's output is data; this module is why a confused or manipulated model still
cannot scan outside the configured scope or run anything but a bounded read-only search.
Every refusal carries a sentence that says why, for the card and the audit log.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Literal

from operatorx.config import Config
from operatorx.schemas.elastic import EsSearch
from operatorx.schemas.nmap import NmapScan, target_kind

Risk = Literal["low", "medium", "high"]
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[..., list]

DEFAULT_PORTS = 1000  # nmap's default: the 1,000 most common ports per protocol


@dataclass
class Reach:
    """How much a call touches: hosts × ports for a scan, matching documents for a search."""

    hosts: int = 0
    ports: int = 0
    documents: int | None = None
    search: bool = False

    def text(self) -> str:
        if self.search:
            return (
                "matching documents not counted"
                if self.documents is None
                else f"{self.documents:,} matching documents"
            )
        if self.ports == 0:
            return f"{self.hosts:,} host(s), discovery only"
        return f"{self.hosts:,} host(s) × {self.ports:,} port(s) = {self.hosts * self.ports:,} probes"


@dataclass
class PolicyDecision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    risk: Risk = "low"
    risk_reasons: list[str] = field(default_factory=list)
    reach: Reach = field(default_factory=Reach)
    notes: list[str] = field(default_factory=list)


def evaluate(
    call: NmapScan | EsSearch,
    config: Config,
    *,
    resolve: Resolver = socket.getaddrinfo,
    catalog=None,
) -> PolicyDecision:
    """Decide whether ``call`` may be proposed for confirmation, and how risky it is."""
    if isinstance(call, NmapScan):
        return _evaluate_scan(call, config, resolve)
    if isinstance(call, EsSearch):
        return _evaluate_search(call, config, catalog)
    return PolicyDecision(False, [f"Unknown tool call type {type(call).__name__}"])


# --- scans ------------------------------------------------------------------------------


def allowed_networks(config: Config) -> list[IPNet]:
    return [ipaddress.ip_network(c, strict=False) for c in config.scope.allow]


def _in_scope(addr: ipaddress.IPv4Address | ipaddress.IPv6Address, nets: list[IPNet]) -> bool:
    return any(addr.version == n.version and addr in n for n in nets)


def _range_bounds(spec: str) -> tuple[ipaddress.IPv4Address, ipaddress.IPv4Address, int]:
    lows, highs, count = [], [], 1
    for part in spec.split("."):
        if part == "*":
            lo, hi = 0, 255
        elif "-" in part:
            lo, hi = (int(x) for x in part.split("-"))
        else:
            lo = hi = int(part)
        lows.append(lo)
        highs.append(hi)
        count *= hi - lo + 1
    lo_ip = ipaddress.IPv4Address(".".join(map(str, lows)))
    hi_ip = ipaddress.IPv4Address(".".join(map(str, highs)))
    return lo_ip, hi_ip, count


def _hostname_allowed(name: str, config: Config) -> bool:
    name = name.rstrip(".").lower()
    return any(fnmatch(name, pat.lower()) for pat in config.scope.hostnames)


def check_target(
    target: str, config: Config, resolve: Resolver = socket.getaddrinfo
) -> tuple[int, str | None]:
    """Return (number of addresses, refusal reason or None) for one target."""
    nets = allowed_networks(config)
    scope = ", ".join(config.scope.allow) or "nothing"
    try:
        kind = target_kind(target)
    except ValueError as e:
        return 0, str(e)
    if kind in ("ipv4", "ipv6"):
        addr = ipaddress.ip_address(target)
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            return 1, (
                f"{target} is an IPv4-mapped IPv6 address (it reaches {addr.ipv4_mapped}); "
                "write the IPv4 address itself"
            )
        if not _in_scope(addr, nets):
            return 1, f"{target} is outside the allowed scope ({scope})"
        return 1, None
    if kind in ("cidr4", "cidr6"):
        net = ipaddress.ip_network(target, strict=False)
        if net.num_addresses > config.scope.max_hosts:
            return net.num_addresses, (
                f"{target} covers {net.num_addresses:,} addresses, more than the limit of "
                f"{config.scope.max_hosts:,} per scan"
            )
        if not any(net.version == n.version and net.subnet_of(n) for n in nets):
            return net.num_addresses, f"{target} is not inside the allowed scope ({scope})"
        return net.num_addresses, None
    if kind == "range4":
        lo, hi, count = _range_bounds(target)
        if count > config.scope.max_hosts:
            return (
                count,
                f"{target} covers {count:,} addresses, more than the limit of {config.scope.max_hosts:,}",
            )
        # Networks are contiguous, so a range lies inside one exactly when both ends do.
        if not any(n.version == 4 and lo in n and hi in n for n in nets):
            return count, f"{target} (from {lo} to {hi}) is not inside the allowed scope ({scope})"
        return count, None
    # hostname
    if not _hostname_allowed(target, config):
        allowed = ", ".join(config.scope.hostnames) or "none"
        return 1, f"hostname {target} is not in the allowed hostnames ({allowed})"
    try:
        infos = resolve(target, None)
    except (OSError, UnicodeError) as e:
        return 1, f"hostname {target} does not resolve ({e})"
    addrs = {ipaddress.ip_address(i[4][0].split("%")[0]) for i in infos}
    outside = sorted(str(a) for a in addrs if not _in_scope(a, nets))
    if not addrs:
        return 1, f"hostname {target} does not resolve"
    if outside:
        return len(
            addrs
        ), f"hostname {target} resolves to {', '.join(outside)}, outside the allowed scope ({scope})"
    return len(addrs), None


def count_ports(scan: NmapScan) -> int:
    if scan.technique == "ping":
        return 0
    if scan.all_ports:
        n = 65535
    elif scan.fast:
        n = 100
    elif scan.top_ports:
        n = scan.top_ports
    elif scan.ports:
        n = 0
        for item in scan.ports.split(","):
            nums = [int(x) for x in item.split(":")[-1].split("-")]
            n += nums[-1] - nums[0] + 1
    else:
        n = DEFAULT_PORTS
    if scan.udp and not scan.ports:
        n *= 2  # the same port selection again over UDP
    return n


def _evaluate_scan(scan: NmapScan, config: Config, resolve: Resolver) -> PolicyDecision:
    reasons: list[str] = []
    hosts = 0
    for t in scan.targets:
        n, why = check_target(t, config, resolve)
        hosts += n
        if why:
            reasons.append(why)
    if hosts > config.scope.max_hosts and not reasons:
        reasons.append(
            f"the scan covers {hosts:,} addresses, more than the limit of {config.scope.max_hosts:,}"
        )
    ports = count_ports(scan)
    risk, why = scan_risk(scan, hosts, ports)
    return PolicyDecision(not reasons, reasons, risk, why, Reach(hosts=hosts, ports=ports))


def scan_risk(scan: NmapScan, hosts: int, ports: int) -> tuple[Risk, list[str]]:
    """Risk tier: how noisy, slow or intrusive the scan is for the hosts it touches."""
    high, medium = [], []
    if scan.aggressive:
        high.append("-A runs OS detection, version probes, default scripts and traceroute")
    if "vuln" in scan.scripts:
        high.append("vuln scripts actively probe for vulnerabilities")
    if (scan.technique == "udp" or scan.udp) and ports > 1000:
        high.append(f"UDP over {ports:,} ports is slow and noisy")
    if scan.timing == 5 or (scan.min_rate or 0) > 1000:
        high.append("very fast timing can drop packets and trip IDS alerts")
    if hosts * max(ports, 1) > 1_000_000:
        high.append(f"{hosts * ports:,} probes in total")
    if scan.all_ports:
        medium.append("all 65,535 ports")
    if scan.service_version:
        medium.append("service/version probes send application data")
    if scan.os_detection:
        medium.append("OS detection sends unusual packets")
    if scan.scripts and "vuln" not in scan.scripts:
        medium.append("NSE scripts: " + ", ".join(scan.scripts))
    if scan.technique in ("ack", "fin", "null", "xmas"):
        medium.append(f"{scan.technique.upper()} scans are stealth probes that firewalls log")
    if scan.timing == 4:
        medium.append("aggressive timing (T4)")
    if ports == DEFAULT_PORTS and not (scan.ports or scan.top_ports):
        medium.append("nmap's default 1,000 ports")
    if hosts > 256:
        medium.append(f"{hosts:,} hosts")
    if high:
        return "high", high + medium
    if medium:
        return "medium", medium
    return "low", ["host discovery only" if ports == 0 else f"{ports:,} port(s) per host"]


# --- searches ---------------------------------------------------------------------------


def index_allowed(index: str, config: Config) -> str | None:
    """Each comma-separated part must fall inside an allowed pattern; returns a reason or None."""
    for part in index.split(","):
        if not any(part == pat or fnmatch(part, pat) for pat in config.elasticsearch.allowed_indices):
            allowed = ", ".join(config.elasticsearch.allowed_indices)
            return f"index {part!r} is not inside the allowed index patterns ({allowed})"
    return None


def _evaluate_search(search: EsSearch, config: Config, catalog) -> PolicyDecision:
    es = config.elasticsearch
    if catalog is not None:
        from operatorx.tools.elastic.validate import validate_search

        reasons = list(validate_search(search, catalog, es))
    else:
        reasons = []
        why = index_allowed(search.index, config)
        if why:
            reasons.append(why)
        if search.size > es.max_size:
            reasons.append(f"size {search.size} is above the limit of {es.max_size}")
        if search.agg and search.agg.size > es.max_buckets:
            reasons.append(f"{search.agg.size} buckets is above the limit of {es.max_buckets}")
    medium = []
    if not (search.since or search.until):
        medium.append("no time window: searches all retained data")
    if search.size > 100:
        medium.append(f"returns up to {search.size} documents")
    if any(c.op == "wildcard" and str(c.value).startswith(("*", "?")) for c in search.where + search.any_of):
        medium.append("leading wildcard scans every term of the field")
    risk: Risk = "medium" if medium else "low"
    return PolicyDecision(not reasons, reasons, risk, medium or ["read-only search"], Reach(search=True))
