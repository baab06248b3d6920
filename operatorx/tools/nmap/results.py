"""Typed scan results and live progress, read from nmap's XML (``-oX -``).

The XML is walked with ``xml.etree`` rather than python-nmap's
``PortScanner().analyse_nmap_xml_scan``: constructing a ``PortScanner`` runs ``nmap -V`` from
its own PATH search (ignoring ``nmap.binary``, and failing where nmap is absent, e.g. when a
saved result is re-read), and its parser drops things the analyst needs — the ``<extraports>``
summary ("997 closed ports not shown"), skipped targets, nmap's exit status and version — keys
hosts by address (a repeated target collapses) and reports an OS match's accuracy from its last
``<osclass>``. tests/test_nmap_results.py still uses python-nmap as an oracle: for every
captured XML file, both parsers must agree on the port table.

The XML elements read here are documented at https://nmap.org/book/nmap-dtd.html.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET

from pydantic import BaseModel, ConfigDict, Field

from operatorx.errors import ExecutionFailed


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ScanProgress(_Model):
    """One progress report: nmap's ``<taskprogress>``, ``<taskbegin>`` or ``<taskend>``."""

    percent: float = Field(ge=0, le=100)
    eta_s: float | None = Field(None, description="Seconds nmap expects the current task to take still.")
    task: str = Field(description="nmap's name for the phase, e.g. 'Connect Scan', 'Service scan'.")


class PortResult(_Model):
    port: int
    protocol: str  # tcp, udp, sctp
    state: str  # open, closed, filtered, unfiltered, open|filtered, closed|filtered
    reason: str = ""  # syn-ack, conn-refused, no-response, port-unreach …
    service: str = ""
    product: str = ""
    version: str = ""
    extrainfo: str = ""
    scripts: dict[str, str] = Field(default_factory=dict, description="NSE script id → output.")


class OsMatch(_Model):
    name: str
    accuracy: int  # percent


class HostResult(_Model):
    address: str
    hostnames: list[str] = Field(default_factory=list)
    state: str  # up, down, unknown
    reason: str = ""  # localhost-response, echo-reply, user-set (-Pn), no-response …
    ports: list[PortResult] = Field(default_factory=list)
    extra_ports: dict[str, int] = Field(
        default_factory=dict, description="Ports nmap counted but did not list, by state: {'closed': 997}."
    )
    os_matches: list[OsMatch] = Field(default_factory=list)
    scripts: dict[str, str] = Field(default_factory=dict, description="Host-level NSE script output.")


class ScanResult(_Model):
    hosts: list[HostResult]
    argv: list[str]
    elapsed_s: float
    notes: list[str] = Field(default_factory=list)
    finished: bool = Field(description="nmap reached the end of the scan and reported success.")
    nmap_version: str = ""
    hosts_up: int = 0
    hosts_down: int = 0  # nmap lists down hosts only in verbose mode; the count is always there

    def digest(self) -> str:
        """sha256 of the canonical JSON form, for the audit log."""
        canonical = json.dumps(
            self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def open_ports(self) -> list[tuple[str, PortResult]]:
        """(host address, port) for every port in state ``open``, in scan order."""
        return [(h.address, p) for h in self.hosts for p in h.ports if p.state == "open"]

    def summary_counts(self) -> dict[str, int]:
        """Hosts up/down and ports by state (listed and summarised ones), e.g. for a status line."""
        counts = {
            "hosts_up": self.hosts_up,
            "hosts_down": self.hosts_down,
            "open": 0,
            "closed": 0,
            "filtered": 0,
        }
        for h in self.hosts:
            for p in h.ports:
                counts[p.state] = counts.get(p.state, 0) + 1
            for state, n in h.extra_ports.items():
                counts[state] = counts.get(state, 0) + n
        return counts


def parse_xml(xml: str | bytes, *, argv: list[str] | None = None) -> ScanResult:
    """A complete nmap XML document → ScanResult; ExecutionFailed if it is not one.

    ``argv`` is the argv that ran (the runner passes it); without it, nmap's own ``args``
    attribute is split on spaces.
    """
    try:
        root = ET.fromstring(xml.encode("utf-8") if isinstance(xml, str) else xml)
    except ET.ParseError as e:
        raise ExecutionFailed(
            f"nmap's XML output could not be read ({e}); the scan result is lost."
        ) from None
    if root.tag != "nmaprun":
        raise ExecutionFailed(f"nmap's output is XML but not a scan report (root element <{root.tag}>).")
    finished_el = root.find("runstats/finished")
    hosts_el = root.find("runstats/hosts")
    notes = []
    finished = finished_el is not None and finished_el.get("exit", "success") == "success"
    if finished_el is None:
        notes.append("nmap stopped before it finished; the results are incomplete.")
    elif not finished:
        notes.append(f"nmap reported an error: {finished_el.get('errormsg') or 'no message'}.")
    for t in root.iter("target"):
        notes.append(
            f"Target {t.get('specification')} was {t.get('status', 'skipped')} ({t.get('reason', '')})."
        )
    hosts = [_host(h) for h in root.iter("host")]
    up = _int(hosts_el, "up", sum(h.state == "up" for h in hosts))
    down = _int(hosts_el, "down", sum(h.state == "down" for h in hosts))
    if up == 0 and finished_el is not None:
        notes.append(
            "No host answered. If the target drops ping probes, treat hosts as up (-Pn, skip_discovery)."
        )
    elif down and not any(h.state == "down" for h in hosts):
        notes.append(
            f"{down} address{'es' if down > 1 else ''} did not answer and {'are' if down > 1 else 'is'} not listed."
        )
    return ScanResult(
        hosts=hosts,
        argv=list(argv) if argv is not None else (root.get("args") or "").split(),
        elapsed_s=float(finished_el.get("elapsed", 0)) if finished_el is not None else 0.0,
        notes=notes,
        finished=finished,
        nmap_version=root.get("version", ""),
        hosts_up=up,
        hosts_down=down,
    )


def _int(el: ET.Element | None, attr: str, default: int) -> int:
    try:
        return int(el.get(attr)) if el is not None and el.get(attr) is not None else default
    except ValueError:
        return default


def _scripts(parent: ET.Element | None) -> dict[str, str]:
    if parent is None:
        return {}
    return {s.get("id", "?"): (s.get("output") or "").strip() for s in parent.findall("script")}


def _host(h: ET.Element) -> HostResult:
    status = h.find("status")
    addresses = h.findall("address")
    ip = next((a for a in addresses if a.get("addrtype") in ("ipv4", "ipv6")), None)
    address = (ip if ip is not None else addresses[0]).get("addr", "") if addresses else ""
    ports, extra = [], {}
    for p in h.findall("ports/port"):
        state = p.find("state")
        svc = p.find("service")
        ports.append(
            PortResult(
                port=int(p.get("portid", 0)),
                protocol=p.get("protocol", ""),
                state=state.get("state", "") if state is not None else "",
                reason=state.get("reason", "") if state is not None else "",
                service=svc.get("name", "") if svc is not None else "",
                product=svc.get("product", "") if svc is not None else "",
                version=svc.get("version", "") if svc is not None else "",
                extrainfo=svc.get("extrainfo", "") if svc is not None else "",
                scripts=_scripts(p),
            )
        )
    for e in h.findall("ports/extraports"):
        extra[e.get("state", "")] = extra.get(e.get("state", ""), 0) + _int(e, "count", 0)
    return HostResult(
        address=address,
        hostnames=[n.get("name", "") for n in h.findall("hostnames/hostname") if n.get("name")],
        state=status.get("state", "unknown") if status is not None else "unknown",
        reason=status.get("reason", "") if status is not None else "",
        ports=ports,
        extra_ports=extra,
        os_matches=[
            OsMatch(name=m.get("name", ""), accuracy=_int(m, "accuracy", 0)) for m in h.findall("os/osmatch")
        ],
        scripts=_scripts(h.find("hostscript")),
    )


_PROGRESS_TAGS = ("<taskprogress", "<taskbegin", "<taskend")


def parse_progress_line(line: str) -> ScanProgress | None:
    """A ``<taskprogress>`` / ``<taskbegin>`` / ``<taskend>`` line → ScanProgress; else None.

    With ``-oX - --stats-every 1s`` nmap writes these elements into the XML stream on stdout,
    one per line, e.g. ``<taskprogress task="Connect Scan" time="…" percent="12.34"
    remaining="40" etc="…"/>``. A task's begin reports 0 %, its end 100 %.
    """
    text = line.strip()
    if not text.startswith(_PROGRESS_TAGS):
        return None
    try:
        el = ET.fromstring(text)
    except ET.ParseError:
        return None
    task = el.get("task", "")
    if el.tag == "taskbegin":
        return ScanProgress(percent=0.0, eta_s=None, task=task)
    if el.tag == "taskend":
        return ScanProgress(percent=100.0, eta_s=0.0, task=task)
    try:
        percent = min(100.0, max(0.0, float(el.get("percent", "0"))))
        remaining = el.get("remaining")
        eta = float(remaining) if remaining is not None else None
    except ValueError:
        return None
    return ScanProgress(percent=percent, eta_s=eta, task=task)
